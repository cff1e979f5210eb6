"""Component entities and the thumbnail mixin."""

from __future__ import annotations

import ftrack_api._session.component_transfer as _transfer
import ftrack_api.entity.base
import ftrack_api.symbol


class Component(ftrack_api.entity.base.Entity):
    """Represent a component."""

    def get_availability(self, locations=None):
        """Return availability in *locations* (default: every location).

        Return a mapping of ``{location id: percentage availability}``; see
        :meth:`ftrack_api.session.Session.get_component_availability`.
        """
        return self.session.get_component_availability(self, locations=locations)


class CreateThumbnailMixin(object):
    """Mixin to add create_thumbnail method on entity class."""

    def create_thumbnail(self, path, data=None):
        """Set entity thumbnail from the image at *path*; return the component.

        The thumbnail component is created from *path* with *data* (its
        ``name`` defaults to ``thumbnail``) in the ``ftrack.server``
        location, then set as this entity's ``thumbnail_id``. The file is
        expected to be an image of a suitable size. :meth:`Session.commit`
        is issued (twice: the component must exist before it is referenced).
        Raise :exc:`ftrack_api.exception.LocationError` when the upload
        fails.
        """
        session = self.session
        data = dict(data or {})
        if not data.get('name'):
            data['name'] = 'thumbnail'
        component = session.create_component(path, data, location=None)
        server_location = session.get(
            'Location', ftrack_api.symbol.SERVER_LOCATION_ID
        )
        origin_location = session.get(
            'Location', ftrack_api.symbol.ORIGIN_LOCATION_ID
        )
        try:
            server_location.add_component(component, [origin_location])
        except BaseException:
            _transfer.discard_created(session, component)
            raise
        self['thumbnail_id'] = component['id']
        session.commit()
        return component
