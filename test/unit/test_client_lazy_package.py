"""``import ftrack_api`` is cheap; the session and submodules load on first use."""

import subprocess
import sys


def _run(code):
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          check=True).stdout.split()


def test_import_alone_loads_neither_requests_nor_the_session():
    loaded = _run('import sys, ftrack_api\n'
                  'print("requests" in sys.modules, "ftrack_api.session" in sys.modules)')
    assert loaded == ['False', 'False']


def test_session_and_submodules_are_reachable_as_attributes():
    found = _run(
        'import ftrack_api\n'
        'print(ftrack_api.Session.__name__, ftrack_api.session.Session is ftrack_api.Session,\n'
        '      ftrack_api.exception.ServerError.__name__,\n'
        '      ftrack_api.entity.base.Entity.__name__, ftrack_api.event.hub.EventHub.__name__)')
    assert found == ['Session', 'True', 'ServerError', 'Entity', 'EventHub']


def test_from_import_and_star_import_work_as_with_an_eager_package():
    found = _run('from ftrack_api import Session\n'
                 'ns = {}\n'
                 'exec("from ftrack_api import *", ns)\n'
                 'print(Session.__name__, ns["Session"] is Session, "structure" in ns,\n'
                 '      "mixin" in ns)')
    assert found == ['Session', 'True', 'True', 'True']


def test_dir_lists_the_lazy_names_and_unknown_names_raise():
    found = _run('import ftrack_api\n'
                 'names = dir(ftrack_api)\n'
                 'print("Session" in names, "query" in names)\n'
                 'try:\n'
                 '    ftrack_api.nothing_here\n'
                 'except AttributeError as error:\n'
                 '    print("nothing_here" in str(error))')
    assert found == ['True', 'True', 'True']
