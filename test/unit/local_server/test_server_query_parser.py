"""Tests of the local server's query-language parser."""

from __future__ import annotations

import threading

import pytest

from ftrack_local_server.errors import QueryParseError
from ftrack_local_server.query import ast, parse
from ftrack_local_server.query.parser import clear_cache
from ftrack_local_server.query.tokens import tokenize

L = ast.Literal
C = ast.Comparison


def q(text: str) -> ast.Literal:
    """Return a quoted literal."""
    return ast.Literal(value=text, text=text, quoted=True)


def criteria(expression: str) -> ast.Criteria:
    return parse(expression).criteria


def test_select_with_projections_criteria_and_paging():
    query = parse(
        'select name, status.name from Task where parent.id is "x" '
        'offset 10 limit 20'
    )
    assert query == ast.Query(
        entity_type='Task',
        projections=(
            ast.Projection(('name',)),
            ast.Projection(('status', 'name')),
        ),
        criteria=C(('parent', 'id'), 'is', q('x')),
        offset=10,
        limit=20,
    )


def test_short_form_has_no_projections():
    query = parse('Task where name is "x"')
    assert query.projections is None
    assert query.entity_type == 'Task'
    assert query.criteria == C(('name',), 'is', q('x'))
    assert parse('Task') == ast.Query(entity_type='Task')


def test_keywords_are_case_insensitive():
    query = parse(
        'SELECT name FROM Task WHERE name IS "x" AND NOT bid > 1 OR bid Is 2 '
        'Order By name DESC Limit 5 OFFSET 1'
    )
    assert query.projections == (ast.Projection(('name',)),)
    assert query.criteria == ast.Or((
        ast.And((
            C(('name',), 'is', q('x')),
            ast.Not(C(('bid',), '>', L(1, '1'))),
        )),
        C(('bid',), 'is', L(2, '2')),
    ))
    assert query.order_by == (ast.OrderKey(('name',), True),)
    assert (query.offset, query.limit) == (1, 5)


@pytest.mark.parametrize('written, canonical', [
    ('=', 'is'), ('is', 'is'), ('IS', 'is'),
    ('!=', 'is_not'), ('is_not', 'is_not'),
    ('>', '>'), ('after', '>'), ('greater_than', '>'),
    ('<', '<'), ('before', '<'), ('less_than', '<'),
    ('>=', '>='), ('<=', '<='),
    ('like', 'like'), ('not_like', 'not_like'),
])
def test_operator_synonyms_map_to_canonical_names(written, canonical):
    comparison = criteria('Task where bid {0} 10'.format(written))
    assert comparison == C(('bid',), canonical, L(10, '10'))
    assert canonical in ast.OPERATORS


@pytest.mark.parametrize('written', ['=', '!=', '>', '<', '>=', '<='])
def test_symbol_operators_may_touch_their_operands(written):
    comparison = criteria('Task where bid{0}10'.format(written))
    assert comparison.path == ('bid',)
    assert comparison.value == L(10, '10')


def test_key_equals_bare_word_touching():
    assert criteria('Project where metadata any (key=some_key and value=v)') == (
        ast.Relation(('metadata',), 'any', ast.And((
            C(('key',), 'is', L('some_key', 'some_key')),
            C(('value',), 'is', L('v', 'v')),
        )))
    )


def test_keyword_directly_after_closing_quote():
    assert criteria('Metadata where (parent_id is "a"and key is "b")or(x is 1)') == (
        ast.Or((
            ast.And((
                C(('parent_id',), 'is', q('a')),
                C(('key',), 'is', q('b')),
            )),
            C(('x',), 'is', L(1, '1')),
        ))
    )


@pytest.mark.parametrize('word, value', [
    ('5', 5),
    ('-5', -5),
    ('+7', 7),
    ('1.5', 1.5),
    ('-0.25', -0.25),
    ('.5', 0.5),
    ('1e3', 1000.0),
    ('True', True),
    ('true', True),
    ('TRUE', True),
    ('False', False),
    ('false', False),
    ('None', None),
    ('none', None),
    ('null', None),
    ('NULL', None),
    ('active', 'active'),
    ('some_key', 'some_key'),
    ('2015-06-01', '2015-06-01'),
    ('2015-06-01T10:00:00', '2015-06-01T10:00:00'),
    ('6f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a11',
     '6f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a11'),
    ('%thrones', '%thrones'),
    ("O'Brien", "O'Brien"),
])
def test_bare_word_values(word, value):
    literal = criteria('Task where x is {0}'.format(word)).value
    assert literal == L(value, word, False)
    assert type(literal.value) is type(value)


@pytest.mark.parametrize('written, text', [
    ('"plain"', 'plain'),
    ("'single'", 'single'),
    ('""', ''),
    ('"5"', '5'),
    ('"True"', 'True'),
    ('"none"', 'none'),
    ('"with spaces and (parens), commas"', 'with spaces and (parens), commas'),
    ('"say \\"hi\\""', 'say "hi"'),
    ("'it\\'s'", "it's"),
    ('"it\'s"', "it's"),
    ("'say \"hi\"'", 'say "hi"'),
    ('"back\\\\slash"', 'back\\slash'),
    ('"C:\\path\\to"', 'C:\\path\\to'),
    ('"and or not where limit"', 'and or not where limit'),
])
def test_quoted_values(written, text):
    literal = criteria('Task where x is {0}'.format(written)).value
    assert literal == ast.Literal(value=text, text=text, quoted=True)


def test_in_with_unquoted_list_without_spaces():
    comparison = criteria('Task where id in (a-1,b-2,c-3)')
    assert comparison == C(('id',), 'in', ast.ValueList((
        L('a-1', 'a-1'), L('b-2', 'b-2'), L('c-3', 'c-3'),
    )))


def test_in_and_not_in_with_quoted_lists():
    assert criteria(
        'Task where status.type.name in ("In Progress", "Done")'
    ) == C(('status', 'type', 'name'), 'in', ast.ValueList((
        q('In Progress'), q('Done'),
    )))
    assert criteria(
        'Task where status.name not_in ("Omitted", "On Hold")'
    ) == C(('status', 'name'), 'not_in', ast.ValueList((
        q('Omitted'), q('On Hold'),
    )))


def test_in_with_empty_list():
    assert criteria('Task where id in ()') == C(('id',), 'in', ast.ValueList(()))


def test_in_with_sub_query():
    comparison = criteria(
        'Task where id in (select id from Task where name is "x" limit 3) '
        'and bid is 1'
    )
    assert comparison == ast.And((
        C(('id',), 'in', ast.SubQuery(ast.Query(
            entity_type='Task',
            projections=(ast.Projection(('id',)),),
            criteria=C(('name',), 'is', q('x')),
            limit=3,
        ))),
        C(('bid',), 'is', L(1, '1')),
    ))


def test_nested_sub_queries():
    comparison = criteria(
        'Task where parent_id not_in (select id from Shot where id in '
        '(select context_id from Asset))'
    )
    inner = comparison.value.query.criteria.value.query
    assert inner == ast.Query(
        entity_type='Asset', projections=(ast.Projection(('context_id',)),)
    )


def test_and_binds_tighter_than_or():
    a, b, c = (C((name,), 'is', L(1, '1')) for name in 'abc')
    assert criteria('T where a is 1 or b is 1 and c is 1') == ast.Or(
        (a, ast.And((b, c)))
    )
    assert criteria('T where a is 1 and b is 1 or c is 1') == ast.Or(
        (ast.And((a, b)), c)
    )
    assert criteria('T where a is 1 and (b is 1 or c is 1)') == ast.And(
        (a, ast.Or((b, c)))
    )


def test_not_binds_tighter_than_and():
    a, b = (C((name,), 'is', L(1, '1')) for name in 'ab')
    assert criteria('T where not a is 1 and b is 1') == ast.And(
        (ast.Not(a), b)
    )
    assert criteria('T where not (a is 1 or b is 1)') == ast.Not(ast.Or((a, b)))
    assert criteria('T where not not a is 1') == ast.Not(ast.Not(a))


def test_relation_tests():
    assert criteria('User where not timelogs any ()') == ast.Not(
        ast.Relation(('timelogs',), 'any', None)
    )
    assert criteria('User where timelogs any ( )') == ast.Relation(
        ('timelogs',), 'any', None
    )
    assert criteria('Note where author has (first_name is "J")') == (
        ast.Relation(('author',), 'has', C(('first_name',), 'is', q('J')))
    )
    assert criteria(
        'Task where parent.children ANY (name is "x" or not notes any ())'
    ) == ast.Relation(('parent', 'children'), 'any', ast.Or((
        C(('name',), 'is', q('x')),
        ast.Not(ast.Relation(('notes',), 'any', None)),
    )))


def test_nested_groups_and_redundant_parentheses():
    a = C(('a',), 'is', L(1, '1'))
    assert criteria('T where ((a is 1))') == a
    assert criteria('T where (id is "x")') == C(('id',), 'is', q('x'))


def test_aggregate_projections_and_group_by():
    query = parse(
        'select count(id), sum(bid), avg( bid ), MIN(bid), max(bid), '
        'project_id from Task group by project_id, status.id'
    )
    assert query.projections == (
        ast.Projection(('id',), 'count'),
        ast.Projection(('bid',), 'sum'),
        ast.Projection(('bid',), 'avg'),
        ast.Projection(('bid',), 'min'),
        ast.Projection(('bid',), 'max'),
        ast.Projection(('project_id',)),
    )
    assert query.group_by == (('project_id',), ('status', 'id'))


def test_function_names_without_parentheses_are_attributes():
    query = parse('select count, min from Thing')
    assert query.projections == (
        ast.Projection(('count',)), ast.Projection(('min',)),
    )


def test_order_by_directions_and_several_keys():
    query = parse(
        'Task order by name, bid desc, parent.name ascending, id descending, '
        'x asc'
    )
    assert query.order_by == (
        ast.OrderKey(('name',), False),
        ast.OrderKey(('bid',), True),
        ast.OrderKey(('parent', 'name'), False),
        ast.OrderKey(('id',), True),
        ast.OrderKey(('x',), False),
    )


def test_clauses_after_where_in_any_order():
    query = parse(
        'Task where name is "x" group by name order by name limit 3 offset 2'
    )
    assert query.group_by == (('name',),)
    assert query.order_by == (ast.OrderKey(('name',)),)
    assert (query.offset, query.limit) == (2, 3)
    query = parse('Task order by name offset 2 limit 3')
    assert (query.offset, query.limit) == (2, 3)


def test_attribute_named_group_is_not_a_clause():
    query = parse(
        'select value from Setting where name is "storage_scenario" and '
        'group is "STORAGE" order by group'
    )
    assert query.criteria == ast.And((
        C(('name',), 'is', q('storage_scenario')),
        C(('group',), 'is', q('STORAGE')),
    ))
    assert query.order_by == (ast.OrderKey(('group',)),)
    assert parse('select group from Setting group by group').group_by == (
        ('group',),
    )


def test_attribute_named_from():
    query = parse('select from, to_id from AssetVersionLink')
    assert query.projections == (
        ast.Projection(('from',)), ast.Projection(('to_id',)),
    )
    assert parse('select from from AssetVersionLink').projections == (
        ast.Projection(('from',)),
    )


def test_whitespace_is_flexible():
    query = parse('  select\tname ,id\nfrom  Task\n where name is "x"  ')
    assert query.projections == (
        ast.Projection(('name',)), ast.Projection(('id',)),
    )


def test_sub_query_keywords_are_case_insensitive():
    comparison = criteria('Task where id IN (SELECT id FROM Task)')
    assert isinstance(comparison.value, ast.SubQuery)


@pytest.mark.parametrize('expression, message', [
    ('select from Task',
     "Could not parse query 'select from Task': expected an attribute name "
     "at position 7, found 'from'."),
    ('',
     "Could not parse query '': expected an entity type at position 0, "
     'found the end of the query.'),
    ('select name Task',
     "Could not parse query 'select name Task': expected 'from' at position "
     "12, found 'Task'."),
    ('select name, from Task',
     "Could not parse query 'select name, from Task': expected an attribute "
     "name at position 13, found 'from'."),
    ('Task where',
     "Could not parse query 'Task where': expected a condition at position "
     '10, found the end of the query.'),
    ('Task where name "x"',
     "Could not parse query 'Task where name \"x\"': expected an operator "
     '(is, is_not, =, !=, >, <, >=, <=, in, not_in, like, not_like, has or '
     "any) at position 16, found the string 'x'."),
    ('Task where name is',
     "Could not parse query 'Task where name is': expected a value at "
     'position 18, found the end of the query.'),
    ('Task where name is "x" bid is 1',
     "Could not parse query 'Task where name is \"x\" bid is 1': expected "
     "'and', 'or', 'group by', 'order by', 'offset', 'limit' or the end of "
     "the query at position 23, found 'bid'."),
    ('Task foo',
     "Could not parse query 'Task foo': expected 'where', 'group by', "
     "'order by', 'offset', 'limit' or the end of the query at position 5, "
     "found 'foo'."),
    ('Task where (name is "x"',
     "Could not parse query 'Task where (name is \"x\"': expected ')' or a "
     "condition joined by 'and' or 'or' at position 23, found the end of "
     'the query.'),
    ('Task where name is "x',
     "Could not parse query 'Task where name is \"x': unterminated string "
     'starting with " at position 19.'),
    ('Task limit -1',
     "Could not parse query 'Task limit -1': expected a non-negative whole "
     "number after 'limit' at position 11, found '-1'."),
    ('Task offset x',
     "Could not parse query 'Task offset x': expected a non-negative whole "
     "number after 'offset' at position 12, found 'x'."),
    ('Task limit 1 limit 2',
     "Could not parse query 'Task limit 1 limit 2': 'limit' given twice, "
     'again at position 13.'),
    ('Task where id in "x"',
     "Could not parse query 'Task where id in \"x\"': expected '(' starting "
     "the list of values after 'in' at position 17, found the string 'x'."),
    ('Task where id in (a b)',
     "Could not parse query 'Task where id in (a b)': expected ',' or ')' in "
     "the list of values at position 20, found 'b'."),
    ('Task where notes any name is "x"',
     "Could not parse query 'Task where notes any name is \"x\"': expected "
     "'(' after 'any' at position 21, found 'name'."),
    ('Task where id in (select id from Task where a is 1',
     "Could not parse query 'Task where id in (select id from Task where a "
     "is 1': expected ')' closing the sub-query at position 50, found the "
     'end of the query.'),
    ('Task where status..name is 1',
     "Could not parse query 'Task where status..name is 1': expected a "
     "condition at position 11, found 'status..name'."),
    ('select count(id from Task',
     "Could not parse query 'select count(id from Task': expected ')' "
     "closing count( at position 16, found 'from'."),
    ('Task order by',
     "Could not parse query 'Task order by': expected an attribute name at "
     'position 13, found the end of the query.'),
    ('1Task',
     "Could not parse query '1Task': expected an entity type at position 0, "
     "found '1Task'."),
    ('Task where name is (a)',
     "Could not parse query 'Task where name is (a)': expected a value at "
     "position 19, found '('."),
])
def test_errors_say_where_and_what(expression, message):
    with pytest.raises(QueryParseError) as info:
        parse(expression)
    assert info.value.content == message
    assert info.value.exception == 'ParseError'


def test_non_string_expression_is_rejected():
    with pytest.raises(QueryParseError) as info:
        parse(None)
    assert 'must be a string' in info.value.content
    assert 'None' in info.value.content


def test_long_tokens_are_shortened_in_messages():
    word = 'x' * 100
    with pytest.raises(QueryParseError) as info:
        parse('Task where name is "a" ' + word)
    assert 'x' * 37 + '...' in info.value.content


def test_tokenizer_positions():
    tokens = tokenize('Task where a="b"and(c,d)')
    assert [(t.kind, t.value, t.position) for t in tokens] == [
        ('word', 'Task', 0),
        ('word', 'where', 5),
        ('word', 'a', 11),
        ('op', '=', 12),
        ('string', 'b', 13),
        ('word', 'and', 16),
        ('(', '(', 19),
        ('word', 'c', 20),
        (',', ',', 21),
        ('word', 'd', 22),
        (')', ')', 23),
        ('end', '', 24),
    ]


def test_parse_results_are_cached_and_equal():
    clear_cache()
    first = parse('Task where name is "cached"')
    assert parse('Task where name is "cached"') is first
    clear_cache()
    again = parse('Task where name is "cached"')
    assert again == first
    assert hash(again) == hash(first)


def test_errors_are_not_cached():
    for _ in range(2):
        with pytest.raises(QueryParseError):
            parse('select from Task')


def test_parsing_is_thread_safe():
    expressions = [
        'select name from Task where id is "{0}" limit {0}'.format(index)
        for index in range(200)
    ]
    failures = []
    barrier = threading.Barrier(4)

    def work():
        barrier.wait()
        for index, expression in enumerate(expressions):
            query = parse(expression)
            if query.limit != index or query.criteria.value.text != str(index):
                failures.append(expression)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
