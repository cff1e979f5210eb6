"""Component entities and the thumbnail mixin."""

from __future__ import annotations

import ftrack_api.entity.base


class Component(ftrack_api.entity.base.Entity):
    """Represent a component.

    Availability helpers come with the location support.
    """


class CreateThumbnailMixin(object):
    """Mixin to add create_thumbnail method on entity class.

    The method itself comes with the file transfer support (it uploads the
    image to the ``ftrack.server`` location).
    """
