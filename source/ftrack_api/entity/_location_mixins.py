"""Behaviour mixins of :class:`ftrack_api.entity.location.Location`.

They are documented (and imported) as part of
:mod:`ftrack_api.entity.location`; apply them to a location instance with
:func:`ftrack_api.mixin`. Each overrides one aspect of a location: where
registrations are kept (memory), whether data is managed (unmanaged), what
sources are (origin) or extra server conveniences (server).
"""

from __future__ import annotations

import collections.abc
import os

import ftrack_api.exception
from ftrack_api.entity.base import _EntityBase

# Like upstream, each mixin is a MutableMapping (as every entity is), so
# isinstance checks integrations make on a mixin class hold.
_MIXIN_BASES = (_EntityBase, collections.abc.MutableMapping)


class MemoryLocationMixin(*_MIXIN_BASES):
    """Keep component registrations of this location in memory only.

    Unlike a standard location, the resource identifiers of components in
    this location live in the session, never on the server; they are lost
    when the session is reset or closed.
    """

    __module__ = 'ftrack_api.entity.location'

    @property
    def _cache(self):
        """The registrations: a dict of component id to resource identifier.

        Made on first use and kept on the location instance (so in this
        session only).
        """
        registrations = self.__dict__.get('_memory_resource_identifiers')
        if registrations is None:
            registrations = {}
            self.__dict__['_memory_resource_identifiers'] = registrations
        return registrations

    def _register_component_in_location(self, component, resource_identifier):
        """Remember *component* at *resource_identifier*; nothing is sent."""
        self._cache[component['id']] = resource_identifier

    def _register_components_in_location(self, components, resource_identifiers):
        """Register each of *components* with :meth:`_register_component_in_location`."""
        for component, resource_identifier in zip(components, resource_identifiers):
            self._register_component_in_location(component, resource_identifier)

    def _deregister_component_in_location(self, component):
        """Forget *component*; nothing is sent.

        Raise :exc:`KeyError` with the component id when it is not
        registered here.
        """
        del self._cache[component['id']]

    def _deregister_components_in_location(self, components):
        """Deregister those of *components* registered here.

        Each goes through :meth:`_deregister_component_in_location`; the
        others are skipped.
        """
        registrations = self._cache
        for component in components:
            if component['id'] in registrations:
                self._deregister_component_in_location(component)

    def _get_resource_identifiers(self, components):
        """Return the remembered identifiers of *components*, in order.

        Raise :exc:`ftrack_api.exception.ComponentNotInLocationError`
        naming the components not registered here.
        """
        components = list(components)
        registrations = self._cache
        missing = [c for c in components if c['id'] not in registrations]
        if missing:
            raise ftrack_api.exception.ComponentNotInLocationError(missing, self)
        return [registrations[component['id']] for component in components]


class UnmanagedLocationMixin(*_MIXIN_BASES):
    """Location that does not manage data.

    Components are only registered: data is neither transferred into nor
    removed from this location's storage.
    """

    __module__ = 'ftrack_api.entity.location'

    def _add_data(self, component, resource_identifier, source):
        """Do nothing: the data stays where it is."""

    def _remove_data(self, component):
        """Do nothing: the data is not this location's to remove."""


class OriginLocationMixin(MemoryLocationMixin, UnmanagedLocationMixin):
    """Special origin location that expects sources as file paths.

    Adding a component records the path given as its source as its
    resource identifier.
    """

    __module__ = 'ftrack_api.entity.location'

    def _get_context(self, component, source):
        """Return a context whose ``source_resource_identifier`` is *source*.

        Raise :exc:`TypeError` naming *source* when it is not a path.
        """
        if isinstance(source, os.PathLike):
            source = os.fspath(source)
        if not isinstance(source, str):
            raise TypeError(
                'The origin location takes file paths as sources, got {0!r} '
                'for component {1}.'.format(source, component['id'])
            )
        return {'source_resource_identifier': source}


class ServerLocationMixin(*_MIXIN_BASES):
    """Location representing ftrack server.

    Adds convenience methods specific to the ftrack server.
    """

    __module__ = 'ftrack_api.entity.location'

    def _check_not_overwriting(self, component, resource_identifier):
        """Skip the existence check: nothing can be overwritten here.

        Identifiers are component ids and the component was just checked
        not to be registered here, so no request is spent on it (matching
        the requests real clients make).
        """

    def get_thumbnail_url(self, component, size=None):
        """Return thumbnail url for *component*.

        Optionally, specify *size* to constrain the downscaled image to
        *size* x *size* pixels. Raise
        :exc:`ftrack_api.exception.ComponentNotInLocationError` if the
        component is not in this location,
        :exc:`ftrack_api.exception.AccessorFilesystemPathError` if no URL
        could be determined and
        :exc:`ftrack_api.exception.AccessorUnsupportedOperationError` when
        the accessor cannot give thumbnail URLs.
        """
        accessor = self.accessor
        get_thumbnail_url = getattr(accessor, 'get_thumbnail_url', None)
        if not accessor or get_thumbnail_url is None:
            raise ftrack_api.exception.AccessorUnsupportedOperationError(
                'get_thumbnail_url',
                message='The accessor of {0!r} cannot give thumbnail URLs.'.format(
                    self
                ),
            )
        return get_thumbnail_url(self.get_resource_identifier(component), size)
