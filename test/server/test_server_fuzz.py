"""A bounded, seeded fuzz of ``/api`` (the long version is ``bench/fuzz.py``).

Hostile and malformed requests through real HTTP: no answer is an HTTP 5xx,
every answer is a result list or the ftrack error object, the database
passes SQLite's integrity and foreign key checks afterwards, and entities
known before the fuzzing are unchanged (batches touching them always end
in a failing operation, so they must be rolled back).
"""

import importlib.util
import os

import pytest

_PATH = os.path.join(os.path.dirname(__file__), '..', '..', 'bench', 'fuzz.py')


def _fuzz_module():
    spec = importlib.util.spec_from_file_location('bench_fuzz', _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('seed', [11, 12])
def test_fuzzed_requests_get_error_objects_and_leave_the_database_sound(tmp_path, seed):
    fuzz = _fuzz_module()
    summary = fuzz.run(1200, seed, str(tmp_path / 'fuzz.sqlite'))
    assert sum(summary.values()) == 1200
    # The fuzz reached the parts it aims at: results, refusals and parse errors.
    assert summary.get('list', 0) > 0
    assert summary.get('ValidationError', 0) > 0
    assert summary.get('ParseError', 0) > 0
    assert summary.get('InvalidCredentialsError', 0) > 0


def test_check_answer_refuses_a_server_error(tmp_path):
    fuzz = _fuzz_module()

    class Answer(object):
        status_code = 200
        text = '{"exception": "ServerError", "content": "boom", "error_code": null}'

        def json(self):
            return {'exception': 'ServerError', 'content': 'boom', 'error_code': None}

    with pytest.raises(AssertionError):
        fuzz.check_answer(Answer())
    Answer.status_code = 500
    with pytest.raises(AssertionError):
        fuzz.check_answer(Answer())
