"""Foreign keys given as plain ``*_id`` values through real HTTP.

Clients set relations either as references (``"status": {...}``) or as
the foreign key itself (``"status_id": "..."``). Either way the entity
referred to must exist when the batch ends, else the batch fails with an
error naming the attribute, the type and the id, and nothing is written.
"""

import pytest

from ftrack_local_server.testing import (
    create_operation, new_id, ref, update_operation,
)


@pytest.fixture
def tree(raw_api):
    project = raw_api.create_project('foreign-keys-' + new_id())['id']
    shot = raw_api.create('Shot', {'name': 'sh', 'parent_id': project})['id']
    task = raw_api.create('Task', {'name': 't', 'parent_id': shot})['id']
    asset_type = raw_api.query('select id from AssetType')[0]['id']
    asset = raw_api.create('Asset', {'name': 'a', 'type_id': asset_type,
                                     'context_id': shot})['id']
    version = raw_api.create('AssetVersion', {'asset_id': asset, 'task_id': task})['id']
    return {'project': project, 'shot': shot, 'task': task, 'asset': asset,
            'version': version}


def row(raw_api, entity_type, identifier, attributes):
    return raw_api.one('select {0} from {1} where id is "{2}"'.format(
        attributes, entity_type, identifier))


@pytest.mark.parametrize('entity_type, key, attribute, target', [
    ('Task', 'task', 'status_id', 'Status'),
    ('Task', 'task', 'type_id', 'Type'),
    ('Task', 'task', 'priority_id', 'Priority'),
    ('Task', 'task', 'thumbnail_id', 'Component'),
    ('AssetVersion', 'version', 'asset_id', 'Asset'),
    ('AssetVersion', 'version', 'task_id', 'Task'),
    ('AssetVersion', 'version', 'user_id', 'User'),
])
def test_update_to_a_missing_entity_is_refused(raw_api, tree, entity_type, key,
                                               attribute, target):
    before = row(raw_api, entity_type, tree[key], attribute)
    missing = new_id()
    error = raw_api.call([update_operation(entity_type, [tree[key]], {attribute: missing})])
    assert error['exception'] == 'NotFoundError', error
    for fragment in ('"{0}"'.format(attribute), target, missing, tree[key]):
        assert fragment in error['content'], (fragment, error['content'])
    assert row(raw_api, entity_type, tree[key], attribute) == before


def test_id_of_an_entity_of_another_type_is_refused(raw_api, tree):
    # A shot is not a Task, even though both live among the contexts.
    error = raw_api.call([update_operation('AssetVersion', [tree['version']], {
        'task_id': tree['shot']})])
    assert error['exception'] == 'NotFoundError', error
    assert tree['shot'] in error['content']


def test_create_with_a_missing_foreign_key_writes_nothing(raw_api, tree):
    name = 'dangling-' + new_id()
    missing = new_id()
    error = raw_api.call([
        create_operation('Scope', {'name': name}),
        create_operation('Task', {'name': name, 'parent_id': tree['shot'],
                                  'status_id': missing}),
    ])
    assert error['exception'] == 'NotFoundError', error
    assert missing in error['content'] and '"status_id"' in error['content']
    assert raw_api.query('select id from Scope where name is "{0}"'.format(name)) == []
    assert raw_api.query('select id from Task where name is "{0}"'.format(name)) == []


def test_entity_created_later_in_the_batch_may_be_referred_to(raw_api, tree):
    state = raw_api.query('select id from State')[0]['id']
    status = new_id()
    task = new_id()
    raw_api.ok([
        create_operation('Task', {'id': task, 'name': 'early', 'parent_id': tree['shot'],
                                  'status_id': status}),
        create_operation('Status', {'id': status, 'name': 'late', 'is_active': True,
                                    'state': ref('State', state)}),
    ])
    assert row(raw_api, 'Task', task, 'status_id')['status_id'] == status


def test_target_deleted_later_in_the_batch_clears_an_optional_key(raw_api, tree):
    # Deleting a task empties the task of its versions (the key may be
    # empty), so nothing dangles when the batch ends.
    other = raw_api.create('Task', {'name': 'other', 'parent_id': tree['shot']})['id']
    raw_api.ok([
        update_operation('AssetVersion', [tree['version']], {'task_id': other}),
        {'action': 'delete', 'entity_type': 'Task', 'entity_key': [other]},
    ])
    assert row(raw_api, 'AssetVersion', tree['version'], 'task_id')['task_id'] is None


def test_target_deleted_later_in_the_batch_is_refused_when_required(raw_api, tree):
    state = raw_api.query('select id from State')[0]['id']
    status = raw_api.create('Status', {'name': 'brief', 'is_active': True,
                                       'state': ref('State', state)})['id']
    before = row(raw_api, 'Task', tree['task'], 'status_id')
    error = raw_api.call([
        update_operation('Task', [tree['task']], {'status_id': status}),
        {'action': 'delete', 'entity_type': 'Status', 'entity_key': [status]},
    ])
    assert isinstance(error, dict), error
    assert status in error['content']
    assert row(raw_api, 'Task', tree['task'], 'status_id') == before


def test_valid_foreign_keys_and_null_are_accepted(raw_api, tree):
    other = raw_api.create('Task', {'name': 'other', 'parent_id': tree['shot']})['id']
    raw_api.ok([update_operation('AssetVersion', [tree['version']], {'task_id': other})])
    raw_api.ok([update_operation('AssetVersion', [tree['version']], {'task_id': None})])
    assert row(raw_api, 'AssetVersion', tree['version'], 'task_id')['task_id'] is None


def test_key_shared_by_two_relations_may_name_either_target(raw_api, tree):
    # Recipient.resource_id is the key of both "user" (User) and "recipient"
    # (Resource): a group is a resource but not a user.
    group = raw_api.create('Group', {'name': 'group-' + new_id(), 'local': True})['id']
    note = raw_api.create('Note', {
        'content': 'hi', 'parent_id': tree['task'], 'parent_type': 'Task',
        'user_id': raw_api.one('select id from User where username is "{0}"'.format(
            raw_api.api_user))['id']})['id']
    raw_api.ok([create_operation('Recipient', {'note_id': note, 'resource_id': group})])
    error = raw_api.call([create_operation('Recipient', {'note_id': note,
                                                         'resource_id': new_id()})])
    assert error['exception'] == 'NotFoundError', error
    assert '"resource_id"' in error['content']
