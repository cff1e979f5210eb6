"""Location entities: where component data is stored.

A location's storage behaviour is configured per session (at start-up and
after :meth:`Session.reset`) by setting :attr:`Location.accessor`,
:attr:`Location.structure`, :attr:`Location.resource_identifier_transformer`
and :attr:`Location.priority`, and by mixing in the behaviour classes below
with :func:`ftrack_api.mixin`. Moving data between locations comes with the
file transfer support.
"""

from __future__ import annotations

import ftrack_api.entity.base
import ftrack_api.exception
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET

#: Priority of a location nobody configured (lower numbers are preferred).
DEFAULT_PRIORITY = 95


class Location(ftrack_api.entity.base.Entity):
    """Represent storage for components."""

    def __init__(self, session, data=None, reconstructing=False):
        """Initialise location bound to *session* (see :class:`Entity`).

        The location starts without accessor, structure or transformer and
        with the default priority until configured.
        """
        self.accessor = NOT_SET
        self.structure = NOT_SET
        self.resource_identifier_transformer = NOT_SET
        self.priority = DEFAULT_PRIORITY
        super(Location, self).__init__(
            session, data=data, reconstructing=reconstructing
        )

    def __repr__(self):
        name = self._local.get('name', NOT_SET)
        if name is NOT_SET:
            name = self._remote.get('name', NOT_SET)
        return '<{0}({1!r}, {2})>'.format(
            type(self).__name__, name, ', '.join(self._primary_key_strings())
        )

    def get_resource_identifier(self, component):
        """Return resource identifier for *component* in this location.

        Raise :exc:`ftrack_api.exception.ComponentNotInLocationError` if the
        component is not present in this location.
        """
        return self.get_resource_identifiers([component])[0]

    def get_resource_identifiers(self, components):
        """Return resource identifiers for *components*, in the same order.

        Identifiers are decoded by the resource identifier transformer when
        one is configured. Raise
        :exc:`ftrack_api.exception.ComponentNotInLocationError` if any of the
        components are not present in this location.
        """
        identifiers = self._get_resource_identifiers(components)
        transformer = self.resource_identifier_transformer
        if transformer:
            identifiers = [
                transformer.decode(identifier, context={'component': component})
                for identifier, component in zip(identifiers, components)
            ]
        return identifiers

    def _get_resource_identifiers(self, components):
        components = list(components)
        if not components:
            return []
        ids = [component['id'] for component in components]
        result = self.session.query(
            'select component_id, resource_identifier from ComponentLocation '
            'where location_id is {0} and component_id in ({1})'.format(
                self['id'], ', '.join(ids)
            )
        )
        found = {
            item['component_id']: item['resource_identifier'] for item in result
        }
        missing = [
            component for component in components if component['id'] not in found
        ]
        if missing:
            raise ftrack_api.exception.ComponentNotInLocationError(missing, self)
        return [found[component_id] for component_id in ids]

    def get_url(self, component):
        """Return url for *component* from the location's accessor.

        Raise :exc:`ftrack_api.exception.AccessorFilesystemPathError` if no
        URL could be determined or
        :exc:`ftrack_api.exception.AccessorUnsupportedOperationError` if
        the accessor cannot give URLs (or none is configured).
        """
        if not self.accessor:
            raise ftrack_api.exception.AccessorUnsupportedOperationError(
                'get_url', message='No accessor configured for {0!r}.'.format(self)
            )
        return self.accessor.get_url(self.get_resource_identifier(component))


class MemoryLocationMixin(object):
    """Keep component registrations of this location in memory only.

    Unlike a standard location, the resource identifiers of components in
    this location live in the session, never on the server.
    """

    @property
    def _memory_registrations(self):
        registrations = self.__dict__.get('_memory_resource_identifiers')
        if registrations is None:
            registrations = {}
            self.__dict__['_memory_resource_identifiers'] = registrations
        return registrations

    def _get_resource_identifiers(self, components):
        components = list(components)
        registrations = self._memory_registrations
        missing = [
            component for component in components
            if component['id'] not in registrations
        ]
        if missing:
            raise ftrack_api.exception.ComponentNotInLocationError(missing, self)
        return [registrations[component['id']] for component in components]


class UnmanagedLocationMixin(object):
    """Location that does not manage data.

    Components are only registered: data is neither transferred into nor
    removed from this location's storage.
    """

    manages_data = False


class OriginLocationMixin(MemoryLocationMixin, UnmanagedLocationMixin):
    """Special origin location that expects sources as file paths."""


class ServerLocationMixin(object):
    """Location representing the ftrack server's own storage."""

    def get_thumbnail_url(self, component, size=None):
        """Return thumbnail url for *component*, optionally *size* pixels.

        Raise :exc:`ftrack_api.exception.AccessorUnsupportedOperationError`
        when the configured accessor cannot give thumbnail URLs.
        """
        accessor = self.accessor
        get_thumbnail_url = getattr(accessor, 'get_thumbnail_url', None)
        if get_thumbnail_url is None:
            raise ftrack_api.exception.AccessorUnsupportedOperationError(
                'get_thumbnail_url',
                message='The accessor of {0!r} cannot give thumbnail URLs.'.format(
                    self
                ),
            )
        return get_thumbnail_url(self.get_resource_identifier(component), size)
