"""Client core benchmarks against a local server, next to the plain floor.

For each workload three timings are printed:

* ``client``: the ftrack_api client doing the work;
* ``floor``: the same HTTP requests made with plain ``requests`` + ``json``
  (what a hand-written script would at least pay);
* ``server``: the same requests reading the raw bytes only (server work and
  HTTP transfer: what neither client can avoid).

``client-side`` is a timing minus ``server``; ``ratio`` compares the
client-side cost of the client with that of the floor (target: below 3).
The server runs in its own process so it does not share the interpreter
lock with the client. Run ``python bench/client_bench.py --help``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
import tracemalloc
import uuid

import requests

import ftrack_api
from ftrack_local_server import LocalServer

PROJECTIONS = 'name, bid, status_id'


class Bench(object):
    """Shared state: the server, credentials and a plain HTTP session."""

    def __init__(self, server):
        self.server = server
        self.http = requests.Session()
        self.http.headers.update({
            'content-type': 'application/json', 'accept': 'application/json',
            'ftrack-user': server.api_user, 'ftrack-api-key': server.api_key,
        })
        self.endpoint = server.url + '/api'
        self.schema_cache = tempfile.mkdtemp(prefix='bench-schema-')

    def session(self, **kw):
        kw.setdefault('schema_cache_path', self.schema_cache)
        return ftrack_api.Session(
            server_url=self.server.url, api_user=self.server.api_user,
            api_key=self.server.api_key, **kw
        )

    def post_json(self, body):
        response = self.http.post(self.endpoint, data=body)
        result = response.json()
        if isinstance(result, dict):
            raise RuntimeError('Server error: {0}'.format(result))
        return result

    def post_raw(self, body):
        return self.http.post(self.endpoint, data=body).content


def record_bodies(session):
    """Return a list collecting the request bodies *session* sends."""
    bodies = []
    post = session._transport.post

    def recording_post(body):
        bodies.append(body)
        return post(body)

    session._transport.post = recording_post
    return bodies


def timed(function):
    gc.collect()
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def best_of(function, repeats=3):
    """Return the smallest time of *repeats* runs of *function*."""
    return min(timed(function)[0] for _ in range(repeats))


def report(name, client, floor, server, extra=''):
    client_side = client - server
    floor_side = max(floor - server, 1e-9)
    print(
        '{0:<38} client {1:8.3f}s  floor {2:8.3f}s  server {3:8.3f}s  '
        'client-side {4:7.3f}s vs {5:7.3f}s  ratio {6:5.2f}  total x{7:4.2f}{8}'.format(
            name, client, floor, server, client_side, floor_side,
            client_side / floor_side, client / max(floor, 1e-9), extra,
        )
    )
    sys.stdout.flush()


def replay(bench, bodies):
    """Return (floor, server) timings of sending *bodies* again (best of 3)."""
    floor = best_of(lambda: [bench.post_json(body) for body in bodies])
    server = best_of(lambda: [bench.post_raw(body) for body in bodies])
    return floor, server


def seed_tasks(bench, count):
    """Create a project holding *count* tasks; return the project id."""
    info = bench.post_json(json.dumps([{
        'action': 'query', 'expression': 'select id from ProjectSchema limit 1',
    }]))
    schema_id = info[0]['data'][0]['id']
    status = bench.post_json(json.dumps([{
        'action': 'query', 'expression': 'select id from Status limit 1',
    }]))[0]['data'][0]['id']
    project_id = str(uuid.uuid4())
    bench.post_json(json.dumps([{
        'action': 'create', 'entity_type': 'Project', 'entity_key': [project_id],
        'entity_data': {
            '__entity_type__': 'Project', 'id': project_id,
            'name': 'bench_{0}'.format(project_id[:8]), 'full_name': 'Bench',
            'project_schema_id': schema_id,
        },
    }]))
    for start in range(0, count, 2500):
        batch = []
        for index in range(start, min(count, start + 2500)):
            task_id = str(uuid.uuid4())
            batch.append({
                'action': 'create', 'entity_type': 'Task', 'entity_key': [task_id],
                'entity_data': {
                    '__entity_type__': 'Task', 'id': task_id,
                    'name': 'task_{0}'.format(index), 'bid': index % 40,
                    'parent_id': project_id, 'status_id': status,
                },
            })
        bench.post_json(json.dumps(batch))
    return project_id


def bench_query(bench, project_id, count):
    expression = 'select {0} from Task where project_id is "{1}"'.format(
        PROJECTIONS, project_id
    )
    session = bench.session()
    bodies = record_bodies(session)

    def run():
        total = 0
        for task in session.query(expression):
            total += len(task['name']) + (task['bid'] or 0) + len(task['status_id'])
        return total

    client, _ = timed(run)
    session.close()

    def floor_run():
        for body in bodies:
            for row in bench.post_json(body)[0]['data']:
                len(row['name']) + (row['bid'] or 0) + len(row['status_id'])

    floor = best_of(floor_run)
    server = best_of(lambda: [bench.post_raw(body) for body in bodies])
    report('query {0} tasks + read 3 attributes'.format(count), client, floor, server,
           '  ({0} requests)'.format(len(bodies)))


def bench_query_memory(bench, project_id, count):
    expression = 'select {0} from Task where project_id is "{1}"'.format(
        PROJECTIONS, project_id
    )
    session = bench.session()
    gc.collect()
    tracemalloc.start()
    results = session.query(expression).all()
    for task in results:
        task['name'], task['bid'], task['status_id']
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print('{0:<38} peak traced memory {1:7.1f} MB, held after {2:7.1f} MB'.format(
        'memory: query {0} tasks'.format(count), peak / 1e6, current / 1e6,
    ))
    session.close()


def bench_create(bench, project_id, count):
    session = bench.session()
    project = session.get('Project', project_id)
    bodies = record_bodies(session)

    def run():
        for index in range(count):
            session.create('Task', {'name': 'new_{0}'.format(index), 'parent': project})
        session.commit()

    client, _ = timed(run)
    session.close()

    def plain_batch():
        batch = []
        for index in range(count):
            task_id = str(uuid.uuid4())
            batch.append({
                'action': 'create', 'entity_type': 'Task', 'entity_key': [task_id],
                'entity_data': {
                    '__entity_type__': 'Task', 'id': task_id,
                    'name': 'new_{0}'.format(index),
                    'parent': {'__entity_type__': 'Project', 'id': project_id},
                },
            })
        return json.dumps(batch, sort_keys=True)

    floor = best_of(lambda: bench.post_json(plain_batch()))
    server = min(
        timed(lambda body=plain_batch(): bench.post_raw(body))[0] for _ in range(3)
    )
    report('create {0} tasks + commit'.format(count), client, floor, server,
           '  ({0} request)'.format(len(bodies)))


def bench_populate(bench, project_id, count):
    session = bench.session()
    tasks = session.query(
        'select id from Task where project_id is "{0}"'.format(project_id)
    ).all()[:count]
    bodies = record_bodies(session)
    client, _ = timed(lambda: session.populate(tasks, PROJECTIONS))
    session.close()
    floor, server = replay(bench, bodies)
    largest = max(len(body) for body in bodies)
    report('populate {0} tasks'.format(len(tasks)), client, floor, server,
           '  ({0} requests, largest {1} KB)'.format(len(bodies), largest // 1024))


def bench_get(bench, project_id, count):
    session = bench.session()
    tasks = session.query(
        'select id from Task where project_id is "{0}"'.format(project_id)
    ).all()[:count]
    ids = [task['id'] for task in tasks]
    client, _ = timed(lambda: [session.get('Task', task_id) for task_id in ids])
    session.close()
    # The floor of an uncached read is one request fetching the rows.
    bodies = [json.dumps([{
        'action': 'query',
        'expression': 'select id from Task where project_id is "{0}" offset 0 '
                      'limit {1}'.format(project_id, count),
    }])]
    floor, server = replay(bench, bodies)
    mapping = {task_id: None for task_id in ids}
    lookup, _ = timed(lambda: [mapping[task_id] for task_id in ids])
    print(
        '{0:<38} client {1:8.3f}s ({2:.2f} us/get); fetching the same rows '
        'with plain requests: {3:.3f}s (server {4:.3f}s); plain dict lookups '
        '{5:.4f}s'.format(
            'get {0} cached tasks'.format(len(ids)), client,
            client / max(len(ids), 1) * 1e6, floor, server, lookup,
        )
    )


def bench_small_commit(bench, project_id, cached, repeats=50):
    session = bench.session()
    tasks = session.query(
        'select name from Task where project_id is "{0}"'.format(project_id)
    ).all()[:cached]
    bodies = record_bodies(session)

    def run():
        for index in range(repeats):
            tasks[index]['name'] = 'renamed_{0}_{1}'.format(index, uuid.uuid4().hex[:4])
            session.commit()

    client, _ = timed(run)
    session.close()
    floor, server = replay(bench, bodies)
    report('{0} small commits, {1} cached'.format(repeats, len(tasks)),
           client, floor, server,
           '  ({0:.2f} ms/commit)'.format(client / repeats * 1e3))


def bench_start(bench):
    empty = tempfile.mkdtemp(prefix='bench-cold-')
    cold, session = timed(lambda: bench.session(schema_cache_path=empty))
    session.close()
    warm, session = timed(lambda: bench.session(schema_cache_path=empty))
    session.close()

    info = json.dumps([{'action': 'query_server_information'}])
    schemas = json.dumps([{'action': 'query_schemas'}])
    floor_cold, _ = timed(lambda: (bench.post_json(info), bench.post_json(schemas)))
    server_cold, _ = timed(lambda: (bench.post_raw(info), bench.post_raw(schemas)))
    cache_file = os.path.join(empty, os.listdir(empty)[0])

    def floor_warm_run():
        bench.post_json(info)
        with open(cache_file) as handle:
            json.load(handle)

    floor_warm, _ = timed(floor_warm_run)
    server_warm, _ = timed(lambda: bench.post_raw(info))
    report('session start, cold schema cache', cold, floor_cold, server_cold)
    report('session start, warm schema cache', warm, floor_warm, server_warm)


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--sizes', type=int, nargs='+', default=[10000, 50000],
        help='task counts for the query and commit workloads',
    )
    parser.add_argument('--create', type=int, default=5000, help='tasks to create')
    parser.add_argument('--populate', type=int, default=10000, help='tasks to populate')
    parser.add_argument('--get', type=int, default=10000, help='cached tasks to get')
    parser.add_argument('--mode', default='process', choices=['process', 'thread'],
                        help='how the local server runs')
    options = parser.parse_args(arguments)

    with LocalServer(mode=options.mode) as server:
        bench = Bench(server)
        print('Python {0}, server in a {1}'.format(sys.version.split()[0], options.mode))
        bench_start(bench)
        largest = max(options.sizes + [options.populate, options.get])
        seeded = 0
        project_ids = {}
        for size in sorted(set(options.sizes + [options.populate, options.get])):
            start = time.perf_counter()
            project_ids[size] = seed_tasks(bench, size)
            seeded += size
            print('(seeded {0} tasks in {1:.1f}s)'.format(
                size, time.perf_counter() - start))
        for size in options.sizes:
            bench_query(bench, project_ids[size], size)
        bench_query_memory(bench, project_ids[largest], largest)
        bench_create(bench, project_ids[min(options.sizes)], options.create)
        bench_populate(bench, project_ids[options.populate], options.populate)
        bench_get(bench, project_ids[options.get], options.get)
        for size in options.sizes:
            bench_small_commit(bench, project_ids[size], size)


if __name__ == '__main__':
    main()
