"""Shapes of query results through real HTTP (protocol §2.3, §3.3, §4.7).

The studio each test reads is created through the ``create`` action in a
project of this module alone (fixture ``world``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, Iterator

import pytest

from ftrack_local_server.testing import RawApi

TASK_TYPE = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'
SHOT_TYPE = 'bad911de-3bd6-47b9-8b46-3476e237cb36'
NOT_STARTED = '014a40a6-4e65-11e1-b8af-f23c91df25eb'
NOT_STARTED_STATE = '6c59abf8-4dbf-11e1-9902-f23c91df25eb'
APPROVED = '386c9c4b-c64f-5d48-ac1e-94f28a0d4fb8'


#: Ids of the studio the tests query.
World = SimpleNamespace


@pytest.fixture(scope='module')
def world(api: RawApi, new_world: Any) -> World:
    w = new_world('qres_', 'Results')
    w.folder = api.create('Folder', {'name': 'assets', 'parent_id': w.project})['id']
    w.sq = api.create('Sequence', {'name': 'SQ', 'parent_id': w.project})['id']
    w.shots = [api.create('Shot', {'name': 'SH{0:03d}'.format(10 * (index + 1)),
                                   'parent_id': w.sq})['id']
               for index in range(3)]
    w.tasks = []
    for index, (shot, status) in enumerate(
            [(0, NOT_STARTED), (0, APPROVED), (1, NOT_STARTED), (2, NOT_STARTED),
             (2, APPROVED)]):
        w.tasks.append(api.create('Task', {
            'name': 'task{0}'.format(index), 'parent_id': w.shots[shot],
            'status_id': status, 'bid': [3, 1, 2, 3, 1][index],
            'start_date': {'__type__': 'datetime',
                           'value': '2020-01-0{0}T12:30:00'.format(index + 1)},
        })['id'])
    asset_type = api.query('select id from AssetType')[0]['id']
    w.asset = api.create('Asset', {'name': 'hero', 'context_id': w.shots[0],
                                   'type_id': asset_type})['id']
    w.versions = [api.create('AssetVersion', {'asset_id': w.asset, 'version': number})['id']
                  for number in (1, 2, 3)]
    return w


def in_project(world: World, query: str, condition: str = '') -> str:
    """Return *query* restricted to the world's project."""
    where = 'project_id is "{0}"'.format(world.project)
    if condition:
        where += ' and ({0})'.format(condition)
    return '{0} where {1}'.format(query, where)


def walk(value: Any) -> Iterator[Dict[str, Any]]:
    """Yield every encoded entity nested in *value*."""
    if isinstance(value, dict):
        if '__entity_type__' in value:
            yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


# -- entity shape --------------------------------------------------------------


def test_typed_context_carries_system_projections_and_classifier(api, world):
    result = api.result(in_project(world, 'select name from Task') + ' limit 1')
    assert result['action'] == 'query'
    assert result['metadata'] == {'next': {'offset': 1}}
    assert result['data'] == [{
        '__entity_type__': 'Task', 'id': world.tasks[0], 'name': 'task0',
        'context_type': 'task', 'object_type_id': TASK_TYPE,
        'project_id': world.project,
    }]


def test_datetimes_are_tagged_naive_utc(api, world):
    data = api.query(in_project(world, 'select name, start_date, created_at from Task')
                     + ' limit 1')
    assert data[0]['start_date'] == {'__type__': 'datetime',
                                     'value': '2020-01-01T12:30:00'}
    created = data[0]['created_at']
    assert created['__type__'] == 'datetime'
    assert len(created['value']) == 19 and 'T' in created['value']


def test_project_shape(api, world):
    data = api.query('select name, status from Project where id is "{0}"'.format(
        world.project))
    assert data == [{'__entity_type__': 'Project', 'id': world.project,
                     'name': 'qres_' + world.tag, 'status': 'active',
                     'context_type': 'show'}]


def test_short_form_uses_default_projections(api, world):
    data = api.query('Task where id is "{0}"'.format(world.tasks[1]))
    assert data == [{'__entity_type__': 'Task', 'id': world.tasks[1],
                     'name': 'task1', 'context_type': 'task',
                     'object_type_id': TASK_TYPE, 'project_id': world.project}]
    data = api.query('AssetVersion where id is "{0}"'.format(world.versions[0]))
    assert data == [{'__entity_type__': 'AssetVersion', 'id': world.versions[0],
                     'asset_id': world.asset}]


def test_nested_reference_shape_and_first_occurrence_rule(api, world):
    # Mirrors the captured status.state.short fixture (limit 2).
    data = api.query(in_project(world, 'select status.state.short from Task',
                                'status_id is "{0}"'.format(NOT_STARTED)) + ' limit 2')
    assert data[0]['status'] == {
        '__entity_type__': 'Status', 'id': NOT_STARTED,
        'state': {'__entity_type__': 'State', 'id': NOT_STARTED_STATE,
                  'short': 'NOT_STARTED'},
    }
    assert data[1]['status'] == {'__entity_type__': 'Status', 'id': NOT_STARTED}


def test_asset_versions_shape(api, world):
    # Mirrors the captured "version, asset.versions.version" fixture.
    data = api.query('select version, asset.versions.version from AssetVersion where '
                     'asset_id is "{0}" limit 1'.format(world.asset))
    assert data == [{
        '__entity_type__': 'AssetVersion', 'id': world.versions[0],
        'asset_id': world.asset, 'version': 1,
        'asset': {
            '__entity_type__': 'Asset', 'id': world.asset,
            'context_id': world.shots[0],
            'versions': [
                {'__entity_type__': 'AssetVersion', 'id': world.versions[0]},
                {'__entity_type__': 'AssetVersion', 'id': world.versions[1],
                 'asset_id': world.asset, 'version': 2},
                {'__entity_type__': 'AssetVersion', 'id': world.versions[2],
                 'asset_id': world.asset, 'version': 3},
            ],
        },
    }]


def test_each_entity_fully_encoded_once(api, world):
    data = api.query(in_project(world, 'select parent.name from Task',
                                'parent_id is "{0}"'.format(world.shots[0])))
    assert data[0]['parent'] == {
        '__entity_type__': 'Shot', 'id': world.shots[0], 'name': 'SH010',
        'context_type': 'task', 'object_type_id': SHOT_TYPE,
        'project_id': world.project}
    assert data[1]['parent'] == {'__entity_type__': 'Shot', 'id': world.shots[0]}


def test_values_requested_later_are_merged_into_the_first_object(api, world):
    # The shot first appears among the ancestors (without a name); the name
    # asked for through parent must still be in the response.
    data = api.query('select ancestors, parent.name from Task where id is "{0}"'
                     .format(world.tasks[0]))
    full = [entity for entity in walk(data) if entity['id'] == world.shots[0]
            and len(entity) > 2]
    assert len(full) == 1
    assert full[0]['name'] == 'SH010'
    assert data[0]['parent'] == {'__entity_type__': 'Shot', 'id': world.shots[0]}


def test_result_rows_are_always_complete_objects(api, world):
    data = api.query('select name, parent.name from Context where id in ("{0}", "{1}")'
                     .format(world.shots[0], world.sq))
    by_id = {entity['id']: entity for entity in data}
    assert by_id[world.sq]['name'] == 'SQ'
    assert by_id[world.shots[0]]['name'] == 'SH010'


def test_null_reference_and_empty_collection(api, world):
    data = api.query('select parent, thumbnail, children, timelogs from Project where '
                     'id is "{0}"'.format(world.project))
    assert data[0]['parent'] is None
    assert data[0]['thumbnail'] is None
    assert data[0]['timelogs'] == []
    assert [child['id'] for child in data[0]['children']] == [world.folder, world.sq]


def test_collection_of_references_shape(api, world):
    data = api.query('select children from Shot where id is "{0}"'.format(
        world.shots[0]))
    assert data[0]['children'] == [
        {'__entity_type__': 'Task', 'id': world.tasks[0], 'context_type': 'task',
         'object_type_id': TASK_TYPE, 'project_id': world.project},
        {'__entity_type__': 'Task', 'id': world.tasks[1], 'context_type': 'task',
         'object_type_id': TASK_TYPE, 'project_id': world.project},
    ]


def test_mapped_collection_items_carry_key_and_value(api, world):
    api.create('Metadata', {'parent_id': world.shots[1], 'parent_type': 'Shot',
                            'key': 'frames', 'value': '1001-1100'})
    data = api.query('select metadata from Shot where id is "{0}"'.format(
        world.shots[1]))
    assert data[0]['metadata'] == [{
        '__entity_type__': 'Metadata', 'parent_id': world.shots[1], 'key': 'frames',
        'value': '1001-1100'}]


def test_dense_custom_attributes(api, world):
    text = api.query('select id from CustomAttributeType where name is "text"')[0]['id']
    configuration = api.create('CustomAttributeConfiguration', {
        'entity_type': 'task', 'object_type_id': SHOT_TYPE, 'type_id': text,
        'key': 'q_note_' + world.tag, 'label': 'Note', 'config': '{}',
        'default': 'none yet', 'project_id': world.project})['id']
    data = api.query('select custom_attributes from Shot where id is "{0}"'.format(
        world.shots[2]))
    values = [value for value in data[0]['custom_attributes']
              if value.get('configuration_id') == configuration]
    assert values == [{
        '__entity_type__': 'ContextCustomAttributeValue',
        'configuration_id': configuration, 'entity_id': world.shots[2],
        'key': 'q_note_' + world.tag, 'value': 'none yet'}]


# -- concrete types --------------------------------------------------------------


def test_subtype_query_finds_only_that_subtype(api, world):
    assert [e['id'] for e in api.query(in_project(world, 'select id from Shot'))] == \
        world.shots
    assert api.query('select id from Sequence where id is "{0}"'.format(
        world.shots[0])) == []


def test_supertype_query_returns_concrete_types(api, world):
    data = api.query(in_project(world, 'select name from TypedContext'))
    assert [(e['__entity_type__'], e['name']) for e in data] == (
        [('Folder', 'assets'), ('Sequence', 'SQ')]
        + [('Shot', name) for name in ('SH010', 'SH020', 'SH030')]
        + [('Task', 'task{0}'.format(index)) for index in range(5)])
    data = api.query('select name from Context where id in ("{0}", "{1}")'.format(
        world.project, world.tasks[0]))
    assert [(e['__entity_type__'], e['context_type']) for e in data] == [
        ('Project', 'show'), ('Task', 'task')]
    assert 'object_type_id' in data[1] and 'object_type_id' not in data[0]


def test_polymorphic_nested_entities_have_their_own_type(api, world):
    data = api.query('select parent.name from Context where id in ("{0}", "{1}", "{2}")'
                     .format(world.sq, world.shots[0], world.tasks[0]))
    parents = {e['id']: e['parent']['__entity_type__'] for e in data}
    assert parents == {world.sq: 'Project', world.shots[0]: 'Sequence',
                       world.tasks[0]: 'Shot'}


# -- order, offset and limit -----------------------------------------------------------


def test_default_order_is_creation_order(api, world):
    data = api.query(in_project(world, 'select id from Task'))
    assert [e['id'] for e in data] == world.tasks


def test_order_by_several_keys(api, world):
    data = api.query(in_project(world, 'select name from Task') + ' order by bid desc, '
                     'name')
    assert [e['name'] for e in data] == ['task0', 'task3', 'task2', 'task1', 'task4']
    data = api.query(in_project(world, 'select name from Task') + ' order by bid asc, '
                     'name descending')
    assert [e['name'] for e in data] == ['task4', 'task1', 'task2', 'task3', 'task0']


def test_order_by_through_references(api, world):
    data = api.query(in_project(world, 'select name from Task')
                     + ' order by parent.name desc, status.sort')
    assert [e['name'] for e in data] == ['task3', 'task4', 'task2', 'task0', 'task1']


def test_order_by_then_creation_order_for_ties(api, world):
    data = api.query(in_project(world, 'select name from Task') + ' order by status_id')
    # NOT_STARTED's id sorts before APPROVED's; ties keep creation order.
    assert [e['name'] for e in data] == ['task0', 'task2', 'task3', 'task1', 'task4']


@pytest.mark.parametrize('offset, limit, names, next_offset', [
    (0, 2, ['task0', 'task1'], 2),
    (2, 2, ['task2', 'task3'], 4),
    (4, 2, ['task4'], None),
    (3, 2, ['task3', 'task4'], None),
    (5, 2, [], None),
    (1, None, ['task1', 'task2', 'task3', 'task4'], None),
    (0, 0, [], 0),
])
def test_offset_limit_and_next_offset(api, world, offset, limit, names, next_offset):
    expression = in_project(world, 'select name from Task') + ' offset {0}'.format(offset)
    if limit is not None:
        expression += ' limit {0}'.format(limit)
    result = api.result(expression)
    assert [e['name'] for e in result['data']] == names
    assert result['metadata'] == {'next': {'offset': next_offset}}


def test_limit_before_offset_and_without_limit(api, world):
    result = api.result(in_project(world, 'select name from Task')
                        + ' limit 1 offset 2')
    assert [e['name'] for e in result['data']] == ['task2']
    assert result['metadata']['next']['offset'] == 3
    result = api.result(in_project(world, 'select name from Task'))
    assert len(result['data']) == 5
    assert result['metadata']['next']['offset'] is None


def test_paging_like_the_python_client_is_stable(api, world):
    seen = []
    offset = 0
    while offset is not None:
        result = api.result(in_project(world, 'select name from TypedContext')
                            + ' offset {0} limit 3'.format(offset))
        seen.extend(e['id'] for e in result['data'])
        offset = result['metadata']['next']['offset']
    everything = api.query(in_project(world, 'select id from TypedContext'))
    assert seen == [e['id'] for e in everything]
    assert len(seen) == len(set(seen)) == 10


# -- group by ------------------------------------------------------------------


def test_group_by_count(api, world):
    data = api.query(in_project(world, 'select count(id) from Task')
                     + ' group by project_id, status_id')
    assert sorted(data, key=lambda row: row['count_id']) == sorted([
        {'count_id': 3, 'project_id': world.project, 'status_id': NOT_STARTED},
        {'count_id': 2, 'project_id': world.project, 'status_id': APPROVED},
    ], key=lambda row: row['count_id'])


def test_group_by_every_function(api, world):
    data = api.query(in_project(world, 'select status_id, count(id), sum(bid), '
                                'avg(bid), min(bid), max(bid), min(start_date) from Task')
                     + ' group by status_id order by count_id desc')
    assert data == [
        {'status_id': NOT_STARTED, 'count_id': 3, 'sum_bid': 8, 'avg_bid': 8 / 3,
         'min_bid': 2, 'max_bid': 3,
         'min_start_date': {'__type__': 'datetime', 'value': '2020-01-01T12:30:00'}},
        {'status_id': APPROVED, 'count_id': 2, 'sum_bid': 2, 'avg_bid': 1.0,
         'min_bid': 1, 'max_bid': 1,
         'min_start_date': {'__type__': 'datetime', 'value': '2020-01-02T12:30:00'}},
    ]


def test_group_by_dotted_path_with_paging(api, world):
    expression = in_project(world, 'select count(id) from Task') + \
        ' group by parent.name order by parent.name'
    result = api.result(expression + ' limit 2')
    assert result['data'] == [{'count_id': 2, 'parent.name': 'SH010'},
                              {'count_id': 1, 'parent.name': 'SH020'}]
    assert result['metadata'] == {'next': {'offset': 2}}
    result = api.result(expression + ' offset 2 limit 2')
    assert result['data'] == [{'count_id': 2, 'parent.name': 'SH030'}]
    assert result['metadata'] == {'next': {'offset': None}}


def test_aggregate_without_group_by(api, world):
    assert api.query(in_project(world, 'select count(id), max(bid) from Task')) == [
        {'count_id': 5, 'max_bid': 3}]


def test_group_by_errors(api, world):
    error = api.error(in_project(world, 'select name, count(id) from Task')
                      + ' group by status_id')
    assert error['exception'] == 'ValidationError'
    assert '"name"' in error['content'] and 'group by' in error['content']
    error = api.error(in_project(world, 'select count(id) from Task')
                      + ' group by status_id order by name')
    assert error['exception'] == 'ValidationError' and '"name"' in error['content']
    error = api.error('select sum(children.bid) from Shot group by id')
    assert error['exception'] == 'ValidationError' and '"children"' in error['content']
