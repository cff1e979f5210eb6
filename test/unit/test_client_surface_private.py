"""Private helpers integrations call on entity, location, accessor and query
modules (ours, offline; compared with upstream in
test/compat/test_compat_surface_entities.py)."""

import base64
import hashlib
import inspect
import ntpath
import uuid

import pytest

import ftrack_api
import ftrack_api._python_ntpath
import ftrack_api.accessor.disk
import ftrack_api.accessor.server
import ftrack_api.attribute
import ftrack_api.collection
import ftrack_api.entity.location
import ftrack_api.exception
import ftrack_api.operation
import ftrack_api.structure.base
import ftrack_api.symbol as symbol
from ftrack_local_server.testing import offline_session


@pytest.fixture
def session():
    yield from offline_session()


class _IdStructure(ftrack_api.structure.base.Structure):
    def get_resource_identifier(self, entity, context=None):
        return entity['id']


def _memory_location(session, root, *mixins):
    location = session.create(
        'Location', {'id': str(uuid.uuid4()), 'name': 'memory'}, reconstructing=True
    )
    ftrack_api.mixin(location, ftrack_api.entity.location.MemoryLocationMixin,
                     name='MemoryLocation')
    for mixin in mixins:
        ftrack_api.mixin(location, mixin, name=mixin.__name__)
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(root))
    location.structure = _IdStructure()
    return location


def _component(session, name='c'):
    return session.create(
        'FileComponent', {'id': str(uuid.uuid4()), 'name': name}, reconstructing=True
    )


class _ListedLookups(object):
    """Answer lookups from a dict of the test; record each call."""

    def _get_resource_identifiers(self, components):
        components = list(components)
        self.__dict__.setdefault('_test_calls', []).append(
            [component['name'] for component in components])
        table = self.__dict__['_test_table']
        missing = [c for c in components if c['id'] not in table]
        if missing:
            raise ftrack_api.exception.ComponentNotInLocationError(missing, self)
        return [table[component['id']] for component in components]


def test_public_lookups_use_the_get_resource_identifiers_hook(session, tmp_path):
    location = _memory_location(session, tmp_path, _ListedLookups)
    first, second = _component(session, 'first'), _component(session, 'second')
    location.__dict__['_test_table'] = {first['id']: 'a.txt', second['id']: 'b.txt'}

    assert location.get_resource_identifier(first) == 'a.txt'
    assert location.get_resource_identifiers([first, second]) == ['a.txt', 'b.txt']
    assert location.get_filesystem_path(second) == str(tmp_path / 'b.txt')
    assert location.get_filesystem_paths([first]) == [str(tmp_path / 'a.txt')]
    assert location._test_calls == [
        ['first'], ['first', 'second'], ['second'], ['first']]


def test_identifier_map_asks_again_for_the_present_ones(session, tmp_path):
    location = _memory_location(session, tmp_path, _ListedLookups)
    present, absent = _component(session, 'present'), _component(session, 'absent')
    location.__dict__['_test_table'] = {present['id']: 'p.txt'}

    assert location._resource_identifier_map([present, absent]) == {present['id']: 'p.txt'}
    assert location._test_calls == [['present', 'absent'], ['present']]
    del location._test_calls[:]
    assert location._resource_identifier_map([absent]) == {}
    assert location._test_calls == [['absent']]
    assert location._resource_identifier_map([]) == {}
    assert location._test_calls == [['absent']]


def test_presence_check_is_one_hook_call(session, tmp_path):
    location = _memory_location(session, tmp_path, _ListedLookups)
    present, absent = _component(session, 'present'), _component(session, 'absent')
    location.__dict__['_test_table'] = {present['id']: 'p.txt'}
    assert location._components_present([present, absent]) == [present]
    assert location._components_present([absent]) == []
    assert location._test_calls == [['present', 'absent'], ['absent']]


def test_memory_registration_goes_through_the_singular_hook(session, tmp_path):
    seen = []

    class Singular(object):
        def _register_component_in_location(self, component, resource_identifier):
            seen.append(('register', component['name'], resource_identifier))
            super(Singular, self)._register_component_in_location(
                component, resource_identifier)

        def _deregister_component_in_location(self, component):
            seen.append(('deregister', component['name']))
            super(Singular, self)._deregister_component_in_location(component)

    location = _memory_location(session, tmp_path, Singular)
    first, second = _component(session, 'first'), _component(session, 'second')
    location._register_components_in_location([first, second], ['1', '2'])
    assert location._cache == {first['id']: '1', second['id']: '2'}
    location._deregister_components_in_location([first, _component(session, 'never')])
    assert seen == [
        ('register', 'first', '1'), ('register', 'second', '2'), ('deregister', 'first'),
    ]
    assert location._cache == {second['id']: '2'}


def test_memory_cache_is_per_location(session, tmp_path):
    one = _memory_location(session, tmp_path)
    other = _memory_location(session, tmp_path)
    component = _component(session)
    one._register_component_in_location(component, 'x')
    assert one._cache == {component['id']: 'x'}
    assert other._cache == {}
    with pytest.raises(KeyError) as raised:
        other._deregister_component_in_location(component)
    assert raised.value.args == (component['id'],)


def test_hook_signatures_match_upstream_names():
    location = ftrack_api.entity.location
    for cls in (location.MemoryLocationMixin, location.Location):
        assert list(inspect.signature(cls._register_component_in_location).parameters) == [
            'self', 'component', 'resource_identifier']
        assert list(inspect.signature(cls._deregister_component_in_location).parameters) == [
            'self', 'component']
        assert list(inspect.signature(cls._get_resource_identifiers).parameters) == [
            'self', 'components']
    assert isinstance(inspect.getattr_static(location.OriginLocationMixin, '_cache'), property)
    assert list(inspect.signature(
        ftrack_api.accessor.server._ServerAccessor.remove).parameters) == [
        'self', 'resourceIdentifier']


def test_server_file_checksum_sums_from_the_position(session):
    handle = ftrack_api.accessor.server.ServerFile('unused', session, mode='wb')
    handle.write(b'abcdef')

    def summed(data):
        return base64.b64encode(hashlib.md5(data).digest()).decode('ascii')

    assert handle._compute_checksum() == summed(b'')
    assert handle.tell() == 6
    handle.seek(2)
    assert handle._compute_checksum() == summed(b'cdef')
    assert handle.tell() == 2
    handle.seek(0)
    assert handle._compute_checksum() == summed(b'abcdef')
    assert handle._get_size() == 6
    handle._discard()


@pytest.mark.parametrize('expression, expected', [
    ('select id from Priority', ('select id from Priority', None, None)),
    ('select id from Priority offset 5', ('select id from Priority', 5, None)),
    ('select id from Priority limit 3', ('select id from Priority', None, 3)),
    ('select id from Priority offset 2 limit 3', ('select id from Priority', 2, 3)),
    ('select id from Priority limit 3 offset 2', ('select id from Priority', 2, 3)),
    # Kept fix (README): inside a quoted value they are part of the value.
    ('Priority where name is "limit 3"', ('Priority where name is "limit 3"', None, None)),
])
def test_extract_offset_and_limit(session, expression, expected):
    result = session.query('Priority')
    assert result._extract_offset_and_limit(expression) == expected


def test_can_fetch_more_before_the_first_page(session):
    assert session.query('Priority')._can_fetch_more() is True


def test_collection_notify_records_the_old_value(session):
    user = session.create('User', {'id': str(uuid.uuid4()), 'username': 'u'},
                          reconstructing=True)
    collection = ftrack_api.collection.Collection(
        user, type(user).attributes.get('appointments'), data=[])
    before = len(session.recorded_operations)
    collection._notify(old_value=['earlier'])
    operations = list(session.recorded_operations)[before:]
    assert len(operations) == 1
    operation = operations[0]
    assert isinstance(operation, ftrack_api.operation.UpdateEntityOperation)
    assert operation.attribute_name == 'appointments'
    # Upstream records the list as given; ours a collection of its items
    # (the snapshot _session/collection_values.py keeps as remote value).
    assert list(operation.old_value) == ['earlier']
    assert list(operation.new_value) == []


def test_python_ntpath_is_the_standard_one_plus_extras():
    module = ftrack_api._python_ntpath
    for name in ntpath.__all__:
        assert getattr(module, name) is getattr(ntpath, name), name
    assert module.splitunc('//host/share/dir') == ('//host/share', '/dir')
    assert ftrack_api.accessor.disk.ntpath is module


def test_attribute_module_logger():
    assert ftrack_api.attribute.logger.name == 'ftrack_api.attribute'
    assert ftrack_api.collection.L is ftrack_api.logging.LazyLogMessage
    assert ftrack_api.entity.location.L is ftrack_api.logging.LazyLogMessage
    assert symbol.NOT_SET is ftrack_api.symbol.NOT_SET
