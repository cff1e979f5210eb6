"""The seed data as the client library uses it: the documentation's examples run as written."""

from __future__ import annotations

import json
import uuid

import pytest

import ftrack_api


@pytest.fixture
def session(ftrack_server_factory, tmp_path):
    server = ftrack_server_factory()
    session = ftrack_api.Session(
        server_url=server.url,
        api_user=server.api_user,
        api_key=server.api_key,
        schema_cache_path=str(tmp_path),
    )
    try:
        yield session
    finally:
        session.close()


def test_creating_a_project_example_runs_as_written(session):
    name = 'projectname_{0}'.format(uuid.uuid1().hex)
    project_schema = session.query('ProjectSchema').first()
    project = session.create('Project', {
        'name': name,
        'full_name': name + '_full',
        'project_schema': project_schema,
    })
    default_shot_status = project_schema.get_statuses('Shot')[0]
    default_task_type = project_schema.get_types('Task')[0]
    default_task_status = project_schema.get_statuses('Task', default_task_type['id'])[0]
    for sequence_number in range(1, 5):
        sequence = session.create('Sequence', {
            'name': 'seq_{0}'.format(sequence_number),
            'parent': project,
        })
        for shot_number in range(1, 5):
            shot = session.create('Shot', {
                'name': '{0}0'.format(shot_number).zfill(3),
                'parent': sequence,
                'status': default_shot_status,
            })
            for task_number in range(1, 5):
                session.create('Task', {
                    'name': 'task_{0}'.format(task_number),
                    'parent': shot,
                    'status': default_task_status,
                    'type': default_task_type,
                })
    session.commit()
    tasks = session.query(
        'select status.name, type.name from Task where project.id is "{0}"'.format(project['id'])
    ).all()
    assert len(tasks) == 64
    assert {task['status']['name'] for task in tasks} == {default_task_status['name']}


def test_get_statuses_and_get_types(session):
    project_schema = session.query('ProjectSchema').first()
    assert [status['name'] for status in project_schema.get_statuses('Shot')]
    assert [status['name'] for status in project_schema.get_statuses('Sequence')]
    assert [status['name'] for status in project_schema.get_statuses('AssetVersion')]
    assert {'Character', 'Prop'} <= {
        item['name'] for item in project_schema.get_types('AssetBuild')
    }
    task_types = project_schema.get_types('Task')
    assert {'Modeling', 'Animation', 'Compositing'} <= {item['name'] for item in task_types}
    # The override gives "Delivery" tasks their own workflow.
    delivery = session.query('Type where name is "Delivery"').one()
    generic = session.query('Type where name is "Generic"').one()
    delivery_statuses = [s['name'] for s in project_schema.get_statuses('Task', delivery['id'])]
    generic_statuses = [s['name'] for s in project_schema.get_statuses('Task', generic['id'])]
    assert 'Delivered' in delivery_statuses
    assert 'Delivered' not in generic_statuses


def test_documented_lookups_find_seed_data(session):
    assert session.query('NoteLabel where name is "External Note"').first()
    assert session.query('NoteCategory where name is "External Note"').first()
    assert session.query('SecurityRole where name is "Project Manager"').one()
    assert session.query('select name from SecurityRole where type is "PROJECT"').all()
    for name in ('text', 'number', 'date', 'enumerator', 'dynamic enumerator', 'boolean'):
        assert session.query('CustomAttributeType where name is "{0}"'.format(name)).one()
    assert session.query('ObjectType where name is "Folder"').one()
    assert session.query('Location where name is "ftrack.server"').one()
    assert session.query('ListCategory').first()
    project_schema = session.query('ProjectSchema').first()
    templates = project_schema['task_templates']
    assert templates
    assert all(
        [item['task_type']['name'] for item in template['items']] for template in templates
    )


def test_custom_attribute_configuration_example(session):
    custom_attribute_type = session.query('CustomAttributeType where name is "text"').one()
    session.create('CustomAttributeConfiguration', {
        'entity_type': 'assetversion',
        'type': custom_attribute_type,
        'label': 'Asset version text attribute',
        'key': 'asset_version_text_attribute',
        'default': 'bar',
        'config': json.dumps({'markdown': False}),
    })
    session.commit()
    assert session.query(
        'CustomAttributeConfiguration where key is "asset_version_text_attribute"'
    ).one()


def test_user_security_role_example(session):
    user = session.query('User where username is "{0}"'.format(session.api_user)).one()
    project_manager_role = session.query('SecurityRole where name is "Project Manager"').one()
    session.create('UserSecurityRole', {
        'is_all_projects': True,
        'user': user,
        'security_role': project_manager_role,
    })
    session.commit()
    names = {
        role['security_role']['name']
        for role in session.query(
            'UserSecurityRole where user.username is "{0}"'.format(session.api_user)
        ).all()
    }
    assert {'Administrator', 'Project Manager'} <= names


def test_reset_api_key_through_the_client(session):
    user = session.query('User where username is "{0}"'.format(session.api_user)).one()
    new_key = user.reset_api_key()
    assert new_key and new_key != session.api_key
