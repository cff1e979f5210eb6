"""Time ``import ftrack_api`` against ``import requests`` and upstream's client.

Each import runs in a fresh interpreter, several times; the smallest time
minus that of an empty interpreter is kept (the machine is shared and
noisy). Targets (issue 12): at most upstream's import time and at most
1.5 times ``import requests``. Upstream is timed when its virtualenv exists
(the compat tier's, or ``FTRACK_COMPAT_UPSTREAM_VENV``).

Every interpreter runs with compiled bytecode available, as after a normal
``pip install`` (which compiles upstream's modules): ``PYTHONDONTWRITEBYTECODE``
is dropped and a temporary ``PYTHONPYCACHEPREFIX`` is warmed first, so an
editable checkout is not timed compiling its sources.

``import ftrack_api`` loads the session and its dependencies (requests,
the event hub, the entity machinery) only when ``ftrack_api.Session`` or
a submodule is first used, so the *full load* is timed too: the import
plus ``ftrack_api.Session``, what a script that makes a session pays.

    python bench/import_time.py [--repeats N]
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time


#: Environment of the timed interpreters (see the module documentation).
ENVIRONMENT = dict(os.environ)
ENVIRONMENT.pop('PYTHONDONTWRITEBYTECODE', None)
ENVIRONMENT['PYTHONPYCACHEPREFIX'] = tempfile.mkdtemp(prefix='bench-import-pyc-')


def best(python, statement, repeats):
    """Return the smallest wall-clock time of running *statement*.

    One untimed run first compiles (and caches) what it imports.
    """
    subprocess.run([python, '-c', statement], check=True, env=ENVIRONMENT)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([python, '-c', statement], check=True, env=ENVIRONMENT)
        times.append(time.perf_counter() - start)
    return min(times)


def import_cost(python, module, repeats, then=''):
    statement = 'import ' + module + ('; ' + then if then else '')
    return best(python, statement, repeats) - best(python, 'pass', repeats)


def upstream_python():
    venv = os.environ.get('FTRACK_COMPAT_UPSTREAM_VENV')
    candidates = [venv] if venv else glob.glob(
        os.path.expanduser('~/.cache/ftrack-api-ng/compat/upstream-*'))
    for candidate in candidates:
        python = os.path.join(candidate, 'bin', 'python')
        if os.path.exists(python):
            return python
    return None


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=15)
    options = parser.parse_args(arguments)

    ours = import_cost(sys.executable, 'ftrack_api', options.repeats)
    full = import_cost(sys.executable, 'ftrack_api', options.repeats, 'ftrack_api.Session')
    floor = import_cost(sys.executable, 'requests', options.repeats)
    print('import ftrack_api  {0:.3f}s'.format(ours))
    print('full load          {0:.3f}s (import, then ftrack_api.Session)'.format(full))
    print('import requests    {0:.3f}s (floor)'.format(floor))
    print('ratio to requests  {0:.2f}x import, {1:.2f}x full load (target at most '
          '1.50x)'.format(ours / floor, full / floor))
    python = upstream_python()
    if python is None:
        print('upstream 3.1.0     not installed (run the compat tests once)')
        return
    upstream = import_cost(python, 'ftrack_api', options.repeats)
    print('upstream 3.1.0     {0:.3f}s (loads everything); ours {1:.2f}x import, '
          '{2:.2f}x full load (target at most 1.00x)'.format(
              upstream, ours / upstream, full / upstream))


if __name__ == '__main__':
    main()
