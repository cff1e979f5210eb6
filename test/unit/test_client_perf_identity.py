"""Identity keys, construction tables and generated ids kept cheap but exact."""

import uuid

import pytest

import ftrack_api.cache
import ftrack_api.symbol
from ftrack_api._session.identity import identity_key, string_key
from ftrack_local_server.testing import OfflineSession, offline_session
from ftrack_api.entity.factory import _generate_uid


@pytest.fixture
def session():
    yield from offline_session(echo=False)


@pytest.mark.parametrize('entity_type, values', [
    ('Task', ['a7d0e5e2-0000-4000-8000-000000000001']),
    ('Task', ["it's"]),
    ('Task', ['back\\slash']),
    ('Task', ['new\nline']),
    ('Task', ['caf\u00e9']),
    ('Task', ['\u0300combining']),
    ('Task', ['both \' and "']),
    ('Odd\'Type', ['a']),
    ('Metadata', ['parent', 'key']),
    ('Task', []),
])
def test_string_key_is_str_of_the_identity(entity_type, values):
    assert string_key(entity_type, values) == str((entity_type, values))
    assert identity_key(str, entity_type, values) == str((entity_type, values))


def test_identity_key_uses_a_custom_key_maker():
    maker = ftrack_api.cache.ObjectKeyMaker()
    assert identity_key(maker.key, 'Task', ['a']) == maker.key(('Task', ['a']))


def test_entity_key_follows_primary_key_changes(session):
    task = session.create('Task', {'id': 'first', 'name': 't'}, reconstructing=True)
    assert task._identity_key() == str(('Task', ['first']))
    task._remote['id'] = 'second'
    assert task._identity_key() == str(('Task', ['second']))
    task._local['id'] = 'local'
    assert task._identity_key() == str(('Task', ['local']))
    del task._local['id']
    assert task._identity_key() == str(('Task', ['second']))
    new = session.create('Task', {'name': 'new', 'id': 'chosen'})
    assert new._identity_key() == str(('Task', ['chosen']))


def test_composite_key_entity(session):
    metadata = session.create(
        'Metadata', {'parent_id': 'p', 'key': 'k', 'value': 'v'}, reconstructing=True,
    )
    assert metadata._identity_key() == str(('Metadata', ['p', 'k']))


def test_custom_key_maker_keeps_states_and_identity_consistent():
    maker = ftrack_api.cache.ObjectKeyMaker()
    session = OfflineSession(cache_key_maker=maker)
    try:
        user = session.create('User', {'username': 'martin'})
        key = maker.key(('User', [user['id']]))
        assert session.cache.get(key) is user
        assert session._unit_of_work.state_of(user) is ftrack_api.symbol.CREATED
        assert session.created == [user]
        assert session.get('User', user['id']) is user
    finally:
        session.close()


def test_new_entities_take_changed_defaults(session):
    attribute = session.types['Task'].attributes.get('name')
    previous = attribute.default_value
    try:
        first = session.create('Task', {})
        assert first['name'] == previous
        attribute.default_value = 'changed'
        assert session.create('Task', {})['name'] == 'changed'
        attribute.default_value = lambda entity: 'from ' + entity.entity_type
        assert session.create('Task', {})['name'] == 'from Task'
    finally:
        attribute.default_value = previous


def test_attribute_gaining_a_default_is_used(session):
    attribute = session.types['Task'].attributes.get('description')
    assert attribute.default_value is ftrack_api.symbol.NOT_SET
    session.create('Task', {})
    try:
        attribute.default_value = 'described'
        assert session.create('Task', {})['description'] == 'described'
    finally:
        attribute.default_value = ftrack_api.symbol.NOT_SET
    task = session.create('Task', {})
    assert 'description' not in task._local


def test_added_attribute_is_constructed(session):
    import ftrack_api.attribute

    task_class = session.types['Task']
    session.create('Task', {})
    attribute = ftrack_api.attribute.ScalarAttribute(
        'extra_value', data_type='string', default_value='x',
    )
    task_class.attributes.add(attribute)
    try:
        task = session.create('Task', {'extra_value': 'given'})
        assert task['extra_value'] == 'given'
        assert session.create('Task', {})['extra_value'] == 'x'
    finally:
        task_class.attributes.remove(attribute)


def test_generated_ids_are_uuid4_text():
    seen = set()
    for _ in range(2000):
        text = _generate_uid()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        seen.add(text)
    assert len(seen) == 2000
