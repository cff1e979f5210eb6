"""Helpers for testing against the ``/api`` endpoint without a client library.

:class:`RawApi` posts batches with ``requests`` exactly as a client would,
and the ``*_operation`` functions build the operations clients send::

    from ftrack_local_server import LocalServer
    from ftrack_local_server.testing import RawApi, update_operation

    with LocalServer() as server:
        api = RawApi(server.url, server.api_user, server.api_key)
        scope = api.create('Scope', {'name': 'London'})
        api.ok([update_operation('Scope', [scope['id']], {'name': 'Paris'})])
        assert api.one('select name from Scope where id is "{0}"'.format(
            scope['id']))['name'] == 'Paris'

Used by this project's own server tests; test suites of a studio may use
it the same way (the pytest plugin's ``ftrack_server`` fixture gives the
URL and credentials).
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, List, Optional


def new_id() -> str:
    """Return a new entity id (a UUID4 string, as clients generate them)."""
    return str(uuid.uuid4())


def ref(entity_type: str, identifier: str) -> Dict[str, str]:
    """Return the wire reference of entity *entity_type* with id *identifier*."""
    return {'__entity_type__': entity_type, 'id': identifier}


def datetime_value(text: str) -> Dict[str, str]:
    """Return the tagged wire form of the ISO date-time *text*."""
    return {'__type__': 'datetime', 'value': text}


def _typed(entity_type: str, data: Dict[str, Any]) -> Dict[str, Any]:
    typed = dict(data)
    typed.setdefault('__entity_type__', entity_type)
    return typed


def create_operation(entity_type: str, data: Dict[str, Any],
                     entity_key: Optional[List[Any]] = None) -> Dict[str, Any]:
    """Return a ``create`` of *entity_type* with *data*.

    ``__entity_type__`` is added to the data unless given there (a subtype).
    With *entity_key* (a list of primary-key values) the operation is shaped
    like the Python client's; without, like the JavaScript client's.
    """
    operation = {'action': 'create', 'entity_type': entity_type,
                 'entity_data': _typed(entity_type, data)}
    if entity_key is not None:
        operation['entity_key'] = entity_key
    return operation


def update_operation(entity_type: str, entity_key: Any,
                     data: Dict[str, Any]) -> Dict[str, Any]:
    """Return an ``update`` of the *entity_type* entity *entity_key* with *data*.

    *entity_key* is a list of primary-key values (or a bare id, as the
    JavaScript client may send it).
    """
    return {'action': 'update', 'entity_type': entity_type, 'entity_key': entity_key,
            'entity_data': _typed(entity_type, data)}


def delete_operation(entity_type: str, entity_key: Any) -> Dict[str, Any]:
    """Return a ``delete`` of the *entity_type* entity *entity_key*."""
    return {'action': 'delete', 'entity_type': entity_type, 'entity_key': entity_key}


def query_operation(expression: str) -> Dict[str, str]:
    """Return a ``query`` of *expression*."""
    return {'action': 'query', 'expression': expression}


class RawApi(object):
    """Posts batches to ``<url>/api`` with ``requests``, like a client would.

    *url* is the server's base URL; *api_user* and *api_key* its
    credentials. The helpers that expect success (:meth:`ok` and those
    built on it) raise :class:`AssertionError` showing the error object
    the server answered instead.
    """

    def __init__(self, url: str, api_user: str, api_key: str) -> None:
        import requests

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

    def post(self, body: Any, raw: bool = False, **headers: Optional[str]) -> Any:
        """POST *body* (JSON-encoded unless *raw*) and return the ``requests`` response."""
        data = body if raw else json.dumps(body)
        return self.http.post(
            self.url + '/api', data=data, headers=self.headers(**headers), timeout=60
        )

    def call(self, operations: List[Dict[str, Any]], **headers: Optional[str]) -> Any:
        """POST *operations* and return the decoded answer (list or error object)."""
        response = self.post(operations, **headers)
        assert response.headers['content-type'].startswith('application/json'), response
        return response.json()

    def ok(self, operations: List[Dict[str, Any]]) -> List[Any]:
        """POST *operations*, check they succeeded and return the results list."""
        result = self.call(operations)
        assert isinstance(result, list), result
        return result

    def result(self, expression: str) -> Dict[str, Any]:
        """Return the whole ``query`` result (data and metadata) of *expression*."""
        return self.ok([query_operation(expression)])[0]

    def query(self, expression: str) -> List[Dict[str, Any]]:
        """Return the ``data`` of a ``query`` for *expression*."""
        return self.result(expression)['data']

    def one(self, expression: str) -> Dict[str, Any]:
        """Return the only entity *expression* finds (AssertionError otherwise)."""
        data = self.query(expression)
        assert len(data) == 1, (expression, data)
        return data[0]

    def error(self, expression: str) -> Dict[str, Any]:
        """Return the error object a failing query of *expression* answers."""
        result = self.call([query_operation(expression)])
        assert isinstance(result, dict), result
        return result

    def create(self, entity_type: str, data: Dict[str, Any]) -> Dict[str, Any]:
        """Create one entity (no entity_key, as the JavaScript client) and return it."""
        return self.ok([create_operation(entity_type, data)])[0]['data']

    def update(self, entity_type: str, entity_key: Any,
               data: Dict[str, Any]) -> Dict[str, Any]:
        """Update one entity and return the ``data`` of the result."""
        return self.ok([update_operation(entity_type, entity_key, data)])[0]['data']

    def create_project(self, name: str, **data: Any) -> Dict[str, Any]:
        """Create a project called *name* with the first project schema; return it.

        *data* adds or overrides attributes (``full_name`` defaults to *name*).
        """
        schema = self.query('select id from ProjectSchema')[0]['id']
        values = {'name': name, 'full_name': name, 'project_schema_id': schema}
        values.update(data)
        return self.create('Project', values)
