"""Shared fixtures for tests that talk to the local server through raw HTTP.

The servers themselves come from the ``ftrack_local_server`` pytest plugin
(``ftrack_server``, ``ftrack_server_factory``); this file adds
:class:`~ftrack_local_server.testing.RawApi` clients that speak the
``/api`` protocol without the client library, so the server is tested on
its own. Operation builders (``create_operation``, ``ref``, ...) come from
:mod:`ftrack_local_server.testing` too.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any, Callable

import pytest

from ftrack_local_server.testing import RawApi


def pytest_configure(config: Any) -> None:
    # The plugin tests need pytest's ``pytester`` fixture; ``pytest_plugins``
    # may only be declared in the root conftest, so load it here instead.
    if not config.pluginmanager.has_plugin('pytester'):
        config.pluginmanager.import_plugin('pytester')


def _api_for(server: Any) -> RawApi:
    return RawApi(server.url, server.api_user, server.api_key)


@pytest.fixture
def raw_api(ftrack_server: Any) -> RawApi:
    """A :class:`RawApi` for the session's shared server (do not change credentials)."""
    return _api_for(ftrack_server)


@pytest.fixture(scope='module')
def api(ftrack_server: Any) -> RawApi:
    """A :class:`RawApi` for the shared server, kept for a whole module.

    For module-scoped fixtures that build the data a module's tests read.
    """
    return _api_for(ftrack_server)


@pytest.fixture(scope='module')
def new_world(api: RawApi) -> Callable[..., SimpleNamespace]:
    """Return ``new_world(prefix, title, **project_data)``, the start of a module's studio.

    The namespace returned holds a *tag* unique to it and the
    *project_name* (``prefix + tag``) and id (*project*) of a new project
    whose full name is ``title + ' ' + tag``; *project_data* adds
    attributes to the project. Module fixtures add the rest of their
    studio to it, so modules never read each other's data.
    """
    def new_world(prefix: str, title: str, **project_data: Any) -> SimpleNamespace:
        world = SimpleNamespace(tag=uuid.uuid4().hex[:8])
        world.project_name = prefix + world.tag
        world.project = api.create_project(
            world.project_name, full_name='{0} {1}'.format(title, world.tag), **project_data
        )['id']
        return world

    return new_world


@pytest.fixture
def make_raw_api() -> Any:
    """Return a function building a :class:`RawApi` for a given server."""
    return _api_for


@pytest.fixture
def private_server(ftrack_server_factory: Any) -> Any:
    """A fresh in-memory server of this test alone, for tests that change global state."""
    return ftrack_server_factory()


@pytest.fixture
def private_api(private_server: Any) -> RawApi:
    """A :class:`RawApi` for :func:`private_server`."""
    return _api_for(private_server)
