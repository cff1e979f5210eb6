"""``create`` through real HTTP against a LocalServer (no client library)."""

import uuid

import pytest

from ftrack_local_server.testing import new_id, ref

SHOT = 'bad911de-3bd6-47b9-8b46-3476e237cb36'
SEQUENCE = 'e5139355-61da-4c8f-9db4-3abc870166bc'
TASK = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'
PRIORITY = '9661b320-3a0c-11e2-81c1-0800200c9a66'
SERVER_LOCATION = '3a372bde-05bc-11e4-8908-20c9d081909b'


def py_create(entity_type, data):
    """A create operation shaped like the Python client's (entity_key, defaults)."""
    values = {'__entity_type__': entity_type, 'id': new_id()}
    object_types = {'Sequence': SEQUENCE, 'Shot': SHOT, 'Task': TASK}
    if entity_type in object_types:
        values.update({'object_type_id': object_types[entity_type],
                       'priority_id': PRIORITY, 'name': ''})
    if entity_type == 'Project':
        values.update({'is_global': False, 'is_private': False, 'name': ''})
    values.update(data)
    return {'action': 'create', 'entity_type': entity_type,
            'entity_key': [values['id']], 'entity_data': values}


@pytest.fixture
def schema(raw_api):
    """Ids from the default studio: a project schema, statuses and a task type."""
    project_schema = raw_api.query('select id from ProjectSchema')[0]['id']
    shot_schema = raw_api.query(
        'select id from Schema where project_schema_id is "{0}" and '
        'object_type_id is "{1}"'.format(project_schema, SHOT))[0]['id']
    shot_statuses = raw_api.query(
        'select status_id, sort from SchemaStatus where schema_id is "{0}"'.format(
            shot_schema))
    shot_statuses.sort(key=lambda row: row['sort'])
    task_type = raw_api.query(
        'select type_id from TaskTypeSchemaType')[0]['type_id']
    task_status = raw_api.query(
        'select status_id from WorkflowSchemaStatus')[0]['status_id']
    return {'project_schema': project_schema,
            'shot_status': shot_statuses[0]['status_id'],
            'task_type': task_type, 'task_status': task_status}


def test_creating_a_project_example(raw_api, schema):
    """The seed's "Creating a project" example, in one batch as Py sends it."""
    name = 'projectname_{0}'.format(uuid.uuid1().hex)
    project = py_create('Project', {
        'name': name, 'full_name': name + '_full',
        'project_schema': ref('ProjectSchema', schema['project_schema'])})
    project_id = project['entity_key'][0]
    operations = [project]
    for sequence_number in range(1, 5):
        sequence = py_create('Sequence', {
            'name': 'seq_{0}'.format(sequence_number),
            'parent': ref('Project', project_id)})
        operations.append(sequence)
        for shot_number in range(1, 5):
            shot = py_create('Shot', {
                'name': '{0}0'.format(shot_number).zfill(3),
                'parent': ref('Sequence', sequence['entity_key'][0]),
                'status': ref('Status', schema['shot_status'])})
            operations.append(shot)
            for task_number in range(1, 5):
                operations.append(py_create('Task', {
                    'name': 'task_{0}'.format(task_number),
                    'parent': ref('Shot', shot['entity_key'][0]),
                    'status': ref('Status', schema['task_status']),
                    'type': ref('Type', schema['task_type'])}))
    results = raw_api.ok(operations)
    assert len(results) == 85
    assert [r['action'] for r in results] == ['create'] * 85
    assert results[0]['data']['name'] == name
    tasks = raw_api.query(
        'select name, parent.name from Task where project_id is "{0}"'.format(project_id))
    assert len(tasks) == 64
    shots = raw_api.query('select status_id from Shot where project_id is "{0}"'.format(
        project_id))
    assert {shot['status_id'] for shot in shots} == {schema['shot_status']}


def test_create_result_shape(raw_api):
    identifier = new_id()
    result = raw_api.ok([py_create('User', {
        'id': identifier, 'username': 'user-' + identifier,
        'first_name': 'first', 'last_name': 'last'})])[0]
    assert result['action'] == 'create'
    data = result['data']
    assert data['__entity_type__'] == 'User'
    assert data['id'] == identifier
    assert data['resource_type'] == 'user'
    for flag in ('is_active', 'is_otp_enabled', 'is_totp_enabled',
                 'require_details_update'):
        assert data[flag] is False
    assert data['user_type_id']


def test_js_create_without_entity_key(raw_api):
    data = raw_api.create('Scope', {'name': 'js-' + new_id(), '__entity_type__': 'Scope'})
    assert uuid.UUID(data['id'])
    assert raw_api.query('select name from Scope where id is "{0}"'.format(
        data['id']))[0]['name'] == data['name']


def test_uploading_a_file_trace(raw_api):
    """Appendix B.3 step 4: component and component location in one batch."""
    component, location = new_id(), new_id()
    results = raw_api.ok([
        {'action': 'create', 'entity_type': 'FileComponent', 'entity_key': [component],
         'entity_data': {'__entity_type__': 'FileComponent', 'id': component,
                         'name': 'main', 'file_type': '.exr', 'size': 1234}},
        {'action': 'create', 'entity_type': 'ComponentLocation', 'entity_key': [location],
         'entity_data': {'__entity_type__': 'ComponentLocation', 'id': location,
                         'resource_identifier': component,
                         'component': ref('FileComponent', component),
                         'location': ref('Location', SERVER_LOCATION)}},
    ])
    assert results[0]['data']['system_type'] == 'file'
    assert results[1]['data']['component_id'] == component
    assert results[1]['data']['location_id'] == SERVER_LOCATION


def test_datetimes_with_offset_come_back_as_naive_utc(raw_api, schema):
    project = py_create('Project', {
        'name': 'dates-' + new_id(), 'full_name': 'dates',
        'project_schema': ref('ProjectSchema', schema['project_schema']),
        'start_date': {'__type__': 'datetime', 'value': '2023-10-10T09:50:34-05:00'},
        'end_date': {'__type__': 'datetime', 'value': '2023-10-12'}})
    data = raw_api.ok([project])[0]['data']
    assert data['start_date'] == {'__type__': 'datetime', 'value': '2023-10-10T14:50:34'}
    assert data['end_date'] == {'__type__': 'datetime', 'value': '2023-10-12T00:00:00'}


def test_asset_versions_numbered_from_one(raw_api, schema):
    project = py_create('Project', {
        'name': 'versions-' + new_id(), 'full_name': 'v',
        'project_schema': ref('ProjectSchema', schema['project_schema'])})
    asset = new_id()
    operations = [project, {'action': 'create', 'entity_type': 'Asset', 'entity_data': {
        'id': asset, 'name': 'a', 'parent': ref('Project', project['entity_key'][0])}}]
    for _ in range(3):
        operations.append({'action': 'create', 'entity_type': 'AssetVersion',
                           'entity_data': {'asset': ref('Asset', asset)}})
    results = raw_api.ok(operations)
    assert [r['data']['version'] for r in results[2:]] == [1, 2, 3]
