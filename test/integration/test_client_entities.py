"""The 'Working with entities' chapter, against a LocalServer."""


import pytest

import ftrack_api
import ftrack_api.attribute
import ftrack_api.entity.base
import ftrack_api.entity.factory
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_local_server.testing import connect, create_project, create_task
from ftrack_local_server.testing import unique_name as unique

NOT_SET = ftrack_api.symbol.NOT_SET


@pytest.fixture
def task(ftrack_session):
    project = create_project(ftrack_session, 'entities')
    return create_task(ftrack_session, project, name='model')


def test_attribute_types_on_class(ftrack_session, task):
    attributes = type(task).attributes
    assert isinstance(attributes.get('id'), ftrack_api.attribute.ScalarAttribute)
    assert isinstance(attributes.get('status'), ftrack_api.attribute.ReferenceAttribute)
    assert isinstance(attributes.get('timelogs'), ftrack_api.attribute.CollectionAttribute)
    assert isinstance(
        attributes.get('metadata'), ftrack_api.attribute.KeyValueMappedCollectionAttribute
    )
    assert 'ScalarAttribute(id)' in repr(attributes.get('id'))


def test_scalar_reference_and_collection_access(ftrack_session, task):
    session = ftrack_session
    assert task['name'] == 'model'
    task['name'] = 'comp'
    assert isinstance(task['status'], session.types['Status'])
    new_status = session.query('Status').first()
    task['status'] = new_status
    assert task['timelogs'][:] == []
    user = session.query('User').first()
    new_timelog = session.create('Timelog', {'user': user, 'duration': 60})
    task['timelogs'].append(new_timelog)
    session.commit()

    with connect(session) as other:
        loaded = other.get('Task', task['id'])
        assert loaded['name'] == 'comp'
        assert loaded['status']['id'] == new_status['id']
        assert [timelog['id'] for timelog in loaded['timelogs']] == [new_timelog['id']]


def test_new_entity_defaults_and_not_set(ftrack_session):
    new_user = ftrack_session.create('User', {'username': unique('martin')})
    assert len(new_user['id']) == 36
    assert new_user['first_name'] is NOT_SET


def test_update_without_fetching(ftrack_session, task):
    session = ftrack_session
    with session.auto_populating(False):
        loaded = session.query('Task where id is "{0}"'.format(task['id'])).first()
        loaded['bid'] = 8
    session.commit()
    assert session.query(
        'select bid from Task where id is "{0}"'.format(task['id'])
    ).one()['bid'] == 8


def test_reset_remote_api_key(ftrack_session):
    user = ftrack_session.create('User', {'username': unique('test_user')})
    ftrack_session.commit()
    old_key = ftrack_session.query(
        'select api_key from User where id is "{0}"'.format(user['id'])
    ).one()['api_key'] if 'api_key' in user.keys() else None
    result = ftrack_session.reset_remote('api_key', entity=user)
    assert result['api_key']
    assert result['api_key'] != old_key


def test_delete(ftrack_session, task):
    session = ftrack_session
    session.delete(task)
    assert ftrack_api.inspection.state(task) is ftrack_api.symbol.DELETED
    session.commit()
    assert session.query('Task where id is "{0}"'.format(task['id'])).first() is None
    # The local instance keeps its data.
    assert task['name'] == 'model'


def test_populate(ftrack_session):
    session = ftrack_session
    users = session.query('User')
    session.populate(users, 'first_name, last_name')
    with session.auto_populating(False):
        for user in users:
            assert user['first_name'] is not NOT_SET
            assert user['email'] is NOT_SET


def test_populate_keeps_local_values(ftrack_session):
    user = ftrack_session.query('User').first()
    user['first_name'] = 'local'
    ftrack_session.populate([user], 'first_name')
    assert user['first_name'] == 'local'
    del user['first_name']
    with ftrack_session.auto_populating(False):
        assert user['first_name'] is not NOT_SET


def test_entity_states(ftrack_session):
    session = ftrack_session
    new_user = session.create('User', {})
    assert ftrack_api.inspection.state(new_user) is ftrack_api.symbol.CREATED
    existing_user = session.query('User').first()
    assert ftrack_api.inspection.state(existing_user) is NOT_SET
    existing_user['email'] = 'martin@example.com'
    assert ftrack_api.inspection.state(existing_user) is ftrack_api.symbol.MODIFIED
    session.delete(new_user)
    assert ftrack_api.inspection.state(new_user) is ftrack_api.symbol.DELETED
    session.rollback()


def test_default_projections_of_user(ftrack_session):
    user = ftrack_session.query('User').first()
    with ftrack_session.auto_populating(False):
        items = dict(user.items())
    assert items['id'] == user['id']
    assert items['username'] is NOT_SET
    assert items['first_name'] is NOT_SET


def _factory_plugin(tmp_path, body):
    (tmp_path / 'factory_plugin.py').write_text(
        'import ftrack_api.entity.base\n'
        'import ftrack_api.entity.factory\n'
        + body +
        '\n'
        'def register(session):\n'
        '    factory = Factory()\n'
        '    session.event_hub.subscribe(\n'
        "        'topic=ftrack.api.session.construct-entity-type',\n"
        "        lambda event: factory.create(event['data']['schema']))\n"
    )
    return [str(tmp_path)]


def test_custom_default_projections(ftrack_server, tmp_path):
    paths = _factory_plugin(tmp_path, (
        'class Factory(ftrack_api.entity.factory.StandardFactory):\n'
        '    def create(self, schema, bases=None):\n'
        '        cls = super(Factory, self).create(schema, bases=bases)\n'
        "        if schema['id'] == 'User':\n"
        "            cls.default_projections = ['id', 'username']\n"
        '        return cls\n'
    ))
    with connect(ftrack_server, plugin_paths=paths) as session:
        user = session.query('User').first()
        with session.auto_populating(False):
            items = dict(user.items())
        assert items['username'] not in (NOT_SET, None)
        assert items['first_name'] is NOT_SET

        explicit = connect(ftrack_server, plugin_paths=paths)
        try:
            user = explicit.query('select id from User').first()
            with explicit.auto_populating(False):
                assert user['username'] is NOT_SET
        finally:
            explicit.close()


def test_helper_method_and_custom_base(ftrack_server, tmp_path):
    paths = _factory_plugin(tmp_path, (
        'class CustomUser(ftrack_api.entity.base.Entity):\n'
        '    def get_full_name(self):\n'
        "        return '{0} {1}'.format(self['first_name'], self['last_name']).strip()\n"
        '\n'
        'class Factory(ftrack_api.entity.factory.StandardFactory):\n'
        '    def create(self, schema, bases=None):\n'
        '        if bases is None:\n'
        '            bases = [ftrack_api.entity.base.Entity]\n'
        "        if schema['id'] == 'User':\n"
        '            bases = [CustomUser]\n'
        '        return super(Factory, self).create(schema, bases=bases)\n'
    ))
    with connect(ftrack_server, plugin_paths=paths) as session:
        user = session.query('User').first()
        expected = '{0} {1}'.format(user['first_name'], user['last_name']).strip()
        assert user.get_full_name() == expected
        mro = type(user).__mro__
        assert repr(mro[0]) == "<dynamic ftrack class 'User'>"
        assert repr(mro[1]) == "<dynamic ftrack class 'CustomUser'>"
