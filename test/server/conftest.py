"""Shared helpers for tests that talk to the local server through raw HTTP.

The servers themselves come from the ``ftrack_local_server`` pytest plugin
(``ftrack_server``, ``ftrack_server_factory``); this file adds a small
``requests`` client that speaks the ``/api`` protocol without the client
library, so the server is tested on its own.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import pytest
import requests


def pytest_configure(config: Any) -> None:
    # The plugin tests need pytest's ``pytester`` fixture; ``pytest_plugins``
    # may only be declared in the root conftest, so load it here instead.
    if not config.pluginmanager.has_plugin('pytester'):
        config.pluginmanager.import_plugin('pytester')


class RawApi(object):
    """Posts batches to ``<url>/api`` with ``requests``, like a client would.

    *url*, *api_user* and *api_key* are the server's connection settings.
    """

    def __init__(self, url: str, api_user: str, api_key: str) -> None:
        self.url = url
        self.api_user = api_user
        self.api_key = api_key
        self.http = requests.Session()

    def headers(self, **extra: Optional[str]) -> Dict[str, str]:
        """Return the headers of an authenticated request plus *extra*.

        Underscores in *extra* names become dashes; ``None`` drops a header.
        """
        headers = {
            'ftrack-user': self.api_user,
            'ftrack-api-key': self.api_key,
            'content-type': 'application/json',
            'accept': 'application/json',
        }
        for name, value in extra.items():
            name = name.replace('_', '-')
            if value is None:
                headers.pop(name, None)
            else:
                headers[name] = value
        return headers

    def post(self, body: Any, raw: bool = False, **headers: Optional[str]) -> requests.Response:
        """POST *body* (JSON-encoded unless *raw*) and return the response."""
        data = body if raw else json.dumps(body)
        return self.http.post(
            self.url + '/api', data=data, headers=self.headers(**headers), timeout=60
        )

    def call(self, operations: List[Dict[str, Any]], **headers: Optional[str]) -> Any:
        """POST *operations* and return the decoded JSON answer (list or error object)."""
        response = self.post(operations, **headers)
        assert response.headers['content-type'].startswith('application/json')
        return response.json()

    def ok(self, operations: List[Dict[str, Any]]) -> List[Any]:
        """POST *operations*, assert success and return the results list."""
        result = self.call(operations)
        assert isinstance(result, list), result
        return result

    def query(self, expression: str) -> List[Dict[str, Any]]:
        """Return the ``data`` of a ``query`` for *expression*."""
        return self.ok([{'action': 'query', 'expression': expression}])[0]['data']

    def create(self, entity_type: str, data: Dict[str, Any]) -> Dict[str, Any]:
        """Create one entity and return its wire form."""
        return self.ok(
            [{'action': 'create', 'entity_type': entity_type, 'entity_data': data}]
        )[0]['data']


@pytest.fixture
def raw_api(ftrack_server: Any) -> RawApi:
    """A :class:`RawApi` for the session's shared server (do not change credentials)."""
    return RawApi(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)


@pytest.fixture
def make_raw_api() -> Any:
    """Return a function building a :class:`RawApi` for a given server."""

    def make(server: Any) -> RawApi:
        return RawApi(server.url, server.api_user, server.api_key)

    return make


@pytest.fixture
def private_server(ftrack_server_factory: Any) -> Any:
    """A fresh in-memory server of this test alone, for tests that change global state."""
    return ftrack_server_factory()


@pytest.fixture
def private_api(private_server: Any) -> RawApi:
    """A :class:`RawApi` for :func:`private_server`."""
    return RawApi(private_server.url, private_server.api_user, private_server.api_key)
