"""Custom locations overriding the location hooks, against a LocalServer.

Integrations subclass (or mix into) locations and override the private
steps ``_get_resource_identifiers``, ``_register_components_in_location``,
``_register_component_in_location``, ``_deregister_component_in_location``,
``_add_data`` and ``_remove_data``; add, remove and every identifier lookup
must go through their overrides.
"""

import json
import os

import pytest

import ftrack_api
import ftrack_api.accessor.disk
import ftrack_api.entity.location
import ftrack_api.exception
import ftrack_api.structure.base
import ftrack_api.symbol
from ftrack_local_server.testing import record_requests, unique_name


class _IdStructure(ftrack_api.structure.base.Structure):
    """Resource identifier: the component id (flat, predictable)."""

    def get_resource_identifier(self, entity, context=None):
        return entity['id']


class RegistryHooks(object):
    """Keep registrations in a dict of the location instead of the server."""

    def _registry(self):
        return self.__dict__.setdefault('_test_registry', {})

    def _register_components_in_location(self, components, resource_identifiers):
        for component, identifier in zip(components, resource_identifiers):
            self._registry()[component['id']] = 'registry:' + identifier

    def _deregister_component_in_location(self, component):
        del self._registry()[component['id']]

    def _get_resource_identifiers(self, components):
        components = list(components)
        missing = [c for c in components if c['id'] not in self._registry()]
        if missing:
            raise ftrack_api.exception.ComponentNotInLocationError(missing, self)
        return [
            self._registry()[component['id']][len('registry:'):]
            for component in components
        ]


def _location(session, root, *mixins):
    location = session.create('Location', {'name': unique_name('hooks')})
    for mixin in mixins:
        ftrack_api.mixin(location, mixin, name=mixin.__name__)
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(root))
    location.structure = _IdStructure()
    session.commit()
    return location


def _component(session, tmp_path, name='source.txt', content=b'payload'):
    path = tmp_path / name
    path.write_bytes(content)
    return session.create_component(str(path), location=None)


def _sequence(session, tmp_path):
    for index in (1, 2):
        (tmp_path / 'frame.{0:04d}.exr'.format(index)).write_bytes(b'frame')
    return session.create_component(
        str(tmp_path / 'frame.%04d.exr [1-2]'), location=None
    )


def _component_location_operations(bodies):
    return [
        operation for body in bodies for operation in json.loads(body)
        if operation.get('entity_type') == 'ComponentLocation'
        or 'ComponentLocation' in operation.get('expression', '')
    ]


def test_registry_location_is_used_for_add_lookups_and_remove(ftrack_session, tmp_path):
    session = ftrack_session
    location = _location(session, tmp_path / 'store', RegistryHooks)
    component = _component(session, tmp_path)
    session.commit()
    sent = record_requests(session)

    location.add_component(component, session.get(
        'Location', ftrack_api.symbol.ORIGIN_LOCATION_ID))
    assert location._registry() == {component['id']: 'registry:' + component['id']}
    assert location.get_resource_identifier(component) == component['id']
    assert location.get_resource_identifiers([component]) == [component['id']]
    path = location.get_filesystem_path(component)
    assert path == str(tmp_path / 'store' / component['id'])
    with open(path, 'rb') as handle:
        assert handle.read() == b'payload'
    with pytest.raises(ftrack_api.exception.ComponentInLocationError):
        location.add_component(component, session.get(
            'Location', ftrack_api.symbol.ORIGIN_LOCATION_ID))

    location.remove_component(component)
    assert location._registry() == {}
    assert not os.path.exists(path)
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        location.get_resource_identifier(component)
    # Nothing about ComponentLocation reached the server: the hooks did it all.
    assert _component_location_operations(sent) == []


def test_registry_location_as_a_source(ftrack_session, tmp_path):
    session = ftrack_session
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
    source = _location(session, tmp_path / 'source', RegistryHooks)
    target = _location(session, tmp_path / 'target', RegistryHooks)
    component = _component(session, tmp_path, content=b'moved')
    session.commit()
    source.add_component(component, origin)

    target.add_component(component, source)
    with open(target.get_filesystem_path(component), 'rb') as handle:
        assert handle.read() == b'moved'


class SingularMemoryHooks(object):
    """Record the singular memory hooks the plural ones must go through."""

    def _register_component_in_location(self, component, resource_identifier):
        self.__dict__.setdefault('_test_seen', []).append(('register', component['id']))
        return super(SingularMemoryHooks, self)._register_component_in_location(
            component, resource_identifier)

    def _deregister_component_in_location(self, component):
        self.__dict__.setdefault('_test_seen', []).append(('deregister', component['id']))
        return super(SingularMemoryHooks, self)._deregister_component_in_location(component)


def test_memory_location_goes_through_singular_hooks(ftrack_session, tmp_path):
    session = ftrack_session
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
    location = _location(
        session, tmp_path / 'store',
        ftrack_api.entity.location.MemoryLocationMixin, SingularMemoryHooks,
    )
    sequence = _sequence(session, tmp_path)
    members = list(sequence['members'])
    session.commit()

    location.add_component(sequence, origin)
    # Members are added (and registered) before their container.
    assert location._test_seen == [
        ('register', members[0]['id']), ('register', members[1]['id']),
        ('register', sequence['id']),
    ]
    assert sorted(location._cache) == sorted(
        [sequence['id']] + [member['id'] for member in members])

    del location._test_seen[:]
    location.remove_component(sequence)
    assert location._test_seen == [
        ('deregister', members[0]['id']), ('deregister', members[1]['id']),
        ('deregister', sequence['id']),
    ]
    assert location._cache == {}


def test_memory_deregistering_an_absent_component_raises_key_error(ftrack_session, tmp_path):
    session = ftrack_session
    location = _location(
        session, tmp_path / 'store', ftrack_api.entity.location.MemoryLocationMixin)
    component = _component(session, tmp_path)
    with pytest.raises(KeyError) as raised:
        location._deregister_component_in_location(component)
    assert raised.value.args == (component['id'],)
    # The plural form (used by the session's own clean-up) skips it.
    location._deregister_components_in_location([component])


def test_remove_goes_component_by_component(ftrack_session, tmp_path):
    session = ftrack_session
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
    location = _location(session, tmp_path / 'store')
    first = _component(session, tmp_path, 'first.txt')
    second = _component(session, tmp_path, 'second.txt')
    session.commit()
    location.add_component(first, origin)

    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError) as raised:
        location.remove_components([first, second])
    assert raised.value.details['components'] == [second]
    # The component before the missing one was removed, data and registration.
    assert location.get_component_availability(first) == 0.0
    assert not (tmp_path / 'store' / first['id']).exists()


def test_hook_errors_propagate_unwrapped(ftrack_session, tmp_path):
    session = ftrack_session
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)

    class FailingRemove(object):
        def _remove_data(self, component):
            raise RuntimeError('cannot remove ' + component['id'])

    location = _location(session, tmp_path / 'store', FailingRemove)
    component = _component(session, tmp_path)
    session.commit()
    location.add_component(component, origin)
    with pytest.raises(RuntimeError, match='cannot remove ' + component['id']):
        location.remove_component(component)
    # Still registered: the registration is only deleted after the data.
    assert location.get_resource_identifier(component) == component['id']


def test_failed_member_stops_the_container(ftrack_session, tmp_path):
    session = ftrack_session
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
    location = _location(
        session, tmp_path / 'store', ftrack_api.entity.location.MemoryLocationMixin)
    single = _component(session, tmp_path)
    sequence = _sequence(session, tmp_path)
    taken = sequence['members'][1]
    location._register_component_in_location(taken, 'taken')

    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        location.add_components([single, sequence], origin)
    message = str(raised.value)
    assert message.startswith(
        'Failed to transfer component {0} data to location {1} due to '
        'error:'.format(sequence, location))
    assert 'already exist in location' in message
    # The component before the container was transferred (listed for clean
    # up) but, like the rest of its level, not registered.
    assert raised.value.details['transferred'] == [(single, single['id'])]
    assert sorted(location._cache) == [taken['id']]
