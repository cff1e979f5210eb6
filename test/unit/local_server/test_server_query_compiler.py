"""Unit tests of the query compiler: paths, values, SQL and query plans.

The compiled SQL is run through ``EXPLAIN QUERY PLAN`` (and executed) on an
empty in-memory store, so the tests check that it is valid SQL for the real
storage layout and that selective paths use the foreign-key indexes.
"""

from __future__ import annotations

import pytest

from ftrack_local_server.errors import ValidationError
from ftrack_local_server.query import ast, parse
from ftrack_local_server.query.compiler import Compiler
from ftrack_local_server.query.paths import resolve_step
from ftrack_local_server.query.projection import build_tree
from ftrack_local_server.query.values import coerce, variable_candidates
from ftrack_local_server.store import Store

NOW = '2020-01-01T00:00:00'


@pytest.fixture(scope='module')
def store():
    store = Store()
    yield store
    store.close()


def compile_query(store, expression):
    query = parse(expression)
    compiler = Compiler(store.model, now=NOW)
    entity_type = compiler.entity_type(query.entity_type)
    where = compiler.where(query, entity_type, 't0')
    order = compiler.order_by(query.order_by, entity_type, 't0')
    sql = 'SELECT "t0".rowid, "t0".* FROM "{0}" AS "t0" WHERE {1} ORDER BY {2}'.format(
        store.model.table(entity_type.name).name, where.sql, order.sql)
    return sql, where.params + order.params


def plan(store, expression):
    sql, params = compile_query(store, expression)
    with store.transaction() as tx:
        assert tx.query(sql, params) == []
        return [row[3] for row in tx.query('EXPLAIN QUERY PLAN ' + sql, params)]


def literal(text, quoted=True):
    from ftrack_local_server.query.parser import literal_from_word

    if quoted:
        return ast.Literal(value=text, text=text, quoted=True)
    return literal_from_word(text)


# -- SQL and plans ---------------------------------------------------------------


def test_reference_key_compares_the_foreign_key(store):
    sql, params = compile_query(store, 'Task where parent.id is "abc"')
    assert '"t0"."parent_id" = ?' in sql
    assert 'abc' in params
    assert plan(store, 'Task where parent.id is "abc"') == [
        'SEARCH t0 USING INDEX ix_context_parent_id (parent_id=?)']


def test_selective_paths_drive_through_foreign_key_indexes(store):
    lines = plan(store, 'Task where status.name is "X" and parent.parent.name is "Y"')
    assert lines[0].startswith('SEARCH t0 USING INDEX')
    assert 'object_type_id' not in lines[0]
    lines = plan(store, 'Task where parent.parent.id is "abc"')
    assert lines[0] == 'SEARCH t0 USING INDEX ix_context_parent_id (parent_id=?)'
    assert 'SEARCH t1 USING INDEX ix_context_parent_id (parent_id=?)' in lines


def test_rare_types_use_their_discriminator_index(store):
    assert plan(store, 'Project') == [
        'SEARCH t0 USING INDEX ix_context_context_type (context_type=?)']


def test_type_condition_of_subtypes(store):
    sql, params = compile_query(store, 'Shot')
    assert 'object_type_id' in sql
    assert 'bad911de-3bd6-47b9-8b46-3476e237cb36' in params
    sql, params = compile_query(store, 'Context')
    assert 'WHERE 1 ORDER BY' in sql and params == []


def test_negated_relation_never_yields_null(store):
    sql, _ = compile_query(store, 'Task where not parent has (name is "x")')
    assert 'NOT (COALESCE(' in sql
    sql, _ = compile_query(store, 'Task where parent has (name is "x")')
    assert 'COALESCE' not in sql


def test_every_construct_compiles_to_valid_sql(store):
    expressions = [
        'Task where name is "a" and (bid > 1 or not bid < 0)',
        'Task where name in ("a", none) and name not_in (b, c)',
        'Task where name like "a%" and name not_like "b\\\\_%"',
        'Task where id in (select parent_id from Task where name is "x" limit 2)',
        'Task where timelogs any () and not notes any ()',
        'Task where timelogs.start >= "2015-06-01"',
        'User where not timelogs any (start > "2015-06-01T10:00:00+01:00")',
        'Task where scopes any (name is "London")',
        'Task where custom_attributes any (key is "k" and value is 5)',
        'Project where metadata any (key=some_key and value=some_value)',
        'Task where ancestors any (name is "x") and descendants any ()',
        'Project where descendants any (name is "x")',
        'Task where custom_attribute_links any (configuration.key is "x" and '
        'user.username is "y")',
        'AssetVersion where is_latest_version is true and asset.latest_version.version > 2',
        'Asset where latest_version has (version is 1)',
        'Task where time_logged > 5 order by time_logged desc, parent.name',
        'ReviewSession where is_open is false and thumbnail.name is "x"',
        'Context where parent.status.name is "x"',
        'Context where metadata any ()',
        'TypedContextList where items any (name is "x")',
        'Task where status.type.name is "Done"',
        'Task order by parent.parent.name desc, name',
        'SequenceComponent where members any (name is "x")',
        'Setting where group is "STORAGE"',
    ]
    for expression in expressions:
        plan(store, expression)


def test_sub_query_must_select_one_attribute(store):
    with pytest.raises(ValidationError) as info:
        compile_query(store, 'Task where id in (select id, name from Task)')
    assert 'sub-query' in info.value.content
    with pytest.raises(ValidationError):
        compile_query(store, 'Task where id in (select count(id) from Task)')


@pytest.mark.parametrize('expression, words', [
    ('Taskk', ('"Taskk"',)),
    ('task', ('"task"', 'did you mean "Task"')),
    ('Task where nme is 1', ('"Task"', '"nme"')),
    ('Task where parent.nme is 1', ('"Context"', '"nme"', 'parent.nme')),
    ('Context where status.name is 1', ()),
    ('Context where status is 1', ('"status"', 'ambiguous', '"Project"',
                                   '"TypedContext"')),
    ('Task where bid is "x"', ('"bid"', '"Task"', '"x"', 'number')),
    ('Task where children is 1', ('"children"', 'collection')),
    ('Task where link is "x"', ('"link"', 'computed')),
    ('Task where thumbnail_url is "x"', ('"thumbnail_url"', 'computed')),
    ('Task where name > none', ('none', '"name"')),
    ('Task where name like none', ('pattern', '"name"')),
    ('Task where name any ()', ('"name"', 'scalar')),
    ('Task order by timelogs.duration', ('"timelogs"', 'collection')),
])
def test_compile_errors(store, expression, words):
    if not words:
        compile_query(store, expression)
        return
    with pytest.raises(ValidationError) as info:
        compile_query(store, expression)
    for word in words:
        assert word in info.value.content, (word, info.value.content)


# -- paths -------------------------------------------------------------------


def test_resolve_step_narrows_to_the_one_subtype(store):
    catalogue = store.catalogue
    link = catalogue.get('CustomAttributeLink')
    step = resolve_step(catalogue, link, 'user', ('user', 'username'), more=True)
    assert step.owner.name == 'UserCustomAttributeLink' and step.narrowed


def test_resolve_step_prefers_relations_when_more_follows(store):
    catalogue = store.catalogue
    context = catalogue.get('Context')
    step = resolve_step(catalogue, context, 'status', ('status', 'name'), more=True)
    assert step.owner.name == 'TypedContext'
    with pytest.raises(ValidationError):
        resolve_step(catalogue, context, 'status', ('status',), more=False)


def test_resolve_step_covers_identical_sibling_attributes(store):
    catalogue = store.catalogue
    step = resolve_step(catalogue, catalogue.get('Context'), 'metadata',
                        ('metadata',), more=False)
    assert {owner.name for owner in step.owners} == {'Project', 'TypedContext'}


def test_legacy_status_type_name(store):
    catalogue = store.catalogue
    step = resolve_step(catalogue, catalogue.get('Status'), 'type', ('type',), more=True)
    assert step.attribute.name == 'state' and not step.narrowed


# -- projections ---------------------------------------------------------------


def test_build_tree_merges_paths(store):
    task = store.catalogue.get('Task')
    tree = build_tree(store.catalogue, task, [('name',), ('status', 'name'),
                                              ('status', 'state', 'short')])
    assert tree == {'name': {}, 'status': {'name': {}, 'state': {'short': {}}}}


@pytest.mark.parametrize('path, words', [
    (('custom_attribute_links',), ('"custom_attribute_links"', 'criteria')),
    (('name', 'first'), ('"name"', 'scalar', '"first"')),
    (('nope',), ('"nope"', '"Task"')),
])
def test_build_tree_errors(store, path, words):
    with pytest.raises(ValidationError) as info:
        build_tree(store.catalogue, store.catalogue.get('Task'), [path])
    for word in words:
        assert word in info.value.content


# -- values ------------------------------------------------------------------


@pytest.mark.parametrize('text, quoted, stored', [
    ('2015-06-01', False, '2015-06-01T00:00:00'),
    ('2015-06-01', True, '2015-06-01T00:00:00'),
    ('2015-06-01T10:00:00', True, '2015-06-01T10:00:00'),
    ('2015-06-01T10:00:00+02:00', True, '2015-06-01T08:00:00'),
    ('2015-06-01T10:00:00-05:00', True, '2015-06-01T15:00:00'),
    ('2015-06-01T10:00:00Z', True, '2015-06-01T10:00:00'),
    ('2015-06-01T10:00:00.123456+00:00', True, '2015-06-01T10:00:00'),
])
def test_coerce_datetimes_to_naive_utc(text, quoted, stored):
    assert coerce(literal(text, quoted), 'datetime', 'x') == stored


@pytest.mark.parametrize('text, quoted, data_type, stored', [
    ('True', False, 'boolean', 1),
    ('false', False, 'boolean', 0),
    ('"true"', True, 'boolean', 1),
    ('1', False, 'boolean', 1),
    ('5', False, 'number', 5),
    ('5', True, 'integer', 5),
    ('-2.5', False, 'number', -2.5),
    ('0042', False, 'string', '0042'),
    ('None', False, 'string', None),
    ('None', True, 'string', 'None'),
    ('abc', False, 'object', 'abc'),
])
def test_coerce_values(text, quoted, data_type, stored):
    if text.startswith('"'):
        text = text.strip('"')
    assert coerce(literal(text, quoted), data_type, 'x') == stored


@pytest.mark.parametrize('text, data_type, expected', [
    ('abc', 'number', 'a number'),
    ('inf', 'number', 'a number'),
    ('maybe', 'boolean', 'true or false'),
    ('tomorrow', 'datetime', 'date'),
    ('2015-13-45', 'datetime', 'date'),
])
def test_coerce_errors_name_attribute_and_value(text, data_type, expected):
    with pytest.raises(ValidationError) as info:
        coerce(literal(text), data_type, '"attr" of "Type"')
    message = info.value.content
    assert '"attr" of "Type"' in message and text in message and expected in message


def test_variable_candidates():
    assert variable_candidates(literal('5', quoted=False)) == ['5', 5]
    assert variable_candidates(literal('true')) == ['true', 1]
    assert variable_candidates(literal('2015-06-01')) == [
        '2015-06-01', '2015-06-01T00:00:00']
    assert variable_candidates(literal('none', quoted=False)) == []
