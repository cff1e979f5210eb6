"""Helpers for testing the client without a server.

:class:`RecordingTransport` answers the start-up requests of a session
(server information and schemas) from local data and records every other
batch the session sends, answering from a queue of prepared results. It lets
unit tests check the exact payloads a real server would receive. Tests that
need server behaviour use ``ftrack_local_server`` instead.
"""

from __future__ import annotations

import collections
import json
import os

import ftrack_api.exception
import ftrack_api.session

#: Server information answered by default (as a real server sends it).
SERVER_INFORMATION = {
    'storage_scenario': {'data': {}, 'scenario': 'ftrack.automatic'},
    'version': 'dev',
    'is_timezone_support_enabled': True,
}


def default_schema_path():
    """Return the path of the real server schema shipped with the server package."""
    import ftrack_local_server

    return os.path.join(
        os.path.dirname(os.path.abspath(ftrack_local_server.__file__)),
        'data', 'query_schemas.json',
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
            'schema_hash', ftrack_api._schema_cache.compute_schema_hash(schemas)
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
        self.closed = True


class OfflineSession(ftrack_api.session.Session):
    """A session whose transport is a :class:`RecordingTransport`.

    Keyword arguments are those of :class:`ftrack_api.session.Session`;
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


import ftrack_api._schema_cache  # noqa: E402
