"""Entity semantics through real HTTP: defaults, required values, ownership
through collections, many-to-many links, cascades and refusals, custom
attribute validation and typed contexts.

The write rules also have unit tests (``test/unit/local_server``); these
prove the same rules hold for requests as clients send them.
"""

import json
import uuid

import pytest

from ftrack_local_server.testing import delete_operation as delete
from ftrack_local_server.testing import new_id, ref
from ftrack_local_server.testing import update_operation as update

SHOT = 'bad911de-3bd6-47b9-8b46-3476e237cb36'
TASK = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'
PRIORITY = '9661b320-3a0c-11e2-81c1-0800200c9a66'


@pytest.fixture
def tree(raw_api):
    """A project with a shot, a task, an asset with a version, and a user."""
    project = raw_api.create_project('semantics-' + new_id())['id']
    shot = raw_api.create('Shot', {'name': 'sh', 'parent_id': project})['id']
    task = raw_api.create('Task', {'name': 't', 'parent_id': shot})['id']
    asset_type = raw_api.query('select id from AssetType')[0]['id']
    asset = raw_api.create('Asset', {'name': 'a', 'type_id': asset_type,
                                     'context_id': shot})['id']
    version = raw_api.create('AssetVersion', {'asset_id': asset})['id']
    user = raw_api.create('User', {'username': 'semantics-' + new_id()})['id']
    return {'project': project, 'shot': shot, 'task': task, 'asset': asset,
            'version': version, 'user': user}


def test_schema_defaults_are_filled(raw_api, tree):
    version = raw_api.create('AssetVersion', {'asset_id': tree['asset']})
    assert uuid.UUID(version['id'])
    assert version['is_published'] is True
    assert version['comment'] == ''
    note = raw_api.create('Note', {'content': 'c', 'user_id': tree['user']})
    assert uuid.UUID(note['id'])
    assert note['is_todo'] is False
    task = raw_api.one('select priority_id, object_type_id, bid, sort from Task '
                        'where id is "{0}"'.format(tree['task']))
    assert (task['priority_id'], task['object_type_id'], task['bid'], task['sort']) == (
        PRIORITY, TASK, 0, 0)


def test_given_values_win_over_defaults(raw_api, tree):
    version = raw_api.create('AssetVersion', {
        'asset_id': tree['asset'], 'is_published': False, 'comment': 'wip'})
    assert (version['is_published'], version['comment']) == (False, 'wip')


def test_required_values_missing_on_create_are_named(raw_api, tree):
    error = raw_api.call([{'action': 'create', 'entity_type': 'AssetType',
                           'entity_data': {'component': 'main'}}])
    assert error['exception'] == 'ValidationError', error
    assert 'Cannot create AssetType(' in error['content']
    assert '"name"' in error['content'] and '"short"' in error['content']


def test_required_value_cannot_be_cleared_on_any_type(raw_api, tree):
    error = raw_api.call([update('User', [tree['user']], {'username': None})])
    assert error['exception'] == 'ValidationError', error
    assert 'Cannot update User({0})'.format(tree['user']) in error['content']
    assert '"username"' in error['content']
    assert raw_api.one('select username from User where id is "{0}"'.format(
        tree['user']))['username'].startswith('semantics-')


def test_reply_appended_to_replies_gets_in_reply_to(raw_api, tree):
    note = raw_api.create('Note', {'content': 'q', 'user_id': tree['user'],
                                   'parent_id': tree['task'], 'parent_type': 'Task'})['id']
    reply = new_id()
    raw_api.ok([
        {'action': 'create', 'entity_type': 'Note', 'entity_key': [reply],
         'entity_data': {'__entity_type__': 'Note', 'id': reply, 'content': 'a',
                         'user_id': tree['user']}},
        update('Note', [note], {'replies': [ref('Note', reply)]}),
    ])
    row = raw_api.one('select in_reply_to_id, replies from Note where id is "{0}"'.format(
        reply))
    assert row['in_reply_to_id'] == note
    assert [item['id'] for item in raw_api.one('select replies from Note where id is "{0}"'.format(note))['replies']] == [
        reply]


def test_sequence_members_get_their_container(raw_api, tree):
    container = raw_api.create('SequenceComponent', {'name': 'seq', 'version_id': tree['version']})
    members = [raw_api.create('FileComponent', {'name': '{0}'.format(frame)})['id']
               for frame in (1, 2)]
    raw_api.ok([update('SequenceComponent', [container['id']], {
        'members': [ref('FileComponent', member) for member in members]})])
    rows = raw_api.query('select container_id from FileComponent where id in ({0})'.format(
        ', '.join(members)))
    assert {row['container_id'] for row in rows} == {container['id']}


def test_metadata_set_replaced_and_removed_as_the_client_sends_it(raw_api, tree):
    key = [tree['shot'], 'frame_padding']
    raw_api.ok([
        {'action': 'create', 'entity_type': 'Metadata', 'entity_key': key,
         'entity_data': {'__entity_type__': 'Metadata', 'parent_id': tree['shot'],
                         'parent_type': 'Shot', 'key': 'frame_padding', 'value': '4'}},
        update('Shot', [tree['shot']], {'metadata': [
            {'__entity_type__': 'Metadata', 'parent_id': tree['shot'],
             'key': 'frame_padding'}]}),
    ])
    assert raw_api.query('select name from Shot where metadata any (key is "frame_padding" '
                         'and value is "4") and id is "{0}"'.format(tree['shot']))
    raw_api.ok([update('Metadata', key, {'value': '5'})])
    assert raw_api.one('select value from Metadata where parent_id is "{0}"'.format(
        tree['shot']))['value'] == '5'
    # Deleting a key: the collection without it, then the Metadata delete.
    raw_api.ok([update('Shot', [tree['shot']], {'metadata': []}), delete('Metadata', key)])
    assert raw_api.query('select key from Metadata where parent_id is "{0}"'.format(
        tree['shot'])) == []


def test_many_to_many_scopes_are_linked_and_unlinked(raw_api, tree):
    scopes = [raw_api.create('Scope', {'name': 'scope-' + new_id()}) for _ in range(2)]
    raw_api.ok([update('Task', [tree['task']], {
        'scopes': [ref('Scope', scope['id']) for scope in scopes]})])
    found = raw_api.query('select id from Task where scopes.name is "{0}"'.format(
        scopes[1]['name']))
    assert [row['id'] for row in found] == [tree['task']]
    raw_api.ok([update('Task', [tree['task']], {'scopes': [ref('Scope', scopes[0]['id'])]})])
    assert raw_api.query('select id from Task where scopes.name is "{0}"'.format(
        scopes[1]['name'])) == []
    # The scope itself stays; only the link went.
    assert raw_api.one('select name from Scope where id is "{0}"'.format(scopes[1]['id']))


def test_deleting_a_version_deletes_its_components(raw_api, tree):
    component = raw_api.create('FileComponent', {'name': 'main',
                                                 'version_id': tree['version']})['id']
    raw_api.ok([delete('AssetVersion', [tree['version']])])
    assert raw_api.query('select id from Component where id is "{0}"'.format(component)) == []
    assert raw_api.one('select id from Asset where id is "{0}"'.format(tree['asset']))


def test_deleting_a_user_who_wrote_a_note_is_refused(raw_api, tree):
    note = raw_api.create('Note', {'content': 'mine', 'user_id': tree['user'],
                                   'parent_id': tree['task'], 'parent_type': 'Task'})['id']
    error = raw_api.call([delete('User', [tree['user']])])
    assert error['exception'] == 'ValidationError', error
    assert 'User({0})'.format(tree['user']) in error['content']
    assert 'Note({0})'.format(note) in error['content']
    assert raw_api.one('select id from User where id is "{0}"'.format(tree['user']))


def test_deleting_the_note_first_lets_the_user_go(raw_api, tree):
    note = raw_api.create('Note', {'content': 'mine', 'user_id': tree['user'],
                                   'parent_id': tree['task'], 'parent_type': 'Task'})['id']
    raw_api.ok([delete('Note', [note]), delete('User', [tree['user']])])
    assert raw_api.query('select id from User where id is "{0}"'.format(tree['user'])) == []


@pytest.fixture
def configurations(raw_api):
    """One custom attribute configuration per value type, on shots."""
    types = {row['name']: row['id'] for row in raw_api.query(
        'select id, name from CustomAttributeType')}
    tag = new_id()[:8]
    made = {}
    for name, default, config in [
        ('number', 0, {'isdecimal': False}), ('text', '', {'markdown': False}),
        ('boolean', False, {}), ('date', None, {}),
        ('enumerator', [], {'multiSelect': True, 'data': json.dumps(
            [{'menu': 'A', 'value': 'a'}, {'menu': 'B', 'value': 'b'}])}),
    ]:
        made[name] = raw_api.create('CustomAttributeConfiguration', {
            'entity_type': 'task', 'object_type_id': SHOT, 'type_id': types[name],
            'label': name, 'key': '{0}_{1}'.format(name, tag), 'default': default,
            'config': json.dumps(config)})
    return made


@pytest.mark.parametrize('type_name, good, bad', [
    ('number', 2.5, 'x'),
    ('text', 'words', 5),
    ('boolean', True, 'yes'),
    ('date', {'__type__': 'datetime', 'value': '2017-02-08T10:00:00+01:00'}, 'soon'),
    ('enumerator', ['a', 'b'], 'a'),
])
def test_custom_attribute_values_are_validated(raw_api, tree, configurations,
                                               type_name, good, bad):
    configuration = configurations[type_name]
    key = [configuration['id'], tree['shot']]
    result = raw_api.ok([update('ContextCustomAttributeValue', key, {'value': good})])
    stored = result[0]['data']['value']
    error = raw_api.call([update('ContextCustomAttributeValue', key, {'value': bad})])
    assert error['exception'] == 'ValidationError', error
    # The real server's words, with the value as Python prints it.
    assert error['content'] == (
        'Custom attribute value for "{0}" must be of type {1}. Got "{2}" of type '
        '<class \'{3}\'>.'.format(configuration['key'], type_name, bad,
                                   type(bad).__name__))
    values = raw_api.one('select custom_attributes from Shot where id is "{0}"'.format(
        tree['shot']))['custom_attributes']
    assert [value['value'] for value in values
            if value['key'] == configuration['key']] == [stored]
    if type_name == 'date':
        assert stored == {'__type__': 'datetime', 'value': '2017-02-08T09:00:00'}


def test_custom_attribute_values_in_criteria(raw_api, tree, configurations):
    key = configurations['number']['key']
    raw_api.ok([update('ContextCustomAttributeValue',
                       [configurations['number']['id'], tree['shot']], {'value': 42})])
    for criteria, found in [('value is 42', True), ('value > 41', True),
                            ('value < 42', False), ('value is "42"', True)]:
        rows = raw_api.query(
            'select id from Shot where id is "{0}" and custom_attributes any '
            '(key is "{1}" and {2})'.format(tree['shot'], key, criteria))
        assert bool(rows) is found, criteria


def test_every_shot_has_dense_values_with_defaults(raw_api, tree, configurations):
    shot = raw_api.create('Shot', {'name': 'new', 'parent_id': tree['project']})['id']
    values = raw_api.one('select custom_attributes from Shot where id is "{0}"'.format(
        shot))['custom_attributes']
    by_key = {value['key']: value['value'] for value in values}
    assert by_key[configurations['number']['key']] == 0
    assert by_key[configurations['enumerator']['key']] == []
    assert by_key[configurations['date']['key']] is None


def test_typed_context_created_through_typed_context_gets_its_type(raw_api, tree):
    data = raw_api.ok([{'action': 'create', 'entity_type': 'TypedContext', 'entity_data': {
        'name': 'generic', 'parent_id': tree['project'], 'object_type_id': SHOT}}])[0]['data']
    assert data['__entity_type__'] == 'Shot'
    assert (data['context_type'], data['project_id']) == ('task', tree['project'])
    assert raw_api.one('select id from Shot where id is "{0}"'.format(data['id']))


def test_object_type_of_a_typed_context_is_fixed(raw_api, tree):
    error = raw_api.call([update('Shot', [tree['shot']], {'object_type_id': TASK})])
    assert error['exception'] == 'PermissionError', error
    assert '"object_type_id"' in error['content']
    assert raw_api.one('select id from Shot where id is "{0}"'.format(tree['shot']))


@pytest.mark.parametrize('missing', ['type_id', 'key', 'entity_type'])
def test_custom_attribute_configuration_needs_type_key_and_entity_type(raw_api, missing):
    number = raw_api.one('select id from CustomAttributeType where name is "number"')['id']
    data = {'entity_type': 'task', 'object_type_id': SHOT, 'type_id': number,
            'label': 'incomplete', 'key': 'incomplete_' + new_id()[:8], 'default': 5}
    del data[missing]
    error = raw_api.call([{'action': 'create', 'entity_type': 'CustomAttributeConfiguration',
                           'entity_data': data}])
    assert error['exception'] == 'ValidationError', error
    assert '"{0}"'.format(missing) in error['content']
    assert raw_api.query('select id from CustomAttributeConfiguration where label is '
                         '"incomplete"') == []


def test_deleting_a_custom_attribute_value_resets_it_to_the_default(raw_api, tree,
                                                                    configurations):
    configuration = configurations['number']
    key = [configuration['id'], tree['shot']]
    raw_api.ok([update('ContextCustomAttributeValue', key, {'value': 42})])
    assert raw_api.ok([delete('ContextCustomAttributeValue', key)]) == [
        {'action': 'delete', 'data': True}]
    values = raw_api.one('select custom_attributes from Shot where id is "{0}"'.format(
        tree['shot']))['custom_attributes']
    assert [value['value'] for value in values
            if value['key'] == configuration['key']] == [0]
