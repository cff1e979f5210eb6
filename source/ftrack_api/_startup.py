"""Session start-up: server information, plugins, schemas and classes.

Protocol §1.6 describes the sequence; :class:`StartupMixin` holds the steps
:class:`ftrack_api.session.Session` runs while it is constructed (and
:meth:`~ftrack_api.session.Session.reset` repeats for locations).
"""

from __future__ import annotations

import logging
import re

import ftrack_api._schema_cache as _schema_cache
import ftrack_api._transport
import ftrack_api.entity.factory
import ftrack_api.event.base
import ftrack_api.exception
import ftrack_api.plugin

logger = logging.getLogger(__name__)

#: Oldest server version this client works with.
MINIMUM_SERVER_VERSION = (3, 3, 11)

_VERSION_PATTERN = re.compile(r'^(\d+)\.(\d+)\.(\d+)')


class StartupMixin(object):
    """Start-up steps of :class:`ftrack_api.session.Session`."""

    def _make_transport(self, headers=None, cookies=None, strict_api=False):
        """Return the transport used for every request of this session."""
        return ftrack_api._transport.Transport(
            self._server_url, self._api_user, self._api_key,
            timeout=self._request_timeout, headers=headers, cookies=cookies,
            strict_api=strict_api,
        )

    def _connect_event_hub(self):
        try:
            self._event_hub.connect()
        except Exception as error:
            logger.warning('Event hub connection failed: %s', error)

    def _fetch_server_information(self):
        result = self.call([{'action': 'query_server_information'}])
        return result[0]

    def _discover_plugins(self, plugin_arguments=None):
        ftrack_api.plugin.discover(
            self._plugin_paths, [self], plugin_arguments or {}
        )

    def _load_schemas(self, schema_cache_path):
        """Return the server's schemas, from the cache when it is current.

        *schema_cache_path* is a directory, None for the default directory
        or False to bypass the cache.
        """
        directory = _schema_cache.resolve_directory(schema_cache_path)
        path = None
        if directory is not None:
            path = _schema_cache.cache_file_path(directory, self._server_url)
        schemas = _schema_cache.load_valid(
            path, self._server_information.get('schema_hash')
        )
        if schemas is not None:
            logger.debug('Using schemas cached in %s.', path)
            return schemas
        schemas = self.call([{'action': 'query_schemas'}])[0]
        if path is not None:
            _schema_cache.save(path, schemas)
        return schemas

    def _build_entity_type_classes(self, schemas):
        """Return ``{entity type: class}`` built for *schemas*.

        Each schema is offered to plugins through the synchronous
        ``ftrack.api.session.construct-entity-type`` event; schemas no plugin
        answered are built by the standard factory. Raise :exc:`ValueError`
        when several plugins answer for one schema.
        """
        fallback = ftrack_api.entity.factory.StandardFactory()
        classes = {}
        for schema in schemas:
            results = self.event_hub.publish(
                ftrack_api.event.base.Event(
                    topic='ftrack.api.session.construct-entity-type',
                    data={'schema': schema, 'schemas': schemas},
                ),
                synchronous=True,
            )
            results = [result for result in results or [] if result is not None]
            if len(results) > 1:
                raise ValueError(
                    'Expected a single class for schema {0!r}, plugins returned '
                    '{1}: {2!r}.'.format(schema['id'], len(results), results)
                )
            entity_class = results[0] if results else fallback.create(schema)
            classes[entity_class.entity_type] = entity_class
        return classes

    def _configure_locations(self):
        import ftrack_api._locations

        ftrack_api._locations.configure_builtin_locations(self)
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
