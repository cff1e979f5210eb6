"""ftrack-api-ng and ftrack-python-api installed, and uninstalled, side by side.

A wheel of this project is built and installed with pip into a scratch
virtualenv together with upstream's ftrack-python-api 3.1.0 (downloaded
from the package index), in both orders; then each is uninstalled. Whatever
the order, ``import ftrack_api`` must give a complete package: ours while
ours is installed (with a warning naming both when upstream is there too),
upstream's once ours is gone.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: Prints where ``ftrack_api`` comes from, without importing upstream's
#: (its pinned dependencies are not installed here).
PROBE = textwrap.dedent('''
    import importlib.util, json, os, warnings
    spec = importlib.util.find_spec('ftrack_api')
    info = {'origin': spec.origin if spec else None}
    folder = os.path.dirname(spec.origin) if spec and spec.origin else None
    info['ours'] = bool(folder) and os.path.basename(os.path.dirname(folder)) == 'ftrack_api_ng_lib'
    if info['ours']:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            import ftrack_api
        info['distribution_version'] = ftrack_api.distribution_version
        info['session'] = hasattr(ftrack_api, 'Session')
        info['warnings'] = [str(w.message) for w in caught]
    elif folder:
        with open(os.path.join(folder, '_version.py')) as handle:
            info['version_file'] = handle.read()
        info['complete'] = all(os.path.exists(os.path.join(folder, name))
                               for name in ('__init__.py', 'session.py', 'entity'))
    print(json.dumps(info))
''')


def _run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope='module')
def wheels(tmp_path_factory):
    folder = tmp_path_factory.mktemp('wheels')
    built = _run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', '-w',
                  str(folder), ROOT])
    assert built.returncode == 0, built.stderr
    downloaded = _run([sys.executable, '-m', 'pip', 'download', '--no-deps', '-q', '-d',
                       str(folder), 'ftrack-python-api==3.1.0'])
    if downloaded.returncode != 0:
        if os.environ.get('CI'):
            pytest.fail('Could not download ftrack-python-api: ' + downloaded.stderr)
        pytest.skip('package index unreachable: ' + downloaded.stderr.strip()[-200:])
    ours = [name for name in os.listdir(str(folder)) if name.startswith('ftrack_api_ng-')]
    upstream = [name for name in os.listdir(str(folder))
                if name.lower().startswith('ftrack_python_api-')]
    return str(folder / ours[0]), str(folder / upstream[0])


class Environment(object):
    """A scratch virtualenv driven with this interpreter's pip."""

    def __init__(self, path):
        made = _run([sys.executable, '-m', 'venv', '--without-pip', path])
        assert made.returncode == 0, made.stderr
        self.python = os.path.join(path, 'bin', 'python')
        # Dependencies come from the test run's own environment.
        import requests
        self.env = dict(os.environ, PYTHONPATH=os.path.dirname(
            os.path.dirname(requests.__file__)))

    def pip(self, *arguments):
        result = _run([sys.executable, '-m', 'pip', '--python', self.python, '-q']
                      + list(arguments) + ['--no-deps'] * (arguments[0] == 'install'))
        assert result.returncode == 0, result.stderr
        return result

    def uninstall(self, name):
        result = _run([sys.executable, '-m', 'pip', '--python', self.python, '-q',
                       'uninstall', '-y', name])
        assert result.returncode == 0, result.stderr

    def probe(self):
        result = _run([self.python, '-c', PROBE], env=self.env, cwd='/')
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


def _assert_ours(info, warned):
    assert info['ours'], info
    assert info['session'] is True
    coexistence = [text for text in info['warnings'] if 'ftrack-python-api' in text]
    if warned:
        assert len(coexistence) == 1, info
        assert 'ftrack-api-ng' in coexistence[0] and 'pip uninstall' in coexistence[0]
    else:
        assert coexistence == [], info


def _assert_upstream(info):
    assert not info['ours'], info
    assert '3.1.0' in info['version_file']
    assert info['complete'] is True


def test_ours_first_then_upstream(tmp_path, wheels):
    ours, upstream = wheels
    environment = Environment(str(tmp_path / 'venv'))
    environment.pip('install', ours)
    _assert_ours(environment.probe(), warned=False)
    environment.pip('install', upstream)
    _assert_ours(environment.probe(), warned=True)
    environment.uninstall('ftrack-python-api')
    _assert_ours(environment.probe(), warned=False)
    environment.pip('install', upstream)
    environment.uninstall('ftrack-api-ng')
    _assert_upstream(environment.probe())


def test_upstream_first_then_ours(tmp_path, wheels):
    ours, upstream = wheels
    environment = Environment(str(tmp_path / 'venv'))
    environment.pip('install', upstream)
    _assert_upstream(environment.probe())
    environment.pip('install', ours)
    _assert_ours(environment.probe(), warned=True)
    environment.uninstall('ftrack-api-ng')
    _assert_upstream(environment.probe())
    environment.pip('install', ours)
    environment.uninstall('ftrack-python-api')
    _assert_ours(environment.probe(), warned=False)
