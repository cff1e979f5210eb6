"""Fixtures of the local server's unit tests.

Also loads ``test_server_rules_support.py`` once, as the module
``server_rules_support`` the ``test_server_rules_*`` modules import:
sibling modules are not importable by name (``--import-mode=importlib``),
and this file is loaded before any test module of its directory.
"""

import importlib.util
import os
import sys

import pytest


def _load_support():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'test_server_rules_support.py')
    spec = importlib.util.spec_from_file_location('server_rules_support', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[spec.name] = module
    return module


_SUPPORT = _load_support()


@pytest.fixture
def studio():
    """A store holding a minimal studio (``test_server_rules_support.Studio``), closed after the test."""
    studio = _SUPPORT.Studio()
    yield studio
    studio.close()
