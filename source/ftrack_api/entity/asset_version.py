"""Asset version entity."""

from __future__ import annotations

import ftrack_api.entity.base


class AssetVersion(ftrack_api.entity.base.Entity):
    """Represent asset version."""

    def create_component(self, path, data=None, location=None):
        """Create a new component of this version from *path* with *data*.

        A helper around :meth:`ftrack_api.session.Session.create_component`
        (see it for *path*, which may describe a file sequence, and for
        what is raised): the component's ``version`` is set to this version
        (any ``version_id`` in *data* is ignored). If *location* is given
        (a location, or ``'auto'`` to pick one), the component is added to
        it.
        """
        data = dict(data or {})
        data.pop('version_id', None)
        data['version'] = self
        return self.session.create_component(path, data=data, location=location)

    def encode_media(self, media, keep_original='auto'):
        """Return a new Job that encodes *media* to make it playable in browsers.

        *media* is a file path or a ``FileComponent`` in the
        ``ftrack.server`` location. The outputs are associated with this
        version and an image output becomes its thumbnail. See
        :meth:`ftrack_api.session.Session.encode_media` for *keep_original*
        and what is raised. Needs a server version of 3.3.32 or higher.
        """
        return self.session.encode_media(
            media, version_id=self['id'], keep_original=keep_original
        )
