"""Differential tests: the same snippet through upstream 3.1.0 and through ours.

Upstream ``ftrack-python-api==3.1.0`` is installed from the package index
into a virtualenv of its own (once per machine, under the user cache folder
or ``$FTRACK_COMPAT_UPSTREAM_VENV``) and used only as a black box: each side
runs ``_driver.py`` in its own interpreter and describes the snippet's
result, exception, log records and output as JSON (see that module).

The ``compat`` fixture compares the two descriptions::

    def test_symbol_str(compat):
        compat.compare('result = str(ftrack_api.symbol.NOT_SET)')

``compat.compare(..., kept='why')`` marks a difference kept on purpose: the
test then asserts that the two sides still differ, so the reason stays true.
Without the index the tests skip with the reason; under CI (``CI`` set) they
fail instead, since CI must compare.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading

import pytest

UPSTREAM_REQUIREMENT = 'ftrack-python-api==3.1.0'
UPSTREAM_VERSION = '3.1.0'
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_driver.py')

# Dashed uuids (entities) and bare 32-digit hex ids (events, hubs).
_UUID = re.compile(
    r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
    r'|(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])'
)

#: Every comparison of the run: (test id, 'same' | 'kept', reason).
COMPARISONS = []


def _default_venv():
    import platformdirs

    return os.path.join(
        platformdirs.user_cache_dir('ftrack-api-ng'), 'compat',
        'upstream-{0}-py{1}.{2}'.format(UPSTREAM_VERSION, *sys.version_info[:2]),
    )


def _venv_python(venv):
    if os.name == 'nt':
        return os.path.join(venv, 'Scripts', 'python.exe')
    return os.path.join(venv, 'bin', 'python')


def _is_ready(python):
    if not os.path.exists(python):
        return False
    check = subprocess.run(
        [python, '-c', 'import ftrack_api, sys; '
         'sys.exit(ftrack_api.__version__ != {0!r})'.format(UPSTREAM_VERSION)],
        capture_output=True, env=_clean_environment(),
    )
    return check.returncode == 0


@contextlib.contextmanager
def _locked(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.lock', 'w') as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _clean_environment():
    """Return os.environ without what would leak our package into upstream's."""
    environment = dict(os.environ)
    for name in ('PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'VIRTUAL_ENV'):
        environment.pop(name, None)
    return environment


def install_upstream():
    """Return the Python of the upstream virtualenv, installing it if needed.

    Return ``(python, None)`` on success and ``(None, reason)`` when the
    package index could not provide it.
    """
    venv = os.environ.get('FTRACK_COMPAT_UPSTREAM_VENV') or _default_venv()
    python = _venv_python(venv)
    with _locked(venv):
        if _is_ready(python):
            return python, None
        steps = [
            [sys.executable, '-m', 'venv', '--clear', venv],
            [python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
             UPSTREAM_REQUIREMENT],
        ]
        for step in steps:
            done = subprocess.run(
                step, capture_output=True, text=True, env=_clean_environment(),
            )
            if done.returncode != 0:
                lines = (done.stderr or done.stdout or '').strip().splitlines()
                return None, 'could not install {0} into {1}: {2}'.format(
                    UPSTREAM_REQUIREMENT, venv, lines[-1] if lines else 'no output')
        if not _is_ready(python):
            return None, '{0} installed into {1} does not import'.format(
                UPSTREAM_REQUIREMENT, venv)
    return python, None


class Worker(object):
    """One interpreter running ``_driver.py``; snippets go in one at a time."""

    def __init__(self, name, python, environment):
        self.name = name
        self.python = python
        self.environment = environment
        self._process = None
        self._lock = threading.Lock()

    def _start(self):
        self._process = subprocess.Popen(
            [self.python, DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=self.environment, text=True, bufsize=1,
            cwd=self.environment['COMPAT_HOME'],
        )

    def run(self, code, log_level='WARNING', env=None, fresh=False):
        """Run *code* and return the driver's description of it.

        With *fresh* a new interpreter runs it alone (for snippets that
        change process-wide state such as environment variables).
        """
        request = json.dumps({'code': code, 'log_level': log_level, 'env': env or {}})
        if fresh:
            done = subprocess.run(
                [self.python, DRIVER], input=request + '\n', capture_output=True,
                text=True, env=self.environment, cwd=self.environment['COMPAT_HOME'],
                timeout=240,
            )
            if not done.stdout.strip():
                raise AssertionError('{0} driver died: {1}'.format(self.name, done.stderr))
            return json.loads(done.stdout.strip().splitlines()[-1])
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            self._process.stdin.write(request + '\n')
            self._process.stdin.flush()
            line = self._process.stdout.readline()
            if not line:
                self._process = None
                raise AssertionError('{0} driver died running:\n{1}'.format(self.name, code))
            answer = json.loads(line)
        if env:
            # Leave the next snippet the environment the worker started with.
            self.run(_restore_env_code(env))
        return answer

    def close(self):
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


def _restore_env_code(env):
    return 'import os\n' + ''.join(
        'os.environ.pop({0!r}, None)\n'.format(name) for name in env
    )


def normalise_ids(value, mapping=None):
    """Replace each uuid in *value* (a description) by ``<id N>``, in order."""
    mapping = {} if mapping is None else mapping

    def replace(match):
        text = match.group(0).lower()
        if text not in mapping:
            mapping[text] = '<id {0}>'.format(len(mapping) + 1)
        return mapping[text]

    if isinstance(value, str):
        return _UUID.sub(replace, value)
    if isinstance(value, list):
        return [normalise_ids(item, mapping) for item in value]
    if isinstance(value, dict):
        return {
            normalise_ids(key, mapping): normalise_ids(item, mapping)
            for key, item in value.items()
        }
    return value


class Compat(object):
    """Run snippets through both clients and compare what they did."""

    FIELDS = ('result', 'raised', 'logs', 'stdout')

    def __init__(self, upstream, ours, request):
        self.upstream = upstream
        self.ours = ours
        self._request = request

    def run(self, code, server=None, log_level='WARNING', env=None, fresh=False):
        """Return ``(upstream answer, our answer)`` for *code*.

        *server* (a ``LocalServer``-like object with ``url``, ``api_user``
        and ``api_key``) sets ``FTRACK_SERVER`` and the credentials for the
        snippet; a pair of servers gives upstream the first and ours the
        second (for scenarios that must start from the same data).
        """
        servers = server if isinstance(server, (tuple, list)) else (server, server)
        answers = []
        for worker, side_server in zip((self.upstream, self.ours), servers):
            environment = dict(env or {})
            if side_server is not None:
                environment.update({
                    'FTRACK_SERVER': side_server.url,
                    'FTRACK_API_USER': side_server.api_user,
                    'FTRACK_API_KEY': side_server.api_key,
                })
            answers.append(worker.run(
                code, log_level=log_level, env=environment, fresh=fresh))
        return answers[0], answers[1]

    def compare(self, code, server=None, log_level='WARNING', env=None,
                fields=FIELDS, kept=None, ids=True, fresh=False):
        """Assert that both clients did the same with *code*; return the answers.

        *fields* are the parts of the descriptions compared. With *ids*,
        uuids are replaced by their order of appearance first. With *kept*
        (one line: why), assert instead that they differ.
        """
        upstream, ours = self.run(
            code, server=server, log_level=log_level, env=env, fresh=fresh)
        left = {field: upstream.get(field) for field in fields}
        right = {field: ours.get(field) for field in fields}
        if ids:
            left, right = normalise_ids(left), normalise_ids(right)
        test_id = self._request.node.nodeid
        if kept:
            assert left != right, (
                'kept difference no longer differs ({0}): both gave {1}'.format(
                    kept, json.dumps(left, indent=1)))
            COMPARISONS.append((test_id, 'kept', kept))
        else:
            assert left == right, _difference(code, upstream, ours, left, right)
            COMPARISONS.append((test_id, 'same', ''))
        return upstream, ours


def _difference(code, upstream, ours, left, right):
    lines = ['upstream and ours differ for:', code, '--- upstream']
    lines.append(json.dumps(left, indent=1, sort_keys=True))
    if 'traceback' in upstream:
        lines.append(upstream['traceback'])
    lines.append('--- ours')
    lines.append(json.dumps(right, indent=1, sort_keys=True))
    if 'traceback' in ours:
        lines.append(ours['traceback'])
    return '\n'.join(lines)


@pytest.fixture(scope='session')
def upstream_python():
    """The Python of the virtualenv holding upstream 3.1.0."""
    python, reason = install_upstream()
    if python is None:
        if os.environ.get('CI'):
            pytest.fail('CI must run the differential tests: ' + reason)
        pytest.skip('upstream client unavailable: ' + reason)
    return python


def _worker_environment(home, clean):
    environment = _clean_environment() if clean else dict(os.environ)
    environment.update({
        'COMPAT_HOME': home,
        'FTRACK_API_SCHEMA_CACHE_PATH': os.path.join(home, 'schema-cache'),
        'XDG_CACHE_HOME': os.path.join(home, 'cache'),
        'FTRACK_EVENT_PLUGIN_PATH': '',
        'PYTHONHASHSEED': '0',
        'PYTHONDONTWRITEBYTECODE': '1',
    })
    for name in ('FTRACK_SERVER', 'FTRACK_API_USER', 'FTRACK_API_KEY'):
        environment.pop(name, None)
    os.makedirs(environment['FTRACK_API_SCHEMA_CACHE_PATH'], exist_ok=True)
    return environment


@pytest.fixture(scope='session')
def compat_workers(upstream_python):
    """The upstream and our driver interpreters, shared by the whole run."""
    homes = [tempfile.mkdtemp(prefix='compat-upstream-'),
             tempfile.mkdtemp(prefix='compat-ours-')]
    upstream = Worker('upstream', upstream_python, _worker_environment(homes[0], True))
    ours = Worker('ours', sys.executable, _worker_environment(homes[1], False))
    yield upstream, ours
    upstream.close()
    ours.close()


@pytest.fixture
def compat(compat_workers, request):
    """A :class:`Compat` comparing upstream 3.1.0 with ours."""
    return Compat(compat_workers[0], compat_workers[1], request)


def pytest_terminal_summary(terminalreporter):
    if not COMPARISONS:
        return
    kept = [entry for entry in COMPARISONS if entry[1] == 'kept']
    terminalreporter.write_line(
        'compat: {0} comparisons with upstream {1}, {2} differences kept on '
        'purpose'.format(len(COMPARISONS), UPSTREAM_VERSION, len(kept)))
    for test_id, _, reason in kept:
        terminalreporter.write_line('  kept: {0}: {1}'.format(test_id, reason))
