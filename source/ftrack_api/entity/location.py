"""Location entities: where component data is stored.

A location's storage behaviour is configured per session (at start-up and
after :meth:`Session.reset`) by setting :attr:`Location.accessor`,
:attr:`Location.structure`, :attr:`Location.resource_identifier_transformer`
and :attr:`Location.priority`, and by mixing in the behaviour classes below
with :func:`ftrack_api.mixin`.

Adding a component to a location moves its data with the accessors (for
managed locations), then registers it: one ``ComponentLocation`` per
component, created on the server in one commit (or, for memory locations,
kept in the session only).
"""

from __future__ import annotations

import contextlib
import logging

import ftrack_api._session.component_transfer as _transfer
import ftrack_api.entity.base
import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api.logging import LazyLogMessage as L  # noqa: F401 - upstream's name.
from ftrack_api.entity._location_mixins import (  # noqa: F401 - documented here.
    MemoryLocationMixin, OriginLocationMixin, ServerLocationMixin,
    UnmanagedLocationMixin,
)

NOT_SET = ftrack_api.symbol.NOT_SET

logger = logging.getLogger(__name__)

#: Priority of a location nobody configured (lower numbers are preferred).
DEFAULT_PRIORITY = 95

#: Component ids looked up per query.
_IDS_PER_QUERY = 500


class Location(ftrack_api.entity.base.Entity):
    """A place where component data is kept (a disk, the server, ...)."""

    def __init__(self, session, data=None, reconstructing=False):
        """Make a location entity of *session* (arguments as for :class:`Entity`).

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

    __repr__ = __str__

    # Adding.
    def add_component(self, component, source=None, recursive=True):
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
        target, which is never overwritten).
        """
        return self.add_components([component], sources=source, recursive=recursive)

    def add_components(self, components, sources=None, recursive=True, _depth=0):
        """Store *components* here, their data copied from *sources*.

        *sources* is one source for all components or a list with one
        source per component (a source is another location, or a file path
        for the origin location). A None source stands for the location
        :meth:`Session.pick_locations` picks for that component. With
        *recursive*, members of containers are added too, before their
        container.

        Nothing is done and
        :exc:`ftrack_api.exception.ComponentInLocationError` is raised if
        any component (or member) is already in this location. Data is then
        transferred for every component; data already at a target is never
        overwritten. If any transfer fails,
        :exc:`ftrack_api.exception.LocationError` is raised and nothing is
        registered; its ``transferred`` detail lists the ``(component,
        resource identifier)`` pairs whose data was copied, for the caller
        to clean up. Finally all components are registered in one
        :meth:`Session.commit` (a failure raises
        :exc:`ftrack_api.exception.LocationError` likewise, the session
        keeping its other recorded work) and
        ``ftrack.location.component-added`` is published for each.
        Raise :exc:`ValueError` when the number of sources does not match.
        """
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

        planned = _transfer.transfer_order(components, sources, recursive)
        all_components = [component for component, _, _ in planned]
        present = self._resource_identifier_map(all_components)
        if present:
            raise ftrack_api.exception.ComponentInLocationError(
                [c for c in all_components if c['id'] in present], self
            )

        transferred = []
        with self._known_source_identifiers(planned):
            for component, source, depth in planned:
                indent = '    ' * (_depth + depth + 1)
                try:
                    context = self._get_context(component, source)
                    resource_identifier = self.structure.get_resource_identifier(
                        component, context
                    )
                    self._add_data(component, resource_identifier, source)
                except Exception as error:
                    raise ftrack_api.exception.LocationError(
                        'Failed to transfer data of component {component} to '
                        'location {location}:\n{indent}{error}\n{indent}'
                        'Transferred component data that may need cleaning up: '
                        '{transferred}',
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
                'Failed to register components with location {location}:\n'
                '{indent}{error}\n{indent}Transferred component data that may '
                'need cleaning up: {transferred}',
                details={
                    'location': self, 'error': error, 'indent': '    ' * (_depth + 1),
                    'transferred': transferred,
                },
            ) from error

        for component, _ in transferred:
            _transfer.publish_component_event(
                self.session, ftrack_api.symbol.COMPONENT_ADDED_TO_LOCATION_TOPIC,
                component, self,
            )

    @contextlib.contextmanager
    def _known_source_identifiers(self, planned):
        """Look up the identifiers of *planned* components in their sources.

        One lookup per source location, made known to :meth:`_get_context`
        and :meth:`_add_data` for the duration of the block.
        """
        by_source = {}
        for component, source, _ in planned:
            if isinstance(source, Location):
                by_source.setdefault(id(source), (source, []))[1].append(component)
        with contextlib.ExitStack() as stack:
            for source, components in by_source.values():
                stack.enter_context(_transfer.known_identifiers(
                    source, source._resource_identifier_map(components), components
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
            raise ftrack_api.exception.LocationError(
                'Cannot add component {component}: data already exists at the '
                'target resource identifier {resource_identifier!r} and would '
                'be overwritten.',
                details={
                    'component': component,
                    'resource_identifier': resource_identifier,
                },
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
        """Remove *components* (and, with *recursive*, their members).

        The data is removed with the accessor (for managed locations),
        then the registrations are deleted in one :meth:`Session.commit`
        and ``ftrack.location.component-removed`` is published for each
        component. Members not in this location are skipped. Raise
        :exc:`ftrack_api.exception.ComponentNotInLocationError` before
        anything is removed if any of *components* is not in this location,
        and :exc:`ftrack_api.exception.LocationError` when removing data or
        the registrations fails (components whose data was removed before
        the failure are deregistered first).
        """
        components = _transfer.as_components(components)
        if not components:
            return
        identifiers = self._resource_identifier_map(components)
        self._require_identifiers(components, identifiers)

        planned = [
            component for component, _, _ in _transfer.transfer_order(
                components, [None] * len(components), recursive
            )
        ]
        members = [c for c in planned if c['id'] not in identifiers]
        if members:
            identifiers.update(self._resource_identifier_map(members))
        planned = [c for c in planned if c['id'] in identifiers]

        removed = []
        try:
            with _transfer.known_identifiers(self, identifiers, planned):
                for component in planned:
                    self._remove_data(component)
                    removed.append(component)
        except Exception as error:
            deregistered = self._deregister_after_failure(removed)
            raise ftrack_api.exception.LocationError(
                'Failed to remove data of component {component} from location '
                '{location}: {error}. Data removed before the failure: '
                '{removed} (registrations deleted: {deregistered}).',
                details={
                    'component': component, 'location': self, 'error': error,
                    'removed': removed, 'deregistered': deregistered,
                },
            ) from error

        try:
            self._deregister_components_in_location(planned)
        except Exception as error:
            raise ftrack_api.exception.LocationError(
                'Failed to deregister components from location {location}: '
                '{error}. Their data was removed: {removed}',
                details={'location': self, 'error': error, 'removed': removed},
            ) from error
        self._publish_removed(planned)

    def _deregister_after_failure(self, removed):
        """Deregister *removed* components; return whether that worked."""
        if not removed:
            return False
        try:
            self._deregister_components_in_location(removed)
        except Exception:
            logger.exception(
                'Could not deregister components whose data was removed from '
                '%r: %s', self, [c['id'] for c in removed],
            )
            return False
        self._publish_removed(removed)
        return True

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
        if component.entity_type == 'SequenceComponent':
            return
        resource_identifier = self._identifier_in(self, component)
        if resource_identifier is None:
            raise ftrack_api.exception.ComponentNotInLocationError(component, self)
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
        """Delete the registration of *component* in this location."""
        self._deregister_components_in_location([component])

    def _deregister_components_in_location(self, components):
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
        found = self._resource_identifier_map(components)
        return self._require_identifiers(components, found)

    def _resource_identifier_map(self, components):
        """Return ``{component id: decoded identifier}`` for *components* here.

        Components not in this location are left out.
        """
        found = self._get_resource_identifier_map(components)
        transformer = self.resource_identifier_transformer
        if transformer:
            by_id = {component['id']: component for component in components}
            found = {
                component_id: transformer.decode(
                    identifier, context={'component': by_id[component_id]}
                )
                for component_id, identifier in found.items()
            }
        return found

    def _get_resource_identifier_map(self, components):
        """Return ``{component id: stored identifier}`` from the server."""
        return {
            item['component_id']: item['resource_identifier']
            for item in self._component_locations(
                components, 'component_id, resource_identifier'
            )
        }

    def _component_locations(self, components, projections):
        """Return the ``ComponentLocation`` of *components* in this location.

        *projections* (comma separated) are fetched. The ids are sent in
        bounded chunks: a long sequence would otherwise make one huge query.
        """
        ids = list(dict.fromkeys(component['id'] for component in components))
        records = []
        for start in range(0, len(ids), _IDS_PER_QUERY):
            records.extend(self.session.query(
                'select {0} from ComponentLocation where location_id is {1} and '
                'component_id in ({2})'.format(
                    projections, self['id'],
                    ', '.join(ids[start:start + _IDS_PER_QUERY]),
                )
            ))
        return records

    def _get_resource_identifiers(self, components):
        """Return stored identifiers of *components* (not decoded), in order.

        Raise :exc:`ftrack_api.exception.ComponentNotInLocationError` for
        missing ones.
        """
        components = list(components)
        return self._require_identifiers(
            components, self._get_resource_identifier_map(components)
        )

    def _require_identifiers(self, components, found):
        """Return the identifiers *found* maps the ids of *components* to.

        Raise :exc:`ftrack_api.exception.ComponentNotInLocationError` naming
        the components *found* has no identifier for.
        """
        missing = [c for c in components if c['id'] not in found]
        if missing:
            raise ftrack_api.exception.ComponentNotInLocationError(missing, self)
        return [found[component['id']] for component in components]

    def _require_accessor(self, operation):
        if not self.accessor:
            raise ftrack_api.exception.AccessorUnsupportedOperationError(
                operation,
                message='No accessor configured for {0!r}: cannot {1}.'.format(
                    self, operation
                ),
            )
        return self.accessor

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
