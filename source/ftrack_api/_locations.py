"""The built-in locations every session configures (protocol §7.1)."""

from __future__ import annotations

import logging

import ftrack_api.symbol

logger = logging.getLogger(__name__)


def configure_builtin_locations(session):
    """Create and configure the built-in locations of *session*.

    The locations are reconstructed locally (no request): ``ftrack.origin``
    (in-memory, origin structure, priority 100), ``ftrack.unmanaged`` (90)
    and ``ftrack.review`` (110) are unmanaged disk locations with an origin
    structure; ``ftrack.server`` (150) uses the entity-id structure and the
    server accessor. ``ftrack.connect`` is left to plugins.
    """
    import ftrack_api
    import ftrack_api.accessor.disk
    import ftrack_api.accessor.server
    import ftrack_api.entity.location as location_module
    import ftrack_api.structure.entity_id
    import ftrack_api.structure.origin

    symbol = ftrack_api.symbol

    def reconstruct(location_id, name):
        with session.operation_recording(False):
            return session.create(
                'Location', {'id': location_id, 'name': name}, reconstructing=True
            )

    origin = reconstruct(symbol.ORIGIN_LOCATION_ID, 'ftrack.origin')
    ftrack_api.mixin(origin, location_module.OriginLocationMixin, name='OriginLocation')
    origin.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix='')
    origin.structure = ftrack_api.structure.origin.OriginStructure()
    origin.priority = 100

    unmanaged = reconstruct(symbol.UNMANAGED_LOCATION_ID, 'ftrack.unmanaged')
    ftrack_api.mixin(
        unmanaged, location_module.UnmanagedLocationMixin, name='UnmanagedLocation'
    )
    unmanaged.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix='')
    unmanaged.structure = ftrack_api.structure.origin.OriginStructure()
    unmanaged.priority = 90

    review = reconstruct(symbol.REVIEW_LOCATION_ID, 'ftrack.review')
    ftrack_api.mixin(
        review, location_module.UnmanagedLocationMixin, name='UnmanagedLocation'
    )
    review.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix='')
    review.structure = ftrack_api.structure.origin.OriginStructure()
    review.priority = 110

    server = reconstruct(symbol.SERVER_LOCATION_ID, 'ftrack.server')
    ftrack_api.mixin(server, location_module.ServerLocationMixin, name='ServerLocation')
    server.accessor = ftrack_api.accessor.server._ServerAccessor(session=session)
    server.structure = ftrack_api.structure.entity_id.EntityIdStructure()
    server.priority = 150
