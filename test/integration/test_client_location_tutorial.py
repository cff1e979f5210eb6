"""The Locations chapters against a real LocalServer.

Every example of the locations tutorial and of "Configuring locations" is
run as the documentation shows it, in custom disk locations under temporary
directories; then transfers between locations, partly transferred
sequences, removal and the location events seen by a second session.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
import time
import uuid

import pytest

import ftrack_api
import ftrack_api.accessor.disk
import ftrack_api.entity.location
import ftrack_api.event.base
import ftrack_api.exception
import ftrack_api.structure.id
import ftrack_api.structure.origin
import ftrack_api.symbol
from ftrack_local_server.testing import connect


def _name(prefix='test.location'):
    return '{0}.{1}'.format(prefix, uuid.uuid4().hex[:8])


def _configure(location, root, priority=30):
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(root))
    location.structure = ftrack_api.structure.id.IdStructure()
    location.priority = priority
    return location


def _new_location(session, root, priority=30):
    location = session.create('Location', {'name': _name()})
    session.commit()
    return _configure(location, root, priority)


def _text_file(directory, content=b'some data', suffix='.txt'):
    handle, path = tempfile.mkstemp(suffix=suffix, dir=str(directory))
    os.write(handle, content)
    os.close(handle)
    return path


def _frames(directory, count=4, prefix='plate'):
    for index in range(1, count + 1):
        path = directory / '{0}.{1:04d}.exr'.format(prefix, index)
        path.write_bytes('frame {0}'.format(index).encode() * index)
    return str(directory / (prefix + '.%04d.exr')) + ' [1-{0}]'.format(count)


def _fresh_copy(session, component):
    """Return *component* as a new session sees it (server state only)."""
    other = connect(session, plugin_paths=[])
    return other, other.get(component.entity_type, component['id'])


def wait_for(hub, predicate, timeout=20):
    """Handle *hub*'s events until *predicate* holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('Condition not met within {0} seconds.'.format(timeout))
        hub.wait(duration=0.05)


# Tutorial.
def test_creating_and_retrieving_locations(ftrack_session):
    session = ftrack_session
    name = _name()
    location = session.create('Location', dict(name=name))
    session.commit()

    assert session.ensure('Location', {'name': name}) == location
    assert session.get('Location', location['id']) is location
    assert session.query('Location where name is "{0}"'.format(name)).one() is location
    names = [existing['name'] for existing in session.query('Location').all()]
    for builtin in ('ftrack.origin', 'ftrack.unmanaged', 'ftrack.review', 'ftrack.server'):
        assert builtin in names
    assert name in names


def test_tutorial_walkthrough(ftrack_session, tmp_path):
    session = ftrack_session
    location = session.create('Location', dict(name=_name()))
    session.commit()
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(tmp_path / 'store'))
    location.structure = ftrack_api.structure.id.IdStructure()
    location.priority = 30

    # Automatically picked: the configured location beats the built-ins.
    component_a = session.create_component(path=_text_file(tmp_path, b'a'))
    assert session.pick_location() is location
    assert location.get_component_availability(component_a) == 100.0

    component_b = session.create_component(
        path=_text_file(tmp_path, b'b'), location=location
    )
    path_b = location.get_filesystem_path(component_b)
    with open(path_b, 'rb') as handle:
        assert handle.read() == b'b'
    assert path_b.startswith(str(tmp_path / 'store'))

    component_c = session.create_component(path=_text_file(tmp_path, b'c'), location=None)
    assert location.get_component_availability(component_c) == 0.0
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        location.get_filesystem_path(component_c)

    origin_location = session.query('Location where name is "ftrack.origin"').one()
    location.add_component(component_c, origin_location)
    with open(location.get_filesystem_path(component_c), 'rb') as handle:
        assert handle.read() == b'c'

    location.remove_component(component_b)
    assert not os.path.exists(path_b)
    assert location.get_component_availability(component_b) == 0.0
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        location.remove_component(component_b)

    # Availability three ways.
    expected = {location['id']: 100.0}
    availability = session.get_component_availability(component_c)
    assert {location['id']: availability[location['id']]} == expected
    assert availability[ftrack_api.symbol.SERVER_LOCATION_ID] == 0.0
    assert component_c.get_availability() == availability
    assert location.get_component_availability(component_c) == 100.0

    # What the server knows, seen from another session.
    other, remote = _fresh_copy(session, component_c)
    try:
        assert other.get_component_availability(remote)[location['id']] == 100.0
        assert remote['size'] == 1 and remote['file_type'] == '.txt'
    finally:
        other.close()


def test_unmanaged_mixin_registers_paths_without_copying(ftrack_session, tmp_path):
    session = ftrack_session
    location = _new_location(session, tmp_path / 'store')
    ftrack_api.mixin(location, ftrack_api.entity.location.UnmanagedLocationMixin)
    location.structure = ftrack_api.structure.origin.OriginStructure()
    path = _text_file(tmp_path)
    component = session.create_component(path, location=location)
    assert location.get_resource_identifier(component) == path
    assert not (tmp_path / 'store').exists()
    location.remove_component(component)
    assert os.path.exists(path)
    assert location.get_component_availability(component) == 0.0


def test_builtin_unmanaged_is_the_default_location(ftrack_session, tmp_path):
    session = ftrack_session
    assert session.pick_location()['name'] == 'ftrack.unmanaged'
    path = _text_file(tmp_path)
    component = session.create_component(path)
    unmanaged = session.get('Location', ftrack_api.symbol.UNMANAGED_LOCATION_ID)
    assert unmanaged.get_filesystem_path(component) == path
    assert session.pick_location(component) is unmanaged


def test_configuring_automatically_with_a_plugin(ftrack_server, tmp_path):
    name = _name()
    setup = connect(ftrack_server, plugin_paths=[])
    setup.create('Location', {'name': name})
    setup.commit()
    setup.close()

    plugins = tmp_path / 'plugins'
    plugins.mkdir()
    (plugins / 'configure_my_location.py').write_text(textwrap.dedent('''
        import ftrack_api
        import ftrack_api.accessor.disk
        import ftrack_api.entity.location
        import ftrack_api.structure.id

        def configure_locations(event):
            session = event['data']['session']
            location = session.query('Location where name is "{name}"').one()
            ftrack_api.mixin(location, ftrack_api.entity.location.UnmanagedLocationMixin)
            location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix='')
            location.structure = ftrack_api.structure.id.IdStructure()
            location.priority = 50

        def register(session):
            session.event_hub.subscribe(
                'topic=ftrack.api.session.configure-location', configure_locations
            )
    ''').format(name=name))

    session = connect(ftrack_server, plugin_paths=[str(plugins)])
    try:
        location = session.query('Location where name is "{0}"'.format(name)).one()
        assert location.priority == 50
        assert isinstance(location, ftrack_api.entity.location.UnmanagedLocationMixin)
        assert session.pick_location() is location
        session.reset()
        location = session.query('Location where name is "{0}"'.format(name)).one()
        assert location.priority == 50
    finally:
        session.close()


# Transfers.
def test_transfer_between_locations(ftrack_session, tmp_path):
    session = ftrack_session
    first = _new_location(session, tmp_path / 'first', priority=20)
    second = _new_location(session, tmp_path / 'second', priority=10)
    component = session.create_component(_text_file(tmp_path, b'moved'), location=first)
    assert session.pick_location(component) is first

    second.add_component(component, first)
    with open(second.get_filesystem_path(component), 'rb') as handle:
        assert handle.read() == b'moved'
    assert session.pick_location(component) is second
    assert session.pick_locations([component]) == [second]
    assert first.get_filesystem_path(component) != second.get_filesystem_path(component)

    with pytest.raises(ftrack_api.exception.ComponentInLocationError):
        second.add_component(component, first)


def test_existing_data_is_not_overwritten(ftrack_session, tmp_path):
    session = ftrack_session
    location = _new_location(session, tmp_path / 'store')
    component = session.create_component(_text_file(tmp_path), location=None)
    target = tmp_path / 'store' / ftrack_api.structure.id.IdStructure().get_resource_identifier(
        component)
    target.parent.mkdir(parents=True)
    target.write_bytes(b'keep me')
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
    with pytest.raises(ftrack_api.exception.LocationError, match='already exists'):
        location.add_component(component, origin)
    assert target.read_bytes() == b'keep me'
    # Nothing was registered; the component itself is still to be committed.
    session.commit()
    assert location.get_component_availability(component) == 0.0


def test_sequence_in_a_location(ftrack_session, tmp_path):
    session = ftrack_session
    location = _new_location(session, tmp_path / 'store')
    frames = tmp_path / 'frames'
    frames.mkdir()
    sequence = session.create_component(_frames(frames), location=location)

    assert sequence.entity_type == 'SequenceComponent'
    assert location.get_component_availability(sequence) == 100.0
    sequence_path = location.get_filesystem_path(sequence)
    assert sequence_path.endswith('file.%04d.exr')
    for member in sequence['members']:
        with open(location.get_filesystem_path(member), 'rb') as handle:
            index = int(member['name'])
            assert handle.read() == 'frame {0}'.format(index).encode() * index

    other, remote = _fresh_copy(session, sequence)
    try:
        assert remote['padding'] == 4 and remote['file_type'] == '.exr'
        assert remote['size'] == sum(len('frame {0}'.format(i)) * i for i in range(1, 5))
        assert sorted(member['name'] for member in remote['members']) == [
            '0001', '0002', '0003', '0004']
        assert other.get_component_availability(remote)[location['id']] == 100.0
    finally:
        other.close()

    location.remove_component(sequence)
    assert location.get_component_availability(sequence) == 0.0
    assert not any(
        os.path.exists(location.accessor.get_filesystem_path(
            os.path.join(os.path.dirname(sequence_path), 'file.{0:04d}.exr'.format(i))))
        for i in range(1, 5)
    )


def test_partly_transferred_sequence(ftrack_session, tmp_path):
    session = ftrack_session
    first = _new_location(session, tmp_path / 'first', priority=20)
    second = _new_location(session, tmp_path / 'second', priority=10)
    frames = tmp_path / 'frames'
    frames.mkdir()
    sequence = session.create_component(_frames(frames), location=first)
    members = list(sequence['members'])

    second.add_components(members[:2], first)
    assert second.get_component_availability(sequence) == 50.0
    availability = session.get_component_availability(sequence, locations=[first, second])
    assert availability == {first['id']: 100.0, second['id']: 50.0}
    assert session.pick_location(sequence) is second

    second.add_components(members[2:3], first)
    assert second.get_component_availability(sequence) == 75.0

    # The container is not registered in the second location yet.
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        second.remove_component(sequence)
    second.remove_components(members[:3])
    assert second.get_component_availability(sequence) == 0.0
    assert first.get_component_availability(sequence) == 100.0


def test_failed_transfer_leaves_nothing_registered(ftrack_session, tmp_path):
    session = ftrack_session
    location = _new_location(session, tmp_path / 'store')
    good = session.create_component(_text_file(tmp_path, b'good'), location=None)
    missing = session.create_component(str(tmp_path / 'missing.txt'), location=None)
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
    with pytest.raises(ftrack_api.exception.LocationError) as error:
        location.add_components([good, missing], origin)
    (transferred_component, identifier), = error.value.details['transferred']
    assert transferred_component is good
    assert (tmp_path / 'store' / identifier).read_bytes() == b'good'
    session.commit()
    assert location.get_component_availabilities([good, missing]) == [0.0, 0.0]


# Events.
def test_location_events_reach_another_session(ftrack_server, tmp_path):
    def connected_session():
        session = connect(ftrack_server, plugin_paths=[])
        session.event_hub.connect()
        return session

    publisher = connected_session()
    listener = connected_session()
    try:
        location = _new_location(publisher, tmp_path / 'store')
        received = []
        for topic in (
            ftrack_api.symbol.COMPONENT_ADDED_TO_LOCATION_TOPIC,
            ftrack_api.symbol.COMPONENT_REMOVED_FROM_LOCATION_TOPIC,
        ):
            listener.event_hub.subscribe(
                'topic={0} and data.location_id={1}'.format(topic, location['id']),
                received.append,
            )
        probe = []
        listener.event_hub.subscribe('topic=test.location-probe', probe.append)
        publisher.event_hub.publish(ftrack_api.event.base.Event(topic='test.location-probe'))
        wait_for(listener.event_hub, lambda: probe)

        component = publisher.create_component(_text_file(tmp_path), location=location)
        wait_for(listener.event_hub, lambda: len(received) == 1)
        location.remove_component(component)
        wait_for(listener.event_hub, lambda: len(received) == 2)

        assert [(event['topic'], event['data']) for event in received] == [
            (ftrack_api.symbol.COMPONENT_ADDED_TO_LOCATION_TOPIC,
             {'component_id': component['id'], 'location_id': location['id']}),
            (ftrack_api.symbol.COMPONENT_REMOVED_FROM_LOCATION_TOPIC,
             {'component_id': component['id'], 'location_id': location['id']}),
        ]
    finally:
        publisher.close()
        listener.close()
