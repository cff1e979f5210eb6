"""Benchmark the local server's query evaluator on large databases.

Builds, for each size (default 10 000 and 50 000 tasks), a database with one
project, 50 sequences, 500 shots and the tasks spread over the shots and ten
statuses -- written through the server's own ``create`` action, as a client
would -- then prints the server-side time of:

* ``select name, status.name, parent.name from Task`` pages of 500 rows
  (first, middle and last page, each asked for on its own, so the deep
  ones skip rows with ``OFFSET``);
* the same pages read one after the other as a client pages through a
  result (each at the ``next`` offset of the previous answer, so each
  continues where the previous one ended), in the default order,
  ``order by name`` and ``order by name desc``: the page at the last offset (49,500 of 50,000)
  against the first page, target at most 1.2 times;
* selective queries through indexed paths, whose results have the same
  size at every database size (a probe sequence of two shots of ten
  tasks): ``Task where parent.id is "<shot>"``,
  ``Task where status.name is "X" and parent.parent.name is "Y"``,
  ``Task where parent.parent.id is "<sequence>"``.

Server-side time is the ``query`` action inside one store transaction, as
the server runs it for a request (parse, compile, SQL, load projections,
encode), without HTTP. With ``--http`` the same queries are also timed as
``/api`` requests to a :class:`ftrack_local_server.LocalServer`.

Each figure is the median of ``--repeat`` runs (after one warm-up), with the
90th percentile; the last table shows how each query's time grows from the
smallest to the largest database. The query plan of each selective query is
printed, to check that indexes are used.

Run: ``python bench/server_query.py [--sizes 10000 50000] [--repeat 20]
[--walks 5] [--http]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
import uuid

from ftrack_local_server.config import ServerConfig
from ftrack_local_server.dispatch import SYSTEM_USER, run_batch
from ftrack_local_server.query import parse
from ftrack_local_server.query.compiler import Compiler
from ftrack_local_server.query.executor import execute, rows_statement
from ftrack_local_server.state import ServerState
from ftrack_local_server.testing import create_operation as create

SEQUENCES = 50
SHOTS = 500
PROBE_SHOTS = 2
PROBE_TASKS = 10
BATCH = 2000


def build(path, tasks):
    """Create the benchmark database at *path*; return the ids needed by queries.

    Besides the 500 shots in 50 sequences that hold the bulk of the tasks,
    a probe sequence holds two shots of ten tasks each, so that the
    selective queries return the same rows whatever the database size.
    """
    state = ServerState.open(ServerConfig(database=path))
    try:
        def run(operations):
            return run_batch(state, operations, SYSTEM_USER)

        schema = run([{'action': 'query', 'expression': 'select id from ProjectSchema'}])
        schema_id = schema[0]['data'][0]['id']
        statuses = run([{'action': 'query', 'expression':
                         'select id, name from Status order by sort'}])[0]['data'][:10]
        project = str(uuid.uuid4())
        run([create('Project', {'id': project, 'name': 'bench', 'full_name': 'Bench',
                                'project_schema_id': schema_id})])
        sequences = [str(uuid.uuid4()) for _ in range(SEQUENCES)]
        run([create('Sequence', {'id': sequence, 'name': 'SQ{0:03d}'.format(index),
                                 'parent_id': project})
             for index, sequence in enumerate(sequences)])
        shots = [str(uuid.uuid4()) for _ in range(SHOTS)]
        run([create('Shot', {'id': shot, 'name': 'SH{0:04d}'.format(index),
                             'parent_id': sequences[index % SEQUENCES]})
             for index, shot in enumerate(shots)])
        probe_sequence = str(uuid.uuid4())
        probe_shots = [str(uuid.uuid4()) for _ in range(PROBE_SHOTS)]
        operations = [create('Sequence', {'id': probe_sequence, 'name': 'PROBE',
                                          'parent_id': project})]
        operations += [create('Shot', {'id': shot, 'name': 'PROBE{0}'.format(index),
                                       'parent_id': probe_sequence})
                       for index, shot in enumerate(probe_shots)]
        for index in range(PROBE_SHOTS * PROBE_TASKS):
            operations.append(create('Task', {
                'name': 'probe{0}'.format(index),
                'parent_id': probe_shots[index % PROBE_SHOTS],
                'status_id': statuses[index % 2]['id']}))
        run(operations)
        operations = []
        for index in range(tasks - PROBE_SHOTS * PROBE_TASKS):
            operations.append(create('Task', {
                'name': 'task{0}'.format(index), 'parent_id': shots[index % SHOTS],
                'status_id': statuses[index % len(statuses)]['id']}))
            if len(operations) == BATCH:
                run(operations)
                operations = []
        if operations:
            run(operations)
    finally:
        state.close()
    return {
        'shot': probe_shots[0], 'sequence': probe_sequence, 'sequence_name': 'PROBE',
        'status_name': statuses[0]['name'],
    }


def queries(ids, tasks):
    """Return (label, expression) pairs to time."""
    page = 'select name, status.name, parent.name from Task offset {0} limit 500'
    last = max(0, tasks - 500)
    return [
        ('page of 500, first', page.format(0)),
        ('page of 500, middle', page.format(tasks // 2)),
        ('page of 500, last', page.format(last)),
        ('parent.id is <shot>', 'Task where parent.id is "{0}"'.format(ids['shot'])),
        ('status.name and parent.parent.name',
         'Task where status.name is "{0}" and parent.parent.name is "{1}"'.format(
             ids['status_name'], ids['sequence_name'])),
        ('parent.parent.id is <sequence>',
         'select name from Task where parent.parent.id is "{0}" limit 500'.format(
             ids['sequence'])),
    ]


def time_call(function, repeat):
    function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1], result


def plan(tx, expression):
    """Return the SQLite query plan lines of the main statement of *expression*."""
    query = parse(expression)
    compiler = Compiler(tx.model)
    statement = rows_statement(compiler, query, compiler.entity_type(query.entity_type))
    return [row[3] for row in tx.query('EXPLAIN QUERY PLAN ' + statement.sql,
                                       statement.params)]


def measure_server(path, ids, tasks, repeat):
    state = ServerState.open(ServerConfig(database=path))
    results = {}
    try:
        for label, expression in queries(ids, tasks):
            with state.store.transaction() as tx:
                median, p90, result = time_call(lambda: execute(tx, expression), repeat)
                rows = len(result['data'])
                lines = plan(tx, expression) if not label.startswith('page') else []
            results[label] = median
            print('  {0:<38} {1:>8.2f} ms  (p90 {2:>7.2f} ms, {3} rows)'.format(
                label, median, p90, rows))
            for line in lines:
                print('      plan: {0}'.format(line))
    finally:
        state.close()
    return results


#: Deep page / first page time ratio the paging figures are held to.
PAGING_TARGET = 1.2

PAGING_QUERIES = [
    ('default order', 'select name, status.name, parent.name from Task '
     'offset {0} limit 500'),
    ('order by name', 'select name, status.name, parent.name from Task '
     'order by name offset {0} limit 500'),
    ('order by name desc', 'select name, status.name, parent.name from Task '
     'order by name desc offset {0} limit 500'),
]


def measure_paging(path, tasks, walks):
    """Page through every Task *walks* times per order; print first vs last page."""
    state = ServerState.open(ServerConfig(database=path))
    results = {}
    try:
        for label, template in PAGING_QUERIES:
            samples = {}
            with state.store.transaction() as tx:
                for _ in range(walks):
                    offset, seen = 0, 0
                    while offset is not None:
                        # A full collection now, outside the timing, so
                        # that its pauses do not land on random pages.
                        gc.collect()
                        start = time.perf_counter()
                        result = execute(tx, template.format(offset))
                        samples.setdefault(offset, []).append(
                            (time.perf_counter() - start) * 1000.0)
                        seen += len(result['data'])
                        offset = result['metadata']['next']['offset']
                    if seen != tasks:
                        raise SystemExit('paging {0} read {1} rows of {2}'.format(
                            label, seen, tasks))
            last = max(samples)
            first_ms = statistics.median(samples[0])
            last_ms = statistics.median(samples[last])
            every = statistics.median(statistics.median(v) for v in samples.values())
            ratio = last_ms / max(first_ms, 1e-9)
            results[label] = ratio
            print('  {0:<20} first {1:7.2f} ms, at offset {2} {3:7.2f} ms, median page '
                  '{4:7.2f} ms: x{5:.2f} (target <= {6}: {7})'.format(
                      label, first_ms, last, last_ms, every, ratio, PAGING_TARGET,
                      'met' if ratio <= PAGING_TARGET else 'NOT MET'))
    finally:
        state.close()
    return results


def measure_http(path, ids, tasks, repeat):
    import requests

    from ftrack_local_server import LocalServer

    results = {}
    with LocalServer(database=path) as server:
        http = requests.Session()
        headers = {'ftrack-user': server.api_user, 'ftrack-api-key': server.api_key,
                   'content-type': 'application/json'}
        for label, expression in queries(ids, tasks):
            body = json.dumps([{'action': 'query', 'expression': expression}])

            def call():
                return http.post(server.url + '/api', data=body, headers=headers).json()

            median, p90, _ = time_call(call, repeat)
            results[label] = median
            print('  {0:<38} {1:>8.2f} ms  (p90 {2:>7.2f} ms)'.format(label, median, p90))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[10000, 50000])
    parser.add_argument('--repeat', type=int, default=20)
    parser.add_argument('--walks', type=int, default=5,
                        help='times each paging walk is repeated (default: %(default)s)')
    parser.add_argument('--http', action='store_true',
                        help='also time the queries as HTTP requests')
    options = parser.parse_args(argv)
    server_times = {}
    http_times = {}
    with tempfile.TemporaryDirectory() as directory:
        for size in options.sizes:
            path = os.path.join(directory, 'bench_{0}.sqlite'.format(size))
            start = time.perf_counter()
            ids = build(path, size)
            print('{0} tasks: built in {1:.1f} s through the create action'.format(
                size, time.perf_counter() - start))
            print(' server-side (query action in one transaction):')
            server_times[size] = measure_server(path, ids, size, options.repeat)
            print(' paging through all {0} rows, 500 a page ({1} walks):'.format(
                size, options.walks))
            measure_paging(path, size, options.walks)
            if options.http:
                print(' through HTTP (/api request, JSON both ways):')
                http_times[size] = measure_http(path, ids, size, options.repeat)
    if len(options.sizes) > 1:
        small, large = min(options.sizes), max(options.sizes)
        print('growth from {0} to {1} tasks (server-side time ratio):'.format(small, large))
        for label in server_times[small]:
            ratio = server_times[large][label] / max(server_times[small][label], 1e-9)
            print('  {0:<38} x{1:.2f}'.format(label, ratio))
    return 0


if __name__ == '__main__':
    sys.exit(main())
