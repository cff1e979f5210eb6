"""Tests for the ``update`` action and its rules (run through the handlers)."""

import pytest

from ftrack_local_server import errors

# Registered by conftest.py (sibling modules are not importable by name).
import server_rules_support as support
from server_rules_support import create, new_id, ref, update


@pytest.fixture
def tree(studio):
    project = studio.project()
    sequence = studio.context('Sequence', project)
    shot = studio.context('Shot', sequence, 'Sequence')
    task = studio.context('Task', shot, 'Shot')
    return {'project': project, 'sequence': sequence, 'shot': shot, 'task': task}


def test_update_result_and_stored_value(studio, tree):
    data = studio.one(update('Task', [tree['task']], {'name': 'comp', 'bid': 8}))
    assert data == {
        '__entity_type__': 'Task', 'id': tree['task'], 'name': 'comp', 'bid': 8,
        'context_type': 'task', 'project_id': tree['project'],
        'object_type_id': support.OBJECT_TYPES['Task'][0]}
    assert studio.row('context', id=tree['task'])['name'] == 'comp'


def test_entity_key_may_be_a_bare_string(studio, tree):
    studio.one(update('Task', tree['task'], {'name': 'bare'}))
    assert studio.row('context', id=tree['task'])['name'] == 'bare'


def test_update_user_result_has_system_projections(studio):
    data = studio.one(update('User', [studio.admin_user], {'username': 'renamed'}))
    assert data == {'__entity_type__': 'User', 'id': studio.admin_user,
                    'username': 'renamed', 'resource_type': 'user'}


def test_missing_entity(studio):
    missing = new_id()
    support.expect_error(studio, [update('Task', [missing], {'name': 'x'})],
                         errors.NotFoundError, missing)


def test_wrong_key_shape(studio):
    support.expect_error(studio, [update('Metadata', ['only-one'], {'value': 'x'})],
                         errors.ValidationError, 'entity_key', 'parent_id, key')


def test_immutable_attribute_is_refused(studio, tree):
    support.expect_error(
        studio, [update('Task', [tree['task']], {'created_at': '2020-01-01T00:00:00'})],
        errors.PermissionError_, '"created_at"')
    # A sequence's status is immutable once set (here derived at creation).
    support.expect_error(
        studio, [update('Sequence', [tree['sequence']], {
            'status': ref('Status', studio.status['done'])})],
        errors.PermissionError_, '"status"')


def test_immutable_attribute_may_get_a_first_value(studio, tree):
    studio.one(update('Shot', [tree['shot']], {'start_date': '2020-01-01'}))
    assert studio.row('context', id=tree['shot'])['start_date'] == '2020-01-01T00:00:00'


def test_primary_key_cannot_change(studio, tree):
    support.expect_error(studio, [update('Task', [tree['task']], {'id': new_id()})],
                         errors.PermissionError_, '"id"')


def test_server_maintained_discriminators_cannot_change(studio, tree):
    support.expect_error(
        studio, [update('Task', [tree['task']], {'context_type': 'show'})],
        errors.PermissionError_, 'context_type')


def test_setting_parent_sets_parent_id_and_back(studio, tree):
    other = studio.context('Shot', tree['sequence'], 'Sequence', name='other')
    studio.one(update('Task', [tree['task']], {'parent': ref('Shot', other)}))
    assert studio.row('context', id=tree['task'])['parent_id'] == other
    studio.one(update('Task', [tree['task']], {'parent_id': tree['shot']}))
    assert studio.row('context', id=tree['task'])['parent_id'] == tree['shot']


def test_conflicting_reference_and_foreign_key(studio, tree):
    support.expect_error(studio, [update('Task', [tree['task']], {
        'parent': ref('Shot', tree['shot']), 'parent_id': tree['sequence']})],
        errors.ValidationError, 'Conflicting')


def test_project_follows_a_parent_change_for_the_whole_subtree(studio, tree):
    other_project = studio.project()
    studio.one(update('Sequence', [tree['sequence']], {
        'parent': ref('Project', other_project)}))
    for name in ('sequence', 'shot', 'task'):
        assert studio.row('context', id=tree[name])['project_id'] == other_project


def test_parent_cycles_and_leaf_parents_are_refused(studio, tree):
    support.expect_error(studio, [update('Sequence', [tree['sequence']], {
        'parent': ref('Shot', tree['shot'])})], errors.ValidationError, 'below')
    support.expect_error(studio, [update('Shot', [tree['shot']], {
        'parent': ref('Task', tree['task'])})], errors.ValidationError, 'children')


def test_note_appended_to_notes_gets_its_parent(studio, tree):
    note = new_id()
    studio.run([
        create('Note', {'id': note, 'content': 'My new note',
                        'author': ref('User', studio.admin_user)}),
        update('Task', [tree['task']], {'notes': [ref('Note', note)]}),
    ])
    row = studio.row('note', id=note)
    assert row['parent_id'] == tree['task']
    assert row['parent_type'] == 'Task'
    reply = new_id()
    studio.run([
        create('Note', {'id': reply, 'content': 'reply',
                        'author': ref('User', studio.admin_user)}),
        update('Note', [note], {'replies': [ref('Note', reply)]}),
    ])
    assert studio.row('note', id=reply)['in_reply_to_id'] == note


def test_collection_update_detaches_items_no_longer_listed(studio, tree):
    first, second = new_id(), new_id()
    studio.run([
        create('Note', {'id': first, 'content': 'a'}),
        create('Note', {'id': second, 'content': 'b'}),
        update('Task', [tree['task']], {'notes': [ref('Note', first), ref('Note', second)]}),
        update('Task', [tree['task']], {'notes': [ref('Note', second)]}),
    ])
    assert studio.row('note', id=first)['parent_id'] is None
    assert studio.row('note', id=second)['parent_id'] == tree['task']


def test_sequence_component_members_get_their_container(studio):
    container, member = new_id(), new_id()
    studio.run([
        create('SequenceComponent', {'id': container, 'name': 'frames'}),
        create('FileComponent', {'id': member, 'name': '1001'}),
        update('SequenceComponent', [container], {
            'members': [ref('FileComponent', member)]}),
    ])
    assert studio.row('component', id=member)['container_id'] == container


def test_assignments_collection_sets_the_appointment_type(studio, tree):
    appointment = new_id()
    studio.run([
        create('Appointment', {'id': appointment, 'type': 'allocation',
                               'context': ref('Project', tree['project']),
                               'resource': ref('User', studio.admin_user)}),
        update('Task', [tree['task']], {'assignments': [ref('Appointment', appointment)]}),
    ])
    row = studio.row('appointment', id=appointment)
    assert row['type'] == 'assignment' and row['context_id'] == tree['task']


def test_many_to_many_links_are_added_and_removed(studio, tree):
    london, paris = new_id(), new_id()
    studio.run([create('Scope', {'id': london, 'name': 'London'}),
                create('Scope', {'id': paris, 'name': 'Paris'})])
    studio.one(update('Task', [tree['task']], {
        'scopes': [ref('Scope', london), ref('Scope', paris)]}))
    assert {r['scope_id'] for r in studio.rows('_rel_context_scope',
                                               context_id=tree['task'])} == {london, paris}
    studio.one(update('Task', [tree['task']], {'scopes': [ref('Scope', paris)]}))
    assert [r['scope_id'] for r in studio.rows('_rel_context_scope',
                                               context_id=tree['task'])] == [paris]


def test_list_items_are_list_objects(studio, tree):
    task_list = new_id()
    category = new_id()
    studio.run([
        create('ListCategory', {'id': category, 'name': 'Dailies'}),
        create('TypedContextList', {
            'id': task_list, 'name': 'l', 'owner': ref('User', studio.admin_user),
            'project': ref('Project', tree['project']),
            'category': ref('ListCategory', category)}),
        update('TypedContextList', [task_list], {'items': [ref('Task', tree['task'])]}),
    ])
    objects = studio.rows('listobject', list_id=task_list)
    assert [row['entity_id'] for row in objects] == [tree['task']]
    assert studio.row('list', id=task_list)['system_type'] == 'task'
    studio.one(update('TypedContextList', [task_list], {'items': []}))
    assert studio.rows('listobject', list_id=task_list) == []


def test_workflow_statuses_link_rows(studio):
    workflow = new_id()
    studio.run([
        create('WorkflowSchema', {'id': workflow, 'name': 'w'}),
        update('WorkflowSchema', [workflow], {'statuses': [
            ref('Status', studio.status['done']), ref('Status', studio.status['approved'])]}),
    ])
    rows = studio.rows('workflowschemastatus', workflow_schema_id=workflow)
    assert {row['status_id'] for row in rows} == {
        studio.status['done'], studio.status['approved']}


def test_uses_versions_creates_asset_version_links(studio, tree):
    asset, rig, model = new_id(), new_id(), new_id()
    studio.run([
        create('Asset', {'id': asset, 'name': 'a', 'parent': ref('Shot', tree['shot'])}),
        create('AssetVersion', {'id': model, 'asset': ref('Asset', asset)}),
        create('AssetVersion', {'id': rig, 'asset': ref('Asset', asset)}),
        update('AssetVersion', [rig], {'uses_versions': [ref('AssetVersion', model)]}),
    ])
    links = studio.rows('assetversionlink')
    assert [(row['from_id'], row['to_id']) for row in links] == [(model, rig)]


def test_metadata_is_keyed_by_parent_and_key(studio, tree):
    studio.run([
        create('Metadata', {'parent_id': tree['sequence'], 'parent_type': 'Sequence',
                            'key': 'frame_padding', 'value': '4'}, key=False),
        update('Sequence', [tree['sequence']], {'metadata': [
            {'__entity_type__': 'Metadata', 'parent_id': tree['sequence'],
             'key': 'frame_padding'}]}),
    ])
    studio.one(update('Metadata', [tree['sequence'], 'frame_padding'], {'value': '5'}))
    assert studio.row('meta', parent_id=tree['sequence'])['value'] == '5'


def test_status_change_is_recorded(studio, tree):
    studio.one(update('Task', [tree['task']], {
        'status': ref('Status', studio.status['in_progress'])}))
    changes = studio.rows('trac', parent_id=tree['task'])
    assert len(changes) == 1
    assert changes[0]['status_id'] == studio.status['in_progress']
    assert changes[0]['from_status_id'] == studio.status['not_started']
    assert changes[0]['parent_type'] == 'task'


def test_unknown_attribute_in_update(studio, tree):
    support.expect_error(studio, [update('Task', [tree['task']], {'nme': 'x'})],
                         errors.ValidationError, '"nme"', 'Task')


def test_required_attribute_cannot_be_cleared(studio, tree):
    support.expect_error(studio, [update('Task', [tree['task']], {'status': None})],
                         errors.ValidationError, 'status_id')
