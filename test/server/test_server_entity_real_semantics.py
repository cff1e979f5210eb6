"""Semantics a real ftrack server has, through real HTTP (issue 8, section 1).

Each test names the evidence its behaviour rests on: a captured real
response, the documentation, or our own choice where neither says.
"""

import json
import uuid

import pytest

from ftrack_local_server.testing import create_operation as create
from ftrack_local_server.testing import delete_operation as delete
from ftrack_local_server.testing import new_id, ref
from ftrack_local_server.testing import update_operation as update


@pytest.fixture
def shot(raw_api):
    project = raw_api.create_project('real-' + new_id())['id']
    shot = raw_api.create('Shot', {'name': 'sh', 'parent_id': project})['id']
    return {'project': project, 'shot': shot}


def _error(raw_api, operations):
    answer = raw_api.call(operations)
    assert isinstance(answer, dict), answer
    return answer


# -- 1. username default (captured create_user.json) ---------------------------------

def test_user_without_username_gets_a_uuid_username(raw_api):
    first = raw_api.create('User', {'first_name': 'Ann'})
    second = raw_api.create('User', {'first_name': 'Ann'})
    assert str(uuid.UUID(first['username'])) == first['username']
    assert first['username'] != second['username']
    stored = raw_api.one('select username from User where id is "{0}"'.format(first['id']))
    assert stored['username'] == first['username']


def test_ensure_user_by_first_name_works_with_the_client(ftrack_session):
    user = ftrack_session.ensure('User', {'first_name': 'ensured-' + new_id()})
    assert user['username']
    again = ftrack_session.ensure('User', {'first_name': user['first_name']})
    assert again['id'] == user['id']


# -- 2. required attributes at the end of the batch -------------------------------------

def test_required_value_set_later_in_the_batch_is_accepted(raw_api):
    scope = new_id()
    name = 'later-' + scope[:8]
    results = raw_api.ok([create('Scope', {'id': scope}),
                          update('Scope', [scope], {'name': name})])
    assert results[1]['data']['name'] == name
    assert raw_api.one('select name from Scope where id is "{0}"'.format(scope))['name'] == name


def test_batch_ending_without_a_required_value_fails_and_applies_nothing(raw_api):
    scope, other = new_id(), new_id()
    error = _error(raw_api, [create('Scope', {'id': other, 'name': 'kept-' + other[:8]}),
                             create('Scope', {'id': scope})])
    assert error['exception'] == 'ValidationError'
    assert 'Scope({0})'.format(scope) in error['content'] and '"name"' in error['content']
    assert raw_api.query('select id from Scope where id in ("{0}", "{1}")'.format(
        scope, other)) == []


def test_entity_created_and_deleted_in_one_batch_needs_no_required_value(raw_api):
    scope = new_id()
    raw_api.ok([create('Scope', {'id': scope}), delete('Scope', [scope])])


# -- 3. deleting a user (our rules, one reason each in rules/cascade.py) -------------------

def test_deleting_a_user_deletes_what_it_owns(raw_api, shot):
    user = raw_api.create('User', {'username': 'gone-' + new_id()})['id']
    role = raw_api.query('select id from SecurityRole where name is "User"')[0]['id']
    owned = {
        'Timelog': raw_api.create('Timelog', {'user_id': user, 'context_id': shot['shot']}),
        'Timer': raw_api.create('Timer', {'user_id': user, 'context_id': shot['shot']}),
        'Appointment': raw_api.create('Appointment', {
            'resource_id': user, 'context_id': shot['shot'], 'type': 'assignment'}),
        'UserSecurityRole': raw_api.create('UserSecurityRole', {
            'user_id': user, 'security_role_id': role, 'is_all_projects': True}),
    }
    task = raw_api.create('Task', {'name': 'by-' + user[:6], 'parent_id': shot['shot'],
                                   'created_by_id': user})
    raw_api.ok([delete('User', [user])])
    for type_name, entity in owned.items():
        assert raw_api.query('select id from {0} where id is "{1}"'.format(
            type_name, entity['id'])) == [], type_name
    kept = raw_api.one('select created_by_id from Task where id is "{0}"'.format(task['id']))
    assert kept['created_by_id'] is None


def test_deleting_a_user_who_wrote_notes_is_refused_with_advice(raw_api, shot):
    user = raw_api.create('User', {'username': 'author-' + new_id()})['id']
    note = raw_api.create('Note', {'user_id': user, 'content': 'x',
                                   'parent_id': shot['shot'], 'parent_type': 'Shot'})
    error = _error(raw_api, [delete('User', [user])])
    assert error['exception'] == 'ValidationError'
    assert 'Note({0})'.format(note['id']) in error['content']
    assert 'is_active' in error['content']
    assert raw_api.query('select id from User where id is "{0}"'.format(user))


# -- 4. notes (the documentation's note examples against a real server) -------------------

def test_author_is_added_to_explicit_recipients(raw_api, shot):
    caller = raw_api.one('select id from User where username is "{0}"'.format(
        raw_api.api_user))['id']
    other = raw_api.create('User', {'username': 'to-' + new_id()})['id']
    note = new_id()
    raw_api.ok([create('Note', {'id': note, 'content': 'for you', 'user_id': caller,
                                'parent_id': shot['shot'], 'parent_type': 'Shot'}),
                create('Recipient', {'note_id': note, 'resource_id': other})])
    rows = raw_api.query('select resource_id from Recipient where note_id is "{0}"'.format(note))
    assert sorted(row['resource_id'] for row in rows) == sorted([caller, other])


def test_note_without_recipients_gets_none(raw_api, shot):
    note = raw_api.create('Note', {'content': 'alone', 'parent_id': shot['shot'],
                                   'parent_type': 'Shot'})
    assert raw_api.query('select resource_id from Recipient where note_id is "{0}"'.format(
        note['id'])) == []


def test_category_follows_the_first_label(raw_api, shot):
    labels = [row['id'] for row in raw_api.query('select id from NoteLabel')][:2]
    assert len(labels) == 2
    note = new_id()
    raw_api.ok([create('Note', {'id': note, 'content': 'labelled', 'parent_id': shot['shot'],
                                'parent_type': 'Shot'}),
                create('NoteLabelLink', {'note_id': note, 'label_id': labels[1]}),
                create('NoteLabelLink', {'note_id': note, 'label_id': labels[0]})])
    found = raw_api.one('select category_id, category.name from Note where id is "{0}"'.format(
        note))
    assert found['category_id'] == labels[1]


# -- 5. date-times answered as submitted, stored in whole seconds ---------------------------

def test_write_answers_datetime_as_submitted(raw_api, shot):
    sent = {'__type__': 'datetime', 'value': '2021-05-06T07:08:09.654321+02:00'}
    answer = raw_api.ok([create('Note', {'content': 'dated', 'date': sent,
                                         'parent_id': shot['shot'],
                                         'parent_type': 'Shot'})])[0]['data']
    assert answer['date'] == {'__type__': 'datetime', 'value': '2021-05-06T05:08:09.654321'}
    stored = raw_api.one('select date from Note where id is "{0}"'.format(answer['id']))
    assert stored['date'] == {'__type__': 'datetime', 'value': '2021-05-06T05:08:09'}
    updated = raw_api.ok([update('Note', [answer['id']], {'date': sent})])[0]['data']
    assert updated['date']['value'] == '2021-05-06T05:08:09.654321'


# -- 6. unique names (our reading of a real server's constraints) ----------------------------

def test_sibling_contexts_need_distinct_names(raw_api, shot):
    raw_api.create('Task', {'name': 'comp', 'parent_id': shot['shot']})
    error = _error(raw_api, [create('Sequence', {'name': 'comp', 'parent_id': shot['shot']})])
    assert error['exception'] == 'DuplicateEntryError'
    assert '"comp"' in error['content'] and 'Task(' in error['content']
    other = raw_api.create('Shot', {'name': 'sh2', 'parent_id': shot['project']})['id']
    raw_api.create('Task', {'name': 'comp', 'parent_id': other})


def test_renaming_onto_a_sibling_name_is_refused(raw_api, shot):
    raw_api.create('Task', {'name': 'a', 'parent_id': shot['shot']})
    second = raw_api.create('Task', {'name': 'b', 'parent_id': shot['shot']})
    error = _error(raw_api, [update('Task', [second['id']], {'name': 'a'})])
    assert error['exception'] == 'DuplicateEntryError'


def test_assets_are_unique_by_name_and_type_in_their_parent(raw_api, shot):
    types = [row['id'] for row in raw_api.query('select id from AssetType')][:2]
    raw_api.create('Asset', {'name': 'plate', 'type_id': types[0], 'context_id': shot['shot']})
    raw_api.create('Asset', {'name': 'plate', 'type_id': types[1], 'context_id': shot['shot']})
    error = _error(raw_api, [create('Asset', {'name': 'plate', 'type_id': types[0],
                                              'context_id': shot['shot']})])
    assert error['exception'] == 'DuplicateEntryError'


def test_version_numbers_are_unique_in_their_asset(raw_api, shot):
    asset_type = raw_api.query('select id from AssetType')[0]['id']
    asset = raw_api.create('Asset', {'name': 'v', 'type_id': asset_type,
                                     'context_id': shot['shot']})['id']
    raw_api.create('AssetVersion', {'asset_id': asset, 'version': 3})
    error = _error(raw_api, [create('AssetVersion', {'asset_id': asset, 'version': 3})])
    assert error['exception'] == 'DuplicateEntryError'
    assert raw_api.create('AssetVersion', {'asset_id': asset})['version'] == 4


def test_list_names_are_unique_in_their_project(raw_api, shot):
    category = raw_api.query('select id from ListCategory')[0]['id']
    data = {'name': 'dailies', 'project_id': shot['project'], 'category_id': category}
    raw_api.create('AssetVersionList', data)
    error = _error(raw_api, [create('AssetVersionList', data)])
    assert error['exception'] == 'DuplicateEntryError'


def test_custom_attribute_keys_are_unique_per_entity_type(raw_api):
    number = raw_api.query('select id from CustomAttributeType where name is "number"')[0]['id']
    key = 'k' + new_id()[:8]
    data = {'key': key, 'label': key, 'type_id': number, 'entity_type': 'assetversion',
            'config': json.dumps({'isdecimal': False})}
    raw_api.create('CustomAttributeConfiguration', data)
    error = _error(raw_api, [create('CustomAttributeConfiguration', data)])
    assert error['exception'] == 'DuplicateEntryError'
    raw_api.create('CustomAttributeConfiguration', dict(data, entity_type='asset'))


# -- 9. items of typed context lists, enumerators, booleans, computed values -----------------

def test_typed_context_list_holds_any_typed_context(raw_api, shot):
    category = raw_api.query('select id from ListCategory')[0]['id']
    task = raw_api.create('Task', {'name': 'listed', 'parent_id': shot['shot']})['id']
    listed = raw_api.create('TypedContextList', {
        'name': 'mixed', 'project_id': shot['project'], 'category_id': category,
        'items': [ref('Shot', shot['shot']), ref('Task', task)]})
    found = raw_api.one('select items from TypedContextList where id is "{0}"'.format(
        listed['id']))
    assert sorted((item['__entity_type__'], item['id']) for item in found['items']) == sorted(
        [('Shot', shot['shot']), ('Task', task)])


def test_enumerator_values_must_be_options(raw_api, shot):
    enumerator = raw_api.query(
        'select id from CustomAttributeType where name is "enumerator"')[0]['id']
    key = 'e' + new_id()[:8]
    options = [{'menu': 'Red', 'value': 'red'}, {'menu': 'Blue', 'value': 'blue'}]
    configuration = raw_api.create('CustomAttributeConfiguration', {
        'key': key, 'label': key, 'type_id': enumerator, 'entity_type': 'show',
        'config': json.dumps({'multiSelect': False, 'data': json.dumps(options)})})['id']
    value_key = [configuration, shot['project']]
    raw_api.ok([update('ContextCustomAttributeValue', value_key, {'value': ['red']})])
    error = _error(raw_api, [update('ContextCustomAttributeValue', value_key,
                                    {'value': ['green']})])
    assert error['exception'] == 'ValidationError' and '"green"' in error['content']
    error = _error(raw_api, [update('ContextCustomAttributeValue', value_key,
                                    {'value': ['red', 'blue']})])
    assert 'multi-select' in error['content']


@pytest.mark.parametrize('value', [0, 1])
def test_booleans_refuse_numbers(raw_api, shot, value):
    error = _error(raw_api, [update('Project', [shot['project']], {'is_private': value})])
    assert error['exception'] == 'ValidationError'
    assert '"is_private"' in error['content'] and str(value) in error['content']


@pytest.mark.parametrize('attribute, value', [
    ('link', []), ('thumbnail_url', {'url': 'x'}),
])
def test_values_for_computed_attributes_are_refused(raw_api, shot, attribute, value):
    error = _error(raw_api, [update('Shot', [shot['shot']], {attribute: value})])
    assert error['exception'] == 'ValidationError'
    assert '"{0}"'.format(attribute) in error['content'] and 'computed' in error['content']
