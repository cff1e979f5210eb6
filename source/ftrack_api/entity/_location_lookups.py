"""Private lookup helpers of :class:`ftrack_api.entity.location.Location`.

Which components a location holds and at which resource identifiers: the
server queries (in bounded chunks), the decoding by the resource identifier
transformer, and the map built from ``_get_resource_identifiers``, the hook
custom locations (and the memory mixin) override.
"""

from __future__ import annotations

import ftrack_api.exception

#: Component ids looked up per query.
_IDS_PER_QUERY = 500


class _LocationLookups(object):
    """Private lookup helpers of a location; mixed into ``Location``."""

    def _decoded(self, components, identifiers):
        """Return *identifiers* of *components* decoded by the transformer."""
        transformer = self.resource_identifier_transformer
        if not transformer:
            return list(identifiers)
        return [
            transformer.decode(identifier, context={'component': component})
            for component, identifier in zip(components, identifiers)
        ]

    def _resource_identifier_map(self, components):
        """Return ``{component id: decoded identifier}`` for *components* here.

        Components not in this location are left out. The identifiers come
        from :meth:`_get_resource_identifiers` (the hook custom locations
        override): asked once for all, and once more for those present when
        its :exc:`ftrack_api.exception.ComponentNotInLocationError` names
        only some of them.
        """
        components = list(components)
        if not components:
            return {}
        try:
            identifiers = self._get_resource_identifiers(components)
        except ftrack_api.exception.ComponentNotInLocationError as error:
            absent = {
                component['id'] for component in error.details.get('components', ())
            }
            present = [c for c in components if c['id'] not in absent]
            if not present:
                return {}
            if len(present) == len(components):
                raise
            components = present
            identifiers = self._get_resource_identifiers(components)
        return {
            component['id']: identifier
            for component, identifier in zip(
                components, self._decoded(components, identifiers)
            )
        }

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
