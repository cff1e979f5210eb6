"""The query language through real HTTP: criteria, operators, values, paths.

Every test reads a small studio created through the ``create`` action in a
project of its own (module fixture ``world``), so tests never see each
other's data and may run in any order.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, List

import pytest

from ftrack_local_server.testing import RawApi

NOT_STARTED = '014a40a6-4e65-11e1-b8af-f23c91df25eb'
IN_PROGRESS = '07554e15-8da9-59be-b873-8cb81197022a'
APPROVED = '386c9c4b-c64f-5d48-ac1e-94f28a0d4fb8'
ANIMATION = '05009a17-7146-579a-a9a4-6daff9ba0293'
COMPOSITING = '96e1791d-2899-52aa-a11b-190c4f8f6118'


#: Ids and names of the studio the tests query.
World = SimpleNamespace


@pytest.fixture(scope='module')
def world(api: RawApi, new_world: Any) -> World:
    w = new_world(
        'qlang_', 'Query language',
        start_date={'__type__': 'datetime', 'value': '2015-01-01T00:00:00'},
        end_date={'__type__': 'datetime', 'value': '2015-12-31T00:00:00'},
    )
    w.sq1 = api.create('Sequence', {'name': 'SQ1', 'parent_id': w.project})['id']
    w.sq2 = api.create('Sequence', {'name': 'SQ2', 'parent_id': w.project})['id']
    w.sh010 = api.create('Shot', {'name': 'SH010', 'parent_id': w.sq1})['id']
    w.sh020 = api.create('Shot', {'name': 'SH020', 'parent_id': w.sq1})['id']
    w.sh030 = api.create('Shot', {'name': 'SH030', 'parent_id': w.sq2})['id']
    w.anim010 = api.create('Task', {
        'name': 'anim', 'parent_id': w.sh010, 'bid': 10, 'status_id': IN_PROGRESS,
        'type_id': ANIMATION, 'description': 'first pass',
        'start_date': {'__type__': 'datetime', 'value': '2015-06-01T09:00:00'},
    })['id']
    w.comp010 = api.create('Task', {
        'name': 'comp', 'parent_id': w.sh010, 'bid': 20.5, 'status_id': APPROVED,
        'type_id': COMPOSITING, 'description': 'say "hi" it\'s C:\\path',
        'start_date': {'__type__': 'datetime', 'value': '2015-06-02T10:00:00+02:00'},
    })['id']
    w.anim020 = api.create('Task', {
        'name': 'anim', 'parent_id': w.sh020, 'bid': 5, 'status_id': NOT_STARTED,
        'type_id': ANIMATION,
    })['id']
    w.light030 = api.create('Task', {
        'name': 'light_%', 'parent_id': w.sh030, 'bid': 0, 'status_id': NOT_STARTED,
        'type_id': ANIMATION,
    })['id']
    w.jane = api.create('User', {
        'username': 'jane_' + w.tag, 'first_name': 'Jane', 'last_name': 'Doe',
        'is_active': True})['id']
    w.john = api.create('User', {
        'username': 'john_' + w.tag, 'first_name': 'John', 'last_name': 'Doe',
        'is_active': False})['id']
    w.idle = api.create('User', {
        'username': 'idle_' + w.tag, 'first_name': 'Idle', 'last_name': 'Nobody',
        'is_active': True})['id']
    api.create('Timelog', {
        'user_id': w.jane, 'context_id': w.anim010, 'duration': 3600,
        'start': {'__type__': 'datetime', 'value': '2015-06-01T10:00:00'}})
    api.create('Timelog', {
        'user_id': w.john, 'context_id': w.comp010, 'duration': 60,
        'start': {'__type__': 'datetime', 'value': '2015-07-01T10:00:00'}})
    w.note = api.create('Note', {
        'content': 'hello', 'user_id': w.jane, 'parent_id': w.anim010,
        'parent_type': 'Task'})['id']
    api.create('Metadata', {'parent_id': w.project, 'parent_type': 'Project',
                            'key': 'some_key', 'value': 'some_value'})
    api.create('Metadata', {'parent_id': w.project, 'parent_type': 'Project',
                            'key': 'other_key', 'value': 'x'})
    api.create('Metadata', {'parent_id': w.sh010, 'parent_type': 'Shot',
                            'key': 'some_key', 'value': 'elsewhere'})
    api.create('Metadata', {'parent_id': w.sh010, 'parent_type': 'Shot',
                            'key': 'unrelated', 'value': 'some_value'})
    w.london = api.create('Scope', {'name': 'London_' + w.tag})['id']
    # Tests that create entities do so in a project of their own.
    w.scratch = api.create_project('qlang_scratch_' + w.tag,
                                   full_name='Scratch ' + w.tag)['id']
    api.update('Task', [w.anim020], {
        'scopes': [{'__entity_type__': 'Scope', 'id': w.london}]})
    return w


def ids(data: List[Dict[str, Any]]) -> List[str]:
    return [entity['id'] for entity in data]


def tasks(api: RawApi, world: World, condition: str) -> List[str]:
    """Return the ids of the world's tasks matching *condition*, in order."""
    return ids(api.query(
        'select id from Task where project_id is "{0}" and ({1})'.format(
            world.project, condition)))


ALL_TASKS = ('anim010', 'comp010', 'anim020', 'light030')


def expect(world: World, *names: str) -> List[str]:
    return [getattr(world, name) for name in names]


# -- operators ---------------------------------------------------------------


@pytest.mark.parametrize('condition, expected', [
    ('name is "anim"', ('anim010', 'anim020')),
    ('name = "anim"', ('anim010', 'anim020')),
    ('name=anim', ('anim010', 'anim020')),
    ('name is_not "anim"', ('comp010', 'light030')),
    ('name != "anim"', ('comp010', 'light030')),
    ('bid > 5', ('anim010', 'comp010')),
    ('bid after 5', ('anim010', 'comp010')),
    ('bid greater_than 5', ('anim010', 'comp010')),
    ('bid < 10', ('anim020', 'light030')),
    ('bid before 10', ('anim020', 'light030')),
    ('bid less_than 10', ('anim020', 'light030')),
    ('bid >= 10', ('anim010', 'comp010')),
    ('bid <= 10', ('anim010', 'anim020', 'light030')),
    ('bid >= 20.5', ('comp010',)),
    ('bid > -1 and bid < "6"', ('anim020', 'light030')),
    ('name in ("comp", "light_%")', ('comp010', 'light030')),
    ('name in (comp,anim)', ('anim010', 'comp010', 'anim020')),
    ('name not_in ("comp", "anim")', ('light030',)),
    ('name like "an%"', ('anim010', 'anim020')),
    ('name like "%M%"', ('anim010', 'comp010', 'anim020')),
    ('name not_like "an%"', ('comp010', 'light030')),
    ('name like "light\\_%"', ('light030',)),
    ('description like "%\\"hi\\"%"', ('comp010',)),
    ("description is 'say \"hi\" it\\'s C:\\\\path'", ('comp010',)),
    ('description is none', ('anim020', 'light030')),
    ('description is_not None', ('anim010', 'comp010')),
    ('status.name is "In progress"', ('anim010',)),
])
def test_operators(api, world, condition, expected):
    assert tasks(api, world, condition) == expect(world, *expected)


def test_like_wildcards_and_escapes(api, world):
    # SQL LIKE semantics: "_" matches any one character; a backslash makes
    # the next wildcard literal.
    assert tasks(api, world, 'name like "ligh__%"') == [world.light030]
    assert tasks(api, world, 'name like "lig_t\\_\\%"') == [world.light030]
    assert tasks(api, world, 'name like "an\\%"') == []
    assert tasks(api, world, 'name like "light\\_"') == []


def test_operator_keywords_are_case_insensitive(api, world):
    assert tasks(api, world, 'name IS "comp" OR bid LESS_THAN 1') == expect(
        world, 'comp010', 'light030')


# -- combining criteria --------------------------------------------------------


def test_and_binds_tighter_than_or(api, world):
    assert tasks(api, world, 'name is "comp" or name is "anim" and bid is 5') == \
        expect(world, 'comp010', 'anim020')
    assert tasks(api, world, '(name is "comp" or name is "anim") and bid > 5') == \
        expect(world, 'anim010', 'comp010')


def test_not(api, world):
    assert tasks(api, world, 'not name is "anim"') == expect(
        world, 'comp010', 'light030')
    assert tasks(api, world, 'not (name is "anim" or bid > 20)') == [world.light030]
    assert tasks(api, world, 'not not name is "comp"') == [world.comp010]


def test_client_composite_key_shape_without_space(api, world):
    data = api.query(
        'select id from Task where (name is "anim"and parent_id is "{0}") or '
        '(name is "comp"and parent_id is "{0}")'.format(world.sh010))
    assert ids(data) == [world.anim010, world.comp010]


def test_populate_shapes_with_unquoted_ids(api, world):
    data = api.query('select name from Task where id in ({0},{1})'.format(
        world.comp010, world.anim020))
    assert ids(data) == [world.comp010, world.anim020]
    data = api.query('select name from Task where id in ({0}, {1})'.format(
        world.comp010, world.anim020))
    assert ids(data) == [world.comp010, world.anim020]
    data = api.query('select name from Task where id is {0}'.format(world.comp010))
    assert ids(data) == [world.comp010]


def test_get_shape(api, world):
    data = api.query('select context_type, id, name from Task where (id is "{0}")'
                     .format(world.anim010))
    assert ids(data) == [world.anim010]


# -- values ------------------------------------------------------------------


@pytest.mark.parametrize('value', [
    '"2015-06-01"', '"2015-06-01T00:00:00"', '2015-06-01',
    '"2015-06-01T02:00:00+02:00"', '"2015-05-31T19:00:00-05:00"',
    '"2015-06-01T00:00:00Z"', '"2015-06-01T00:00:00.000000+00:00"',
])
def test_datetime_values_with_or_without_offset(api, world, value):
    # comp010 started 2015-06-02T10:00:00+02:00, stored as 08:00 UTC.
    assert tasks(api, world, 'start_date after {0}'.format(value)) == expect(
        world, 'anim010', 'comp010')
    assert tasks(api, world, 'start_date >= {0} and start_date < '
                             '"2015-06-02T08:00:00"'.format(value)) == [world.anim010]


def test_datetime_equality_is_in_utc(api, world):
    assert tasks(api, world, 'start_date is "2015-06-02T08:00:00"') == [world.comp010]
    assert tasks(api, world, 'start_date is "2015-06-02T10:00:00+02:00"') == [
        world.comp010]


@pytest.mark.parametrize('value, expected', [
    ('True', ('jane', 'idle')), ('true', ('jane', 'idle')),
    ('"true"', ('jane', 'idle')), ('1', ('jane', 'idle')),
    ('False', ('john',)), ('false', ('john',)), ('0', ('john',)),
])
def test_boolean_values(api, world, value, expected):
    data = api.query('select id from User where is_active is {0} and username like '
                     '"%_{1}"'.format(value, world.tag))
    assert ids(data) == expect(world, *expected)


def test_numbers_in_quotes_and_negative(api, world):
    assert tasks(api, world, 'bid is "20.5"') == [world.comp010]
    assert tasks(api, world, 'bid > -0.5 and bid < 1') == [world.light030]


def test_unquoted_word_values_keep_their_text_for_strings(api, world):
    created = api.create('Folder', {'name': '007', 'parent_id': world.scratch})
    assert ids(api.query('select name from Folder where parent_id is "{0}" and name '
                         'is 007'.format(world.scratch))) == [created['id']]
    assert api.query('select name from Folder where parent_id is "{0}" and name is '
                     '7'.format(world.scratch)) == []


# -- relationships -------------------------------------------------------------


def test_dotted_paths_through_references(api, world):
    assert tasks(api, world, 'parent.name is "SH010"') == expect(
        world, 'anim010', 'comp010')
    assert tasks(api, world, 'parent.parent.name is "SQ1"') == expect(
        world, 'anim010', 'comp010', 'anim020')
    assert tasks(api, world, 'status.state.short is "NOT_STARTED"') == expect(
        world, 'anim020', 'light030')
    assert tasks(api, world, 'project.full_name is "Query language {0}"'.format(
        world.tag)) == expect(world, *ALL_TASKS)


def test_documented_status_type_path(api, world):
    # The seed documentation names a status's state "type".
    assert tasks(api, world, 'status.type.name is "Done"') == [world.comp010]
    assert tasks(api, world, 'status.type.short is "DONE"') == [world.comp010]


def test_reference_primary_key_compares_the_foreign_key(api, world):
    assert tasks(api, world, 'parent.id is "{0}"'.format(world.sh020)) == [
        world.anim020]
    data = api.query('select id from Project where parent.id is none and id is '
                     '"{0}"'.format(world.project))
    assert ids(data) == [world.project]


def test_reference_compared_directly(api, world):
    assert tasks(api, world, 'parent is "{0}"'.format(world.sh020)) == [world.anim020]


def test_path_through_collection_means_some_item(api, world):
    assert tasks(api, world, 'timelogs.start >= "2015-06-15"') == [world.comp010]
    assert tasks(api, world, 'timelogs.duration > 0') == expect(
        world, 'anim010', 'comp010')
    data = api.query('select id from Shot where children.name is "comp" and '
                     'project_id is "{0}"'.format(world.project))
    assert ids(data) == [world.sh010]


def test_has(api, world):
    data = api.query('select id from Note where author has (first_name is "Jane" '
                     'and last_name is "Doe") and parent_id is "{0}"'.format(
                         world.anim010))
    assert ids(data) == [world.note]
    assert api.query('select id from Note where author has (first_name is "John") '
                     'and parent_id is "{0}"'.format(world.anim010)) == []
    assert tasks(api, world, 'parent has (name is "SH030")') == [world.light030]


def test_has_without_criteria_tests_the_reference_is_set(api, world):
    data = api.query('select id from Project where id is "{0}" and parent has ()'
                     .format(world.project))
    assert data == []
    assert tasks(api, world, 'parent has ()') == expect(world, *ALL_TASKS)


def test_any_versus_separate_conditions_on_a_collection(api, world):
    base = 'select id from Context where id in ("{0}", "{1}") and '.format(
        world.project, world.sh010)
    assert ids(api.query(base + 'metadata any (key=some_key and '
                         'value=some_value)')) == [world.project]
    # Without any, different items may satisfy each condition.
    assert ids(api.query(base + 'metadata.key is "some_key" and metadata.value is '
                         '"some_value"')) == [world.project, world.sh010]


def test_any_with_empty_criteria_and_not_any(api, world):
    users = 'select id from User where username like "%_{0}" and '.format(world.tag)
    assert ids(api.query(users + 'timelogs any ()')) == [world.jane, world.john]
    assert ids(api.query(users + 'not timelogs any ()')) == [world.idle]
    assert tasks(api, world, 'not timelogs any ()') == expect(
        world, 'anim020', 'light030')


def test_not_relation_holds_for_missing_reference(api, world):
    data = api.query('select id from Context where id in ("{0}", "{1}") and not '
                     'parent has (name is "nothing")'.format(world.project, world.sq1))
    assert ids(data) == [world.project, world.sq1]
    data = api.query('select id from Context where id in ("{0}", "{1}") and not '
                     'parent.name is "nothing"'.format(world.project, world.sq1))
    assert ids(data) == [world.project, world.sq1]


def test_nested_relation_tests(api, world):
    data = api.query(
        'select id from Sequence where project_id is "{0}" and children any '
        '(children any (name is "comp" and timelogs any (user has (first_name is '
        '"John"))))'.format(world.project))
    assert ids(data) == [world.sq1]


def test_many_to_many_collection(api, world):
    assert tasks(api, world, 'scopes.name is "London_{0}"'.format(world.tag)) == [
        world.anim020]
    assert tasks(api, world, 'scopes any ()') == [world.anim020]
    assert tasks(api, world, 'not scopes any ()') == expect(
        world, 'anim010', 'comp010', 'light030')


def test_in_sub_query(api, world):
    assert tasks(api, world, 'parent_id in (select id from Shot where name is '
                             '"SH020" or name is "SH030")') == expect(
        world, 'anim020', 'light030')
    assert tasks(api, world, 'parent_id not_in (select id from Shot where name like '
                             '"SH0%0" and parent.name is "SQ1")') == [world.light030]
    assert tasks(api, world, 'status_id in (select status_id from Task where name '
                             'is "comp" and project_id is "{0}")'.format(
                                 world.project)) == [world.comp010]


def test_not_in_sub_query_ignores_nulls(api, world):
    # Tasks' descriptions include nulls; they must not empty the result.
    assert tasks(api, world, 'description not_in (select description from Task '
                             'where project_id is "{0}")'.format(world.project)) == []
    assert tasks(api, world, 'name not_in (select description from Task where '
                             'project_id is "{0}")'.format(world.project)) == expect(
        world, *ALL_TASKS)


def test_sub_query_with_dotted_projection(api, world):
    assert tasks(api, world, 'parent_id in (select id from Shot where parent.name is '
                             '"SQ2")') == [world.light030]
    data = api.query('select id from Shot where project_id is "{0}" and name in '
                     '(select parent.name from Task where id is "{1}")'.format(
                         world.project, world.comp010))
    assert ids(data) == [world.sh010]


def test_polymorphic_reference_narrows_to_subtype(api, world):
    # Context (a task's parent) has no status; its typed subtypes do.
    assert tasks(api, world, 'parent.status.name is "Not started"') == expect(
        world, *ALL_TASKS)
    assert tasks(api, world, 'parent.object_type.name is "Shot"') == expect(
        world, *ALL_TASKS)


def test_computed_attributes_in_criteria(api, world):
    assert tasks(api, world, 'time_logged > 100') == [world.anim010]
    assert tasks(api, world, 'time_logged is 0') == expect(world, 'anim020', 'light030')
    assert tasks(api, world, 'bid_time_logged_difference < 0') == expect(
        world, 'anim010', 'comp010')


def test_ancestors_and_descendants_in_criteria(api, world):
    assert tasks(api, world, 'ancestors any (name is "SQ2")') == [world.light030]
    data = api.query('select id from Sequence where project_id is "{0}" and '
                     'descendants any (name is "comp")'.format(world.project))
    assert ids(data) == [world.sq1]


def test_restricted_projection_usable_in_criteria(api, world):
    assert tasks(api, world, 'custom_attribute_links any (configuration.key is '
                             '"nothing")') == []


# -- errors ------------------------------------------------------------------


@pytest.mark.parametrize('expression, words', [
    ('select from Task', ('ParseError', "'select from Task'", 'position 7',
                          "found 'from'")),
    ('Task where name "x"', ('ParseError', 'position 16', 'expected an operator')),
    ('Taskk', ('ValidationError', '"Taskk"')),
    ('task', ('ValidationError', '"task"', '"Task"')),
    ('Task where nme is "x"', ('ValidationError', '"nme"', '"Task"')),
    ('select nme from Task', ('ValidationError', '"nme"', '"Task"')),
    ('select status.nme from Task', ('ValidationError', '"nme"', '"Status"',
                                     'status.nme')),
    ('Task where bid > "abc"', ('ValidationError', '"bid"', '"Task"', '"abc"')),
    ('Task where start_date > "yesterday"', ('ValidationError', '"start_date"',
                                             '"yesterday"')),
    ('User where is_active is maybe', ('ValidationError', '"is_active"', 'maybe')),
    ('select custom_attribute_links from Task', (
        'ValidationError', '"custom_attribute_links"', 'criteria')),
    ('Task where children is "x"', ('ValidationError', '"children"', 'collection')),
    ('Task where name.first is "x"', ('ValidationError', '"name"', 'scalar')),
    ('Task where name any ()', ('ValidationError', '"name"', 'scalar')),
    ('Task where link is "x"', ('ValidationError', '"link"', 'computed')),
    ('Task where bid > none', ('ValidationError', 'none', '"bid"')),
    ('Task where id in (select id, name from Task)', ('ValidationError',
                                                      'sub-query')),
    ('Task order by children.name', ('ValidationError', '"children"')),
    # Setting is keyed by (name, group): its references have no single key.
    ('SettingComponent where setting is "x"', (
        'ValidationError', '"setting"', 'composite key', 'compare its attributes')),
    ('select count(name) from SettingComponent group by setting', (
        'ValidationError', '"setting"', 'composite key', 'use one of its attributes')),
])
def test_errors_name_the_offending_thing(api, expression, words):
    error = api.error(expression)
    assert set(error) == {'exception', 'content', 'error_code'}
    text = error['exception'] + ' ' + error['content']
    for word in words:
        assert word in text, (word, text)


def test_error_rolls_back_the_batch(api, world):
    name = 'rolled_back_' + world.tag
    result = api.call([
        {'action': 'create', 'entity_type': 'Folder',
         'entity_data': {'name': name, 'parent_id': world.scratch}},
        {'action': 'query', 'expression': 'Task where nme is "x"'},
    ])
    assert result['exception'] == 'ValidationError'
    assert api.query('select id from Folder where name is "{0}"'.format(name)) == []


def test_query_sees_earlier_writes_of_the_same_batch(api, world):
    name = 'same_batch_' + world.tag
    result = api.ok([
        {'action': 'create', 'entity_type': 'Folder',
         'entity_data': {'name': name, 'parent_id': world.scratch}},
        {'action': 'query', 'expression': 'select name from Folder where name is '
                                          '"{0}"'.format(name)},
    ])
    assert [e['name'] for e in result[1]['data']] == [name]


def test_missing_expression_is_a_validation_error(api):
    result = api.call([{'action': 'query'}])
    assert result['exception'] == 'ValidationError'
    assert 'expression' in result['content']


# -- the documentation's queries ---------------------------------------------------


def _seed_queries() -> List[str]:
    # The corpus lives with the parser's unit tests; load it from there so
    # both suites check the same list.
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        'unit', 'local_server', 'test_server_query_parser_corpus.py')
    spec = importlib.util.spec_from_file_location('_query_corpus', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.SEED_QUERIES)


#: Seed queries the documentation itself says fail, or that name an
#: attribute the current schema does not have (Project.status is a string).
FAILING_SEED_QUERIES = {
    'Note where parent.id is "abc"': '"parent"',
    'select full_name, status.name from Project': '"status"',
}


@pytest.mark.parametrize('expression', _seed_queries())
def test_every_seed_query_runs(api, expression):
    result = api.call([{'action': 'query', 'expression': expression}])
    if expression in FAILING_SEED_QUERIES:
        assert result['exception'] == 'ValidationError'
        assert FAILING_SEED_QUERIES[expression] in result['content']
    else:
        assert isinstance(result, list), result
        assert result[0]['action'] == 'query'
