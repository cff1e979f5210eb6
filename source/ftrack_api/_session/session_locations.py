"""Session methods about locations and components.

:class:`LocationsMixin` gives :class:`ftrack_api.session.Session` its
location picking, availability, component creation and media encoding
methods, each delegating to the module doing the work (``_availability``,
``_components``).
"""

from __future__ import annotations

import ftrack_api._session.availability as _availability
import ftrack_api._session.components as _components
from ftrack_api.accessor._transfer import transfer_progress


class LocationsMixin(object):
    """Location and component methods of :class:`ftrack_api.session.Session`."""

    def pick_location(self, component=None):
        """Return suitable location to use, or None.

        Without *component*, the accessible location (one with an accessor)
        of highest priority (lowest number); otherwise the one of highest
        priority in which *component* is available.
        """
        return _availability.pick_location(self, component)

    def pick_locations(self, components):
        """Return, for each of *components*, its suitable location or None.

        Each is the accessible location of highest priority in which that
        component is available.
        """
        return _availability.pick_locations(self, components)

    def create_component(self, path, data=None, location='auto', progress=None):
        """Create a new component from *path* with additional *data*.

        *path* is a file path or a sequence written
        ``{head}{padding}{tail} [{ranges}]`` (``/path/file.%04d.exr [1-5, 7]``),
        which creates a ``SequenceComponent`` with a ``FileComponent`` per
        index. *data* holds extra values for :meth:`create`. The component
        is added to *location*: ``'auto'`` picks one (``ftrack.review`` for
        ``ftrackreview-*`` names, else :meth:`pick_location`) and None
        keeps it in the ``ftrack.origin`` location of this session only.
        Adding it may commit. Raise :exc:`TypeError` for a bad *path*,
        :exc:`ValueError` for a bad *location* and
        :exc:`ftrack_api.exception.LocationError` when adding fails (the new
        components are then discarded). *progress* (an addition of this
        package) is called as ``progress(bytes_done, bytes_total)`` while
        data moves to the ``ftrack.server`` location (see
        :func:`ftrack_api.accessor.server.transfer_progress`).
        """
        if progress is None:  # keep a callback installed around the call
            return _components.create_component(self, path, data=data, location=location)
        with transfer_progress(progress):
            return _components.create_component(self, path, data=data, location=location)

    def get_component_availability(self, component, locations=None):
        """Return availability of *component* as ``{location id: percentage}``.

        *locations* limits the result to those locations (default: all).
        """
        return _availability.get_component_availability(
            self, component, locations=locations
        )

    def get_component_availabilities(self, components, locations=None):
        """Return availabilities of *components*, one mapping per component.

        Each maps location ids to percentages; *locations* limits them
        (default: all locations).
        """
        return _availability.get_component_availabilities(
            self, components, locations=locations
        )

    def encode_media(self, media, version_id=None, keep_original='auto'):
        """Return a new Job that encodes *media* to make it playable in browsers.

        *media* is a file path (uploaded to ``ftrack.server`` as a new
        component and committed) or a ``FileComponent`` already in
        ``ftrack.server``. The Job's ``data`` (JSON text) lists the
        ``output`` components (``format``, ``component_id``),
        ``source_component_id`` and ``keep_original``; outputs are linked
        by ``job_components``. With *version_id* the outputs belong to that
        ``AssetVersion``. *keep_original* (``'auto'``: keep a component,
        delete an uploaded path) says whether the source is kept. Raise
        :exc:`ValueError` for other media or *keep_original* values and
        :exc:`ftrack_api.exception.ServerCompatibilityError` when the server
        cannot encode.
        """
        return _components.encode_media(
            self, media, version_id=version_id, keep_original=keep_original
        )
