"""Private helpers of upstream's modules that integrations call (ours).

Offline where possible; the query and configuration helpers use a real
LocalServer.
"""

import os

import pytest

import ftrack_api
import ftrack_api._python_ntpath
import ftrack_api.accessor.disk
import ftrack_api.accessor.server
import ftrack_api.attribute
import ftrack_api.cache
import ftrack_api.collection
import ftrack_api.data
import ftrack_api.entity.factory
import ftrack_api.formatter
import ftrack_api.inspection
import ftrack_api.logging
import ftrack_api.operation
import ftrack_api.symbol as symbol
from ftrack_local_server.testing import OfflineSession


@pytest.fixture
def session():
    session = OfflineSession()
    yield session
    session.rollback()
    session.close()


def test_module_names():
    for module in (ftrack_api.collection, ftrack_api.entity.factory, ftrack_api.session):
        assert module.L is ftrack_api.logging.LazyLogMessage
    assert ftrack_api.attribute.logger.name == 'ftrack_api.attribute'
    assert ftrack_api.accessor.server.String is ftrack_api.data.String
    assert ftrack_api.accessor.disk.ntpath is ftrack_api._python_ntpath


def test_python_ntpath_extras(tmp_path):
    path = ftrack_api._python_ntpath
    assert path.join('a', 'b') == 'a\\b'
    assert path.splitunc('\\\\host\\share\\x') == ('\\\\host\\share', '\\x')
    assert path.splitunc('C:\\x') == ('', 'C:\\x')
    assert path.splitunc('\\\\host') == ('', '\\\\host')
    (tmp_path / 'a' / 'b').mkdir(parents=True)
    seen = []
    path.walk(str(tmp_path), lambda arg, top, names: seen.append((arg, sorted(names))), 7)
    assert seen == [(7, ['a']), (7, ['b']), (7, [])]


def test_state_transitions_follow_upstream():
    create = ftrack_api.operation.CreateEntityOperation('User', {'id': '1'}, {})
    update = ftrack_api.operation.UpdateEntityOperation('User', {'id': '1'}, 'a', 1, 2)
    delete = ftrack_api.operation.DeleteEntityOperation('User', {'id': '1'})
    table = {
        state: [ftrack_api.inspection._state(item, state) for item in (create, update, delete)]
        for state in (symbol.NOT_SET, symbol.CREATED, symbol.MODIFIED, symbol.DELETED)
    }
    assert table == {
        symbol.NOT_SET: [symbol.CREATED, symbol.MODIFIED, symbol.DELETED],
        symbol.CREATED: [symbol.CREATED, symbol.CREATED, symbol.DELETED],
        symbol.MODIFIED: [symbol.MODIFIED, symbol.MODIFIED, symbol.DELETED],
        symbol.DELETED: [symbol.DELETED, symbol.DELETED, symbol.DELETED],
    }


def test_formatter_colour_decision(monkeypatch):
    monkeypatch.setenv('NO_COLOR', '1')
    assert ftrack_api.formatter._can_do_colors() is False
    monkeypatch.delenv('NO_COLOR')
    monkeypatch.setenv('FORCE_COLOR', '1')
    assert ftrack_api.formatter._can_do_colors() is True


def test_query_result_helpers(ftrack_session):
    session = ftrack_session
    result = session.query('Priority')
    assert result._can_fetch_more() is True
    result.all()
    assert result._can_fetch_more() is False
    assert result._extract_offset_and_limit('select id from Priority offset 2 limit 3') == (
        'select id from Priority', 2, 3)
    assert result._extract_offset_and_limit(
        'select id from X where name is "offset 3"') == (
        'select id from X where name is "offset 3"', None, None)


def test_key_maker_key_takes_obj():
    assert ftrack_api.cache.StringKeyMaker()._key(obj=5) == '5'


def test_adapt_to_collection_and_mapping(ftrack_session):
    session = ftrack_session
    schema = session.query('ProjectSchema').first()
    project = session.create('Project', {
        'name': 'adapt', 'full_name': 'adapt', 'project_schema': schema})
    attributes = type(project).attributes
    children = attributes.get('children')._adapt_to_collection(project, [])
    assert isinstance(children, ftrack_api.collection.Collection)
    metadata = attributes.get('metadata')._adapt_to_collection(project, {'a': 'b'})
    assert isinstance(metadata, ftrack_api.collection.KeyValueMappedCollectionProxy)
    assert dict(metadata) == {'a': 'b'}


def test_custom_attribute_configuration_helpers(ftrack_session):
    session = ftrack_session
    assert isinstance(
        ftrack_api.collection._get_custom_attribute_configurations(session), list)
    schema = session.query('ProjectSchema').first()
    project = session.create('Project', {
        'name': 'conf', 'full_name': 'conf', 'project_schema': schema})
    assert isinstance(ftrack_api.entity.factory._get_entity_configurations(project), list)


def test_memory_location_hooks(session):
    origin = session.get('Location', symbol.ORIGIN_LOCATION_ID)
    component = session.create_component('/data/x.txt', location=None)
    assert origin._cache[component['id']] == '/data/x.txt'
    assert origin._get_resource_identifiers([component]) == ['/data/x.txt']
    other = session.create('FileComponent', {'name': 'other'})
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError) as raised:
        origin._get_resource_identifiers([other])
    assert str(raised.value).startswith("Component(s) b'<FileComponent(")
    origin._register_component_in_location(other, '/data/y')
    assert origin.get_resource_identifier(other) == '/data/y'
    origin._deregister_component_in_location(other)
    assert other['id'] not in origin._cache


def test_populate_unset_scalar_attributes_does_nothing_for_new_entities(session):
    scope = session.create('Scope', {'name': 'new'})
    assert scope._populate_unset_scalar_attributes() is None
