"""The centralised storage scenario end to end on a LocalServer of its own.

The server's ``storage_scenario`` setting names a location and its mount
points; a new session configures that location at start-up and publishes
new components into it with the standard structure.
"""

from __future__ import annotations

import json
import os
import uuid

import ftrack_api
import ftrack_api._centralized_storage_scenario as storage_scenario
import ftrack_api.accessor.disk
import ftrack_api.event.base
import ftrack_api.structure.standard
from ftrack_local_server.testing import connect

LOCATION_ID = str(uuid.uuid4())
LOCATION_NAME = 'studio.central-storage-location'


def _session(server):
    return connect(server, plugin_paths=[])


def _configure_scenario(server, mount_point):
    session = _session(server)
    try:
        session.create('Location', {'id': LOCATION_ID, 'name': LOCATION_NAME})
        setting = session.query(
            'Setting where name is "storage_scenario" and group is "STORAGE"'
        ).one()
        setting['value'] = json.dumps({
            'scenario': 'ftrack.centralized-storage',
            'data': {
                'location_id': LOCATION_ID,
                'location_name': LOCATION_NAME,
                'accessor': {'mount_points': {
                    key: mount_point for key in ('linux', 'osx', 'windows')
                }},
            },
        })
        session.commit()
    finally:
        session.close()


def test_centralised_storage_receives_new_components(ftrack_server_factory, tmp_path):
    server = ftrack_server_factory()
    storage = tmp_path / 'storage'
    storage.mkdir()
    _configure_scenario(server, str(storage))

    session = _session(server)
    try:
        scenario = session.server_information['storage_scenario']
        assert scenario['scenario'] == 'ftrack.centralized-storage'

        location = session.get('Location', LOCATION_ID)
        assert isinstance(location.accessor, ftrack_api.accessor.disk.DiskAccessor)
        assert location.accessor.prefix == str(storage)
        assert isinstance(location.structure, ftrack_api.structure.standard.StandardStructure)
        assert location.priority == 1
        assert session.pick_location() is location

        schema = session.query('ProjectSchema').first()
        project = session.create('Project', {
            'name': 'central', 'full_name': 'Central', 'project_schema': schema,
        })
        asset = session.create('Asset', {
            'name': 'Hero Model', 'parent': project,
            'type': session.query('AssetType where name is "Geometry"').one(),
        })
        version = session.create('AssetVersion', {'asset': asset})
        session.commit()

        source = tmp_path / 'model.abc'
        source.write_bytes(b'alembic')
        component = version.create_component(str(source), location='auto')
        path = location.get_filesystem_path(component)
        assert path == os.path.join(str(storage), 'central', 'hero_model', 'v001', 'main.abc')
        with open(path, 'rb') as handle:
            assert handle.read() == b'alembic'

        # The verify-startup answer: nothing to say while the storage exists.
        event = ftrack_api.event.base.Event(
            topic='ftrack.connect.verify-startup',
            data={'storage_scenario': scenario},
        )
        assert session.event_hub.publish(event, synchronous=True) == []
    finally:
        session.close()


def test_missing_mount_point_is_reported(ftrack_server_factory, tmp_path):
    server = ftrack_server_factory()
    missing = str(tmp_path / 'not-mounted')
    _configure_scenario(server, missing)
    session = _session(server)
    try:
        event = ftrack_api.event.base.Event(
            topic='ftrack.connect.verify-startup',
            data={'storage_scenario': session.server_information['storage_scenario']},
        )
        message, = session.event_hub.publish(event, synchronous=True)
        assert missing in message
        assert storage_scenario.platform_key() is not None
    finally:
        session.close()
