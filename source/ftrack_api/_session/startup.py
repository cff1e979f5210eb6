"""Session start-up: server information, plugins, schemas and classes.

Protocol §1.6 describes the sequence; :class:`StartupMixin` holds the steps
:class:`ftrack_api.session.Session` runs while it is constructed (and
:meth:`~ftrack_api.session.Session.reset` repeats for locations).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading

import ftrack_api._session.entity_types as _entity_types
import ftrack_api._session.gc
import ftrack_api._session.schema_cache as _schema_cache
import ftrack_api._session.transport
import ftrack_api.entity.factory
import ftrack_api.event.base
import ftrack_api.exception
import ftrack_api.plugin

logger = logging.getLogger(__name__)

#: Oldest server version this client works with.
MINIMUM_SERVER_VERSION = (3, 3, 11)

_VERSION_PATTERN = re.compile(r'^(\d+)\.(\d+)\.(\d+)')


def _new_event_id():
    """Return a new event id: the text ``uuid.uuid4().hex`` would give.

    Made by the entity id generator (one event per schema is published at
    start-up, and building UUID objects was a noticeable part of it).
    """
    return ftrack_api.entity.factory._generate_uid().replace('-', '')


class StartupMixin(object):
    """Start-up steps of :class:`ftrack_api.session.Session`."""

    def _make_transport(self, headers=None, cookies=None, strict_api=False):
        """Return the transport used for every request of this session."""
        transport = ftrack_api._session.transport.Transport(
            self._server_url, self._api_user, self._api_key,
            timeout=self._request_timeout, headers=headers, cookies=cookies,
            strict_api=strict_api,
        )
        transport.session_logger = self.logger
        return transport

    def _fetch_server_information(self):
        result = self.call([{'action': 'query_server_information'}])
        return result[0]

    def _discover_plugins(self, plugin_arguments=None):
        ftrack_api.plugin.discover(
            self._plugin_paths, [self], plugin_arguments or {}
        )

    def _schema_cache_location(self, schema_cache_path):
        """Return what :meth:`_load_schemas` gets for the session argument.

        False disables the cache. A directory given as *schema_cache_path*
        or in ``FTRACK_API_SCHEMA_CACHE_PATH`` gives the file
        ``ftrack_api_schema_cache.json`` in it, as upstream (one file shared
        by every server). Otherwise the per-user cache directory itself,
        where files are named by schema hash (see
        :mod:`ftrack_api._session.schema_cache`).
        """
        if schema_cache_path is False:
            return False
        if schema_cache_path is None:
            schema_cache_path = os.environ.get('FTRACK_API_SCHEMA_CACHE_PATH')
        if schema_cache_path:
            return os.path.join(
                os.path.expanduser(str(schema_cache_path)),
                _schema_cache.REFERENCE_FILE_NAME,
            )
        directory = _schema_cache.default_directory()
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as error:
            logger.warning('Not caching schemas in %s: %s', directory, error)
            return False
        return directory

    def _load_schemas(self, schema_cache_path):
        """Return the server's schemas, from the cache when it is current.

        *schema_cache_path* is, as upstream, the cache FILE: it is used when
        the MD5 of its list (see :meth:`_read_schemas_from_cache`) is the
        server's schema hash, and otherwise rewritten with the schemas
        fetched. A false value fetches without caching. An existing
        directory holds this client's own cache files, named by schema
        hash and pruned (the per-user default; see
        :mod:`ftrack_api._session.schema_cache`). Cache failures are logged,
        never raised.
        """
        schema_hash = self._server_information.get('schema_hash')
        if not schema_cache_path:
            self._log_schema_fetch(None, schema_hash)
            return self._fetch_schemas()[0]
        if os.path.isdir(schema_cache_path):
            return self._load_schemas_from_directory(schema_cache_path)

        # The messages (and their levels) are upstream's.
        self.logger.debug('Reading schemas from cache {0!r}'.format(schema_cache_path))
        digest = None
        if os.path.exists(schema_cache_path):
            try:
                schemas, digest = self._read_schemas_from_cache(schema_cache_path)
            except Exception:
                self.logger.exception(
                    'Schema cache could not be loaded from {0!r}'.format(
                        schema_cache_path
                    )
                )
            else:
                if digest == schema_hash:
                    self.logger.debug(
                        'Using cached schemas from {0!r}'.format(schema_cache_path))
                    return schemas
        else:
            self.logger.info('Cache file not found at {0!r}.'.format(schema_cache_path))

        self._log_schema_fetch(digest, schema_hash)
        schemas = self._fetch_schemas()[0]
        self.logger.debug('Updating schema cache {0!r} with new schemas.'.format(
            schema_cache_path))
        try:
            self._write_schemas_to_cache(schemas, schema_cache_path)
        except Exception:
            self.logger.exception(
                'Failed to update schema cache {0!r}.'.format(schema_cache_path)
            )
        return schemas

    def _log_schema_fetch(self, local_hash, server_hash):
        self.logger.debug(
            'Loading schemas from server due to hash not matching.'
            'Local: {0!r} != Server: {1!r}'.format(local_hash, server_hash))

    def _load_schemas_from_directory(self, directory):
        """Return the schemas using this client's cache files in *directory*."""
        schema_hash = self._server_information.get('schema_hash')
        self.logger.debug('Reading schemas from cache {0!r}'.format(directory))
        schemas = _schema_cache.load_valid(directory, schema_hash)
        if schemas is not None:
            self.logger.debug('Using cached schemas from {0!r}'.format(directory))
            return schemas
        response_text = None
        schemas = _schema_cache.load_reference(directory, schema_hash)
        if schemas is not None:
            logger.debug('Using the reference client schema cache in %s.', directory)
        else:
            self._log_schema_fetch(None, schema_hash)
            schemas, response_text = self._fetch_schemas()
        if _schema_cache.usable_hash(schema_hash):
            _schema_cache.save(
                directory, schema_hash,
                _schema_cache.list_content(schemas, response_text),
            )
        else:
            logger.debug(
                'Not caching schemas: the server announced no usable schema '
                'hash (%r).', schema_hash,
            )
        return schemas

    def _read_schemas_from_cache(self, schema_cache_path):
        """Return ``(schemas, digest)`` read from the cache FILE *schema_cache_path*.

        *digest* is the MD5 hex digest of ``json.dumps(schemas,
        sort_keys=True)``, what upstream's client compares with the
        server's schema hash. A missing file gives ``([], None)``; a file
        that is not JSON raises :exc:`ValueError` (``json.JSONDecodeError``).
        """
        if not os.path.exists(schema_cache_path):
            return [], None
        with open(schema_cache_path, 'r', encoding='utf-8') as handle:
            schemas = json.load(handle)
        digest = hashlib.md5(
            json.dumps(schemas, sort_keys=True).encode('utf-8')
        ).hexdigest()
        return schemas, digest

    def _write_schemas_to_cache(self, schemas, schema_cache_path):
        """Write *schemas* to the cache FILE *schema_cache_path*, as upstream does.

        The file is JSON indented by four spaces (byte for byte what
        upstream's client writes, so either client reads it); it is
        written to a temporary file first and moved into place, so a reader
        never sees half a file.
        """
        directory = os.path.dirname(os.path.abspath(schema_cache_path))
        import tempfile

        handle, temporary = tempfile.mkstemp(prefix='.schemas-', dir=directory)
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as stream:
                json.dump(schemas, stream, indent=4)
            os.replace(temporary, schema_cache_path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    def _fetch_schemas(self):
        """Return the server's schemas and the text of the response, if seen.

        The request goes through :meth:`call` as any other; the response
        body is noted on the way (so the cache can keep the server's bytes)
        when it is decoded by this session on this thread.
        """
        thread = threading.get_ident()
        seen = []
        decode = self._decode_merging

        def noting_decode(text):
            if threading.get_ident() != thread:
                return decode(text)
            seen.append(text)
            if '__' in text and (
                '"__entity_type__"' in text or '"__type__"' in text
                or '\\u' in text
            ):
                # Markers the session decodes (possibly escaped).
                return decode(text)
            # Nothing the session's decoding would change: plain JSON.
            with ftrack_api._session.gc.paused():
                return json.loads(text)

        self._decode_merging = noting_decode
        try:
            result = self.call([{'action': 'query_schemas'}])
        finally:
            del self._decode_merging
        response_text = seen[-1] if len(seen) == 1 and len(result) == 1 else None
        return result[0], response_text

    def _build_entity_type_classes(self, schemas):
        """Return the mapping of entity type to class for *schemas*.

        Each schema is offered to plugins through the synchronous
        ``ftrack.api.session.construct-entity-type`` event, now, in order;
        a class a plugin returns is used as it is. Schemas no plugin
        answered get the standard factory's class, built when the type is
        first used (see :mod:`ftrack_api._session.entity_types`). Raise
        :exc:`ValueError` when several plugins answer for one schema.
        """
        classes = _entity_types.EntityTypes(
            ftrack_api.entity.factory.StandardFactory()
        )
        for schema in schemas:
            results = self.event_hub.publish(
                ftrack_api.event.base.Event(
                    topic='ftrack.api.session.construct-entity-type',
                    data={'schema': schema, 'schemas': schemas},
                    id=_new_event_id(),
                ),
                synchronous=True,
            )
            results = [result for result in results or [] if result is not None]
            if len(results) > 1:
                raise ValueError(
                    'Expected a single class for schema {0!r}, plugins returned '
                    '{1}: {2!r}.'.format(schema['id'], len(results), results)
                )
            if results:
                classes[results[0].entity_type] = results[0]
            else:
                classes.defer(schema['id'], schema)
        return classes

    def _configure_locations(self):
        import ftrack_api._session.locations

        ftrack_api._session.locations.configure_builtin_locations(self)
        scenario = (self._server_information.get('storage_scenario') or {})
        if scenario.get('scenario'):
            self.event_hub.publish(
                ftrack_api.event.base.Event(
                    topic='ftrack.storage-scenario.activate',
                    data={'storage_scenario': scenario},
                ),
                synchronous=True,
            )
        self.event_hub.publish(
            ftrack_api.event.base.Event(
                topic='ftrack.api.session.configure-location',
                data={'session': self},
            ),
            synchronous=True,
        )

    def check_server_compatibility(self):
        """Check the server version is supported.

        Raise :exc:`ftrack_api.exception.ServerCompatibilityError` when the
        version is missing or older than 3.3.11 (``dev`` is accepted).
        """
        version = self._server_information.get('version')
        if version is None:
            raise ftrack_api.exception.ServerCompatibilityError(
                'Could not determine server version.'
            )
        if version == 'dev':
            return
        match = _VERSION_PATTERN.match(str(version))
        if match is None:
            return
        if tuple(int(part) for part in match.groups()) < MINIMUM_SERVER_VERSION:
            raise ftrack_api.exception.ServerCompatibilityError(
                'Server version {0!r} incompatible with this version of the '
                'API which requires a server version >= {1}.'.format(
                    version, '.'.join(str(part) for part in MINIMUM_SERVER_VERSION)
                )
            )
