"""Tests for the ``create`` action and its rules (run through the handlers)."""

from ftrack_local_server import errors

# Registered by conftest.py (sibling modules are not importable by name).
import server_rules_support as support
from server_rules_support import OBJECT_TYPES, PRIORITY, create, new_id, ref, update


def py_create(entity_type, data):
    """The create payload of the Python client: client-side defaults filled."""
    defaults = {'Sequence': {'object_type_id': OBJECT_TYPES['Sequence'][0]},
                'Shot': {'object_type_id': OBJECT_TYPES['Shot'][0]},
                'Task': {'object_type_id': OBJECT_TYPES['Task'][0]}}
    values = {'id': new_id()}
    if entity_type in defaults:
        values.update(defaults[entity_type])
        values.update({'priority_id': PRIORITY, 'name': ''})
    if entity_type == 'Project':
        values.update({'is_global': False, 'is_private': False, 'name': ''})
    values.update(data)
    return create(entity_type, values)


def test_creating_a_project_example_in_one_batch(studio):
    """The seed's "Creating a project" example, as the Python client sends it."""
    project = py_create('Project', {
        'name': 'projectname_x', 'full_name': 'projectname_x_full',
        'project_schema': ref('ProjectSchema', studio.project_schema)})
    project_id = project['entity_data']['id']
    operations = [project]
    tasks = []
    for sequence_number in range(1, 5):
        sequence = py_create('Sequence', {
            'name': 'seq_{0}'.format(sequence_number),
            'parent': ref('Project', project_id)})
        operations.append(sequence)
        for shot_number in range(1, 5):
            shot = py_create('Shot', {
                'name': '{0}0'.format(shot_number).zfill(3),
                'parent': ref('Sequence', sequence['entity_data']['id']),
                'status': ref('Status', studio.status['shot_ready'])})
            operations.append(shot)
            for task_number in range(1, 5):
                task = py_create('Task', {
                    'name': 'task_{0}'.format(task_number),
                    'parent': ref('Shot', shot['entity_data']['id']),
                    'status': ref('Status', studio.status['not_started']),
                    'type': ref('Type', studio.type_modeling)})
                operations.append(task)
                tasks.append(task['entity_data']['id'])
    results, changes = studio.run(operations)
    assert len(results) == 1 + 4 + 16 + 64
    assert all(result['action'] == 'create' for result in results)
    assert results[0]['data']['__entity_type__'] == 'Project'
    assert results[0]['data']['context_type'] == 'show'
    task = results[-1]['data']
    assert task['__entity_type__'] == 'Task'
    assert task['project_id'] == project_id
    assert task['context_type'] == 'task'
    assert task['object_type_id'] == OBJECT_TYPES['Task'][0]
    assert task['status'] == ref('Status', studio.status['not_started'])
    assert task['type'] == ref('Type', studio.type_modeling)
    assert len(studio.rows('context', project_id=project_id)) == 85
    assert len(changes) == 85
    assert {change['action'] for change in changes} == {'add'}


def test_js_create_without_entity_key_generates_the_id(studio):
    data = studio.one({'action': 'create', 'entity_type': 'Scope',
                       'entity_data': {'name': 'London', '__entity_type__': 'Scope'}})
    assert data['__entity_type__'] == 'Scope'
    assert len(data['id']) == 36
    assert studio.row('scope', id=data['id'])['name'] == 'London'


def test_sequence_with_only_name_and_parent_gets_derived_values(studio):
    project = studio.project()
    data = studio.one({'action': 'create', 'entity_type': 'Sequence', 'entity_data': {
        'name': 'seq', 'parent': ref('Project', project)}})
    assert data['object_type_id'] == OBJECT_TYPES['Sequence'][0]
    assert data['priority_id'] == PRIORITY
    assert data['bid'] == 0 and data['sort'] == 0
    # No schema for sequences: the first status of the task workflow.
    assert data['status_id'] == studio.status['not_started']
    assert data['project_id'] == project


def test_shot_status_comes_from_its_object_schema(studio):
    project = studio.project()
    shot = studio.context('Shot', project)
    assert studio.row('context', id=shot)['status_id'] == studio.status['shot_ready']


def test_task_from_a_template_gets_status_from_the_workflow(studio):
    """"Apply a task template": Task with name, type and parent only."""
    project = studio.project()
    data = studio.one(create('Task', {
        'name': 'Compositing', 'type': ref('Type', studio.type_compositing),
        'parent': ref('Project', project)}, key=False))
    # Compositing has a workflow override.
    assert data['status_id'] == studio.status['override_status']
    modeling = studio.one(create('Task', {
        'name': 'Modeling', 'type': ref('Type', studio.type_modeling),
        'parent': ref('Project', project)}, key=False))
    assert modeling['status_id'] == studio.status['not_started']


def test_task_without_type_gets_the_first_type_of_the_schema(studio):
    project = studio.project()
    data = studio.one(create('Task', {'name': 't', 'parent': ref('Project', project)},
                             key=False))
    assert data['type_id'] == studio.type_modeling


def test_typed_context_needs_a_parent(studio):
    support.expect_error(studio, [create('Shot', {'id': new_id(), 'name': 'x'})],
                         errors.ValidationError, 'parent')


def test_typed_context_created_as_typed_context_is_classified(studio):
    project = studio.project()
    data = studio.one(create('TypedContext', {
        'id': new_id(), 'name': 'f', 'parent': ref('Project', project),
        'object_type_id': OBJECT_TYPES['Folder'][0]}))
    assert data['__entity_type__'] == 'Folder'


def test_abstract_types_cannot_be_created(studio):
    support.expect_error(studio, [create('Context', {'id': new_id()})],
                         errors.ValidationError, 'Context', 'Project')


def test_created_at_and_created_by(studio):
    project = studio.project()
    row = studio.row('context', id=project)
    assert row['created_by_id'] == studio.admin_user
    assert len(row['created_at']) == 19 and row['created_at'][10] == 'T'


def test_create_user_result_matches_the_real_server(studio):
    data = studio.one(create('User', {
        'id': new_id(), 'username': 'jane', 'first_name': 'first',
        'last_name': 'last'}))
    assert data['resource_type'] == 'user'
    assert data['user_type_id'] == studio.user_type
    assert data['is_active'] is False
    assert data['is_otp_enabled'] is False
    assert data['is_totp_enabled'] is False
    assert data['require_details_update'] is False
    assert data['username'] == 'jane'
    assert 'email' not in data


def test_file_component_gets_its_system_type(studio):
    data = studio.one(create('FileComponent', {
        'id': new_id(), 'name': 'data', 'file_type': '.json', 'size': 13}))
    assert data['system_type'] == 'file'
    assert data['__entity_type__'] == 'FileComponent'
    sequence = studio.one(create('SequenceComponent', {'id': new_id()}))
    assert sequence['system_type'] == 'sequence'
    assert sequence['name'] == 'main'
    assert sequence['padding'] == 0


def test_asset_versions_are_numbered_per_asset(studio):
    project = studio.project()
    shot = studio.context('Shot', project)
    assets = []
    for name in ('a', 'b'):
        asset = new_id()
        studio.one(create('Asset', {'id': asset, 'name': name,
                                    'parent': ref('Shot', shot),
                                    'type': ref('AssetType', studio.asset_type)}))
        assets.append(asset)
    versions = [studio.one(create('AssetVersion', {
        'id': new_id(), 'asset': ref('Asset', asset)}))
        for asset in (assets[0], assets[0], assets[1], assets[0])]
    assert [v['version'] for v in versions] == [1, 2, 1, 3]
    # The version workflow's first status by sort order.
    assert versions[0]['status_id'] == studio.status['in_progress']
    assert versions[0]['user_id'] == studio.admin_user
    explicit = studio.one(create('AssetVersion', {
        'id': new_id(), 'asset': ref('Asset', assets[1]), 'version': 10}))
    assert explicit['version'] == 10


def test_datetimes_are_stored_as_naive_utc(studio):
    project = studio.project()
    studio.run([update('Project', [project], {
        'start_date': {'__type__': 'datetime', 'value': '2023-10-10T09:50:34-05:00'},
        'end_date': {'__type__': 'datetime', 'value': '2023-10-12'}})])
    row = studio.row('context', id=project)
    assert row['start_date'] == '2023-10-10T14:50:34'
    assert row['end_date'] == '2023-10-12T00:00:00'


def test_result_holds_supplied_values_references_and_collections(studio):
    project = studio.project()
    scope = studio.one(create('Scope', {'id': new_id(), 'name': 'London'}))
    data = studio.one(create('Shot', {
        'id': new_id(), 'name': 'sh', 'description': None,
        'parent': ref('Project', project),
        'scopes': [ref('Scope', scope['id'])]}))
    assert data['description'] is None
    assert data['parent'] == ref('Project', project)
    assert data['parent_id'] == project
    assert data['scopes'] == [ref('Scope', scope['id'])]


def test_schema_link_rows_can_be_created_with_foreign_keys(studio):
    workflow = new_id()
    studio.run([
        create('WorkflowSchema', {'id': workflow, 'name': 'w'}),
        create('WorkflowSchemaStatus', {'workflow_schema_id': workflow,
                                        'status_id': studio.status['done']}, key=False),
    ])
    rows = studio.rows('workflowschemastatus', workflow_schema_id=workflow)
    assert [row['status_id'] for row in rows] == [studio.status['done']]


def test_unknown_attribute_is_named(studio):
    support.expect_error(studio, [create('Scope', {'id': new_id(), 'nmae': 'x'})],
                         errors.ValidationError, '"nmae"', 'Scope')


def test_unknown_entity_type_is_named(studio):
    support.expect_error(studio, [create('Tsk', {'id': new_id()})],
                         errors.ValidationError, 'Tsk')


def test_wrong_value_type_is_named(studio):
    support.expect_error(studio, [create('Scope', {'id': new_id(), 'name': 5})],
                         errors.ValidationError, '"name"', 'Scope', '5')


def test_reference_of_the_wrong_type(studio):
    support.expect_error(
        studio, [create('Shot', {'id': new_id(), 'name': 'x',
                                 'parent': ref('Status', studio.status['done'])})],
        errors.ValidationError, 'parent', 'Status')


def test_reference_to_a_missing_entity_names_type_and_id(studio):
    missing = new_id()
    support.expect_error(
        studio, [create('Shot', {'id': new_id(), 'name': 'x',
                                 'parent': ref('Project', missing)})],
        errors.NotFoundError, 'Project', missing)


def test_duplicate_identity(studio):
    identifier = new_id()
    studio.one(create('Scope', {'id': identifier, 'name': 'a'}))
    support.expect_error(studio, [create('Scope', {'id': identifier, 'name': 'b'})],
                         errors.DuplicateEntryError, identifier)


def test_entity_key_and_data_must_agree(studio):
    operation = create('Scope', {'id': new_id(), 'name': 'a'})
    operation['entity_key'] = [new_id()]
    support.expect_error(studio, [operation], errors.ValidationError, 'entity_key')


def test_missing_required_attribute_is_named(studio):
    support.expect_error(studio, [create('Scope', {'id': new_id()})],
                         errors.ValidationError, '"name"')
    support.expect_error(studio, [create('Location', {'id': new_id()})],
                         errors.ValidationError, '"name"')


def test_second_timer_of_a_user_is_a_duplicate(studio):
    project = studio.project()
    task = studio.context('Task', project)
    timer = {'user': ref('User', studio.admin_user), 'context': ref('Task', task),
             'name': 'work'}
    data = studio.one(create('Timer', dict(timer, id=new_id())))
    assert data['start']['__type__'] == 'datetime'
    support.expect_error(studio, [create('Timer', dict(timer, id=new_id()))],
                         errors.DuplicateEntryError, 'timer')


def test_unique_project_names(studio):
    studio.project('same')
    support.expect_error(
        studio, [create('Project', {'id': new_id(), 'name': 'same',
                                    'full_name': 'x', 'project_schema_id':
                                    studio.project_schema})],
        errors.DuplicateEntryError, 'same')


def test_job_status_must_be_one_of_the_enum(studio):
    support.expect_error(studio, [create('Job', {'id': new_id(), 'status': 'sleeping'})],
                         errors.ValidationError, 'sleeping', 'queued')
    job = studio.one(create('Job', {'id': new_id(), 'status': 'running',
                                    'user': ref('User', studio.admin_user)}))
    assert job['type'] == 'api_job'


def test_note_created_with_parent_id_gets_its_parent_type(studio):
    project = studio.project()
    task = studio.context('Task', project)
    note = studio.one({'action': 'create', 'entity_type': 'Note', 'entity_data': {
        'content': 'hello', 'parent_id': task}})
    assert note['parent_type'] == 'Task'
    assert note['user_id'] == studio.admin_user


def test_metadata_needs_an_existing_parent(studio):
    support.expect_error(studio, [create('Metadata', {
        'parent_id': new_id(), 'key': 'k', 'value': 'v'}, key=False)],
        errors.NotFoundError, 'Metadata')


def test_review_session_example(studio):
    project = studio.project()
    session = studio.one(create('ReviewSession', {
        'id': new_id(), 'name': 'Weekly review',
        'description': 'See updates from last week.',
        'project': ref('Project', project)}))
    assert session['start_date'] and session['end_date']
    invitee = studio.one(create('ReviewSessionInvitee', {
        'id': new_id(), 'name': 'John Doe', 'email': 'john.doe@example.com',
        'review_session': ref('ReviewSession', session['id'])}))
    assert invitee['created_at']
