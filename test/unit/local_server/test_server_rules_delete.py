"""Tests for the ``delete`` action: cascades and dangling references."""

from ftrack_local_server import errors

# Registered by conftest.py (sibling modules are not importable by name).
import server_rules_support as support
from server_rules_support import create, delete, new_id, ref, update


def _populate(studio):
    """A project with a shot, a task with a note, timelog, metadata, an asset..."""
    ids = {'project': studio.project()}
    ids['shot'] = studio.context('Shot', ids['project'])
    ids['task'] = studio.context('Task', ids['shot'], 'Shot')
    ids['note'], ids['reply'], ids['timelog'] = new_id(), new_id(), new_id()
    ids['asset'], ids['version'], ids['component'] = new_id(), new_id(), new_id()
    ids['location'], ids['component_location'] = new_id(), new_id()
    studio.run([
        create('Note', {'id': ids['note'], 'content': 'n'}),
        update('Task', [ids['task']], {'notes': [ref('Note', ids['note'])]}),
        create('Note', {'id': ids['reply'], 'content': 'r'}),
        update('Note', [ids['note']], {'replies': [ref('Note', ids['reply'])]}),
        create('Timelog', {'id': ids['timelog'], 'duration': 60,
                           'context': ref('Task', ids['task']),
                           'user': ref('User', studio.admin_user)}),
        create('Metadata', {'parent_id': ids['task'], 'parent_type': 'Task',
                            'key': 'k', 'value': 'v'}, key=False),
        create('Asset', {'id': ids['asset'], 'name': 'a',
                         'parent': ref('Shot', ids['shot'])}),
        create('AssetVersion', {'id': ids['version'], 'asset': ref('Asset', ids['asset']),
                                'task': ref('Task', ids['task'])}),
        create('FileComponent', {'id': ids['component'],
                                 'version': ref('AssetVersion', ids['version'])}),
        create('Location', {'id': ids['location'], 'name': 'studio.disk'}),
        create('ComponentLocation', {
            'id': ids['component_location'],
            'component': ref('FileComponent', ids['component']),
            'location': ref('Location', ids['location'])}),
    ])
    return ids


def test_deleting_a_task_deletes_its_notes_timelogs_and_metadata(studio):
    ids = _populate(studio)
    results, changes = studio.run([delete('Task', [ids['task']])])
    assert results == [{'action': 'delete', 'data': True}]
    assert studio.row('context', id=ids['task']) is None
    assert studio.row('note', id=ids['note']) is None
    assert studio.row('note', id=ids['reply']) is None
    assert studio.row('timelog', id=ids['timelog']) is None
    assert studio.row('meta', parent_id=ids['task']) is None
    # The version only referred to the task: it stays, without task.
    assert studio.row('assetversion', id=ids['version'])['task_id'] is None
    removed = {(c['entity_type'], str(c['entityId'])) for c in changes
               if c['action'] == 'remove'}
    assert ('Task', ids['task']) in removed
    assert ('Note', ids['reply']) in removed


def test_deleting_a_project_deletes_its_whole_tree(studio):
    ids = _populate(studio)
    studio.run([delete('Project', [ids['project']])])
    for table, key in (('context', 'project'), ('context', 'shot'),
                       ('context', 'task'), ('note', 'note'), ('asset', 'asset'),
                       ('assetversion', 'version'), ('component', 'component'),
                       ('componentlocation', 'component_location')):
        assert studio.row(table, id=ids[key]) is None, table
    assert studio.row('location', id=ids['location']) is not None


def test_deleting_what_a_cascade_removed_in_the_same_batch_is_fine(studio):
    ids = _populate(studio)
    results, _ = studio.run([
        delete('Project', [ids['project']]),
        delete('Task', [ids['task']]),
        delete('Note', [ids['note']]),
    ])
    assert [r['data'] for r in results] == [True, True, True]


def test_deleting_a_missing_entity_is_an_error(studio):
    missing = new_id()
    support.expect_error(studio, [delete('Task', [missing])],
                         errors.NotFoundError, missing)


def test_deleting_a_status_in_use_is_refused(studio):
    ids = _populate(studio)
    error = support.expect_error(
        studio, [delete('Status', [studio.status['not_started']])],
        errors.ValidationError, 'Status', 'Task({0})'.format(ids['task']), '"status"')
    assert 'still referenced' in error.content
    assert studio.row('taskstatus', id=studio.status['not_started']) is not None


def test_deleting_a_user_who_authored_notes_is_refused(studio):
    author, note = new_id(), new_id()
    studio.run([create('User', {'id': author, 'username': 'author'}),
                create('Note', {'id': note, 'content': 'n',
                                'author': ref('User', author)})])
    support.expect_error(
        studio, [delete('User', [author])], errors.ValidationError,
        'User({0})'.format(author), 'Note({0})'.format(note), '"author"')
    assert studio.row('resource', id=author) is not None


def test_deleting_an_unused_user_removes_its_memberships(studio):
    user, group, membership = new_id(), new_id(), new_id()
    studio.run([
        create('User', {'id': user, 'username': 'temp'}),
        create('Group', {'id': group, 'name': 'g'}),
        create('Membership', {'id': membership, 'user': ref('User', user),
                              'group': ref('Group', group)}),
    ])
    _, changes = studio.run([delete('User', [user])])
    assert studio.row('membership', id=membership) is None
    assert any(c['entity_type'] == 'User' and c['action'] == 'remove'
               for c in changes)


def test_deleting_a_thumbnail_clears_the_references(studio):
    project = studio.project()
    component = new_id()
    studio.run([
        create('FileComponent', {'id': component, 'name': 'thumbnail'}),
        update('Project', [project], {'thumbnail': ref('FileComponent', component)}),
    ])
    studio.run([delete('FileComponent', [component])])
    assert studio.row('context', id=project)['thumbnail_id'] is None


def test_deleting_a_workflow_status_link(studio):
    studio.run([delete('WorkflowSchemaStatus', [
        studio.task_workflow, studio.status['done']])])
    assert studio.row('workflowschemastatus', workflow_schema_id=studio.task_workflow,
                      status_id=studio.status['done']) is None


def test_deleting_a_list_removes_its_items_links_only(studio):
    ids = _populate(studio)
    task_list, category = new_id(), new_id()
    studio.run([
        create('ListCategory', {'id': category, 'name': 'c'}),
        create('TypedContextList', {
            'id': task_list, 'project': ref('Project', ids['project']),
            'category': ref('ListCategory', category)}),
        update('TypedContextList', [task_list], {'items': [ref('Task', ids['task'])]}),
    ])
    studio.run([delete('TypedContextList', [task_list])])
    assert studio.rows('listobject', list_id=task_list) == []
    assert studio.row('context', id=ids['task']) is not None


def test_deleting_a_scope_removes_it_from_contexts(studio):
    project = studio.project()
    scope = new_id()
    studio.run([create('Scope', {'id': scope, 'name': 'London'}),
                update('Project', [project], {'scopes': [ref('Scope', scope)]})])
    studio.run([delete('Scope', [scope])])
    assert studio.rows('_rel_context_scope', scope_id=scope) == []
