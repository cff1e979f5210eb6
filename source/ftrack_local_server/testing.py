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

The second half of the module tests the ``ftrack_api`` client itself.
:class:`RecordingTransport` answers the start-up requests of a session
(server information and schemas) from local data and records every other
batch the session sends, answering from a queue of prepared results, so
unit tests can check the exact payloads a real server would receive
(:class:`OfflineSession`). Tests that need server behaviour connect to a
``LocalServer`` with :func:`connect` and use :func:`record_requests`,
:func:`create_project` and the other helpers at the end.
"""

from __future__ import annotations

import collections
import json
import os
import time
import uuid
from typing import Any, Dict, List, Optional

import ftrack_api._session.schema_cache
import ftrack_api.exception
import ftrack_api.session


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
        """POST *body* (JSON-encoded unless *raw*) and return the ``requests`` response.

        Keyword arguments are *headers* to send besides the credentials,
        as for :meth:`headers`.
        """
        data = body if raw else json.dumps(body)
        return self.http.post(
            self.url + '/api', data=data, headers=self.headers(**headers), timeout=60
        )

    def call(self, operations: List[Dict[str, Any]], **headers: Optional[str]) -> Any:
        """POST *operations* and return the decoded answer (list or error object).

        Keyword arguments are extra *headers*, as for :meth:`post`.
        """
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
        """Create an *entity_type* entity from *data* and return it as answered.

        No ``entity_key`` is sent, as the JavaScript client does; a failure
        raises :exc:`AssertionError` with the server's error.
        """
        return self.ok([create_operation(entity_type, data)])[0]['data']

    def update(self, entity_type: str, entity_key: Any,
               data: Dict[str, Any]) -> Dict[str, Any]:
        """Update the *entity_type* entity *entity_key* with *data*.

        Return the ``data`` of the result; a failure raises
        :exc:`AssertionError` with the server's error.
        """
        return self.ok([update_operation(entity_type, entity_key, data)])[0]['data']

    def create_project(self, name: str, **data: Any) -> Dict[str, Any]:
        """Create a project called *name* with the first project schema; return it.

        *data* adds or overrides attributes (``full_name`` defaults to *name*).
        """
        schema = self.query('select id from ProjectSchema')[0]['id']
        values = {'name': name, 'full_name': name, 'project_schema_id': schema}
        values.update(data)
        return self.create('Project', values)


# -- Testing the ftrack_api client ------------------------------------------

#: Server information answered by default (as a real server sends it).
SERVER_INFORMATION = {
    'storage_scenario': {'data': {}, 'scenario': 'ftrack.automatic'},
    'version': 'dev',
    'is_timezone_support_enabled': True,
}


def default_schema_path():
    """Return the path of the real server schema shipped with this package."""
    return os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'data', 'query_schemas.json',
    )


class RecordingTransport(object):
    """A transport answering from local data and recording requests.

    *schemas* is the schema list answered to ``query_schemas`` and
    *server_information* the mapping answered to
    ``query_server_information``. Other operations are answered from
    :attr:`responses` (a queue of result lists, one per request, each a
    list of results or an error mapping with ``exception``); every such
    request body is appended to :attr:`requests` as parsed JSON.
    """

    def __init__(self, schemas, server_information=None):
        self.schemas = schemas
        self._primary_keys = {
            schema['id']: schema.get('primary_key', []) for schema in schemas
        }
        self.server_information = dict(server_information or SERVER_INFORMATION)
        self.server_information.setdefault(
            'schema_hash', ftrack_api._session.schema_cache.compute_schema_hash(schemas)
        )
        self.requests = []
        self.bodies = []
        self.responses = collections.deque()
        #: When True, requests without a prepared response are answered as
        #: a server accepting them would: creates and updates echo their
        #: data, deletes succeed, queries find nothing.
        self.echo = False
        self.closed = False

    def _echo(self, operation):
        action = operation.get('action')
        if action in ('create', 'update'):
            data = dict(operation['entity_data'])
            primary_key = self._primary_keys.get(operation['entity_type'], [])
            data.update(zip(primary_key, operation['entity_key']))
            return {'action': action, 'data': data}
        if action == 'delete':
            return {'action': 'delete', 'data': True}
        if action == 'query':
            return {
                'action': 'query', 'data': [], 'metadata': {'next': {'offset': None}}
            }
        raise AssertionError('Cannot echo operation {0!r}.'.format(operation))

    def call(self, body, decode):
        """Answer the request *body* (JSON text) and return it decoded.

        Server information and schema requests are answered from the
        transport's data. Any other request is recorded in
        :attr:`requests` and :attr:`bodies` and answered with the next
        prepared response (or, with :attr:`echo`, an echo of each
        operation), decoded with *decode*. An error object as response
        raises :exc:`ftrack_api.exception.ServerError`; no prepared
        response raises :exc:`AssertionError` naming the request.
        """
        operations = json.loads(body)
        actions = [operation.get('action') for operation in operations]
        if actions == ['query_server_information']:
            return decode(json.dumps([self.server_information]))
        if actions == ['query_schemas']:
            return decode(json.dumps([self.schemas]))
        self.requests.append(operations)
        self.bodies.append(body)
        if not self.responses and self.echo:
            self.responses.append([self._echo(operation) for operation in operations])
        if not self.responses:
            raise AssertionError(
                'Unexpected request (no prepared response): {0}'.format(body)
            )
        response = self.responses.popleft()
        result = decode(json.dumps(response))
        if isinstance(result, dict) and 'exception' in result:
            raise ftrack_api.exception.ServerError(
                'Server reported error: {0}({1})'.format(
                    result['exception'], result.get('content')
                )
            )
        return result

    def close(self):
        """Mark the transport closed (:attr:`closed` becomes True)."""
        self.closed = True


class OfflineSession(ftrack_api.session.Session):
    """A session whose transport is a :class:`RecordingTransport`.

    Keyword arguments (*kw*) are those of :class:`ftrack_api.session.Session`;
    *schemas* (default: the real server schema) and *server_information*
    configure the transport. Credentials default to dummy values and the
    schema cache is disabled unless given.
    """

    def __init__(self, schemas=None, server_information=None, **kw):
        if schemas is None:
            with open(default_schema_path(), encoding='utf-8') as handle:
                schemas = json.load(handle)
        self._offline_transport = RecordingTransport(schemas, server_information)
        kw.setdefault('server_url', 'http://offline.invalid')
        kw.setdefault('api_user', 'tester')
        kw.setdefault('api_key', 'not-a-real-key')
        kw.setdefault('schema_cache_path', False)
        kw.setdefault('plugin_paths', [])
        super(OfflineSession, self).__init__(**kw)

    def _make_transport(self, headers=None, cookies=None, strict_api=False):
        return self._offline_transport

    @property
    def transport(self):
        """Return the :class:`RecordingTransport` of this session."""
        return self._offline_transport


def schema_counting_session_class():
    """Return a new :class:`OfflineSession` subclass counting schema requests.

    Its ``schema_requests`` class attribute, 0 at first, counts the
    ``query_schemas`` requests its sessions send (through the documented
    ``call``), so a test can tell a start from the schema cache from one
    that fetched the schemas.
    """

    class CountingSession(OfflineSession):
        schema_requests = 0

        def call(self, data):
            if data and data[0].get('action') == 'query_schemas':
                type(self).schema_requests += 1
            return super(CountingSession, self).call(data)

    return CountingSession


def offline_session(echo=True, **kw):
    """Yield an :class:`OfflineSession`, closing it afterwards.

    A generator for pytest fixtures (``yield from offline_session()``).
    With *echo* its transport answers unprepared requests as an accepting
    server would; *kw* are the :class:`OfflineSession` arguments.
    """
    session = OfflineSession(**kw)
    session.transport.echo = echo
    try:
        yield session
    finally:
        session.close()


def reconstruct(session, entity_type, **data):
    """Return an *entity_type* entity of *session* known to exist with *data*.

    The entity is reconstructed (values are remote, nothing is recorded).
    """
    return session.create(entity_type, data, reconstructing=True)


def unique_name(prefix):
    """Return *prefix* followed by a random suffix (unique names for tests)."""
    return '{0}_{1}'.format(prefix, uuid.uuid4().hex[:10])


def connect(server, **kw):
    """Return a new session connected to *server*.

    *server* is a server (``url``, ``api_user``, ``api_key``, as a
    ``LocalServer``) or a session whose server and credentials to use. The
    schema cache is disabled unless *schema_cache_path* is given; the
    other keyword arguments (*kw*) are passed to
    :class:`ftrack_api.session.Session`.
    """
    kw.setdefault('schema_cache_path', False)
    url = getattr(server, 'url', None) or server.server_url
    return ftrack_api.session.Session(
        server_url=url, api_key=server.api_key, api_user=server.api_user, **kw
    )


def wait_until(condition, timeout=20.0, interval=0.05):
    """Return True once *condition()* is true, polling until *timeout* seconds.

    *condition* is called every *interval* seconds. Return the last result
    of *condition()* when the time is up.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def record_requests(session):
    """Return a list that receives the body of each request *session* sends.

    Works with the HTTP transport of a connected session (its ``post``
    method is wrapped); the bodies are the JSON texts sent.
    """
    sent = []
    post = session._transport.post

    def recording_post(body):
        sent.append(body)
        return post(body)

    session._transport.post = recording_post
    return sent


def sent_operations(bodies):
    """Return the operations of the request *bodies*, one list per request."""
    return [json.loads(body) for body in bodies]


def create_project(session, prefix='project', commit=True):
    """Create, in *session*, a project named after *prefix*; return it.

    The name is *prefix* with a unique suffix; the schema is the server's
    first. The project is committed unless *commit* is False.
    """
    name = unique_name(prefix)
    project = session.create('Project', {
        'name': name, 'full_name': name + '_full',
        'project_schema': session.query('ProjectSchema').first(),
    })
    if commit:
        session.commit()
    return project


def create_task(session, parent, name='task', commit=True):
    """Create, in *session*, a task *name* under *parent*; return it.

    The task gets the first task type and status of the project schema of
    the project *parent* belongs to (or is), found through the ``parent``
    chain. It is committed unless *commit* is False.
    """
    project = parent
    while project.entity_type != 'Project':
        project = project['parent']
    schema = project['project_schema']
    task_type = schema.get_types('Task')[0]
    status = schema.get_statuses('Task', task_type['id'])[0]
    task = session.create('Task', {
        'name': name, 'parent': parent, 'type': task_type, 'status': status,
    })
    if commit:
        session.commit()
    return task
