"""The centralised storage scenario (protocol §7.5).

A server configured with the ``ftrack.centralized-storage`` scenario names
a location and its mount point per platform. At start-up (and after a
reset) the session publishes ``ftrack.storage-scenario.activate`` locally
with the scenario from the server information; the handler registered here
configures that location with a disk accessor at this platform's mount
point, the standard structure and priority 1, so new components go there.
ftrack Connect's ``ftrack.connect.verify-startup`` event is answered with
a warning text when the mount point is not usable on this machine.
"""

from __future__ import annotations

import logging
import os
import sys

import ftrack_api.accessor.disk
import ftrack_api.exception
import ftrack_api.structure.standard

logger = logging.getLogger(__name__)

#: Name of the scenario handled here.
SCENARIO_NAME = 'ftrack.centralized-storage'

#: Priority of the configured location: preferred over every built-in one.
PRIORITY = 1


def platform_key(platform=None):
    """Return the mount point key for *platform* (default: this one).

    ``osx``, ``linux`` or ``windows``; None for any other platform.
    """
    platform = sys.platform if platform is None else platform
    if platform.startswith('darwin'):
        return 'osx'
    if platform.startswith('linux'):
        return 'linux'
    if platform.startswith(('win', 'cygwin')):
        return 'windows'
    return None


def _scenario_location(storage_scenario):
    """Return ``(location id, location name, mount points)`` of the scenario.

    Raise :exc:`ftrack_api.exception.LocationError` naming the missing
    data when the scenario is incomplete.
    """
    try:
        data = storage_scenario['data']
        return (
            data['location_id'], data['location_name'],
            data['accessor']['mount_points'],
        )
    except (KeyError, TypeError) as error:
        raise ftrack_api.exception.LocationError(
            'Unable to configure a location from the storage scenario {scenario!r}: '
            'missing {missing}.',
            details={'scenario': storage_scenario, 'missing': error},
        ) from None


def _mount_point(mount_points):
    """Return this platform's entry of *mount_points*, None if it has none."""
    key = platform_key()
    return (mount_points or {}).get(key) if key else None


class ActivateCentralizedStorageScenario(object):
    """Configure the centralised storage location of a session."""

    def __init__(self):
        self.session = None

    def register(self, session):
        """Subscribe the handlers to the hub of *session*."""
        self.session = session
        session.event_hub.subscribe(
            'topic=ftrack.storage-scenario.activate and '
            'data.storage_scenario.scenario="{0}"'.format(SCENARIO_NAME),
            self.activate,
        )
        session.event_hub.subscribe(
            'topic=ftrack.connect.verify-startup and '
            'data.storage_scenario.scenario="{0}"'.format(SCENARIO_NAME),
            self.verify_startup,
        )

    def activate(self, event):
        """Configure the location named by the scenario in *event*.

        Raise :exc:`ftrack_api.exception.LocationError` when the scenario
        is incomplete or has no mount point for this platform.
        """
        storage_scenario = event['data']['storage_scenario']
        location_id, location_name, mount_points = _scenario_location(
            storage_scenario
        )
        prefix = _mount_point(mount_points)
        if not prefix:
            raise ftrack_api.exception.LocationError(
                'The storage scenario has no mount point for platform '
                '{platform!r} (mount points: {mount_points!r}).',
                details={'platform': sys.platform, 'mount_points': mount_points},
            )
        session = self.session
        with session.operation_recording(False):
            location = session.create(
                'Location', {'id': location_id, 'name': location_name},
                reconstructing=True,
            )
        location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=prefix)
        location.structure = ftrack_api.structure.standard.StandardStructure()
        location.priority = PRIORITY
        logger.info(
            'Storage scenario activated: %r stores under %r.', location_name, prefix
        )

    def verify_startup(self, event):
        """Return a warning text if the scenario's storage is unusable here.

        None when the mount point of this platform is an existing directory.
        """
        try:
            _, _, mount_points = _scenario_location(event['data']['storage_scenario'])
        except ftrack_api.exception.LocationError as error:
            return str(error)
        prefix = _mount_point(mount_points)
        if not prefix:
            return (
                'The centralised storage has no mount point for this operating '
                'system ({0}); files cannot be stored or found in it from this '
                'machine.'.format(sys.platform)
            )
        if not os.path.isdir(prefix):
            return (
                'The centralised storage mount point {0} is not a directory on '
                'this machine; files cannot be stored or found in it. Mount the '
                'storage (or create the directory for new storage) and start '
                'again.'.format(prefix)
            )
        return None


def register(session):
    """Register the centralised storage scenario handlers with *session*."""
    ActivateCentralizedStorageScenario().register(session)
