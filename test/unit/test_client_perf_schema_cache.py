"""Schema cache files of the default directory: named by hash and digest,
checked cheaply, still plain lists, bounded in number and age."""

import json
import os

import pytest

from ftrack_api._session import schema_cache as _schema_cache
from ftrack_local_server.testing import (
    OfflineSession, default_schema_path, schema_counting_session_class,
)


@pytest.fixture(scope='module')
def schemas():
    with open(default_schema_path(), encoding='utf-8') as handle:
        return json.load(handle)


CountingSession = schema_counting_session_class()


@pytest.fixture(autouse=True)
def default_directory(tmp_path, monkeypatch):
    """Make *tmp_path* the per-user default cache directory."""
    monkeypatch.delenv('FTRACK_API_SCHEMA_CACHE_PATH', raising=False)
    monkeypatch.setattr(_schema_cache, 'default_directory', lambda: str(tmp_path))
    return tmp_path


def start(tmp_path, **kw):
    before = CountingSession.schema_requests
    session = CountingSession(schema_cache_path=None, **kw)
    session.close()
    return session, CountingSession.schema_requests - before


def only_file(tmp_path):
    (name,) = os.listdir(str(tmp_path))
    return tmp_path / name


def test_cold_writes_the_list_named_by_hash_and_digest(tmp_path, schemas):
    session, requests = start(tmp_path)
    assert requests == 1
    path = only_file(tmp_path)
    schema_hash = session.server_information['schema_hash']
    assert path.name == _schema_cache.cache_file_name(schema_hash, path.read_bytes())
    assert path.name.startswith('ftrack_api_schema_cache_')
    assert json.loads(path.read_text()) == schemas
    # The server's own bytes: the list as it was in the response.
    assert path.read_text() == json.dumps(schemas)


def test_warm_start_reads_the_file_without_requesting(tmp_path, schemas):
    start(tmp_path)
    session, requests = start(tmp_path)
    assert requests == 0
    assert session.schemas == schemas


def test_changed_content_is_ignored_and_rewritten(tmp_path, schemas):
    start(tmp_path)
    path = only_file(tmp_path)
    edited = json.loads(path.read_text())
    edited[0]['id'] = 'Edited'
    path.write_text(json.dumps(edited))
    session, requests = start(tmp_path)
    assert requests == 1
    assert session.schemas == schemas
    assert json.loads(only_file(tmp_path).read_text()) == schemas


def test_unreadable_content_is_ignored(tmp_path):
    start(tmp_path)
    only_file(tmp_path).write_text('{not json')
    _, requests = start(tmp_path)
    assert requests == 1
    _, requests = start(tmp_path)
    assert requests == 0


def test_new_schema_hash_adds_a_file(tmp_path, schemas):
    start(tmp_path)
    (old,) = os.listdir(str(tmp_path))
    information = {
        'version': 'dev', 'schema_hash': 'f' * 32,
        'storage_scenario': {'scenario': 'ftrack.automatic', 'data': {}},
    }
    _, requests = start(tmp_path, server_information=information)
    assert requests == 1
    names = os.listdir(str(tmp_path))
    assert len(names) == 2 and old in names
    assert any(('f' * 32) in name for name in names)
    # Both schemas start warm (servers of two versions, say).
    assert start(tmp_path, server_information=information)[1] == 0
    assert start(tmp_path)[1] == 0


def test_servers_with_the_same_schema_share_one_file(tmp_path):
    start(tmp_path)
    _, requests = start(tmp_path, server_url='http://other.invalid')
    assert requests == 0
    assert len(os.listdir(str(tmp_path))) == 1


def test_three_hundred_servers_leave_one_file(tmp_path):
    # Local servers pick a new port each run: that must not add files.
    for port in range(300):
        start(tmp_path, server_url='http://127.0.0.1:{0}'.format(20000 + port))
    assert len(os.listdir(str(tmp_path))) == 1


def _information(schema_hash):
    return {
        'version': 'dev', 'schema_hash': schema_hash,
        'storage_scenario': {'scenario': 'ftrack.automatic', 'data': {}},
    }


def test_files_are_bounded_in_number(tmp_path):
    for index in range(_schema_cache.MAX_FILES + 5):
        start(tmp_path, server_information=_information('{0:032x}'.format(index)))
    assert len(os.listdir(str(tmp_path))) == _schema_cache.MAX_FILES


def test_files_unused_for_long_are_removed(tmp_path):
    start(tmp_path, server_information=_information('a' * 32))
    (old,) = os.listdir(str(tmp_path))
    past = os.path.getmtime(str(tmp_path / old)) - (_schema_cache.MAX_AGE_DAYS + 1) * 86400
    os.utime(str(tmp_path / old), (past, past))
    start(tmp_path, server_information=_information('b' * 32))
    names = os.listdir(str(tmp_path))
    assert len(names) == 1 and 'b' * 32 in names[0]


def test_reading_a_file_marks_it_used(tmp_path):
    start(tmp_path)
    (name,) = os.listdir(str(tmp_path))
    os.utime(str(tmp_path / name), (1, 1))
    start(tmp_path)
    assert os.path.getmtime(str(tmp_path / name)) > 1


def test_prune_keeps_the_named_file_and_other_files(tmp_path):
    (tmp_path / 'unrelated.json').write_text('[]')
    (tmp_path / 'ftrack_api_schema_cache.json').write_text('[]')
    for index in range(3):
        path = tmp_path / 'ftrack_api_schema_cache_{0}_x.json'.format(index)
        path.write_text('[]')
        os.utime(str(path), (1, 1))
    removed = _schema_cache.prune(str(tmp_path), keep='ftrack_api_schema_cache_1_x.json')
    assert sorted(removed) == [
        'ftrack_api_schema_cache_0_x.json', 'ftrack_api_schema_cache_2_x.json']
    assert sorted(os.listdir(str(tmp_path))) == [
        'ftrack_api_schema_cache.json', 'ftrack_api_schema_cache_1_x.json',
        'unrelated.json']


def test_reference_client_file_is_used_when_its_hash_matches(tmp_path, schemas):
    reference = tmp_path / 'ftrack_api_schema_cache.json'
    reference.write_text(json.dumps(schemas, indent=4))
    session, requests = start(tmp_path)
    assert requests == 0
    assert session.schemas == schemas
    # A file of ours is written from it, so later starts check it cheaply.
    ours = [name for name in os.listdir(str(tmp_path)) if name != reference.name]
    assert len(ours) == 1
    reference.unlink()
    session, requests = start(tmp_path)
    assert requests == 0
    assert session.schemas == schemas


def test_reference_client_file_with_other_hash_is_not_used(tmp_path, schemas):
    reference = tmp_path / 'ftrack_api_schema_cache.json'
    reference.write_text(json.dumps(schemas[:3], indent=4))
    session, requests = start(tmp_path)
    assert requests == 1
    assert session.schemas == schemas
    assert reference.exists()


def test_per_server_files_of_earlier_versions_are_pruned(tmp_path):
    legacy = tmp_path / 'ftrack_api_schema_cache_0123456789abcdef_{0}_00000000.json'.format(
        'c' * 32)
    legacy.write_text('[]')
    os.utime(str(legacy), (1, 1))
    start(tmp_path)
    assert not legacy.exists()
    assert len(os.listdir(str(tmp_path))) == 1


@pytest.mark.parametrize('schema_hash', [None, '', '../escape', 'a/b', 7])
def test_no_file_without_a_usable_hash(tmp_path, schema_hash):
    information = {
        'version': 'dev', 'schema_hash': schema_hash,
        'storage_scenario': {'scenario': 'ftrack.automatic', 'data': {}},
    }
    _, requests = start(tmp_path, server_information=information)
    assert requests == 1
    assert os.listdir(str(tmp_path)) == []
    _, requests = start(tmp_path, server_information=information)
    assert requests == 1


def test_list_content_cuts_the_list_out_of_the_response(schemas):
    text = json.dumps([schemas])
    assert _schema_cache.list_content(schemas, text) == json.dumps(schemas).encode()
    spaced = '\n [ [ {"id": "A"} ] ]\n'
    assert _schema_cache.list_content([{'id': 'A'}], spaced) == b'[ {"id": "A"} ]'


def test_list_content_serialises_without_a_usable_response():
    value = [{'id': 'Caf\u00e9'}]
    assert _schema_cache.list_content(value) == b'[{"id": "Caf\\u00e9"}]'
    raw = json.dumps([value], ensure_ascii=False)
    assert _schema_cache.list_content(value, raw) == b'[{"id": "Caf\\u00e9"}]'
    assert _schema_cache.list_content(value, '{"not": "a list"}') == (
        b'[{"id": "Caf\\u00e9"}]'
    )


def test_schemas_with_markers_are_decoded_by_the_session(schemas):
    marked = json.loads(json.dumps(schemas))
    marked[0]['properties']['id']['default'] = {
        '__type__': 'datetime', 'value': '2020-01-02T03:04:05',
    }
    session = OfflineSession(schemas=marked)
    try:
        default = session.schemas[0]['properties']['id']['default']
        assert default.year == 2020 and default.second == 5
    finally:
        session.close()
