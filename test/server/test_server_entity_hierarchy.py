"""The context hierarchy through real HTTP: parents that may and may not be set.

A typed context always hangs below a parent (its ``project_id`` is the
project at the top of that chain); a project is the top of its tree.
"""

import pytest

from ftrack_local_server.testing import new_id, ref
from ftrack_local_server.testing import update_operation as update


@pytest.fixture
def tree(raw_api):
    """Two projects; the first holds a sequence with a shot and a task."""
    projects = [
        raw_api.create_project('hierarchy-' + new_id())['id']
        for _ in range(2)
    ]
    sequence = raw_api.create('Sequence', {'name': 'sq', 'parent_id': projects[0]})['id']
    shot = raw_api.create('Shot', {'name': 'sh', 'parent_id': sequence})['id']
    task = raw_api.create('Task', {'name': 't', 'parent_id': shot})['id']
    return {'projects': projects, 'sequence': sequence, 'shot': shot, 'task': task}


def placement(raw_api, entity_type, identifier):
    row = raw_api.query('select parent_id, project_id from {0} where id is "{1}"'.format(
        entity_type, identifier))[0]
    return row['parent_id'], row['project_id']


@pytest.mark.parametrize('data', [{'parent_id': None}, {'parent': None}],
                         ids=['parent_id', 'parent'])
def test_typed_context_parent_cannot_be_cleared(raw_api, tree, data):
    error = raw_api.call([update('Shot', [tree['shot']], data)])
    assert error['exception'] == 'ValidationError', error
    assert tree['shot'] in error['content']
    assert 'parent' in error['content']
    assert placement(raw_api, 'Shot', tree['shot']) == (tree['sequence'], tree['projects'][0])
    assert placement(raw_api, 'Task', tree['task']) == (tree['shot'], tree['projects'][0])


def test_removing_a_typed_context_from_children_keeps_its_parent(raw_api, tree):
    other = raw_api.create('Sequence', {'name': 'sq2', 'parent_id': tree['projects'][0]})['id']
    # The collection now lists only the new sequence; the old one is not
    # detached (a context needs a parent): deleting it is how it goes away.
    raw_api.ok([update('Project', [tree['projects'][0]], {
        'children': [ref('Sequence', other)]})])
    assert placement(raw_api, 'Sequence', tree['sequence']) == (
        tree['projects'][0], tree['projects'][0])
    children = raw_api.query('select children from Project where id is "{0}"'.format(
        tree['projects'][0]))[0]['children']
    assert {child['id'] for child in children} == {tree['sequence'], other}


def test_removing_then_deleting_a_typed_context_in_one_batch(raw_api, tree):
    raw_api.ok([
        update('Project', [tree['projects'][0]], {'children': []}),
        {'action': 'delete', 'entity_type': 'Sequence', 'entity_key': [tree['sequence']]},
    ])
    assert raw_api.query('select id from Task where id is "{0}"'.format(tree['task'])) == []


@pytest.mark.parametrize('field', ['parent_id', 'parent'])
def test_project_cannot_have_a_parent(raw_api, tree, field):
    value = tree['projects'][1] if field == 'parent_id' else ref('Project', tree['projects'][1])
    error = raw_api.call([update('Project', [tree['projects'][0]], {field: value})])
    assert error['exception'] == 'ValidationError', error
    assert tree['projects'][0] in error['content']
    assert tree['projects'][1] in error['content']
    link = raw_api.query('select link from Sequence where id is "{0}"'.format(
        tree['sequence']))[0]['link']
    assert [item['id'] for item in link] == [tree['projects'][0], tree['sequence']]


def test_new_project_cannot_have_a_parent(raw_api, tree):
    schema = raw_api.query('select id from ProjectSchema')[0]['id']
    name = 'hierarchy-' + new_id()
    error = raw_api.call([{'action': 'create', 'entity_type': 'Project', 'entity_data': {
        'name': name, 'full_name': 'h', 'project_schema_id': schema,
        'parent_id': tree['projects'][0]}}])
    assert error['exception'] == 'ValidationError', error
    assert raw_api.query('select id from Project where name is "{0}"'.format(name)) == []


def test_project_parent_may_be_sent_as_null(raw_api, tree):
    raw_api.ok([update('Project', [tree['projects'][0]], {'parent_id': None})])


def test_moving_a_subtree_to_another_project(raw_api, tree):
    raw_api.ok([update('Sequence', [tree['sequence']], {'parent_id': tree['projects'][1]})])
    assert placement(raw_api, 'Task', tree['task']) == (tree['shot'], tree['projects'][1])
    link = raw_api.query('select link from Task where id is "{0}"'.format(
        tree['task']))[0]['link']
    assert [item['id'] for item in link] == [
        tree['projects'][1], tree['sequence'], tree['shot'], tree['task']]


def test_missing_required_value_on_update_says_update(raw_api, tree):
    error = raw_api.call([update('Task', [tree['task']], {'name': None})])
    assert error['exception'] == 'ValidationError', error
    assert 'Cannot update Task({0})'.format(tree['task']) in error['content']
    assert '"name"' in error['content']
