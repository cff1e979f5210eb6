"""Tests for change records and batch atomicity of entity writes."""

import pytest

from ftrack_local_server import errors

# Registered by conftest.py (sibling modules are not importable by name).
import server_rules_support as support
from server_rules_support import OBJECT_TYPES, create, delete, new_id, ref, update


def test_update_record_shape(studio):
    project = studio.project()
    shot = studio.context('Shot', project)
    task = studio.context('Task', shot, 'Shot')
    _, changes = studio.run([update('Task', [task], {'name': 'comp'})])
    assert changes == [{
        'action': 'update',
        'entityId': task,
        'entityType': 'task',
        'entity_type': 'Task',
        'objectTypeId': OBJECT_TYPES['Task'][0],
        'parentId': shot,
        'keys': ['name'],
        'changes': {'name': {'old': 'task', 'new': 'comp'}},
        'parents': [
            {'entityId': task, 'entityType': 'task', 'entity_type': 'Task',
             'parentId': shot},
            {'entityId': shot, 'entityType': 'task', 'entity_type': 'Shot',
             'parentId': project},
            {'entityId': project, 'entityType': 'show', 'entity_type': 'Project',
             'parentId': None},
        ],
    }]


def test_add_and_remove_records(studio):
    scope = new_id()
    _, added = studio.run([create('Scope', {'id': scope, 'name': 'London'})])
    assert added[0]['action'] == 'add'
    assert added[0]['entityType'] == 'scope'
    assert added[0]['changes']['name'] == {'old': None, 'new': 'London'}
    assert added[0]['objectTypeId'] is None
    _, removed = studio.run([delete('Scope', [scope])])
    assert removed[0]['action'] == 'remove'
    assert removed[0]['entityId'] == scope


def test_updates_of_one_entity_in_a_batch_are_merged(studio):
    project = studio.project()
    _, changes = studio.run([
        update('Project', [project], {'full_name': 'a'}),
        update('Project', [project], {'full_name': 'b', 'color': '#fff'}),
    ])
    assert len(changes) == 1
    # Named as a real server names them: Project.full_name is "fullname".
    assert changes[0]['changes']['fullname'] == {'old': 'Project', 'new': 'b'}
    assert changes[0]['keys'] == ['fullname', 'color']


def test_changes_use_the_internal_names_event_plugins_test(studio):
    project = studio.project()
    shot = studio.context('Shot', project)
    task = studio.context('Task', shot, 'Shot')
    done = studio.status['done']
    _, changes = studio.run([update('Task', [task], {
        'status_id': done, 'type_id': studio.type_compositing, 'description': 'd'})])
    # Changing a status also adds a StatusChange; look at the task's record.
    record = [item for item in changes if item['entity_type'] == 'Task'][0]
    assert sorted(record['keys']) == ['description', 'statusid', 'typeid']
    assert record['changes']['statusid']['new'] == done
    assert record['changes']['typeid']['new'] == studio.type_compositing


def test_unchanged_update_records_nothing(studio):
    project = studio.project()
    _, changes = studio.run([update('Project', [project], {'full_name': 'Project'})])
    assert changes == []


def test_version_records_name_its_asset(studio):
    project = studio.project()
    asset, version = new_id(), new_id()
    _, changes = studio.run([
        create('Asset', {'id': asset, 'name': 'a', 'parent': ref('Project', project)}),
        create('AssetVersion', {'id': version, 'asset': ref('Asset', asset)}),
    ])
    record = changes[1]
    assert record['entityType'] == 'assetversion'
    assert record['parentId'] == asset
    assert [p['entity_type'] for p in record['parents']] == [
        'AssetVersion', 'Asset', 'Project']


def test_failing_third_operation_leaves_the_first_two_unapplied(studio):
    first, second = new_id(), new_id()
    with pytest.raises(errors.ValidationError):
        studio.run([
            create('Scope', {'id': first, 'name': 'a'}),
            create('Scope', {'id': second, 'name': 'b'}),
            create('Scope', {'id': new_id(), 'name': 'c', 'bogus': 1}),
        ])
    assert studio.rows('scope') == []


def test_failed_delete_changes_nothing(studio):
    project = studio.project()
    task = studio.context('Task', project)
    with pytest.raises(errors.ValidationError):
        studio.run([
            update('Task', [task], {'name': 'renamed'}),
            delete('Status', [studio.status['not_started']]),
        ])
    assert studio.row('context', id=task)['name'] == 'task'
    assert studio.row('taskstatus', id=studio.status['not_started']) is not None


def test_later_operations_see_entities_created_earlier(studio):
    project = studio.project()
    shot, task = new_id(), new_id()
    results, _ = studio.run([
        create('Shot', {'id': shot, 'name': 'sh'}),
        update('Shot', [shot], {'parent': ref('Project', project)}),
        create('Task', {'id': task, 'name': 't', 'parent': ref('Shot', shot)}),
    ])
    assert results[2]['data']['project_id'] == project


def test_file_database_keeps_writes_across_reopen(tmp_path):
    path = str(tmp_path / 'studio.db')
    studio = support.Studio(path)
    project = studio.project('persisted')
    studio.close()
    reopened = support.Store(path, model=support.model())
    assert not reopened.is_new
    with reopened.transaction() as tx:
        assert tx.load('Project', [project])['name'] == 'persisted'
    reopened.close()


def test_new_context_appended_to_a_parents_children(studio):
    """Tutorial: "Add the sequence to a parent's children attribute"."""
    project = studio.project()
    sequence, shot = new_id(), new_id()
    studio.run([
        create('Sequence', {'id': sequence, 'name': 'seq'}),
        create('Shot', {'id': shot, 'name': 'sh', 'parent': ref('Sequence', sequence)}),
        update('Project', [project], {'children': [ref('Sequence', sequence)]}),
    ])
    for identifier in (sequence, shot):
        row = studio.row('context', id=identifier)
        assert row['project_id'] == project
        assert row['status_id'] is not None
    assert studio.row('context', id=shot)['status_id'] == studio.status['shot_ready']


def test_context_left_without_parent_fails_the_batch(studio):
    support.expect_error(studio, [create('Sequence', {'id': new_id(), 'name': 'seq'})],
                         errors.ValidationError, 'parent')
    assert studio.rows('context', name='seq') == []
