"""Location behaviour without a server: transfers between disk locations,
registration payloads, error handling, mixins and the storage scenario.

The recording transport of :mod:`ftrack_local_server.testing` answers the requests
(queries find what the test prepared; creates and deletes are accepted), so
the exact operations a location sends can be checked.
"""

from __future__ import annotations

import json
import os
import sys
import uuid

import pytest

import ftrack_api
import ftrack_api._centralized_storage_scenario as storage_scenario
import ftrack_api.accessor.disk
import ftrack_api.data
import ftrack_api.entity.location
import ftrack_api.event.base
import ftrack_api.exception
import ftrack_api.resource_identifier_transformer.base
import ftrack_api.structure.id
import ftrack_api.structure.origin
import ftrack_api.structure.standard
import ftrack_api.symbol
from ftrack_local_server.testing import OfflineSession, offline_session

ORIGIN = ftrack_api.symbol.ORIGIN_LOCATION_ID


@pytest.fixture
def session():
    yield from offline_session()


def _disk_location(session, root, name='disk'):
    location = session.create(
        'Location', {'id': str(uuid.uuid4()), 'name': name}, reconstructing=True
    )
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(root))
    location.structure = ftrack_api.structure.id.IdStructure()
    return location


def _operations(session, action=None, entity_type=None):
    return [
        operation for request in session.transport.requests for operation in request
        if (action is None or operation['action'] == action)
        and (entity_type is None or operation.get('entity_type') == entity_type)
    ]


def _registered(session, component, location, identifier):
    """Prepare the answer saying *component* is in *location* at *identifier*."""
    session.transport.responses.append([{
        'action': 'query',
        'data': [{
            '__entity_type__': 'ComponentLocation', 'id': str(uuid.uuid4()),
            'component_id': component['id'], 'resource_identifier': identifier,
        }],
        'metadata': {'next': {'offset': None}},
    }])


def _file(tmp_path, name='source.txt', content=b'payload'):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_add_component_copies_data_and_registers_in_one_commit(session, tmp_path):
    target = _disk_location(session, tmp_path / 'store')
    component = session.create_component(_file(tmp_path), location=target)

    # Existence check, then a single commit holding component and registration.
    first, commit = session.transport.requests
    identifier = ftrack_api.structure.id.IdStructure().get_resource_identifier(component)
    with open(os.path.join(str(tmp_path / 'store'), identifier), 'rb') as handle:
        assert handle.read() == b'payload'
    assert first[0]['action'] == 'query'
    assert 'from ComponentLocation where location_id is {0}'.format(
        target['id']) in first[0]['expression']
    assert [(op['action'], op['entity_type']) for op in commit] == [
        ('create', 'FileComponent'), ('create', 'ComponentLocation'),
    ]
    registration = commit[1]['entity_data']
    assert registration['resource_identifier'] == identifier
    assert registration['location'] == {'__entity_type__': 'Location', 'id': target['id']}
    assert registration['component'] == {
        '__entity_type__': 'FileComponent', 'id': component['id'],
    }


def _sequence_of_empty_files(session, tmp_path):
    """Return a new two-member sequence component whose files exist, empty."""
    sequence = session.create_component(
        str(tmp_path / 'f.%04d.txt') + ' [1-2]', location=None
    )
    for member in sequence['members']:
        with open(session.get('Location', ORIGIN).get_resource_identifier(member), 'wb'):
            pass
    return sequence


def test_added_event_published_for_each_component_and_member(session, tmp_path):
    events = []
    session.event_hub._publish = lambda event, **kw: events.append(event)
    target = _disk_location(session, tmp_path / 'store')
    sequence = _sequence_of_empty_files(session, tmp_path)
    target.add_component(sequence, session.get('Location', ORIGIN))
    added = [
        (event['topic'], event['data']['component_id'], event['data']['location_id'])
        for event in events if event['topic'].startswith('ftrack.location.')
        and event['data']['location_id'] == target['id']
    ]
    members = list(sequence['members'])
    assert added == [
        (ftrack_api.symbol.COMPONENT_ADDED_TO_LOCATION_TOPIC, component['id'], target['id'])
        for component in members + [sequence]
    ]


def test_removed_event_published_for_each_component_and_member(session, tmp_path):
    events = []
    location = _disk_location(session, tmp_path / 'store')
    ftrack_api.mixin(location, ftrack_api.entity.location.MemoryLocationMixin)
    sequence = _sequence_of_empty_files(session, tmp_path)
    location.add_component(sequence, session.get('Location', ORIGIN))
    session.event_hub._publish = lambda event, **kw: events.append(event)
    location.remove_component(sequence)
    members = list(sequence['members'])
    assert [
        (event['topic'], event['data']['component_id'], event['data']['location_id'])
        for event in events
    ] == [
        (ftrack_api.symbol.COMPONENT_REMOVED_FROM_LOCATION_TOPIC, component['id'],
         location['id'])
        for component in members + [sequence]
    ]


def test_components_already_present_stop_everything(session, tmp_path):
    target = _disk_location(session, tmp_path / 'store')
    component = session.create_component(_file(tmp_path), location=None)
    _registered(session, component, target, 'somewhere')
    with pytest.raises(ftrack_api.exception.ComponentInLocationError) as error:
        target.add_component(component, session.get('Location', ORIGIN))
    assert error.value.details['components'] == [component]
    assert not (tmp_path / 'store').exists()
    assert _operations(session, 'create') == []


def test_existing_data_is_never_overwritten(session, tmp_path):
    target = _disk_location(session, tmp_path / 'store')
    component = session.create_component(_file(tmp_path), location=None)
    identifier = ftrack_api.structure.id.IdStructure().get_resource_identifier(component)
    existing = tmp_path / 'store' / identifier
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b'precious')

    with pytest.raises(ftrack_api.exception.LocationError, match='already exists'):
        target.add_component(component, session.get('Location', ORIGIN))
    assert existing.read_bytes() == b'precious'
    assert _operations(session, 'create', 'ComponentLocation') == []


def test_failed_transfer_lists_what_was_transferred(session, tmp_path):
    target = _disk_location(session, tmp_path / 'store')
    good = session.create_component(_file(tmp_path, 'good.txt'), location=None)
    bad = session.create_component(str(tmp_path / 'missing.txt'), location=None)
    with pytest.raises(ftrack_api.exception.LocationError) as error:
        target.add_components([good, bad], session.get('Location', ORIGIN))
    transferred = error.value.details['transferred']
    assert [component for component, _ in transferred] == [good]
    assert bad['id'] in str(error.value)
    assert _operations(session, 'create', 'ComponentLocation') == []
    # The helpers' own components are still recorded for the caller.
    assert good in session.created and bad in session.created


def test_failed_registration_keeps_other_work_and_drops_registrations(session, tmp_path):
    target = _disk_location(session, tmp_path / 'store')
    component = session.create_component(_file(tmp_path), location=None)
    note = session.create('Note', {'content': 'mine'})
    session.transport.responses.append([{
        'action': 'query', 'data': [], 'metadata': {'next': {'offset': None}},
    }])
    session.transport.responses.append({'exception': 'ServerError', 'content': 'boom'})
    with pytest.raises(ftrack_api.exception.LocationError, match='boom') as error:
        target.add_component(component, session.get('Location', ORIGIN))
    assert len(error.value.details['transferred']) == 1
    assert note in session.created and component in session.created
    assert not any(
        entity.entity_type == 'ComponentLocation' for entity in session.created
    )


def test_create_component_discards_its_components_when_adding_fails(session, tmp_path):
    target = _disk_location(session, tmp_path / 'store')
    note = session.create('Note', {'content': 'mine'})
    with pytest.raises(ftrack_api.exception.LocationError) as error:
        session.create_component(str(tmp_path / 'missing.txt'), location=target)
    assert session.created == [note]
    # The error still names the discarded component by id.
    assert 'FileComponent(NOT_SET)' not in str(error.value)


def test_sources_must_match_components(session, tmp_path):
    target = _disk_location(session, tmp_path / 'store')
    components = [session.create_component(_file(tmp_path), location=None) for _ in range(3)]
    origin = session.get('Location', ORIGIN)
    with pytest.raises(ValueError, match='2 sources for 3 components'):
        target.add_components(components, [origin, origin])


def test_location_without_structure_refuses(session, tmp_path):
    location = session.create(
        'Location', {'id': str(uuid.uuid4()), 'name': 'bare'}, reconstructing=True
    )
    component = session.create_component(_file(tmp_path), location=None)
    with pytest.raises(ftrack_api.exception.LocationError, match='No structure'):
        location.add_component(component, session.get('Location', ORIGIN))


def test_location_without_accessor_refuses_transfer(session, tmp_path):
    location = session.create(
        'Location', {'id': str(uuid.uuid4()), 'name': 'bare'}, reconstructing=True
    )
    location.structure = ftrack_api.structure.id.IdStructure()
    component = session.create_component(_file(tmp_path), location=None)
    with pytest.raises(ftrack_api.exception.LocationError, match='No accessor'):
        location.add_component(component, session.get('Location', ORIGIN))
    with pytest.raises(ftrack_api.exception.AccessorUnsupportedOperationError):
        location.get_filesystem_path(component)


def test_origin_takes_paths_only(session, tmp_path):
    origin = session.get('Location', ORIGIN)
    component = session.create('FileComponent', {'name': 'x'})
    with pytest.raises(ftrack_api.exception.LocationError, match='file paths'):
        origin.add_component(component, origin)


def test_unmanaged_location_registers_without_copying(session, tmp_path):
    location = _disk_location(session, tmp_path / 'store')
    location.structure = ftrack_api.structure.origin.OriginStructure()
    ftrack_api.mixin(location, ftrack_api.entity.location.UnmanagedLocationMixin)
    path = _file(tmp_path)
    component = session.create_component(path, location=location)
    assert not (tmp_path / 'store').exists()
    registration = _operations(session, 'create', 'ComponentLocation')[0]['entity_data']
    assert registration['resource_identifier'] == path
    assert registration['component']['id'] == component['id']
    assert os.path.exists(path)


def test_memory_location_never_sends_anything(session, tmp_path):
    location = _disk_location(session, tmp_path / 'store')
    ftrack_api.mixin(location, ftrack_api.entity.location.MemoryLocationMixin)
    component = session.create_component(_file(tmp_path), location=location)
    assert location.get_resource_identifier(component).endswith('.txt')
    assert session.transport.requests == []
    location.remove_component(component)
    assert session.transport.requests == []
    assert not os.listdir(str(tmp_path / 'store' / component['id'][0]
                              / component['id'][1] / component['id'][2]
                              / component['id'][3]))
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        location.get_resource_identifier(component)


def test_remove_requires_presence_before_touching_anything(session, tmp_path):
    location = _disk_location(session, tmp_path / 'store')
    component = session.create('FileComponent', {'name': 'x'})
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError) as error:
        location.remove_component(component)
    assert error.value.details['components'] == [component]
    assert _operations(session, 'delete') == []


def test_remove_component_removes_data_and_deletes_registration(session, tmp_path):
    location = _disk_location(session, tmp_path / 'store')
    stored = tmp_path / 'store' / 'a.txt'
    stored.parent.mkdir()
    stored.write_bytes(b'x')
    component = session.create(
        'FileComponent', {'id': str(uuid.uuid4()), 'name': 'a'}, reconstructing=True
    )
    # Asked twice, as upstream: the presence check, then _remove_data.
    _registered(session, component, location, 'a.txt')
    _registered(session, component, location, 'a.txt')
    link_id = str(uuid.uuid4())
    session.transport.responses.append([{
        'action': 'query',
        'data': [{'__entity_type__': 'ComponentLocation', 'id': link_id}],
        'metadata': {'next': {'offset': None}},
    }])
    location.remove_component(component)
    assert not stored.exists()
    deletes = _operations(session, 'delete')
    assert [(op['entity_type'], op['entity_key']) for op in deletes] == [
        ('ComponentLocation', [link_id]),
    ]


def test_removing_missing_data_still_deregisters(session, tmp_path, caplog):
    location = _disk_location(session, tmp_path / 'store')
    component = session.create(
        'FileComponent', {'id': str(uuid.uuid4()), 'name': 'a'}, reconstructing=True
    )
    _registered(session, component, location, 'gone.txt')
    _registered(session, component, location, 'gone.txt')
    location.remove_component(component)
    assert 'not removed' in caplog.text
    assert any('select id from ComponentLocation' in op.get('expression', '')
               for op in _operations(session, 'query'))


def test_transformer_encodes_stored_and_decodes_read_identifiers(session, tmp_path):
    class Prefixing(ftrack_api.resource_identifier_transformer.base.ResourceIdentifierTransformer):
        def encode(self, resource_identifier, context=None):
            return 'stored:' + resource_identifier

        def decode(self, resource_identifier, context=None):
            assert context['component'] is not None
            return resource_identifier[len('stored:'):]

    location = _disk_location(session, tmp_path / 'store')
    location.resource_identifier_transformer = Prefixing(session)
    component = session.create_component(_file(tmp_path), location=location)
    stored = _operations(session, 'create', 'ComponentLocation')[0]['entity_data'][
        'resource_identifier']
    assert stored.startswith('stored:')
    _registered(session, component, location, stored)
    assert location.get_resource_identifier(component) == stored[len('stored:'):]


def test_transfer_between_disk_locations_uses_source_identifiers(session, tmp_path):
    first = _disk_location(session, tmp_path / 'first', 'first')
    second = _disk_location(session, tmp_path / 'second', 'second')
    component = session.create_component(_file(tmp_path, content=b'abc'), location=first)
    identifier = ftrack_api.structure.id.IdStructure().get_resource_identifier(component)
    session.transport.requests.clear()
    # Not in second; in first at identifier.
    session.transport.responses.append([{
        'action': 'query', 'data': [], 'metadata': {'next': {'offset': None}},
    }])
    _registered(session, component, first, identifier)
    second.add_component(component, first)
    with open(str(tmp_path / 'second' / identifier), 'rb') as handle:
        assert handle.read() == b'abc'
    lookups = [
        op for op in _operations(session, 'query') if 'from ComponentLocation' in op['expression']
    ]
    assert len(lookups) == 2


def test_chunked_copy(session, tmp_path, monkeypatch):
    monkeypatch.setattr(ftrack_api.symbol, 'CHUNK_SIZE', 4)
    written = []
    original = ftrack_api.data.File.write

    def recording_write(self, content):
        written.append(len(content))
        return original(self, content)

    monkeypatch.setattr(ftrack_api.data.File, 'write', recording_write)
    target = _disk_location(session, tmp_path / 'store')
    session.create_component(_file(tmp_path, content=b'0123456789'), location=target)
    assert written == [4, 4, 2]


# Storage scenario.
def _scenario(mount_point):
    key = storage_scenario.platform_key()
    return {
        'scenario': 'ftrack.centralized-storage',
        'data': {
            'location_id': 'f1b38a5e-0000-4000-8000-000000000001',
            'location_name': 'studio.central-storage-location',
            'accessor': {'mount_points': {key: mount_point}},
        },
    }


def test_centralised_storage_scenario_configures_its_location(tmp_path):
    information = {
        'version': 'dev', 'storage_scenario': _scenario(str(tmp_path)),
        'is_timezone_support_enabled': True,
    }
    session = OfflineSession(server_information=information)
    try:
        location = session.get('Location', 'f1b38a5e-0000-4000-8000-000000000001')
        assert location['name'] == 'studio.central-storage-location'
        assert location.accessor.prefix == str(tmp_path)
        assert isinstance(location.structure, ftrack_api.structure.standard.StandardStructure)
        assert location.priority == 1
        session.reset()
        again = session.get('Location', 'f1b38a5e-0000-4000-8000-000000000001')
        assert again.priority == 1
    finally:
        session.close()


def test_verify_startup_warns_about_missing_mount_point(session, tmp_path):
    def verify(mount_point):
        return session.event_hub.publish(
            ftrack_api.event.base.Event(
                topic='ftrack.connect.verify-startup',
                data={'storage_scenario': _scenario(mount_point)},
            ),
            synchronous=True,
        )

    assert verify(str(tmp_path)) == []
    message, = verify(str(tmp_path / 'not-mounted'))
    assert str(tmp_path / 'not-mounted') in message


def test_scenario_without_mount_point_for_this_platform(session):
    scenario = _scenario('/x')
    scenario['data']['accessor']['mount_points'] = {'elsewhere': '/x'}
    handler = storage_scenario.ActivateCentralizedStorageScenario()
    handler.session = session
    event = ftrack_api.event.base.Event(
        topic='ftrack.storage-scenario.activate', data={'storage_scenario': scenario}
    )
    with pytest.raises(ftrack_api.exception.LocationError, match='mount point'):
        handler.activate(event)
    assert 'no mount point' in handler.verify_startup(event)
    incomplete = ftrack_api.event.base.Event(
        topic='ftrack.storage-scenario.activate',
        data={'storage_scenario': {'scenario': 'ftrack.centralized-storage', 'data': {}}},
    )
    with pytest.raises(ftrack_api.exception.LocationError, match='location_id'):
        handler.activate(incomplete)


@pytest.mark.parametrize('platform, key', [
    ('linux', 'linux'), ('darwin', 'osx'), ('win32', 'windows'), ('cygwin', 'windows'),
    ('sunos5', None),
])
def test_platform_keys(platform, key):
    assert storage_scenario.platform_key(platform) == key


def test_automatic_scenario_configures_nothing_more(session):
    assert json.dumps(session.server_information['storage_scenario']) == json.dumps(
        {'data': {}, 'scenario': 'ftrack.automatic'}
    )
    assert sys.platform  # The built-in locations only.
    configured = [
        entity for entity in session._identity_map.values()
        if entity.entity_type == 'Location'
    ]
    assert sorted(location['name'] for location in configured) == [
        'ftrack.origin', 'ftrack.review', 'ftrack.server', 'ftrack.unmanaged',
    ]


def test_identifier_lookups_are_chunked(session):
    location = _disk_location(session, '/nowhere')
    components = [
        session.create('FileComponent', {'id': str(uuid.uuid4())}, reconstructing=True)
        for _ in range(501)
    ]
    assert location._resource_identifier_map(components) == {}
    lookups = _operations(session, 'query')
    assert len(lookups) == 2
    assert lookups[0]['expression'].split('component_id in (')[1].count(',') == 499
    assert lookups[1]['expression'].split('component_id in (')[1].count(',') == 0
