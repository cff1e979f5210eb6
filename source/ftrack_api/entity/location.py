"""Location entities: where component data is stored.

A location's storage behaviour is configured per session (at start-up and
after :meth:`Session.reset`) by setting :attr:`Location.accessor`,
:attr:`Location.structure`, :attr:`Location.resource_identifier_transformer`
and :attr:`Location.priority`, and by mixing in the behaviour classes below
with :func:`ftrack_api.mixin`.

Adding components to a location moves their data with the accessors (for
managed locations), then registers them: one ``ComponentLocation`` per
component, created on the server in one commit per call (the members of a
container in a commit of their own, before it), or, for memory locations,
kept in the session only. Removing goes component by component.

The steps are methods custom locations override, as with upstream:
:meth:`Location._get_resource_identifiers` (every lookup goes through it),
:meth:`Location._get_context`, :meth:`Location._add_data`,
:meth:`Location._register_components_in_location`,
:meth:`Location._remove_data` and
:meth:`Location._deregister_component_in_location`.
"""

from __future__ import annotations

import contextlib
import logging

import ftrack_api._session.component_transfer as _transfer
import ftrack_api.accessor._transfer as _server_transfer
import ftrack_api.entity.base
import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api.logging import LazyLogMessage as L  # noqa: F401 - upstream's name.
from ftrack_api.entity._location_lookups import _LocationLookups
from ftrack_api.entity._location_mixins import (  # noqa: F401 - documented here.
    MemoryLocationMixin, OriginLocationMixin, ServerLocationMixin,
    UnmanagedLocationMixin,
)

NOT_SET = ftrack_api.symbol.NOT_SET

logger = logging.getLogger(__name__)

#: Priority of a location nobody configured (lower numbers are preferred).
DEFAULT_PRIORITY = 95

class Location(_LocationLookups, ftrack_api.entity.base.Entity):
    """A place where component data is kept (a disk, the server, ...)."""

    def __init__(self, session, data=None, reconstructing=False):
        """Make a location entity of *session* (*data*, *reconstructing* as for :class:`Entity`).

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

    def __str__(self):
        # Upstream's form: the name in double quotes when it is loaded (it
        # is not fetched for this), then the id.
        name = self._local.get('name', NOT_SET)
        if name is NOT_SET:
            name = self._remote.get('name', NOT_SET)
        identifier = ', '.join(self._primary_key_strings())
        if name is NOT_SET:
            return '<{0}({1})>'.format(type(self).__name__, identifier)
        return '<{0}("{1}", {2})>'.format(type(self).__name__, name, identifier)

    # Adding.
    def add_component(self, component, source=None, recursive=True, progress=None):
        """Store *component* here, its data copied from the location *source*.

        *source* is another location holding the component (a file path
        for the origin location); when None, the location
        :meth:`Session.pick_location` picks for the component is used
        (raising :exc:`ftrack_api.exception.ComponentNotInAnyLocationError`
        when there is none). With *recursive*, the members of a
        container are added too. A :meth:`Session.commit` is issued to
        register the component. Raise
        :exc:`ftrack_api.exception.ComponentInLocationError` if the
        component is already in this location and
        :exc:`ftrack_api.exception.LocationError` if the transfer or the
        registration fails (including when data already exists at the
        target, which is never overwritten). *progress* is as for
        :meth:`add_components`.
        """
        return self.add_components([component], sources=source, recursive=recursive,
                                   progress=progress)

    def add_components(self, components, sources=None, recursive=True, _depth=0,
                       progress=None):
        """Store *components* here, their data copied from *sources*.

        *sources* is one source for all components or a list with one
        source per component (a source is another location, or a file path
        for the origin location). A None source stands for the location
        :meth:`Session.pick_locations` picks for that component.

        First :meth:`_get_resource_identifiers` tells which *components*
        are already here: if any are, nothing is done and
        :exc:`ftrack_api.exception.ComponentInLocationError` names them.
        Then, component by component: with *recursive*, the members of a
        container are added first (by a nested call, which registers them
        before the container's own data moves), then
        :meth:`_get_context` and the structure give the target resource
        identifier and :meth:`_add_data` moves the data. Any failure there
        raises :exc:`ftrack_api.exception.LocationError` naming the
        component and listing the ``(component, resource identifier)``
        pairs already transferred at this level, for the caller to clean
        up; nothing of this level is registered. Finally the components
        are registered with :meth:`_register_components_in_location` (a
        failure raises :exc:`ftrack_api.exception.LocationError` likewise)
        and ``ftrack.location.component-added`` is published for each.
        Raise :exc:`ValueError` when the number of sources does not match.
        *progress* (an addition of this package) is called as
        ``progress(bytes_done, bytes_total)`` for each transfer to or from
        the ``ftrack.server`` location (see
        :func:`ftrack_api.accessor.server.transfer_progress`).
        """
        if progress is not None:
            with _server_transfer.transfer_progress(progress):
                return self.add_components(components, sources, recursive, _depth)
        components = _transfer.as_components(components)
        sources = _transfer.normalise_sources(components, sources)
        sources = _transfer.picked_sources(self, components, sources)

        if not self.structure:
            raise ftrack_api.exception.LocationError(
                'No structure defined for location {location}.',
                details={'location': self},
            )
        if not components:
            return

        present = self._components_present(components)
        if present:
            raise ftrack_api.exception.ComponentInLocationError(present, self)

        indent = '    ' * (_depth + 1)
        transferred = []
        with self._known_source_identifiers(components, sources):
            for component, source in zip(components, sources):
                try:
                    if recursive and _transfer.is_container(component):
                        self.add_components(
                            component['members'], sources=source,
                            recursive=recursive, _depth=_depth + 1,
                        )
                    context = self._get_context(component, source)
                    resource_identifier = self.structure.get_resource_identifier(
                        component, context
                    )
                    self._add_data(component, resource_identifier, source)
                except Exception as error:
                    raise ftrack_api.exception.LocationError(
                        'Failed to transfer component {component} data to '
                        'location {location} due to error:\n{indent}{error}\n'
                        '{indent}Transferred component data that may require '
                        'cleanup: {transferred}',
                        details={
                            'component': component, 'location': self,
                            'error': error, 'indent': indent,
                            'transferred': transferred,
                        },
                    ) from error
                transferred.append((component, resource_identifier))

        try:
            transformer = self.resource_identifier_transformer
            stored = [
                transformer.encode(identifier, context={'component': component})
                if transformer else identifier
                for component, identifier in transferred
            ]
            self._register_components_in_location(
                [component for component, _ in transferred], stored
            )
        except Exception as error:
            raise ftrack_api.exception.LocationError(
                'Failed to register components with location {location} due '
                'to error:\n{indent}{error}\n{indent}Transferred component '
                'data that may require cleanup: {transferred}',
                details={
                    'location': self, 'error': error, 'indent': indent,
                    'transferred': transferred,
                },
            ) from error

        for component, _ in transferred:
            _transfer.publish_component_event(
                self.session, ftrack_api.symbol.COMPONENT_ADDED_TO_LOCATION_TOPIC,
                component, self,
            )

    def _components_present(self, components):
        """Return those of *components* already in this location.

        Asked with one call of :meth:`_get_resource_identifiers` (the hook
        custom locations override): the components its
        :exc:`ftrack_api.exception.ComponentNotInLocationError` names are
        the absent ones.
        """
        try:
            self._get_resource_identifiers(components)
        except ftrack_api.exception.ComponentNotInLocationError as error:
            absent = {
                component['id'] for component in error.details.get('components', ())
            }
            return [c for c in components if c['id'] not in absent]
        return list(components)

    @contextlib.contextmanager
    def _known_source_identifiers(self, components, sources):
        """Look up the identifiers of *components* in their *sources* at once.

        One lookup per source location, made known to :meth:`_get_context`
        and :meth:`_add_data` for the duration of the block.
        """
        by_source = {}
        for component, source in zip(components, sources):
            if isinstance(source, Location):
                by_source.setdefault(id(source), (source, []))[1].append(component)
        with contextlib.ExitStack() as stack:
            for source, members in by_source.values():
                stack.enter_context(_transfer.known_identifiers(
                    source, source._resource_identifier_map(members), members
                ))
            yield

    @staticmethod
    def _identifier_in(location, component):
        """Return the identifier of *component* in *location*, None if absent."""
        known = _transfer.known_identifier(location, component)
        if known is NOT_SET:
            known = location._resource_identifier_map([component]).get(component['id'])
        return known

    def _get_context(self, component, source):
        """Return the structure context for adding *component* from *source*.

        It holds ``source_resource_identifier`` when the *source* location
        holds the component.
        """
        context = {}
        if isinstance(source, Location):
            identifier = self._identifier_in(source, component)
            if identifier is not None:
                context['source_resource_identifier'] = identifier
        return context

    def _add_data(self, component, resource_identifier, source):
        """Copy the data of *component* from *source* to *resource_identifier*.

        Containers are made for container components and for the parent of
        file data; sequences have no data of their own. Raise
        :exc:`ftrack_api.exception.LocationError` when either location has
        no accessor, the source does not hold the component, or data
        already exists at *resource_identifier*.
        """
        if not isinstance(source, Location) or not source.accessor:
            raise ftrack_api.exception.LocationError(
                'No accessor defined for source location {location}.',
                details={'location': source},
            )
        if not self.accessor:
            raise ftrack_api.exception.LocationError(
                'No accessor defined for target location {location}.',
                details={'location': self},
            )

        if _transfer.is_container(component):
            if component.entity_type != 'SequenceComponent':
                self.accessor.make_container(resource_identifier)
            return

        try:
            container = self.accessor.get_container(resource_identifier)
        except ftrack_api.exception.AccessorParentResourceNotFoundError:
            # Nothing above the identifier to make (e.g. flat storage).
            pass
        else:
            self.accessor.make_container(container)

        self._check_not_overwriting(component, resource_identifier)

        source_identifier = self._identifier_in(source, component)
        if source_identifier is None:
            raise ftrack_api.exception.ComponentNotInLocationError(component, source)
        with source.accessor.open(source_identifier, 'rb') as source_data:
            target_data = self.accessor.open(resource_identifier, 'wb')
            try:
                _transfer.copy_data(source_data, target_data)
            except BaseException:
                _transfer.discard_partial(
                    self.accessor, target_data, resource_identifier
                )
                raise
            # Closing may upload (server accessor): its errors must surface.
            target_data.close()

    def _check_not_overwriting(self, component, resource_identifier):
        """Raise :exc:`ftrack_api.exception.LocationError` if data exists there.

        There is a race between this check and the write; it guards against
        mistakes, not concurrent writers.
        """
        if self.accessor.exists(resource_identifier):
            # Upstream's words; the identifier is written as it is (braces
            # doubled so the message is not taken for placeholders).
            raise ftrack_api.exception.LocationError(
                'Cannot add component as data already exists and overwriting '
                'could result in data loss. Computed target resource '
                'identifier was: {0}'.format(
                    str(resource_identifier).replace('{', '{{').replace('}', '}}')
                )
            )

    def _register_component_in_location(self, component, resource_identifier):
        """Register *component* at *resource_identifier* in this location."""
        self._register_components_in_location([component], [resource_identifier])

    def _register_components_in_location(self, components, resource_identifiers):
        """Register *components* at *resource_identifiers* in one commit.

        When the commit fails the new ``ComponentLocation`` entities are
        discarded (other recorded work stays) and the error is raised.
        """
        session = self.session
        created = [
            session.create('ComponentLocation', {
                'component': component,
                'location': self,
                'resource_identifier': resource_identifier,
            })
            for component, resource_identifier in zip(components, resource_identifiers)
        ]
        try:
            session.commit()
        except Exception:
            for component_location in created:
                _transfer.discard_created(session, component_location)
            raise

    # Removing.
    def remove_component(self, component, recursive=True):
        """Take *component* out of this location (data and registration).

        With *recursive*, the members of a container component go too. See
        :meth:`remove_components`; a :meth:`Session.commit` is issued.
        """
        return self.remove_components([component], recursive=recursive)

    def remove_components(self, components, recursive=True):
        """Remove *components* (and, with *recursive*, their members), in order.

        Component by component: :meth:`_get_resource_identifiers` checks it
        is here (else :exc:`ftrack_api.exception.ComponentNotInLocationError`
        is raised, the components before it staying removed); with
        *recursive* the members of a container are removed first, each the
        same way; then :meth:`_remove_data` removes the data (for managed
        locations), :meth:`_deregister_component_in_location` deletes the
        registration and ``ftrack.location.component-removed`` is
        published. Errors of these steps propagate as they are.
        """
        for component in _transfer.as_components(components):
            self._get_resource_identifiers([component])
            if recursive and _transfer.is_container(component):
                self.remove_components(component['members'], recursive=recursive)
            self._remove_data(component)
            self._deregister_component_in_location(component)
            self._publish_removed([component])

    def _publish_removed(self, components):
        for component in components:
            _transfer.publish_component_event(
                self.session,
                ftrack_api.symbol.COMPONENT_REMOVED_FROM_LOCATION_TOPIC,
                component, self,
            )

    def _remove_data(self, component):
        """Remove the data of *component* with the accessor.

        Sequences have no data of their own. Data already missing (or a
        container still holding foreign files) is logged and otherwise
        ignored, as the registration is what is being removed. Raise
        :exc:`ftrack_api.exception.LocationError` when there is no accessor;
        other accessor errors propagate.
        """
        if not self.accessor:
            raise ftrack_api.exception.LocationError(
                'No accessor defined for location {location}.',
                details={'location': self},
            )
        # Looked up first, sequences included (as upstream does).
        resource_identifier = self._identifier_in(self, component)
        if resource_identifier is None:
            raise ftrack_api.exception.ComponentNotInLocationError(component, self)
        if component.entity_type == 'SequenceComponent':
            return
        try:
            self.accessor.remove(resource_identifier)
        except (
            ftrack_api.exception.AccessorResourceNotFoundError,
            ftrack_api.exception.AccessorContainerNotEmptyError,
        ) as error:
            logger.warning(
                'Data of component %s in location %r not removed: %s',
                component['id'], self, error,
            )

    def _deregister_component_in_location(self, component):
        """Delete the registration of *component* in this location (one commit).

        :meth:`remove_components` calls this for each component it removes;
        custom locations override it to keep registrations elsewhere.
        """
        self._delete_registrations([component])

    def _deregister_components_in_location(self, components):
        """Delete the registrations of *components* here in one commit."""
        self._delete_registrations(components)

    def _delete_registrations(self, components):
        """Delete the ``ComponentLocation`` of each of *components* in one commit.

        When the commit fails the deletions are discarded (other recorded
        work stays) and the error is raised.
        """
        if not components:
            return
        session = self.session
        component_locations = self._component_locations(components, 'id')
        for component_location in component_locations:
            session.delete(component_location)
        try:
            session.commit()
        except Exception:
            for component_location in component_locations:
                session._unit_of_work.discard_entity(component_location)
            raise

    # Availability.
    def get_component_availability(self, component):
        """Return how much of *component* is here, as a percentage (0.0 to 100.0)."""
        return self.get_component_availabilities([component])[0]

    def get_component_availabilities(self, components):
        """Return availabilities of *components* in this location, in order.

        Each is a float percentage (0-100).
        """
        location_id = self['id']
        availabilities = self.session.get_component_availabilities(
            _transfer.as_components(components), locations=[self]
        )
        return [availability[location_id] for availability in availabilities]

    # Identifiers and paths.
    def get_resource_identifier(self, component):
        """Return where *component* is stored in this location (its resource identifier).

        Raise :exc:`ftrack_api.exception.ComponentNotInLocationError` if the
        component is not present in this location.
        """
        return self.get_resource_identifiers([component])[0]

    def get_resource_identifiers(self, components):
        """Return where each of *components* is stored here, in their order.

        Identifiers are decoded by the resource identifier transformer when
        one is configured. Raise
        :exc:`ftrack_api.exception.ComponentNotInLocationError` if any of the
        components are not present in this location.
        """
        components = _transfer.as_components(components)
        return self._decoded(components, self._get_resource_identifiers(components))

    def _get_resource_identifiers(self, components):
        """Return stored identifiers of *components* (not decoded), in order.

        Raise :exc:`ftrack_api.exception.ComponentNotInLocationError` for
        missing ones.
        """
        components = list(components)
        return self._require_identifiers(
            components, self._get_resource_identifier_map(components)
        )

    def get_filesystem_path(self, component):
        """Return the filesystem path of *component* in this location.

        Raise :exc:`ftrack_api.exception.ComponentNotInLocationError` if it
        is not here,
        :exc:`ftrack_api.exception.AccessorUnsupportedOperationError` if
        the accessor gives no filesystem paths (or none is configured) and
        :exc:`ftrack_api.exception.AccessorFilesystemPathError` if no path
        could be determined.
        """
        accessor = self._require_accessor('get_filesystem_path')
        return accessor.get_filesystem_path(self.get_resource_identifier(component))

    def get_filesystem_paths(self, components):
        """Return the filesystem paths of *components* in this location.

        One path per component, in order; raises as
        :meth:`get_filesystem_path` does for any of them.
        """
        accessor = self._require_accessor('get_filesystem_paths')
        return [
            accessor.get_filesystem_path(identifier)
            for identifier in self.get_resource_identifiers(components)
        ]

    def get_url(self, component):
        """Return an address for *component*, as the accessor makes it.

        Raise :exc:`ftrack_api.exception.AccessorFilesystemPathError` if no
        URL could be determined or
        :exc:`ftrack_api.exception.AccessorUnsupportedOperationError` if
        the accessor cannot give URLs (or none is configured).
        """
        accessor = self._require_accessor('get_url')
        return accessor.get_url(self.get_resource_identifier(component))
