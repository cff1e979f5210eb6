"""The built-in locations every session configures (protocol §7.1)."""

from __future__ import annotations


import ftrack_api.accessor.disk
import ftrack_api.accessor.server
import ftrack_api.entity.location as location_module
import ftrack_api.structure.entity_id
import ftrack_api.structure.origin
import ftrack_api.symbol


def configure_builtin_locations(session):
    """Create and configure the built-in locations of *session*.

    The locations are reconstructed locally (no request): ``ftrack.origin``
    (in-memory, origin structure, priority 100), ``ftrack.unmanaged`` (90)
    and ``ftrack.review`` (110) are unmanaged disk locations with an origin
    structure; ``ftrack.server`` (150) uses the entity-id structure and the
    server accessor. ``ftrack.connect`` is left to plugins.
    """
    symbol = ftrack_api.symbol
    disk = ftrack_api.accessor.disk.DiskAccessor
    origin_structure = ftrack_api.structure.origin.OriginStructure
    builtin = [
        # id, name, mixin, mixin name, accessor, structure, priority
        (symbol.ORIGIN_LOCATION_ID, 'ftrack.origin',
         location_module.OriginLocationMixin, 'OriginLocation',
         lambda: disk(prefix=''), origin_structure, 100),
        (symbol.UNMANAGED_LOCATION_ID, 'ftrack.unmanaged',
         location_module.UnmanagedLocationMixin, 'UnmanagedLocation',
         lambda: disk(prefix=''), origin_structure, 90),
        (symbol.REVIEW_LOCATION_ID, 'ftrack.review',
         location_module.UnmanagedLocationMixin, 'UnmanagedLocation',
         lambda: disk(prefix=''), origin_structure, 110),
        (symbol.SERVER_LOCATION_ID, 'ftrack.server',
         location_module.ServerLocationMixin, 'ServerLocation',
         lambda: ftrack_api.accessor.server._ServerAccessor(session=session),
         ftrack_api.structure.entity_id.EntityIdStructure, 150),
    ]
    for location_id, name, mixin, mixin_name, accessor, structure, priority in builtin:
        with session.operation_recording(False):
            location = session.create(
                'Location', {'id': location_id, 'name': name}, reconstructing=True
            )
        ftrack_api.mixin(location, mixin, name=mixin_name)
        location.accessor = accessor()
        location.structure = structure()
        location.priority = priority
