"""Query results, paging and generated expressions (protocol §2.3)."""

import pytest

import ftrack_api.exception
from ftrack_api._session.expressions import (
    ensure_expression, populate_expressions, quote,
)
from ftrack_local_server.testing import OfflineSession


@pytest.fixture
def session():
    session = OfflineSession()
    yield session
    session.close()


def page(ids, next_offset):
    return [{
        'action': 'query',
        'data': [{'__entity_type__': 'User', 'id': id_} for id_ in ids],
        'metadata': {'next': {'offset': next_offset}},
    }]


def expressions(session):
    return [request[0]['expression'] for request in session.transport.requests]


def test_default_projections_are_prefixed(session):
    session.transport.responses.append(page([], None))
    session.query('Task where name is "x"').all()
    assert expressions(session) == [
        'select context_type, id, name from Task where name is "x" offset 0 limit 500'
    ]


def test_paging_until_next_offset_is_null(session):
    session.transport.responses.extend([
        page(['a', 'b'], 2), page(['c', 'd'], 4), page(['e'], None),
    ])
    result = session.query('select id from User', page_size=2)
    assert session.transport.requests == []
    assert [user['id'] for user in result] == ['a', 'b', 'c', 'd', 'e']
    assert expressions(session) == [
        'select id from User offset 0 limit 2',
        'select id from User offset 2 limit 2',
        'select id from User offset 4 limit 2',
    ]
    assert len(result) == 5


def test_indexing_fetches_only_needed_pages(session):
    session.transport.responses.extend([page(['a', 'b'], 2), page(['c'], None)])
    result = session.query('select id from User', page_size=2)
    assert result[1]['id'] == 'b'
    assert len(session.transport.requests) == 1
    assert [user['id'] for user in result[1:]] == ['b', 'c']


def test_embedded_offset_and_limit_are_honoured(session):
    session.transport.responses.extend([page(['a', 'b', 'c'], 13)])
    result = session.query('select id from User offset 10 limit 3', page_size=500)
    assert [user['id'] for user in result.all()] == ['a', 'b', 'c']
    assert expressions(session) == ['select id from User offset 10 limit 3']


@pytest.mark.parametrize('expression, sent', [
    # Inside a quoted value, "offset 5" and "limit 1" are text to match.
    ('select id from User where username is "limit 1"',
     'select id from User where username is "limit 1" offset 0 limit 500'),
    ("select id from User where username is 'a \\'offset 5' limit 3",
     "select id from User where username is 'a \\'offset 5' offset 0 limit 3"),
    # Part of a longer word is not a clause either.
    ('select id from User where first_name is my_limit 2',
     'select id from User where first_name is my_limit 2 offset 0 limit 500'),
])
def test_offset_and_limit_inside_values_are_not_clauses(session, expression, sent):
    session.transport.responses.append(page([], None))
    session.query(expression).all()
    assert expressions(session) == [sent]


def test_limit_truncates_results(session):
    session.transport.responses.extend([page(['a', 'b'], 2), page(['c', 'd'], 4)])
    result = session.query('select id from User limit 3', page_size=2)
    assert [user['id'] for user in result] == ['a', 'b', 'c']
    assert expressions(session)[1] == 'select id from User offset 2 limit 2'


def test_one(session):
    session.transport.responses.append(page(['a'], None))
    assert session.query('select id from User').one()['id'] == 'a'
    assert expressions(session) == ['select id from User limit 2']

    session.transport.responses.append(page([], None))
    with pytest.raises(ftrack_api.exception.NoResultFoundError):
        session.query('select id from User').one()

    session.transport.responses.append(page(['a', 'b'], 2))
    with pytest.raises(ftrack_api.exception.MultipleResultsFoundError):
        session.query('select id from User').one()

    with pytest.raises(ValueError):
        session.query('select id from User limit 1').one()
    with pytest.raises(ValueError):
        session.query('select id from User offset 1').one()


def test_first(session):
    session.transport.responses.append(page(['a'], 1))
    assert session.query('select id from User').first()['id'] == 'a'
    session.transport.responses.append(page([], None))
    assert session.query('select id from User offset 5').first() is None
    assert expressions(session) == [
        'select id from User limit 1',
        'select id from User offset 5 limit 1',
    ]
    with pytest.raises(ValueError):
        session.query('select id from User limit 2').first()


def test_same_instance_for_same_entity(session):
    session.transport.responses.extend([page(['a'], None), page(['a'], None)])
    first = session.query('select id from User').one()
    second = session.query('select id from User').one()
    assert first is second


def test_local_changes_survive_query_merge(session):
    session.transport.responses.append(page(['a'], None))
    user = session.query('select id from User').one()
    user['email'] = 'me@example.com'
    session.transport.responses.append([{
        'action': 'query',
        'data': [{'__entity_type__': 'User', 'id': 'a', 'email': 'server@x'}],
        'metadata': {'next': {'offset': None}},
    }])
    retrieved = session.query('select email from User where id is "a"').one()
    assert retrieved is user
    assert retrieved['email'] == 'me@example.com'


def test_get_uses_cache_then_queries(session):
    session.transport.responses.append(page(['a'], None))
    user = session.get('User', 'a')
    assert expressions(session) == [
        'select id from User where (id is "a") offset 0 limit 500'
    ]
    assert session.get('User', 'a') is user
    assert len(session.transport.requests) == 1


def test_get_composite_key(session):
    session.transport.responses.append([{
        'action': 'query',
        'data': [{'__entity_type__': 'Metadata', 'parent_id': 'p', 'key': 'k"1'}],
        'metadata': {'next': {'offset': None}},
    }])
    metadata = session.get('Metadata', ['p', 'k"1'])
    assert metadata['key'] == 'k"1'
    assert expressions(session) == [
        'select parent_id, key, value, parent_type from Metadata where '
        '(parent_id is "p" and key is "k\\"1") offset 0 limit 500'
    ]
    assert session.get('Metadata', {'parent_id': 'p', 'key': 'k"1'}) is metadata
    with pytest.raises(ValueError):
        session.get('Metadata', 'only-one-value')


def test_get_missing_returns_none(session):
    session.transport.responses.append(page([], None))
    assert session.get('User', 'missing') is None


def test_quote_escapes():
    assert quote('a "b" \\ c') == '"a \\"b\\" \\\\ c"'


def test_populate_expressions_single_and_many():
    assert populate_expressions('User', ['id'], [['a']], 'name', 500) == [
        'select name from User where id is a'
    ]
    assert populate_expressions('User', ['id'], [['a'], ['b']], 'name', 500) == [
        'select name from User where id in (a,b)'
    ]
    assert populate_expressions(
        'User', ['id'], [['a'], ['b'], ['c']], 'name', 2
    ) == [
        'select name from User where id in (a,b)',
        'select name from User where id is c',
    ]
    assert populate_expressions('User', ['id'], [['a b']], 'name', 500) == [
        'select name from User where id is "a b"'
    ]


def test_populate_expression_composite():
    assert populate_expressions(
        'Metadata', ['parent_id', 'key'], [['p', 'k1'], ['p', 'k2']], 'value', 500
    ) == [
        'select value from Metadata where (parent_id is "p"and key is "k1") or '
        '(parent_id is "p"and key is "k2")'
    ]


def test_populate_sends_chunks_in_batches(session):
    users = [
        session.create('User', {'id': 'u{0}'.format(index)}, reconstructing=True)
        for index in range(1200)
    ]
    session.transport.echo = True
    session.populate(users, 'username')
    (request,) = session.transport.requests
    assert len(request) == 3
    for operation in request:
        assert operation['expression'].count(',') < 500
        assert operation['expression'].endswith('offset 0 limit 500')


def test_populate_skips_created_entities(session):
    new_user = session.create('User', {'username': 'x'})
    session.populate([new_user], 'email')
    assert session.transport.requests == []


def test_populate_rejects_mixed_types(session):
    user = session.create('User', {'id': 'u'}, reconstructing=True)
    task = session.create('Task', {'id': 't'}, reconstructing=True)
    with pytest.raises(ValueError):
        session.populate([user, task], 'id')


def test_ensure_expression_formats_values():
    import arrow

    expression = ensure_expression(
        'User',
        {'username': 'a"b', 'is_active': True, 'count': 5,
         'start': arrow.get('2020-01-02T03:04:05.123+00:00')},
        ['username', 'is_active', 'count', 'start'],
    )
    assert expression == (
        'User where username is "a\\"b" and is_active is True and count is 5 '
        'and start is "2020-01-02T03:04:05"'
    )


def test_ensure_expression_writes_date_times_as_the_server_stores_them():
    import datetime

    import arrow

    values = {
        # The server stores UTC without microseconds: an aware value is
        # written as that moment in UTC.
        'aware': arrow.get('2020-01-02T03:04:05.123456+02:00'),
        'aware_datetime': datetime.datetime(
            2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))
        ),
        'naive': datetime.datetime(2020, 1, 2, 3, 4, 5, 999),
        'date': datetime.date(2020, 1, 5),
        'none': None,
    }
    expression = ensure_expression('Shot', values, list(values))
    assert expression == (
        'Shot where aware is "2020-01-02T01:04:05" '
        'and aware_datetime is "2020-01-02T08:04:05" '
        'and naive is "2020-01-02T03:04:05" '
        'and date is "2020-01-05T00:00:00" and none is None'
    )


def test_keys_with_quotes_use_the_exact_string_form(session):
    user = session.create('User', {'id': "a'b"}, reconstructing=True)
    assert session.get('User', "a'b") is user
    assert str(('User', ["a'b"])) in session.cache.keys()
    session.transport.responses.append(page(["c'd"], None))
    fetched = session.query('select id from User').one()
    assert session.get('User', "c'd") is fetched


def test_reference_population_uses_default_projections(session):
    task = session.create('Task', {'id': 't1'}, reconstructing=True)
    session.transport.responses.append([{
        'action': 'query',
        'data': [{
            '__entity_type__': 'Task', 'id': 't1',
            'status': {'__entity_type__': 'Status', 'id': 's1'},
            'parent': {'__entity_type__': 'Project', 'id': 'p1',
                       'context_type': 'show', 'name': 'proj'},
        }],
        'metadata': {'next': {'offset': None}},
    }])
    status = task['status']
    assert status['id'] == 's1'
    assert expressions(session) == [
        'select status.id from Task where id is t1 offset 0 limit 500'
    ]
    # The parent was merged by the same response: no further request.
    assert task['parent']['name'] == 'proj'
    assert len(session.transport.requests) == 1


def test_scalar_population(session):
    user = session.create('User', {'id': 'u1'}, reconstructing=True)
    session.transport.responses.append([{
        'action': 'query',
        'data': [{'__entity_type__': 'User', 'id': 'u1', 'username': 'martin'}],
        'metadata': {'next': {'offset': None}},
    }])
    assert user['username'] == 'martin'
    assert user['username'] == 'martin'
    assert expressions(session) == [
        'select username from User where id is u1 offset 0 limit 500'
    ]


def test_ensure_compares_date_times_as_the_server_stores_them():
    import datetime

    import arrow

    from ftrack_api._session.ensure import same_value

    stored = arrow.get('2020-01-02T01:04:05+00:00')
    assert same_value(stored, arrow.get('2020-01-02T03:04:05.5+02:00'))
    assert same_value(stored, datetime.datetime(2020, 1, 2, 1, 4, 5))
    assert not same_value(stored, datetime.datetime(2020, 1, 2, 1, 4, 6))
    assert same_value(arrow.get('2020-01-05'), datetime.date(2020, 1, 5))
    assert same_value('a', 'a') and not same_value('a', 'b')
    assert not same_value(None, stored)
