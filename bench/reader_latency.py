"""Latency of a small query while another client commits a large batch.

One client commits ``--creates`` (default 20,000) Task creates in one
batch; meanwhile another client sends a small query
(``select id, name from Project where id is "<id>"``) in a loop, one at a
time. Printed: p50 / p99 / max of the small query's latency during the
commit, and how long the commit took, for two servers on a database file:

* ``serialised``: option ``concurrent_reads`` off, every batch on the one
  writer thread, as before issue 9;
* ``concurrent``: read-only batches on their own read connections (WAL),
  in parallel with the writer.

The batch time limit is raised so the large batch is not stopped. Target:
concurrent p99 under 50 ms. The ratio line compares the two p99.

Run: ``python bench/reader_latency.py [--creates 20000] [--rounds 1]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid

import requests

from ftrack_local_server import LocalServer
from ftrack_local_server.testing import RawApi, create_operation


def _percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float('nan')
    index = min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(concurrent: bool, creates: int) -> dict:
    """Return latency figures (seconds) for one server configuration."""
    directory = tempfile.mkdtemp(prefix='reader-latency-')
    options = {'concurrent_reads': concurrent, 'batch_time_limit': 3600,
               'max_batch_operations': max(100000, creates + 10)}
    with LocalServer(database=os.path.join(directory, 'bench.sqlite'), options=options) as server:
        writer = RawApi(server.url, server.api_user, server.api_key)
        reader = RawApi(server.url, server.api_user, server.api_key)
        project = writer.create_project('latency-' + uuid.uuid4().hex[:8])
        query = [{'action': 'query', 'expression':
                  'select id, name from Project where id is "{0}"'.format(project['id'])}]
        # Warm up both clients' connections and the server's caches.
        for _ in range(20):
            reader.ok(query)
        operations = [
            create_operation('Task', {'id': str(uuid.uuid4()), 'name': 't{0}'.format(index),
                                      'parent_id': project['id']})
            for index in range(creates)]
        body = json.dumps(operations)
        done = threading.Event()
        commit = {}

        def write():
            started = time.perf_counter()
            answer = writer.post(body, raw=True)
            commit['seconds'] = time.perf_counter() - started
            commit['ok'] = isinstance(answer.json(), list)
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        # Start measuring once the server has the batch (give it a moment).
        time.sleep(0.2)
        latencies = []
        while not done.is_set():
            started = time.perf_counter()
            reader.ok(query)
            latencies.append(time.perf_counter() - started)
        thread.join()
    return {
        'samples': len(latencies),
        'p50': _percentile(latencies, 0.5),
        'p99': _percentile(latencies, 0.99),
        'max': max(latencies) if latencies else float('nan'),
        'commit': commit.get('seconds'),
        'commit_ok': commit.get('ok'),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--creates', type=int, default=20000)
    parser.add_argument('--rounds', type=int, default=1)
    arguments = parser.parse_args(argv)
    results = {}
    for name, concurrent in (('serialised', False), ('concurrent', True)):
        runs = [measure(concurrent, arguments.creates) for _ in range(arguments.rounds)]
        results[name] = {key: statistics.median(run[key] for run in runs)
                         for key in ('samples', 'p50', 'p99', 'max', 'commit')}
        results[name]['commit_ok'] = all(run['commit_ok'] for run in runs)
    print('Small query while another client commits {0} creates in one batch:'.format(
        arguments.creates))
    print('{0:<12} {1:>8} {2:>10} {3:>10} {4:>10} {5:>10}'.format(
        'server', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'commit s'))
    for name, figures in results.items():
        print('{0:<12} {1:>8} {2:>10.1f} {3:>10.1f} {4:>10.1f} {5:>10.2f}{6}'.format(
            name, int(figures['samples']), figures['p50'] * 1000, figures['p99'] * 1000,
            figures['max'] * 1000, figures['commit'],
            '' if figures['commit_ok'] else '  (commit failed)'))
    ratio = results['serialised']['p99'] / results['concurrent']['p99']
    print('p99 serialised / concurrent: {0:.1f}x; concurrent p99 target < 50 ms: {1}'.format(
        ratio, 'met' if results['concurrent']['p99'] < 0.05 else 'NOT met'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
