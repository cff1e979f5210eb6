"""The JavaScript client's ``search`` action through raw HTTP."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest


@pytest.fixture
def tree(raw_api: Any) -> Dict[str, Any]:
    """A project with two shots and a version, named uniquely for this test."""
    tag = uuid.uuid4().hex[:8]
    schema = raw_api.query('select id from ProjectSchema')[0]
    project = raw_api.create('Project', {'name': 'search_' + tag, 'full_name': 'Search ' + tag,
                                         'project_schema_id': schema['id']})
    other = raw_api.create('Project', {'name': 'other_' + tag, 'full_name': 'Other ' + tag,
                                       'project_schema_id': schema['id']})
    forest = raw_api.create('Shot', {'name': 'forest_' + tag, 'parent_id': project['id'],
                                     'description': 'Misty morning'})
    river = raw_api.create('Shot', {'name': 'river_' + tag, 'parent_id': project['id']})
    elsewhere = raw_api.create('Shot', {'name': 'forest_elsewhere_' + tag, 'parent_id': other['id']})
    task = raw_api.create('Task', {'name': 'compositing', 'parent_id': forest['id']})
    asset_type = raw_api.query('select id from AssetType')[0]
    asset = raw_api.create('Asset', {'name': 'plate_' + tag, 'context_id': forest['id'],
                                     'type_id': asset_type['id']})
    version = raw_api.create('AssetVersion', {'asset_id': asset['id'], 'comment': 'first pass'})
    return {'tag': tag, 'project': project, 'forest': forest, 'river': river,
            'elsewhere': elsewhere, 'task': task, 'version': version}


def search(raw_api: Any, **operation: Any) -> List[str]:
    result = raw_api.ok([dict(operation, action='search')])[0]
    assert result['action'] == 'search'
    assert 'next' in result['metadata']
    return sorted(item['id'] for item in result['data'])


def test_terms_match_text_attributes(raw_api: Any, tree: Dict[str, Any]) -> None:
    tag = tree['tag']
    found = search(raw_api, expression='select name from Shot', entity_type='Shot', terms=['FOREST_', tag])
    assert found == sorted([tree['forest']['id'], tree['elsewhere']['id']])
    assert search(raw_api, expression='select name from Shot', terms=['misty', tag]) == [tree['forest']['id']]
    assert search(raw_api, entity_type='Shot', terms=[tag, 'nothing-like-this']) == []


def test_context_and_object_types(raw_api: Any, tree: Dict[str, Any]) -> None:
    tag = tree['tag']
    in_project = search(raw_api, expression='select name from Shot', terms=[tag],
                        context_id=tree['project']['id'])
    assert in_project == sorted([tree['forest']['id'], tree['river']['id']])
    below_shot = search(raw_api, expression='select name from TypedContext',
                        context_id=tree['forest']['id'])
    assert below_shot == sorted([tree['forest']['id'], tree['task']['id']])
    task_type = raw_api.query('select object_type_id from Task where id is {0}'.format(tree['task']['id']))[0]
    only_tasks = search(raw_api, expression='select name from TypedContext',
                        context_id=tree['project']['id'], object_type_ids=[task_type['object_type_id']])
    assert only_tasks == [tree['task']['id']]


def test_versions_by_asset_name_number_and_context(raw_api: Any, tree: Dict[str, Any]) -> None:
    version_id = tree['version']['id']
    assert search(raw_api, expression='select version from AssetVersion',
                  terms=['plate_' + tree['tag']]) == [version_id]
    assert version_id in search(raw_api, expression='select version from AssetVersion',
                                terms=['1'], context_id=tree['project']['id'])
    assert search(raw_api, expression='select version from AssetVersion',
                  context_id=tree['river']['id']) == []


def test_search_keeps_the_expression_criteria_and_limit(raw_api: Any, tree: Dict[str, Any]) -> None:
    expression = 'select name from Shot where name is "river_{0}"'.format(tree['tag'])
    assert search(raw_api, expression=expression, terms=[tree['tag']]) == [tree['river']['id']]
    result = raw_api.ok([{'action': 'search', 'expression': 'select name from Shot limit 1',
                          'terms': [tree['tag']]}])[0]
    assert len(result['data']) == 1 and result['metadata']['next']['offset'] == 1


@pytest.mark.parametrize('operation, message', [
    ({}, '"expression" or an "entity_type"'),
    ({'expression': 'select name from Shot', 'entity_type': 'Task'}, '"Task"'),
    ({'entity_type': 'Shot', 'terms': 'forest'}, '"terms"'),
    ({'entity_type': 'Location', 'context_id': 'x'}, 'Location'),
    ({'entity_type': 'Project', 'object_type_ids': ['x']}, 'object type'),
])
def test_search_errors(raw_api: Any, operation: Dict[str, Any], message: str) -> None:
    result = raw_api.call([dict(operation, action='search')])
    assert result['exception'] == 'ValidationError'
    assert message in result['content']
