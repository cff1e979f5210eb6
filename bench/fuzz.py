"""Fuzz the local server's ``/api`` with malformed and hostile requests.

Seeded and reproducible. Each request is one of: random bytes, broken or
deeply nested JSON, batches of random operations (random actions, entity
types, keys and values of every JSON type, ids such as ``''``, ``'\\x00'``,
``'../..'`` or 100 kB of text), query expressions built from the query
language and then mutated (deep nesting, many terms, long paths,
truncations), NaN / huge numbers, bad credentials or headers, strict mode
on or off. Known entities are only ever touched by batches that end in a
failing operation, so they must stay as they were.

Checked for every answer: no HTTP 5xx, and the body is either a list of
results or the ftrack error object (``exception``, ``content``,
``error_code``). At the end: ``PRAGMA integrity_check`` and
``foreign_key_check`` pass and the known entities are unchanged.
:func:`run` is what ``test/server/test_server_fuzz.py`` calls with a small
count; this script is the long version and prints a summary.

With ``--kill N`` it also runs N kill -9 atomicity iterations (see
``test/server/test_server_kill_atomicity.py``).

Run: ``python bench/fuzz.py [--requests 15000] [--seed 1] [--kill 0]``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from typing import Any, Dict, List

import requests

ERROR_KEYS = {'exception', 'content', 'error_code'}

ENTITY_TYPES = ['Task', 'Project', 'Shot', 'Sequence', 'User', 'Note', 'AssetVersion',
                'Component', 'Status', 'Priority', 'Metadata', 'NoSuchType', '', 'task']
ACTIONS = ['create', 'update', 'delete', 'query', 'query_schemas', 'query_server_information',
           'reset_remote', 'encode_media', 'get_upload_metadata', 'delay_task', 'unknown', '']
ATTRIBUTES = ['name', 'id', 'parent_id', 'bid', 'sort', 'description', 'status_id',
              'project_schema_id', 'full_name', 'start_date', 'metadata', 'children',
              'custom_attributes', '__entity_type__', '', 'x' * 300]
BAD_IDS = ['', '\x00', 'a' * 100000, '../..', '..', 'a/b', 'a\\b', '\n', '\u202e', ' ',
           'null', '1' * 129]
WORDS = ['name', 'parent', 'children', 'status', 'project', 'id', 'bid', 'and', 'or', 'not',
         'has', 'any', 'is', 'in', 'like', 'select', 'from', 'where', 'order', 'by', 'limit',
         'offset', '(', ')', ',', '"x"', "'y'", '=', '!=', '>', 'none', 'True', '1e308',
         'count(id)', 'sum(bid)', 'group', '%']


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(12)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2 ** 63 - 1, 2 ** 63, -2 ** 64, 10 ** 30, 7])
    if kind == 3:
        return rng.choice([1e308, -1e308, 5e-324, 0.5, float('nan'), float('inf')])
    if kind == 4:
        return rng.choice(BAD_IDS[:-2] + ['text', '2015-01-01T00:00:00'])
    if kind == 5:
        return {'__type__': rng.choice(['datetime', 'date', 'bad']),
                'value': rng.choice(['2015-01-01T00:00:00', 'nope', None, 3])}
    if kind == 6:
        return {'__entity_type__': rng.choice(ENTITY_TYPES), 'id': rng.choice(BAD_IDS + [str(uuid.uuid4())])}
    if kind == 7 and depth < 4:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 8 and depth < 4:
        return {rng.choice(ATTRIBUTES): _value(rng, depth + 1) for _ in range(rng.randrange(4))}
    if kind == 9:
        return 'x' * rng.choice([0, 1, 1000, 70000])
    return rng.random()


def _expression(rng: random.Random) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return ' '.join(rng.choice(WORDS) for _ in range(rng.randrange(1, 30)))
    if kind == 1:
        depth = rng.choice([5, 40, 400])
        return 'Task where ' + '(' * depth + 'name is "x"' + ')' * depth
    if kind == 2:
        terms = rng.choice([10, 600, 2000])
        return 'Task where ' + rng.choice([' and ', ' or ']).join(['name is "x"'] * terms)
    if kind == 3:
        return 'Task where ' + '.'.join(['parent'] * rng.choice([3, 10, 30])) + '.name is "x"'
    if kind == 4:
        depth = rng.choice([3, 11, 60])
        return 'Task where ' + 'children any (' * depth + 'name is "x"' + ')' * depth
    if kind == 5:
        text = 'select name, parent.name from Task where name like "%a%" order by name limit 5'
        cut = rng.randrange(len(text))
        return text[:cut] + rng.choice(['', '(', '"', "'", ')', '\x00', '\\']) + text[cut:]
    if kind == 6:
        return 'select {0} from {1} group by {2}'.format(
            rng.choice(['sum(bid)', 'count(id)', 'avg(bid)', 'max(name)', 'sum(name)']),
            rng.choice(['Task', 'Sequence', 'Project']), rng.choice(['id', 'parent_id', 'x']))
    return 'Task where id in ({0})'.format(', '.join('"{0}"'.format(uuid.uuid4()) for _ in range(rng.choice([1, 100, 40000]))))


def _operation(rng: random.Random, known: Dict[str, Any]) -> Dict[str, Any]:
    action = rng.choice(ACTIONS)
    operation: Dict[str, Any] = {'action': action}
    if action == 'query' or rng.random() < 0.1:
        operation['expression'] = _expression(rng) if rng.random() < 0.95 else _value(rng)
    if action in ('create', 'update', 'delete') or rng.random() < 0.2:
        operation['entity_type'] = rng.choice(ENTITY_TYPES)
        data = {rng.choice(ATTRIBUTES): _value(rng) for _ in range(rng.randrange(5))}
        if action == 'create' and rng.random() < 0.5:
            data['id'] = rng.choice(BAD_IDS + [str(uuid.uuid4())])
        operation['entity_data'] = data if rng.random() < 0.9 else _value(rng)
        operation['entity_key'] = rng.choice([
            [rng.choice(BAD_IDS)], [str(uuid.uuid4())], _value(rng)])
    if rng.random() < 0.05:
        operation[rng.choice(ATTRIBUTES)] = _value(rng)
    return operation


def _known_update(known: Dict[str, Any], rng: random.Random) -> List[Dict[str, Any]]:
    # A valid change of a known entity, always followed by a failing one:
    # the batch must be rolled back.
    return [
        {'action': 'update', 'entity_type': 'Task', 'entity_key': [known['task']],
         'entity_data': {'name': 'changed-' + str(rng.random())}},
        rng.choice([
            # Refused by the rules while the batch runs (after the update).
            {'action': 'create', 'entity_type': 'Task',
             'entity_data': {'name': 'x', 'parent_id': str(uuid.uuid4())}},
            {'action': 'update', 'entity_type': 'Task', 'entity_key': [known['task']],
             'entity_data': {'bid': rng.choice([10 ** 30, float('nan')])}},
            {'action': 'query', 'expression': 'Task where ' + ' and '.join(['name is "x"'] * 600)},
            # Refused before the batch runs.
            {'action': 'create', 'entity_type': 'Task',
             'entity_data': {'id': rng.choice(BAD_IDS), 'name': 'x'}},
        ]),
    ]


def body_and_headers(rng: random.Random, server: Any, known: Dict[str, Any]):
    """Return ``(bytes, headers, expect_list_possible)`` for one hostile request."""
    headers = {'ftrack-user': server.api_user, 'ftrack-api-key': server.api_key,
               'content-type': 'application/json'}
    if rng.random() < 0.3:
        headers['ftrack-strict-api'] = 'true'
    roll = rng.random()
    if roll < 0.03:
        headers['ftrack-api-key'] = rng.choice(['', 'wrong', server.api_key + 'x'])
    elif roll < 0.05:
        headers['ftrack-user'] = rng.choice(['', 'nobody', 'a' * 5000])
    kind = rng.randrange(10)
    if kind == 0:
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
    elif kind == 1:
        depth = rng.choice([10, 70, 1000, 20000])
        body = ('[' * depth + ']' * depth).encode()
    elif kind == 2:
        text = json.dumps([_operation(rng, known)])
        body = text[:rng.randrange(len(text) + 1)].encode()
    elif kind == 3:
        body = json.dumps(_known_update(known, rng)).encode()
    elif kind == 4:
        body = json.dumps(_value(rng)).encode()
    else:
        operations = [_operation(rng, known) for _ in range(rng.randrange(1, 6))]
        body = json.dumps(operations).encode()
    return body, headers


def check_answer(response: Any) -> str:
    """Return the kind of answer (``list`` or the exception name); raise AssertionError if it breaks a rule."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    value = response.json()
    if isinstance(value, list):
        return 'list'
    assert isinstance(value, dict) and set(value) == ERROR_KEYS, response.text[:500]
    assert isinstance(value['exception'], str) and isinstance(value['content'], str)
    assert value['exception'] != 'ServerError' or 'Invalid action' in value['content'], \
        response.text[:500]
    return value['exception']


def _known_state(session: Any, known: Dict[str, Any]) -> Any:
    answer = session.post(known['url'] + '/api', headers=known['headers'], timeout=60, data=json.dumps([
        {'action': 'query', 'expression':
         'select id, name, bid, parent_id from Task where id is "{0}"'.format(known['task'])},
        {'action': 'query', 'expression':
         'select id, name, full_name from Project where id is "{0}"'.format(known['project'])},
    ])).json()
    return [result['data'] for result in answer]


def check_database(path: str) -> None:
    """Assert that the SQLite file *path* passes the integrity and foreign key checks."""
    connection = sqlite3.connect('file:{0}?mode=ro'.format(path), uri=True)
    try:
        assert connection.execute('PRAGMA integrity_check').fetchall() == [('ok',)]
        assert connection.execute('PRAGMA foreign_key_check').fetchall() == []
    finally:
        connection.close()


def run(count: int, seed: int, database: str) -> Dict[str, int]:
    """Send *count* hostile requests (seed *seed*) to a new server on *database*.

    Return how many answers of each kind came back; raise AssertionError on
    a 5xx, an answer of the wrong shape, a failed database check or a
    changed known entity.
    """
    from ftrack_local_server import LocalServer
    from ftrack_local_server.testing import RawApi

    rng = random.Random(seed)
    summary: Dict[str, int] = collections.Counter()
    with LocalServer(database=database, options={'batch_time_limit': 20}) as server:
        api = RawApi(server.url, server.api_user, server.api_key)
        project = api.create_project('fuzz-' + uuid.uuid4().hex[:8])
        task = api.create('Task', {'name': 'known', 'parent_id': project['id'], 'bid': 3})
        known = {'task': task['id'], 'project': project['id'], 'url': server.url,
                 'headers': api.headers()}
        http = requests.Session()
        before = _known_state(http, known)
        for _ in range(count):
            body, headers = body_and_headers(rng, server, known)
            response = http.post(server.url + '/api', data=body, headers=headers, timeout=120)
            summary[check_answer(response)] += 1
        assert _known_state(http, known) == before
    check_database(database)
    return dict(summary)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--requests', type=int, default=15000)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--kill', type=int, default=0, metavar='N',
                        help='kill -9 atomicity iterations after the fuzzing')
    arguments = parser.parse_args(argv)
    directory = tempfile.mkdtemp(prefix='fuzz-')
    started = time.perf_counter()
    summary = run(arguments.requests, arguments.seed, os.path.join(directory, 'fuzz.sqlite'))
    seconds = time.perf_counter() - started
    print('{0} requests (seed {1}) in {2:.1f} s: no 5xx, every answer a result list or '
          'an error object; database checks pass; known entities unchanged.'.format(
              arguments.requests, arguments.seed, seconds))
    for kind, number in sorted(summary.items(), key=lambda item: -item[1]):
        print('  {0:<28} {1:>6}'.format(kind, number))
    if arguments.kill:
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'test', 'server'))
        from test_server_kill_atomicity import check_database as check, kill_during_commit

        outcomes = collections.Counter()
        for seed in range(arguments.kill):
            path = os.path.join(directory, 'kill-{0}.sqlite'.format(seed))
            found, sent = kill_during_commit(path, seed)
            assert found in (0, sent), '{0} of {1} creates survived'.format(found, sent)
            check(path)
            outcomes['all' if found else 'nothing'] += 1
        print('kill -9 mid-commit, {0} iterations: batch all there {1} times, nothing '
              '{2} times, never part.'.format(arguments.kill, outcomes['all'], outcomes['nothing']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
