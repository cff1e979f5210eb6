"""Concurrent requests from several threads through real HTTP.

Batches from different clients are serialised by the server: every batch
sees the writes of the batches committed before it, numbering (asset
version numbers) never repeats, and a failing batch in the middle of the
traffic leaves nothing behind.
"""

import json
import threading

import requests

from ftrack_local_server.testing import new_id

THREADS = 6
ROUNDS = 15


def test_parallel_writers_and_readers(raw_api):
    project = raw_api.create_project('concurrency-' + new_id())
    shot = raw_api.create('Shot', {'name': 'sh', 'parent_id': project['id']})['id']
    asset_type = raw_api.query('select id from AssetType')[0]['id']
    asset = raw_api.create('Asset', {'name': 'a', 'type_id': asset_type, 'context_id': shot})
    failures = []
    answers = []

    def worker(number):
        http = requests.Session()
        headers = raw_api.headers()
        for round_number in range(ROUNDS):
            name = 'task_{0}_{1}'.format(number, round_number)
            batch = [
                {'action': 'create', 'entity_type': 'Task',
                 'entity_data': {'name': name, 'parent_id': shot}},
                {'action': 'create', 'entity_type': 'AssetVersion',
                 'entity_data': {'asset_id': asset['id']}},
                {'action': 'query', 'expression':
                    'select name from Task where name is "{0}"'.format(name)},
            ]
            if round_number % 5 == 4:
                # A batch that fails at its end: nothing of it may remain.
                batch.append({'action': 'no_such_action'})
            response = http.post(raw_api.url + '/api', data=json.dumps(batch),
                                 headers=headers, timeout=60)
            answers.append((name, round_number % 5 == 4, response.json()))

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for name, should_fail, answer in answers:
        if should_fail:
            if not (isinstance(answer, dict) and "Invalid action u'no_such_action'"
                    in answer.get('content', '')):
                failures.append((name, answer))
        elif not (isinstance(answer, list) and
                  [row['name'] for row in answer[2]['data']] == [name]):
            failures.append((name, answer))
    assert failures == []

    created = raw_api.query('select name from Task where parent_id is "{0}"'.format(shot))
    expected = {'task_{0}_{1}'.format(number, round_number)
                for number in range(THREADS) for round_number in range(ROUNDS)
                if round_number % 5 != 4}
    assert sorted(row['name'] for row in created) == sorted(expected)
    versions = [row['version'] for row in raw_api.query(
        'select version from AssetVersion where asset_id is "{0}"'.format(asset['id']))]
    assert sorted(versions) == list(range(1, len(expected) + 1))
