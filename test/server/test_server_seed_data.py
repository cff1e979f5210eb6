"""The seed data a new database starts with, and loading fixture files."""

from __future__ import annotations

import json
import os

import pytest

from ftrack_local_server import LocalServer, LocalServerError
from ftrack_local_server.seed import DEFAULT_FIXTURE, SYSTEM_FIXTURE, read_fixture

BUILT_IN_LOCATIONS = {
    'ftrack.origin': 'ce9b348f-8809-11e3-821c-20c9d081909b',
    'ftrack.unmanaged': 'cb268ecc-8809-11e3-a7e2-20c9d081909b',
    'ftrack.review': 'cd41be70-8809-11e3-b98a-20c9d081909b',
    'ftrack.connect': '07b82a97-8cf9-11e3-9383-20c9d081909b',
    'ftrack.server': '3a372bde-05bc-11e4-8908-20c9d081909b',
}

OBJECT_TYPE_DEFAULTS = {
    'Task': '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c',
    'Milestone': '01decdd1-51cb-11e3-9d5b-20c9d0831e59',
    'Episode': '22139355-61da-4c8f-9db4-3abc870166bc',
    'Folder': '3c133785-51cb-11e3-980a-20c9d0831e59',
    'AssetBuild': '4be63b64-5010-42fb-bf1f-428af9d638f0',
    'Shot': 'bad911de-3bd6-47b9-8b46-3476e237cb36',
    'Sequence': 'e5139355-61da-4c8f-9db4-3abc870166bc',
}

DEFAULT_PRIORITY = '9661b320-3a0c-11e2-81c1-0800200c9a66'


def _names(items, key='name'):
    return sorted(item[key] for item in items)


def test_built_in_locations_have_their_real_ids(raw_api):
    locations = raw_api.query('select id, name from Location')
    found = {item['name']: item['id'] for item in locations}
    for name, location_id in BUILT_IN_LOCATIONS.items():
        assert found.get(name) == location_id


def test_object_types_have_the_ids_the_schema_defaults_to(raw_api, ftrack_server):
    schemas = {
        schema['id']: schema
        for schema in raw_api.ok([{'action': 'query_schemas'}])[0]
    }
    object_types = {
        item['id']: item
        for item in raw_api.query(
            'select id, name, is_leaf, is_taskable, is_statusable, is_typeable '
            'from ObjectType'
        )
    }
    for entity_type, object_type_id in OBJECT_TYPE_DEFAULTS.items():
        assert schemas[entity_type]['properties']['object_type_id']['default'] == object_type_id
        assert object_type_id in object_types, entity_type
    task = object_types[OBJECT_TYPE_DEFAULTS['Task']]
    assert task['name'] == 'Task'
    assert task['is_leaf'] is True and task['is_typeable'] is True
    assert task['is_taskable'] is False
    shot = object_types[OBJECT_TYPE_DEFAULTS['Shot']]
    assert shot['is_leaf'] is False and shot['is_taskable'] is True
    assert object_types[OBJECT_TYPE_DEFAULTS['Folder']]['is_statusable'] is False


def test_default_priority_and_others_exist(raw_api):
    priorities = raw_api.query('select id, name, value from Priority')
    assert DEFAULT_PRIORITY in {item['id'] for item in priorities}
    assert len(priorities) >= 3


def test_states_have_the_real_short_values(raw_api):
    states = raw_api.query('select name, short from State')
    assert {item['short'] for item in states} == {
        'NOT_STARTED', 'IN_PROGRESS', 'DONE', 'BLOCKED'
    }
    shorts = {item['id']: item['short'] for item in raw_api.query('select id, short from State')}
    # Like a real server, a query result spells out a repeated entity only
    # once; later occurrences are bare references.
    statuses = raw_api.query('select name, state from Status')
    assert {shorts[item['state']['id']] for item in statuses} == {
        'NOT_STARTED', 'IN_PROGRESS', 'DONE', 'BLOCKED'
    }


def test_task_types_exist(raw_api):
    names = set(_names(raw_api.query('select name from Type')))
    assert {'Modeling', 'Animation', 'Compositing', 'Lighting', 'Rigging'} <= names


def _project_schema(raw_api):
    schemas = raw_api.query(
        'select id, name, _task_workflow.statuses.name, _version_workflow.statuses.name, '
        '_overrides.type_id, _overrides.workflow_schema.statuses.name, '
        '_task_type_schema.types.name, _schemas.type_id, _schemas.id, '
        'object_types.name from ProjectSchema'
    )
    assert schemas, 'no ProjectSchema seeded'
    return schemas[0]


def test_project_schema_relations_are_populated(raw_api):
    schema = _project_schema(raw_api)
    assert schema['_task_workflow']['statuses']
    assert schema['_version_workflow']['statuses']
    assert schema['_task_type_schema']['types']
    assert schema['_overrides']
    assert schema['_overrides'][0]['workflow_schema']['statuses']
    schema_type_ids = {item['type_id'] for item in schema['_schemas']}
    for name in ('Shot', 'Sequence', 'Episode', 'AssetBuild', 'Milestone'):
        assert OBJECT_TYPE_DEFAULTS[name] in schema_type_ids, name
    assert {'Task', 'Shot', 'Sequence', 'Folder'} <= set(_names(schema['object_types']))


def _schema_statuses(raw_api, schema, entity_type):
    # What ProjectSchema.get_statuses(<entity_type>) reads for typed contexts.
    for item in schema['_schemas']:
        if item['type_id'] == OBJECT_TYPE_DEFAULTS[entity_type]:
            return raw_api.query(
                'select task_status.name from SchemaStatus where schema_id is '
                '"{0}"'.format(item['id'])
            )
    raise AssertionError('no Schema for {0}'.format(entity_type))


def test_statuses_and_types_answer_as_get_statuses_and_get_types_read_them(raw_api):
    schema = _project_schema(raw_api)
    shot_statuses = _schema_statuses(raw_api, schema, 'Shot')
    assert shot_statuses and all(item['task_status']['name'] for item in shot_statuses)
    asset_build = [
        item for item in schema['_schemas']
        if item['type_id'] == OBJECT_TYPE_DEFAULTS['AssetBuild']
    ][0]
    build_types = raw_api.query(
        'select task_type.name from SchemaType where schema_id is "{0}"'.format(asset_build['id'])
    )
    assert {'Character', 'Prop'} <= {item['task_type']['name'] for item in build_types}
    # A task type with an override gets the override's workflow.
    override = schema['_overrides'][0]
    task_statuses = _names(schema['_task_workflow']['statuses'], 'id')
    override_statuses = _names(override['workflow_schema']['statuses'], 'id')
    assert override_statuses != task_statuses
    assert override['type_id'] in {
        item['id'] for item in raw_api.query('select id from Type')
    }


def test_task_templates_refer_to_task_types(raw_api):
    templates = raw_api.query(
        'select name, items.task_type.name from TaskTemplate'
    )
    assert templates
    assert all(template['items'] for template in templates)


def test_studio_content(raw_api):
    assert {'Upload', 'Geometry', 'Image', 'Animation', 'Comp'} <= set(
        _names(raw_api.query('select name from AssetType'))
    )
    assert 'External Note' in _names(raw_api.query('select name from NoteLabel'))
    assert 'External Note' in _names(raw_api.query('select name from NoteCategory'))
    assert raw_api.query('select name from ListCategory')
    roles = raw_api.query('select name, type from SecurityRole')
    assert {'Administrator', 'Project Manager', 'User', 'API'} <= set(_names(roles))
    assert 'PROJECT' in {role['type'] for role in roles}
    assert {
        'text', 'number', 'date', 'enumerator', 'boolean', 'dynamic enumerator',
        'url', 'expression', 'notificationtype',
    } <= set(_names(raw_api.query('select name from CustomAttributeType')))
    settings = raw_api.query(
        'select value from Setting where name is "storage_scenario" and group is "STORAGE"'
    )
    assert json.loads(settings[0]['value'])['scenario'] == 'ftrack.automatic'


def test_admin_user_is_an_administrator(raw_api):
    users = raw_api.query(
        'select username, is_active, user_security_roles.security_role.name, '
        'user_security_roles.is_all_projects from User where username is "{0}"'.format(
            raw_api.api_user
        )
    )
    assert len(users) == 1
    user = users[0]
    assert user['is_active'] is True
    roles = user['user_security_roles']
    assert any(
        role['security_role']['name'] == 'Administrator' and role['is_all_projects']
        for role in roles
    )


def test_shipped_fixture_files_are_valid_operation_lists():
    for path in (SYSTEM_FIXTURE, DEFAULT_FIXTURE):
        operations = read_fixture(path)
        assert operations
        assert all(operation['action'] == 'create' for operation in operations)


def test_bare_database_has_system_data_only(ftrack_server_factory, make_raw_api):
    server = ftrack_server_factory(bare=True)
    api = make_raw_api(server)
    assert len(api.query('select id from Location')) == 5
    assert api.query('select id from ProjectSchema')
    assert api.query('select id from CustomAttributeType')
    assert api.query('select id from AssetType') == []
    assert api.query('select id from ListCategory') == []


def _write(path, operations):
    path.write_text(json.dumps(operations), encoding='utf-8')
    return str(path)


def test_user_fixture_files_are_loaded_in_order(ftrack_server_factory, make_raw_api, tmp_path):
    first = _write(tmp_path / 'first.json', [
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'id': 'c4a7e8b4-0000-4000-8000-000000000001', 'name': 'From fixture'}},
    ])
    second = _write(tmp_path / 'second.json', [
        {'action': 'update', 'entity_type': 'ListCategory',
         'entity_key': ['c4a7e8b4-0000-4000-8000-000000000001'],
         'entity_data': {'name': 'Renamed by second fixture'}},
        {'action': 'create', 'entity_type': 'User',
         'entity_data': {'username': 'fixture.artist', 'is_active': True}},
    ])
    server = ftrack_server_factory(fixtures=[first, second], bare=True)
    api = make_raw_api(server)
    assert _names(api.query('select name from ListCategory')) == ['Renamed by second fixture']
    assert api.query('select id from User where username is "fixture.artist"')


def test_fixture_may_create_the_admin_user_itself(ftrack_server_factory, make_raw_api, tmp_path):
    fixture = _write(tmp_path / 'users.json', [
        {'action': 'create', 'entity_type': 'User',
         'entity_data': {'id': 'c4a7e8b4-0000-4000-8000-0000000000aa',
                         'username': 'studio.admin', 'first_name': 'Studio',
                         'is_active': True}},
    ])
    server = ftrack_server_factory(fixtures=[fixture], api_user='studio.admin')
    api = make_raw_api(server)
    info = api.ok([{'action': 'query_server_information', 'values': ['user_information']}])[0]
    assert info['user_information']['id'] == 'c4a7e8b4-0000-4000-8000-0000000000aa'
    assert info['user_information']['first_name'] == 'Studio'


@pytest.mark.parametrize(
    'content, fragments',
    [
        pytest.param('[{"action": ', ['not valid JSON', 'line 1'], id='malformed'),
        pytest.param('{"action": "create"}', ['must be a JSON list'], id='not-a-list'),
        pytest.param('[{"entity_type": "User"}]', ['Operation 0', 'no "action"'], id='no-action'),
    ],
)
def test_unusable_fixture_file_is_reported_with_its_path(tmp_path, content, fragments):
    path = tmp_path / 'broken.json'
    path.write_text(content, encoding='utf-8')
    server = LocalServer(fixtures=[str(path)])
    with pytest.raises(LocalServerError) as caught:
        server.start()
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_missing_fixture_file_is_reported(tmp_path):
    path = tmp_path / 'missing.json'
    with pytest.raises(LocalServerError) as caught:
        LocalServer(fixtures=[str(path)]).start()
    assert 'does not exist' in str(caught.value)
    assert str(path) in str(caught.value)


def test_failing_fixture_operation_names_file_and_index_and_leaves_no_database(tmp_path):
    fixture = _write(tmp_path / 'failing.json', [
        {'action': 'create', 'entity_type': 'ListCategory', 'entity_data': {'name': 'ok'}},
        {'action': 'create', 'entity_type': 'NoSuchEntityType', 'entity_data': {}},
    ])
    database = tmp_path / 'studio.sqlite'
    with pytest.raises(LocalServerError) as caught:
        LocalServer(database=str(database), fixtures=[fixture]).start()
    message = str(caught.value)
    assert fixture in message
    assert 'operation 1' in message
    assert 'NoSuchEntityType' in message
    assert not os.path.exists(str(database))


def _project_schema_id():
    for operation in read_fixture(SYSTEM_FIXTURE):
        if operation['entity_type'] == 'ProjectSchema':
            return operation['entity_data']['id']
    raise AssertionError('no ProjectSchema in the system fixture')


def test_end_of_batch_checks_cover_all_fixture_files(ftrack_server_factory, make_raw_api, tmp_path):
    project_id = 'c4a7e8b4-0000-4000-8000-0000000000b1'
    sequence_id = 'c4a7e8b4-0000-4000-8000-0000000000b2'
    # The sequence gets its parent only in the second file.
    first = _write(tmp_path / 'first.json', [
        {'action': 'create', 'entity_type': 'Project',
         'entity_data': {'id': project_id, 'name': 'fixture_project', 'full_name': 'Fixture',
                         'project_schema_id': _project_schema_id()}},
        {'action': 'create', 'entity_type': 'Sequence',
         'entity_data': {'id': sequence_id, 'name': 'seq_010'}},
    ])
    second = _write(tmp_path / 'second.json', [
        {'action': 'update', 'entity_type': 'Project', 'entity_key': [project_id],
         'entity_data': {'children': [{'__entity_type__': 'Sequence', 'id': sequence_id}]}},
    ])
    server = ftrack_server_factory(fixtures=[first, second])
    api = make_raw_api(server)
    found = api.query('select parent_id from Sequence where id is "{0}"'.format(sequence_id))
    assert found[0]['parent_id'] == project_id


def test_end_of_batch_check_failure_leaves_no_database(tmp_path):
    orphan = _write(tmp_path / 'orphan.json', [
        {'action': 'create', 'entity_type': 'Sequence',
         'entity_data': {'id': 'c4a7e8b4-0000-4000-8000-0000000000b3', 'name': 'orphan'}},
    ])
    database = tmp_path / 'orphan.sqlite'
    with pytest.raises(LocalServerError) as caught:
        LocalServer(database=str(database), fixtures=[orphan]).start()
    assert 'c4a7e8b4-0000-4000-8000-0000000000b3' in str(caught.value)
    assert 'parent' in str(caught.value)
    assert not database.exists()
