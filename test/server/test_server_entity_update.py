"""``update`` and ``delete`` through real HTTP against a LocalServer."""

import pytest

from ftrack_local_server.testing import new_id, ref
from ftrack_local_server.testing import update_operation as update

SHOT = 'bad911de-3bd6-47b9-8b46-3476e237cb36'


@pytest.fixture
def tree(raw_api):
    """A project with a shot and a task, created through the API."""
    project_schema = raw_api.query('select id from ProjectSchema')[0]['id']
    project = raw_api.create('Project', {
        'name': 'update-' + new_id(), 'full_name': 'u',
        'project_schema': ref('ProjectSchema', project_schema)})['id']
    shot = raw_api.create('Shot', {'name': 'sh', 'parent': ref('Project', project)})['id']
    task = raw_api.create('Task', {'name': 't', 'parent': ref('Shot', shot)})['id']
    user = raw_api.query('select id from User where username is "{0}"'.format(
        raw_api.api_user))[0]['id']
    return {'project': project, 'shot': shot, 'task': task, 'user': user}


def test_update_result(raw_api, tree):
    result = raw_api.ok([update('Task', [tree['task']], {'name': 'comp'})])[0]
    assert result == {'action': 'update', 'data': {
        '__entity_type__': 'Task', 'id': tree['task'], 'name': 'comp',
        'context_type': 'task', 'project_id': tree['project'],
        'object_type_id': '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'}}


def test_js_update_with_a_bare_key(raw_api, tree):
    raw_api.ok([update('Task', tree['task'], {'bid': 8})])
    assert raw_api.query('select bid from Task where id is "{0}"'.format(
        tree['task']))[0]['bid'] == 8


def test_create_note_flow(raw_api, tree):
    """``task.create_note``: a note created, then the task's notes updated."""
    note = new_id()
    raw_api.ok([
        {'action': 'create', 'entity_type': 'Note', 'entity_key': [note],
         'entity_data': {'__entity_type__': 'Note', 'id': note, 'content': 'hi',
                         'author': ref('User', tree['user']), 'is_todo': False}},
        update('Task', [tree['task']], {'notes': [ref('Note', note)]}),
    ])
    notes = raw_api.query('select parent_id, parent_type from Note where id is '
                          '"{0}"'.format(note))
    assert notes == [{'__entity_type__': 'Note', 'id': note,
                      'parent_id': tree['task'], 'parent_type': 'Task'}]


def test_custom_attribute_upsert_trace(raw_api, tree):
    """Appendix B.4: update of a value that does not exist yet."""
    number = raw_api.query('select id from CustomAttributeType where name is "number"')
    configuration = raw_api.create('CustomAttributeConfiguration', {
        'key': 'fstart_' + new_id()[:8], 'label': 'fstart', 'entity_type': 'task',
        'object_type_id': SHOT, 'type': ref('CustomAttributeType', number[0]['id']),
        'default': 1001})
    result = raw_api.ok([update('ContextCustomAttributeValue',
                                [configuration['id'], tree['shot']], {'value': 1010})])
    assert result[0]['data']['value'] == 1010
    error = raw_api.call([update('ContextCustomAttributeValue',
                                 [configuration['id'], tree['shot']], {'value': 'test'})])
    assert error == {
        'exception': 'ValidationError', 'error_code': None,
        'content': 'Custom attribute value for "{0}" must be of type number. Got '
                   '"test" of type <class \'str\'>.'.format(configuration['key'])}


def test_immutable_attribute(raw_api, tree):
    error = raw_api.call([update('Task', [tree['task']], {'id': new_id()})])
    assert error['exception'] == 'PermissionError'
    assert '"id"' in error['content']


def test_delete_cascades(raw_api, tree):
    note = raw_api.create('Note', {'content': 'n', 'parent_id': tree['task']})['id']
    assert raw_api.ok([{'action': 'delete', 'entity_type': 'Project',
                        'entity_key': [tree['project']]},
                       {'action': 'delete', 'entity_type': 'Task',
                        'entity_key': [tree['task']]}]) == [
        {'action': 'delete', 'data': True}, {'action': 'delete', 'data': True}]
    for entity_type, identifier in (('Project', tree['project']), ('Shot', tree['shot']),
                                    ('Task', tree['task']), ('Note', note)):
        assert raw_api.query('select id from {0} where id is "{1}"'.format(
            entity_type, identifier)) == []


def test_delete_refuses_dangling_references(raw_api, tree):
    state = raw_api.query('select id from State where short is "NOT_STARTED"')[0]['id']
    status = raw_api.create('Status', {'name': 'only-here', 'is_active': True,
                                       'state': ref('State', state)})['id']
    raw_api.ok([update('Task', [tree['task']], {'status': ref('Status', status)})])
    error = raw_api.call([{'action': 'delete', 'entity_type': 'Status',
                           'entity_key': [status]}])
    assert error['exception'] == 'ValidationError'
    assert 'Task({0})'.format(tree['task']) in error['content']
    assert raw_api.query('select id from Status where id is "{0}"'.format(status))


def test_new_sequence_appended_to_project_children(raw_api, tree):
    """Tutorial: "Add the sequence to a parent's children attribute"."""
    sequence = new_id()
    raw_api.ok([
        {'action': 'create', 'entity_type': 'Sequence', 'entity_key': [sequence],
         'entity_data': {'__entity_type__': 'Sequence', 'id': sequence, 'name': 'seq'}},
        update('Project', [tree['project']], {'children': [
            ref('Shot', tree['shot']), ref('Sequence', sequence)]}),
    ])
    rows = raw_api.query('select parent_id, project_id, status_id from Sequence '
                         'where id is "{0}"'.format(sequence))
    assert rows[0]['parent_id'] == tree['project']
    assert rows[0]['project_id'] == tree['project']
    assert rows[0]['status_id']


def test_context_never_given_a_parent_fails_the_batch(raw_api):
    name = 'orphan-' + new_id()
    error = raw_api.call([{'action': 'create', 'entity_type': 'Sequence',
                           'entity_data': {'name': name}}])
    assert error['exception'] == 'ValidationError'
    assert 'parent' in error['content']
    assert raw_api.query('select id from Sequence where name is "{0}"'.format(name)) == []
