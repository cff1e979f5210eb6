"""The session: the connection to one ftrack server and its unit of work.

:class:`Session` is a facade. The HTTP transport (``_transport``), schema
cache (``_schema_cache``), identity map and merging (``_merge``), unit of
work (``_unit_of_work``), encoding (``_encoding``), generated expressions
(``_expressions``) and built-in locations (``_locations``) each live in
their own module.
"""

from __future__ import annotations

import atexit
import collections.abc
import json
import logging
import os
import threading
import weakref

import ftrack_api._centralized_storage_scenario
import ftrack_api._session.encoding as _encoding
import ftrack_api._session.gc
import ftrack_api._session.merge as _merge
import ftrack_api._session.unit_of_work as _unit_of_work
import ftrack_api.cache
import ftrack_api.entity.base
import ftrack_api.entity.factory
import ftrack_api.event.base
import ftrack_api.event.hub
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.plugin
import ftrack_api.query
import ftrack_api.symbol
from ftrack_api._session.batch import OperationPayload  # noqa: F401
from ftrack_api._session.identity import identity_key
from ftrack_api._session.private_api import PrivateApiMixin
from ftrack_api._session.reading import ReadingMixin
from ftrack_api._session.server_actions import ServerActionsMixin
from ftrack_api._session.session_locations import LocationsMixin
from ftrack_api._session.startup import MINIMUM_SERVER_VERSION, StartupMixin  # noqa: F401
from ftrack_api._session.thread_flags import (  # noqa: F401
    AutoPopulatingContext, OperationRecordingContext, ThreadFlagsMixin,
    flags_by_thread,
)
from ftrack_api._session.transport import SessionAuthentication, Transport  # noqa: F401
from ftrack_api.logging import LazyLogMessage as L  # noqa: F401 - upstream's name.

NOT_SET = ftrack_api.symbol.NOT_SET

logger = logging.getLogger(__name__)

# Sessions still open; closed at interpreter exit without keeping them alive.
_OPEN_SESSIONS = weakref.WeakSet()


@atexit.register
def _close_open_sessions():
    # Upstream logs nothing at exit: the pending-operations warning is only
    # for an explicit close().
    for session in list(_OPEN_SESSIONS):
        try:
            session._close(warn_pending=False)
        except Exception:  # pragma: no cover - best effort at exit.
            logger.debug('Failed to close %r at exit.', session, exc_info=True)


def _require_mapping(name, value):
    if value is not None and not isinstance(value, collections.abc.Mapping):
        raise TypeError(
            'Session argument {0!r} must be a mapping, got {1!r}.'.format(name, value)
        )


class Session(
    StartupMixin, ThreadFlagsMixin, ServerActionsMixin, LocationsMixin, PrivateApiMixin,
    ReadingMixin,
):
    """One connection to an ftrack server, with its own entities and unit of work."""

    def __init__(
        self, server_url=None, api_key=None, api_user=None, auto_populate=True,
        plugin_paths=None, cache=None, cache_key_maker=None,
        auto_connect_event_hub=False, schema_cache_path=None,
        plugin_arguments=None, timeout=60, cookies=None, headers=None,
        strict_api=False, retry_writes=False,
    ):
        """Connect to a server and prepare the session.

        *server_url* (else ``FTRACK_SERVER``) is the server URL, trailing
        slashes removed. *api_key* (else ``FTRACK_API_KEY``, else
        ``FTRACK_APIKEY``) and *api_user* (else ``FTRACK_API_USER``, else the
        login name) authenticate every request; a missing one raises
        :exc:`TypeError`. *auto_populate* is the default of
        :attr:`auto_populate`. *plugin_paths* (else
        ``FTRACK_EVENT_PLUGIN_PATH`` split on :data:`os.pathsep`) are
        searched for plugins whose ``register`` is called with this session
        and the *plugin_arguments* it accepts. *cache* is a
        :class:`ftrack_api.cache.Cache` (or a callable returning one or
        None given the session) layered under the session's memory cache.
        *cache_key_maker* makes cache keys (default
        :class:`~ftrack_api.cache.StringKeyMaker`). With
        *auto_connect_event_hub* the event hub connects in a background
        thread. *schema_cache_path* is the schema cache directory (else
        ``FTRACK_API_SCHEMA_CACHE_PATH``): the file
        ``ftrack_api_schema_cache.json`` in it is shared with upstream's
        client. Without either, files named by schema hash in the user
        cache directory are used (a bounded number). False disables it. *timeout* (seconds) applies to each request;
        *cookies* and *headers* (mappings) are sent with every request;
        *strict_api* (bool) asks the server for strict API behaviour.
        With *retry_writes* (not in upstream's client) every batch carries
        an ``Idempotency-Key`` header, unique per batch, and a batch that
        changes data is retried like a read-only one after a lost answer:
        a server that remembers the key (the local server does) answers a
        repeat from the first run instead of applying it twice. Without
        it, or against a server that ignores the header, a lost answer to
        a write raises an error saying that it may have been applied.

        Raise :exc:`TypeError` for missing or ill-typed arguments,
        :exc:`ftrack_api.exception.ServerError` when the server refuses the
        credentials and
        :exc:`ftrack_api.exception.ServerCompatibilityError` for servers
        that are too old.
        """
        super(Session, self).__init__()
        # As upstream: named after the class, so subclasses log as their own.
        self.logger = logging.getLogger('{0}.{1}'.format(__name__, type(self).__name__))
        self._closed = False

        if server_url is None:
            server_url = os.environ.get('FTRACK_SERVER')
        if not server_url:
            raise TypeError(
                'Required "server_url" not specified. Pass as argument or set '
                'in environment variable FTRACK_SERVER.'
            )
        if api_key is None:
            api_key = os.environ.get('FTRACK_API_KEY', os.environ.get('FTRACK_APIKEY'))
        if not api_key:
            raise TypeError(
                'Required "api_key" not specified. Pass as argument or set in '
                'environment variable FTRACK_API_KEY.'
            )
        if api_user is None:
            api_user = os.environ.get('FTRACK_API_USER')
            if not api_user:
                try:
                    import getpass

                    api_user = getpass.getuser()
                except Exception:
                    api_user = None
        if not api_user:
            raise TypeError(
                'Required "api_user" not specified. Pass as argument, set in '
                'environment variable FTRACK_API_USER or log in as that user.'
            )
        _require_mapping('headers', headers)
        _require_mapping('cookies', cookies)
        if not isinstance(strict_api, bool):
            raise TypeError(
                'Session argument "strict_api" must be a bool, got {0!r}.'.format(
                    strict_api
                )
            )

        self._server_url = server_url.rstrip('/')
        self._api_user = api_user
        self._api_key = api_key
        self._request_timeout = timeout

        self._lock = threading.RLock()
        self._auto_populate = flags_by_thread(auto_populate)
        self._record_operations = flags_by_thread(True)
        self._memo = {}

        self.cache_key_maker = cache_key_maker or ftrack_api.cache.StringKeyMaker()
        if type(self.cache_key_maker) is ftrack_api.cache.StringKeyMaker:
            self._make_key = str
        else:
            self._make_key = self.cache_key_maker.key
        self._identity_map = _merge.IdentityMapCache()
        self._get_cached = self._identity_map._by_id.get
        self.cache = ftrack_api.cache.LayeredCache([self._identity_map])
        self._merger = _merge.Merger(self, self._identity_map)
        self._unit_of_work = _unit_of_work.UnitOfWork(self)
        self.types = {}
        self.schemas = []

        self._transport = self._make_transport(
            headers=headers, cookies=cookies, strict_api=strict_api
        )
        if retry_writes:
            self._transport.retry_writes = True
        try:
            self._server_information = self._fetch_server_information()
            self.check_server_compatibility()
        except BaseException:
            # Refused credentials or an incompatible server: release the
            # connection pool instead of leaving it to the garbage collector.
            self._transport.close()
            raise

        # The hub's handshake and websocket carry the same strict-api
        # header as the /api calls.
        hub_headers = dict(headers or {})
        hub_headers['ftrack-strict-api'] = 'true' if strict_api else 'false'
        self._event_hub = ftrack_api.event.hub.EventHub(
            self._server_url, api_user, api_key, headers=hub_headers, cookies=cookies
        )
        if self._request_timeout is not None:
            # The hub's handshake and connection wait no longer than requests.
            self._event_hub.connect_timeout = self._request_timeout
        self._event_hub_thread = None
        if auto_connect_event_hub:
            # Events published (and subscribers added) from here on are
            # queued; the connection itself is started once the session is
            # set up, as upstream does, so the hub's reply subscriber comes
            # after the session's own subscribers.
            self._event_hub.init_connection()

        _OPEN_SESSIONS.add(self)

        if plugin_paths is None:
            plugin_paths = [
                path for path in os.environ.get(
                    'FTRACK_EVENT_PLUGIN_PATH', ''
                ).split(os.pathsep) if path
            ]
        self._plugin_paths = list(plugin_paths)
        self._discover_plugins(plugin_arguments=plugin_arguments)

        if callable(cache) and not isinstance(cache, ftrack_api.cache.Cache):
            cache = cache(self)
        if cache is not None:
            self.cache.caches.append(cache)
            self._merger.lower_caches = [cache]

        self._schema_cache_path = schema_cache_path
        self.schemas = self._load_schemas(
            self._schema_cache_location(schema_cache_path)
        )
        self.types = self._build_entity_type_classes(self.schemas)

        ftrack_api._centralized_storage_scenario.register(self)
        self._configure_locations()
        self.event_hub.publish(
            ftrack_api.event.base.Event(
                topic='ftrack.api.session.ready', data={'session': self}
            ),
            synchronous=True,
        )
        if auto_connect_event_hub:
            # The hub's own background connection can be cancelled by
            # close() even before its thread has run.
            self._event_hub_thread = self._event_hub.connect_in_background()

    # Properties.
    def __repr__(self):
        return '<{0} {1} user={2!r}{3}>'.format(
            type(self).__name__, self._server_url, self._api_user,
            ' closed' if self._closed else '',
        )

    @property
    def closed(self):
        """True once :meth:`close` has run."""
        return self._closed

    @property
    def server_information(self):
        """Return a copy of the server information (version, schema hash...)."""
        return json.loads(json.dumps(self._server_information))

    @property
    def server_url(self):
        """The address of the server this session talks to."""
        return self._server_url

    @property
    def api_user(self):
        """The name of the user the requests authenticate as."""
        return self._api_user

    @property
    def api_key(self):
        """The API key the requests authenticate with (never logged)."""
        return self._api_key

    @property
    def event_hub(self):
        """The :class:`~ftrack_api.event.hub.EventHub` of this session."""
        return self._event_hub

    @property
    def _request(self):
        """The :class:`requests.Session` that sends the ``/api`` calls.

        Integrations change its ``headers``, ``cookies``, ``verify``,
        ``proxies`` or adapters (``mount``); the next call uses them.
        Assigning another :class:`requests.Session` makes the calls go
        through it instead (its authentication is the caller's affair).
        Once the session is closed, reading it raises
        :exc:`ftrack_api.exception.ConnectionClosedError`.
        """
        if self._closed:
            raise ftrack_api.exception.ConnectionClosedError()
        return getattr(self._transport, 'http_session', None)

    @_request.setter
    def _request(self, value):
        self._transport.http_session = value

    @property
    def _local_cache(self):
        """The first cache layer: the :class:`~ftrack_api.cache.MemoryCache`
        holding this session's entities (``values()`` gives them)."""
        return self._identity_map

    @property
    def request_timeout(self):
        """Seconds each request may take; set it to change later requests."""
        return self._request_timeout

    @request_timeout.setter
    def request_timeout(self, value):
        self._request_timeout = value
        transport = getattr(self, '_transport', None)
        if transport is not None and hasattr(transport, 'timeout'):
            transport.timeout = value

    @property
    def created(self):
        """Entities created here and not yet committed, as a list."""
        return self._unit_of_work.entities_in_state(ftrack_api.symbol.CREATED)

    @property
    def modified(self):
        """Entities with uncommitted changes, as a list."""
        return self._unit_of_work.entities_in_state(ftrack_api.symbol.MODIFIED)

    @property
    def deleted(self):
        """Entities marked for deletion at the next commit, as a list."""
        return self._unit_of_work.entities_in_state(ftrack_api.symbol.DELETED)

    @property
    def recorded_operations(self):
        """Return the :class:`ftrack_api.operation.Operations` recorded."""
        return self._unit_of_work.operations

    # Life cycle.
    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        self.close()

    def close(self):
        """End the session: its connections, uncommitted work and memory cache.

        Later requests raise
        :exc:`ftrack_api.exception.ConnectionClosedError`. Closing twice does
        nothing.
        """
        self._close()

    def _close(self, warn_pending=True):
        """Close as :meth:`close` does; *warn_pending* False skips the warning."""
        if self._closed:
            return
        self.logger.debug('Closing session.')
        if warn_pending and len(self._unit_of_work.operations):
            # Upstream's warning, word for word: tools watch for it.
            self.logger.warning('Closing session with pending operations not persisted.')
        hub = getattr(self, '_event_hub', None)
        if hub is not None:
            # Also stops a reconnection or a background connection under way.
            try:
                hub.disconnect()
            except ftrack_api.exception.EventHubConnectionError:
                pass  # it was not connected: nothing to close
        with self._lock:
            self._unit_of_work._clear_after_commit()
            self._identity_map.clear()
        self._transport.close()
        self._closed = True
        _OPEN_SESSIONS.discard(self)
        self.logger.debug('Session closed.')

    def reset(self):
        """Forget all local state, as if the session had just started.

        Pending operations and local values are discarded and the memory
        cache cleared (with a layered cache only its top layer). Built-in
        locations are configured again and ``ftrack.api.session.reset`` is
        published. Previously held entities should no longer be used.
        """
        with self._lock:
            self._unit_of_work.rollback()
            caches = getattr(self.cache, 'caches', None)
            if caches:
                caches[0].clear()
            else:
                self.cache.clear()
            self._memo.clear()
        self._configure_locations()
        self.event_hub.publish(
            ftrack_api.event.base.Event(
                topic='ftrack.api.session.reset', data={'session': self}
            ),
            synchronous=True,
        )

    # Entities.
    def _class_for(self, entity_type):
        entity_class = self.types.get(entity_type)
        if entity_class is None:
            raise ftrack_api.exception.UnrecognisedEntityTypeError(entity_type)
        return entity_class

    def create(self, entity_type, data=None, reconstructing=False):
        """Create and return an entity of *entity_type* with initial *data*.

        See :class:`ftrack_api.entity.base.Entity` for *data* and
        *reconstructing*. The entity is merged into the session. Raise
        :exc:`ftrack_api.exception.UnrecognisedEntityTypeError` for an
        unknown *entity_type*.
        """
        with self._lock:
            entity = self._create(entity_type, data, reconstructing=reconstructing)
            return self._merger.attach(entity)

    def _create(self, entity_type, data, reconstructing):
        """Make the *entity_type* entity with *data*, not yet merged in.

        :meth:`create` runs it (with the session lock held) and merges the
        result; subclasses override it to change how entities are made, as
        with upstream.
        """
        entity_class = self._class_for(entity_type)
        return entity_class(self, data=data, reconstructing=reconstructing)

    def delete(self, entity):
        """Mark *entity* for deletion when the session commits."""
        self._unit_of_work.record_delete(entity)

    def merge(self, value, merged=None):
        """Merge *value* into this session; return the merged value.

        *merged* records objects already merged during this run (to stop
        infinite recursion); by default a new mapping.
        """
        with self._lock:
            self._merger.begin()
            try:
                return self._merger.merge(value, merged)
            finally:
                self._merger.end()

    def _merge_value(self, value, merged):
        return self._merger.merge(value, merged)

    def _merge(self, value, merged):
        """Merge *value* into the session (without taking the lock); return it.

        *merged* maps what this merge run has already merged, to stop
        recursion. Integrations written for upstream call it directly.
        """
        return self._merger.merge(value, merged)

    def _attach_value(self, value):
        """Return *value* with its entities being this session's instances."""
        if isinstance(value, ftrack_api.entity.base.Entity):
            if value.session is self and self._identity_map.lookup(
                value._identity_key()
            ) is value:
                return value
            return self.merge(value)
        return value

    def _forget(self, key):
        try:
            self.cache.remove(key)
        except KeyError:
            pass

    def commit(self):
        """Send every recorded operation to the server in one batch.

        Raise the error of the request when it fails (for example
        :exc:`ftrack_api.exception.ServerError`); the recorded operations
        and local values are then kept, see :meth:`rollback`.
        """
        self._unit_of_work.commit()

    def rollback(self):
        """Discard every recorded operation and the local values they set.

        Entities created and not yet committed are removed from the cache
        and should no longer be used.
        """
        self._unit_of_work.rollback()

    # Wire.
    def call(self, data):
        """Send the operations *data* (a list) in one request; return results.

        Entities in the results are merged into the session. Raise
        :exc:`ftrack_api.exception.ConnectionClosedError` when the session
        is closed and :exc:`ftrack_api.exception.ServerError` for errors
        reported by the server.
        """
        body = self.encode(data, entity_attribute_strategy='modified_only')
        return self._send(body)

    def _call(self, batch):
        """Send an already wire-ready *batch* (references, no entities)."""
        with ftrack_api._session.gc.paused():
            body = _encoding.encode(batch, 'modified_only')
        return self._send(body)

    def _send(self, body):
        if self._closed:
            raise ftrack_api.exception.ConnectionClosedError()
        with self._lock:
            self._merger.begin()
            try:
                return self._transport.call(body, self._decode_merging)
            finally:
                self._merger.end()

    def _decode_merging(self, text):
        with ftrack_api._session.gc.paused():
            return json.loads(text, object_hook=self._merger.object_hook)

    def encode(self, data, entity_attribute_strategy='set_only'):
        """Return *data* encoded as JSON text.

        *entity_attribute_strategy* is ``all``, ``set_only`` (default),
        ``modified_only`` or ``persisted_only`` (see protocol §3.6).
        """
        return _encoding.encode(data, entity_attribute_strategy)

    def entity_reference(self, entity):
        """Return the reference of *entity*: ``__entity_type__`` and key values.

        The key values come from :func:`ftrack_api.inspection.primary_key`
        (looked up when called, so a replacement of it is used), read
        without fetching anything from the server.
        """
        reference = {'__entity_type__': entity.entity_type}
        with self.auto_populating(False):
            reference.update(ftrack_api.inspection.primary_key(entity))
        return reference

    def decode(self, string):
        """Return the values encoded in the JSON text *string*.

        Entities are reconstructed (recording nothing) but not merged into
        the session.
        """
        with self.operation_recording(False):
            return json.loads(string, object_hook=self._decode_object)

    def _decode_object(self, data):
        if '__entity_type__' in data:
            entity_type = data.pop('__entity_type__')
            entity_class = self._class_for(entity_type)
            return entity_class(self, data=data, reconstructing=True)
        return _encoding.plain_object_hook(data)
