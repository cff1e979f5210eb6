"""Benchmark what isolating the tests of the pytest plugin costs per test.

Every test that uses ``ftrack_server`` (or ``ftrack_session``) gets the
database back as it was before it: the plugin restores an in-memory copy
with SQLite's backup API after the test, skipped when the test wrote
nothing. Target: less than 50 ms per test.

Two figures, measured in the same run:

* **restore**: :meth:`LocalServer.restore` after one small write (a project
  created through ``/api``), and after no write, median of ``--repeat``
  runs, on a server with the default studio;
* **per test in a suite**: a generated suite of ``--tests`` tests, each
  creating a project with ``ftrack_session``, is run by pytest twice, once
  isolated (the default) and once with ``ftrack_server_isolated = false``;
  the difference of the two wall times divided by the number of tests is
  what isolation adds to one test (noisy: a few runs' spread).

Run: ``python bench/isolation_cost.py [--repeat 50] [--tests 100]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

TARGET_MS = 50.0

SUITE = '''
import uuid

import pytest


@pytest.mark.parametrize("index", range({tests}))
def test_create_project(ftrack_session, index):
    schema = ftrack_session.query("ProjectSchema").first()
    name = "p" + uuid.uuid4().hex[:12]
    ftrack_session.create("Project", {{
        "name": name, "full_name": name, "project_schema": schema}})
    ftrack_session.commit()
'''


def _median(samples):
    return statistics.median(samples) * 1000.0


def measure_restore(repeat):
    """Return the median milliseconds of a restore after one write and after none."""
    from ftrack_local_server import LocalServer
    from ftrack_local_server.testing import RawApi

    with LocalServer() as server:
        api = RawApi(server.url, server.api_user, server.api_key)
        schema_id = api.query('select id from ProjectSchema')[0]['id']
        server.snapshot()
        written, unchanged = [], []
        for _ in range(repeat):
            name = 'p' + uuid.uuid4().hex[:12]
            api.create('Project', {'name': name, 'full_name': name,
                                   'project_schema_id': schema_id})
            start = time.perf_counter()
            server.restore()
            written.append(time.perf_counter() - start)
            start = time.perf_counter()
            server.restore()
            unchanged.append(time.perf_counter() - start)
        pages = server.state.store._connection.execute('PRAGMA page_count').fetchone()[0]
    return _median(written), _median(unchanged), pages


def run_suite(directory, isolated):
    """Run the generated suite; return its wall time in seconds."""
    with open(os.path.join(directory, 'pytest.ini'), 'w') as handle:
        handle.write('[pytest]\nftrack_server_isolated = {0}\n'.format(
            'true' if isolated else 'false'))
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', directory],
        cwd=directory, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit('the generated suite failed:\n' + completed.stdout + completed.stderr)
    return elapsed


def measure_suite(tests, rounds):
    """Return (isolated seconds, shared seconds) medians over *rounds* runs each."""
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, 'test_generated.py'), 'w') as handle:
            handle.write(SUITE.format(tests=tests))
        isolated, shared = [], []
        for _ in range(rounds):
            isolated.append(run_suite(directory, True))
            shared.append(run_suite(directory, False))
    return statistics.median(isolated), statistics.median(shared)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repeat', type=int, default=50,
                        help='restores timed (default: %(default)s)')
    parser.add_argument('--tests', type=int, default=100,
                        help='tests in the generated suite (default: %(default)s)')
    parser.add_argument('--rounds', type=int, default=3,
                        help='runs of the suite each way (default: %(default)s)')
    options = parser.parse_args(argv)

    written, unchanged, pages = measure_restore(options.repeat)
    print('restore of the default studio ({0} pages of SQLite):'.format(pages))
    print('  after one write   {0:8.2f} ms  (target < {1:.0f} ms: {2})'.format(
        written, TARGET_MS, 'met' if written < TARGET_MS else 'NOT MET'))
    print('  after no write    {0:8.3f} ms'.format(unchanged))

    isolated, shared = measure_suite(options.tests, options.rounds)
    per_test = (isolated - shared) / options.tests * 1000.0
    print('suite of {0} tests creating a project (median of {1} runs each):'.format(
        options.tests, options.rounds))
    print('  isolated          {0:8.2f} s'.format(isolated))
    print('  shared data       {0:8.2f} s'.format(shared))
    print('  cost per test     {0:8.2f} ms  (target < {1:.0f} ms: {2})'.format(
        per_test, TARGET_MS, 'met' if per_test < TARGET_MS else 'NOT MET'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
