"""Client core benchmarks against a local server, next to the plain floor.

For each workload the ftrack_api client does the work, then the *floor*
makes the same HTTP requests with plain ``requests`` + ``json`` (what a
hand-written script pays at least). Both are split into:

* ``server``: time inside the HTTP round trips (server work and transfer,
  measured around each POST including reading the body);
* ``client-side``: everything else (building requests, decoding JSON,
  building and merging entities, reading attributes).

``ratio`` is the client-side cost of the client over that of the floor
(target: at most 3). Each workload runs several times and the smallest
client-side and floor costs are reported (the machine is shared and
noisy). The server runs in its own process so it does not share the
interpreter lock with the client. A summary at the end lists every ratio,
how costs grow from the smallest to the largest size (linear growth keeps
the per-item cost flat) and the peak memory of the largest query. Run
``python bench/client_bench.py --help`` for options.
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


class Timer(object):
    """Accumulate the time spent in HTTP round trips."""

    def __init__(self):
        self.http = 0.0
        self.requests = 0
        self.largest = 0

    def wrap(self, post):
        def timed_post(body):
            self.requests += 1
            self.largest = max(self.largest, len(body))
            start = time.perf_counter()
            try:
                return post(body)
            finally:
                self.http += time.perf_counter() - start
        return timed_post


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

    def post(self, body, timer):
        """POST *body*; return the response, adding the round trip to *timer*."""
        start = time.perf_counter()
        response = self.http.post(self.endpoint, data=body)
        response.content
        timer.http += time.perf_counter() - start
        timer.requests += 1
        return response

    def call(self, operations):
        """Send *operations* with plain requests and return the results."""
        result = self.http.post(self.endpoint, data=json.dumps(operations)).json()
        if isinstance(result, dict):
            raise RuntimeError('Server error: {0}'.format(result))
        return result


def instrument(session):
    """Return a :class:`Timer` fed by the HTTP round trips of *session*."""
    timer = Timer()
    session._transport.post = timer.wrap(session._transport.post)
    return timer


def run_timed(function):
    gc.collect()
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


#: Results of the current workload's runs: (client-side, line arguments).
_RUNS = []


def report(name, total, timer, floor_total, floor_timer, extra=''):
    """Print one workload's figures (or keep them while repeating)."""
    if _COLLECTING:
        _RUNS.append((name, total, timer, floor_total, floor_timer, extra))
        return
    _print_report(name, total, timer, floor_total, floor_timer, extra)


_COLLECTING = False


def repeated(function, repeats, *arguments):
    """Run a workload *repeats* times; print the best client and floor runs.

    Timings on a shared two-core machine are noisy: the smallest
    client-side and floor client-side costs are reported.
    """
    global _COLLECTING
    del _RUNS[:]
    _COLLECTING = True
    try:
        for _ in range(repeats):
            function(*arguments)
    finally:
        _COLLECTING = False
    best_client = min(_RUNS, key=lambda run: run[1] - run[2].http)
    best_floor = min(_RUNS, key=lambda run: run[3] - run[4].http)
    _print_report(
        best_client[0], best_client[1], best_client[2], best_floor[3],
        best_floor[4], best_client[5] + '  (best of {0})'.format(repeats),
    )


#: Reported workloads: name -> (client-side, floor client-side, server).
RESULTS = {}


def _print_report(name, total, timer, floor_total, floor_timer, extra=''):
    client_side = total - timer.http
    floor_side = floor_total - floor_timer.http
    RESULTS[name] = (client_side, floor_side, timer.http)
    print(
        '{0:<36} client {1:7.3f}s (server {2:6.3f}s, client-side {3:7.4f}s)  '
        'floor {4:7.3f}s (server {5:6.3f}s, client-side {6:7.4f}s)  '
        'ratio {7:5.2f}{8}'.format(
            name, total, timer.http, client_side, floor_total, floor_timer.http,
            floor_side, client_side / max(floor_side, 1e-9), extra,
        )
    )
    sys.stdout.flush()


def floor_queries(bench, expressions, read_row=None):
    """Run *expressions* with plain requests, paging; return (total, timer)."""
    timer = Timer()

    def run():
        for expression in expressions:
            offset = 0
            while offset is not None:
                body = json.dumps([{
                    'action': 'query',
                    'expression': '{0} offset {1} limit 500'.format(expression, offset),
                }])
                result = bench.post(body, timer).json()[0]
                for row in result['data']:
                    if read_row is not None:
                        read_row(row)
                offset = (result.get('metadata') or {}).get('next', {}).get('offset')

    total, _ = run_timed(run)
    return total, timer


def seed_tasks(bench, count):
    """Create a project holding *count* tasks; return the project id."""
    schema_id = bench.call([{
        'action': 'query', 'expression': 'select id from ProjectSchema limit 1',
    }])[0]['data'][0]['id']
    status_id = bench.call([{
        'action': 'query', 'expression': 'select id from Status limit 1',
    }])[0]['data'][0]['id']
    project_id = str(uuid.uuid4())
    bench.call([{
        'action': 'create', 'entity_type': 'Project', 'entity_key': [project_id],
        'entity_data': {
            '__entity_type__': 'Project', 'id': project_id,
            'name': 'bench_{0}'.format(project_id[:8]), 'full_name': 'Bench',
            'project_schema_id': schema_id,
        },
    }])
    for start in range(0, count, 2500):
        batch = []
        for index in range(start, min(count, start + 2500)):
            task_id = str(uuid.uuid4())
            batch.append({
                'action': 'create', 'entity_type': 'Task', 'entity_key': [task_id],
                'entity_data': {
                    '__entity_type__': 'Task', 'id': task_id,
                    'name': 'task_{0}'.format(index), 'bid': index % 40,
                    'parent_id': project_id, 'status_id': status_id,
                },
            })
        bench.call(batch)
    return project_id


def read_task(row):
    return len(row['name']) + (row['bid'] or 0) + len(row['status_id'])


def bench_query(bench, project_id, count):
    expression = 'select {0} from Task where project_id is "{1}"'.format(
        PROJECTIONS, project_id
    )
    session = bench.session()
    timer = instrument(session)
    total, _ = run_timed(lambda: [read_task(task) for task in session.query(expression)])
    session.close()
    floor_total, floor_timer = floor_queries(bench, [expression], read_task)
    report('query {0} tasks + read 3 attrs'.format(count), total, timer,
           floor_total, floor_timer, '  ({0} requests)'.format(timer.requests))


def bench_query_memory(bench, project_id, count):
    expression = 'select {0} from Task where project_id is "{1}"'.format(
        PROJECTIONS, project_id
    )
    session = bench.session()
    gc.collect()
    tracemalloc.start()
    results = session.query(expression).all()
    for task in results:
        read_task(task)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    MEMORY[count] = peak
    print('{0:<36} peak traced memory {1:7.1f} MB, held after {2:7.1f} MB'.format(
        'memory: query {0} tasks'.format(count), peak / 1e6, current / 1e6,
    ))
    session.close()


#: Peak traced memory (bytes) of the query memory workload, by size.
MEMORY = {}


def bench_create(bench, project_id, count):
    session = bench.session()
    project = session.get('Project', project_id)
    timer = instrument(session)

    def run():
        # Sibling names are unique: each run names its tasks apart.
        tag = uuid.uuid4().hex[:6]
        for index in range(count):
            session.create('Task', {'name': 'new_{0}_{1}'.format(index, tag),
                                    'parent': project})
        session.commit()

    total, _ = run_timed(run)
    session.close()

    floor_timer = Timer()

    def floor_run():
        batch = []
        tag = uuid.uuid4().hex[:6]
        for index in range(count):
            task_id = str(uuid.uuid4())
            batch.append({
                'action': 'create', 'entity_type': 'Task', 'entity_key': [task_id],
                'entity_data': {
                    '__entity_type__': 'Task', 'id': task_id,
                    'name': 'floor_new_{0}_{1}'.format(index, tag),
                    'parent': {'__entity_type__': 'Project', 'id': project_id},
                },
            })
        return bench.post(json.dumps(batch, sort_keys=True), floor_timer).json()

    floor_total, _ = run_timed(floor_run)
    report('create {0} tasks + commit'.format(count), total, timer,
           floor_total, floor_timer, '  ({0} request)'.format(timer.requests))


def bench_populate(bench, project_id, count):
    session = bench.session()
    tasks = session.query(
        'select id from Task where project_id is "{0}"'.format(project_id)
    ).all()[:count]
    timer = instrument(session)
    total, _ = run_timed(lambda: session.populate(tasks, PROJECTIONS))
    session.close()

    ids = [task['id'] for task in tasks]
    floor_timer = Timer()

    def floor_run():
        operations = [
            {
                'action': 'query',
                'expression': 'select {0} from Task where id in ({1}) offset 0 '
                              'limit 500'.format(PROJECTIONS, ','.join(ids[start:start + 500])),
            }
            for start in range(0, len(ids), 500)
        ]
        for start in range(0, len(operations), 8):
            body = json.dumps(operations[start:start + 8])
            for result in bench.post(body, floor_timer).json():
                for row in result['data']:
                    row['name']

    floor_total, _ = run_timed(floor_run)
    report('populate {0} tasks'.format(len(tasks)), total, timer, floor_total,
           floor_timer, '  ({0} requests, largest {1} KB)'.format(
               timer.requests, timer.largest // 1024))


def bench_get(bench, project_id, count, repeats=3):
    """``get`` of cached entities, next to two floors.

    A cached ``get`` makes no request, so the floor of "the same HTTP
    requests" is ill-defined. Two are reported: a plain dict lookup per
    id (the least any cache can cost; the ratio against it is the one
    summarised) and plain requests fetching the same entities by id
    (what a script without a cache pays).
    """
    session = bench.session()
    tasks = session.query(
        'select id from Task where project_id is "{0}"'.format(project_id)
    ).all()[:count]
    ids = [task['id'] for task in tasks]
    total = min(
        run_timed(lambda: [session.get('Task', task_id) for task_id in ids])[0]
        for _ in range(repeats)
    )
    session.close()
    mapping = {task_id: None for task_id in ids}
    lookups = min(
        run_timed(lambda: [mapping[task_id] for task_id in ids])[0]
        for _ in range(repeats)
    )
    # A plain function making the session's identity key and looking it
    # up: the least a method taking (entity type, key) can do.
    keyed = {"('Task', ['" + task_id + "'])": None for task_id in ids}

    def keyed_get(entity_type, entity_key):
        return keyed.get("('" + entity_type + "', ['" + entity_key + "'])")

    function_lookups = min(
        run_timed(lambda: [keyed_get('Task', task_id) for task_id in ids])[0]
        for _ in range(repeats)
    )

    fetch_timer = Timer()

    def fetch_run():
        for start in range(0, len(ids), 500):
            body = json.dumps([{
                'action': 'query',
                'expression': 'select id from Task where id in ({0})'.format(
                    ','.join(ids[start:start + 500])
                ),
            }])
            for row in bench.post(body, fetch_timer).json()[0]['data']:
                row['id']

    fetch_total, _ = run_timed(fetch_run)
    RESULTS['get {0} cached tasks'.format(len(ids))] = (total, lookups, 0.0)
    per = 1e6 / max(len(ids), 1)
    print(
        '{0:<36} client {1:7.4f}s ({2:.2f} us/get, no request)\n'
        '{3:<36} floors: dict lookup {4:.2f} us (ratio {5:.2f}); function '
        'making the identity key + dict lookup {6:.2f} us (ratio {7:.2f}); '
        'plain requests fetching the same tasks by id {8:.1f} us (server '
        '{9:.1f} us, client-side {10:.1f} us; ratio {11:.3f})'.format(
            'get {0} cached tasks'.format(len(ids)), total, total * per, '',
            lookups * per, total / max(lookups, 1e-9), function_lookups * per,
            total / max(function_lookups, 1e-9), fetch_total * per,
            fetch_timer.http * per, (fetch_total - fetch_timer.http) * per,
            total / max(fetch_total, 1e-9),
        )
    )


def bench_small_commit(bench, project_id, cached, repeats=50):
    session = bench.session()
    tasks = session.query(
        'select name from Task where project_id is "{0}"'.format(project_id)
    ).all()[:cached]
    timer = instrument(session)

    def run():
        for index in range(repeats):
            tasks[index]['name'] = 'renamed_{0}_{1}'.format(index, uuid.uuid4().hex[:4])
            session.commit()

    total, _ = run_timed(run)
    ids = [task['id'] for task in tasks[:repeats]]
    session.close()

    floor_timer = Timer()

    def floor_run():
        for index, task_id in enumerate(ids):
            body = json.dumps([{
                'action': 'update', 'entity_type': 'Task', 'entity_key': [task_id],
                'entity_data': {
                    '__entity_type__': 'Task',
                    'name': 'floor_{0}_{1}'.format(index, uuid.uuid4().hex[:4]),
                },
            }], sort_keys=True)
            bench.post(body, floor_timer).json()

    floor_total, _ = run_timed(floor_run)
    report('{0} small commits, {1} cached'.format(repeats, len(tasks)), total,
           timer, floor_total, floor_timer,
           '  ({0:.2f} ms/commit)'.format(total / repeats * 1e3))


class _SessionHttp(object):
    """Time the HTTP round trips of sessions created inside the block."""

    def __init__(self):
        self.timer = Timer()

    def __enter__(self):
        import ftrack_api._session.transport

        self._class = ftrack_api._session.transport.Transport
        self._post = self._class.post
        timer = self.timer
        post = self._post

        def timed_post(transport, body):
            return timer.wrap(lambda data: post(transport, data))(body)

        self._class.post = timed_post
        return self.timer

    def __exit__(self, *exc_info):
        self._class.post = self._post


def bench_start(bench, repeats=10):
    """Session start with an empty (cold) and a current (warm) schema cache.

    The floor makes the same requests with plain requests + json: server
    information, then the schemas (cold) or reading the cache file the
    session uses (warm). Writing the cache file (cold) is client-side cost
    the floor does not have.
    """
    info = [{'action': 'query_server_information'}]
    schemas = [{'action': 'query_schemas'}]
    warm_directory = tempfile.mkdtemp(prefix='bench-warm-')
    bench.session(schema_cache_path=warm_directory).close()

    for label, warm in (('cold', False), ('warm', True)):
        runs = []
        for _ in range(repeats):
            directory = warm_directory if warm else tempfile.mkdtemp(prefix='bench-cold-')
            gc.collect()
            with _SessionHttp() as timer:
                start = time.perf_counter()
                session = bench.session(schema_cache_path=directory)
                total = time.perf_counter() - start
            session.close()
            (cache_file,) = os.listdir(directory)

            floor_timer = Timer()

            def floor_run():
                bench.post(json.dumps(info), floor_timer).json()
                if warm:
                    with open(os.path.join(directory, cache_file)) as handle:
                        json.load(handle)
                else:
                    bench.post(json.dumps(schemas), floor_timer).json()

            gc.collect()
            floor_total, _ = run_timed(floor_run)
            runs.append((total, timer, floor_total, floor_timer))
        best_client = min(runs, key=lambda run: run[0] - run[1].http)
        best_floor = min(runs, key=lambda run: run[2] - run[3].http)
        _print_report(
            'session start, {0} schema cache'.format(label), best_client[0],
            best_client[1], best_floor[2], best_floor[3],
            '  (best of {0})'.format(repeats),
        )


def print_summary(sizes):
    """Print every ratio, growth from the smallest to the largest size, memory."""
    print()
    print('Summary (client-side cost over the floor; target at most 3):')
    for name, (client_side, floor_side, server) in RESULTS.items():
        ratio = client_side / max(floor_side, 1e-9)
        note = 'ok' if ratio <= 3 else 'ABOVE TARGET'
        if name.startswith('get '):
            note += ' (floor: a plain dict lookup, see above)'
        print('  {0:<36} client-side {1:8.4f}s  floor {2:8.4f}s  server {3:7.3f}s  '
              'ratio {4:5.2f}  {5}'.format(
                  name, client_side, floor_side, server, ratio, note))
    small, large = min(sizes), max(sizes)
    if small != large:
        print('Growth from {0} to {1} ({2:.1f}x the items; linear keeps the '
              'per-item cost):'.format(small, large, large / small))
        pairs = [
            ('query {0} tasks + read 3 attrs', large / small),
            ('50 small commits, {0} cached', 1.0),
        ]
        for template, expected in pairs:
            first = RESULTS.get(template.format(small))
            last = RESULTS.get(template.format(large))
            if first is None or last is None:
                continue
            growth = last[0] / max(first[0], 1e-9)
            floor_growth = last[1] / max(first[1], 1e-9)
            print('  {0:<36} client-side x{1:5.2f} (linear: x{2:.1f}; per item '
                  'x{3:.2f}); floor x{4:5.2f}'.format(
                      template.format('N'), growth, expected,
                      growth / expected, floor_growth))
    for count, peak in sorted(MEMORY.items()):
        print('  peak traced memory of the {0}-row query: {1:.1f} MB (target '
              'under 150 MB)'.format(count, peak / 1e6))
    sys.stdout.flush()


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--sizes', type=int, nargs='+', default=[10000, 50000],
        help='task counts for the query and commit workloads',
    )
    parser.add_argument('--create', type=int, default=5000, help='tasks to create')
    parser.add_argument('--populate', type=int, default=10000, help='tasks to populate')
    parser.add_argument('--get', type=int, default=10000, help='cached tasks to get')
    parser.add_argument('--repeats', type=int, default=3,
                        help='runs per workload (the best is reported)')
    parser.add_argument('--mode', default='process', choices=['process', 'thread'],
                        help='how the local server runs')
    options = parser.parse_args(arguments)

    with LocalServer(mode=options.mode) as server:
        bench = Bench(server)
        print('Python {0}, server in a {1}'.format(sys.version.split()[0], options.mode))
        bench_start(bench, repeats=max(options.repeats, 10))
        project_ids = {}
        for size in sorted(set(options.sizes + [options.populate, options.get])):
            start = time.perf_counter()
            project_ids[size] = seed_tasks(bench, size)
            print('(seeded {0} tasks in {1:.1f}s)'.format(
                size, time.perf_counter() - start))
        repeats = options.repeats
        for size in options.sizes:
            repeated(bench_query, repeats, bench, project_ids[size], size)
        largest = max(options.sizes)
        bench_query_memory(bench, project_ids[largest], largest)
        repeated(bench_create, repeats, bench, project_ids[min(options.sizes)],
                 options.create)
        repeated(bench_populate, repeats, bench, project_ids[options.populate],
                 options.populate)
        bench_get(bench, project_ids[options.get], options.get, repeats)
        for size in options.sizes:
            repeated(bench_small_commit, repeats, bench, project_ids[size], size)
        print_summary(options.sizes)


if __name__ == '__main__':
    main()
