"""Without the server extra, every entry point says which extra to install.

aiohttp is made to look uninstalled in a subprocess by a ``sitecustomize``
module whose meta-path finder refuses to import it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

EXPECTED = (
    "The local server needs the server extra, which is not installed "
    "(missing: aiohttp). Install it with: pip install 'ftrack-api-ng[server]'"
)

BLOCKER = '''
import sys


class _WithoutAiohttp(object):
    def find_spec(self, name, path=None, target=None):
        if name == "aiohttp" or name.startswith("aiohttp."):
            raise ModuleNotFoundError("No module named {0!r}".format(name), name=name)
        return None


sys.meta_path.insert(0, _WithoutAiohttp())
'''


@pytest.fixture
def without_aiohttp(tmp_path):
    """Return an environment in which ``import aiohttp`` fails."""
    directory = tmp_path / 'block'
    directory.mkdir()
    (directory / 'sitecustomize.py').write_text(BLOCKER)
    environment = dict(os.environ)
    # pytest prints full messages in its summary when CI is set, which
    # would repeat the message this file counts.
    environment.pop('CI', None)
    environment['PYTHONPATH'] = os.pathsep.join(
        [str(directory)] + [p for p in environment.get('PYTHONPATH', '').split(os.pathsep) if p])
    return environment


def _run(arguments, environment, cwd=None):
    return subprocess.run(
        [sys.executable] + list(arguments), capture_output=True, text=True,
        env=environment, cwd=cwd, timeout=120,
    )


def test_the_blocker_really_hides_aiohttp(without_aiohttp):
    result = _run(['-c', 'import aiohttp'], without_aiohttp)
    assert result.returncode == 1
    assert "No module named 'aiohttp'" in result.stderr


@pytest.mark.parametrize('command', [
    ['serve'],
    ['run', '--', sys.executable, '-c', 'pass'],
    ['users', '--db', 'missing.sqlite', 'list'],
])
def test_cli_names_the_extra(without_aiohttp, tmp_path, command):
    result = _run(['-m', 'ftrack_local_server'] + command, without_aiohttp, cwd=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == 'python -m ftrack_local_server: error: {0}\n'.format(EXPECTED)


def test_reset_names_the_extra_and_keeps_the_database(without_aiohttp, tmp_path):
    database = tmp_path / 'kept.sqlite'
    database.write_bytes(b'not touched')
    result = _run(['-m', 'ftrack_local_server', 'reset', '--db', str(database)],
                  without_aiohttp)
    assert result.returncode == 2
    assert EXPECTED in result.stderr
    assert database.read_bytes() == b'not touched'


@pytest.mark.parametrize('mode', ['thread', 'process'])
def test_local_server_names_the_extra(without_aiohttp, mode):
    script = textwrap.dedent('''
        from ftrack_local_server import LocalServer, LocalServerError
        try:
            LocalServer(mode={0!r}).start()
        except LocalServerError as error:
            print(error)
        else:
            print("started")
    ''').format(mode)
    result = _run(['-c', script], without_aiohttp)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED + '\n'


def test_server_state_names_the_extra(without_aiohttp):
    script = textwrap.dedent('''
        from ftrack_local_server import LocalServerError
        from ftrack_local_server.config import ServerConfig
        from ftrack_local_server.state import ServerState
        try:
            ServerState.open(ServerConfig())
        except LocalServerError as error:
            print(error)
    ''')
    result = _run(['-c', script], without_aiohttp)
    assert result.stdout == EXPECTED + '\n', result.stderr


def test_pytest_plugin_names_the_extra(without_aiohttp, tmp_path):
    (tmp_path / 'test_user.py').write_text(
        'def test_uses_session(ftrack_session):\n    pass\n\n\n'
        'def test_uses_factory(ftrack_server_factory):\n    ftrack_server_factory()\n\n\n'
        'def test_without_server():\n    pass\n'
    )
    result = _run(['-m', 'pytest', '-q', '-p', 'no:cacheprovider', str(tmp_path)],
                  without_aiohttp, cwd=str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    # The fixture errors at set-up; the factory fails the test calling it.
    assert '1 failed, 1 passed, 1 error' in result.stdout
    # One line each, no traceback through the plugin.
    assert result.stdout.count(EXPECTED) == 2
    assert 'pytest_plugin.py' not in result.stdout
    assert 'During handling' not in result.stdout


def test_require_server_extra_passes_when_installed():
    from ftrack_local_server import require_server_extra

    assert require_server_extra() is None
