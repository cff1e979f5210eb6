"""Encoding to and decoding from the wire (protocol §3)."""

import datetime
import json

import arrow
import pytest

import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api._session.encoding import decode_datetime
from ftrack_local_server.testing import offline_session

NOT_SET = ftrack_api.symbol.NOT_SET


@pytest.fixture
def session():
    yield from offline_session(echo=False)


@pytest.mark.parametrize('text, expected', [
    ('2022-10-10T10:12:09', '2022-10-10T10:12:09+00:00'),
    ('2022-10-10T10:12:09Z', '2022-10-10T10:12:09+00:00'),
    ('2023-10-10T09:50:34-05:00', '2023-10-10T14:50:34+00:00'),
    ('2022-10-10T10:12:09.123456', '2022-10-10T10:12:09.123456+00:00'),
    ('2025-12-01', '2025-12-01T00:00:00+00:00'),
])
def test_decode_datetime_is_aware_utc(text, expected):
    value = decode_datetime(text)
    assert isinstance(value, arrow.Arrow)
    assert value.isoformat() == expected


def test_decode_invalid_datetime_names_value():
    with pytest.raises(ValueError) as error:
        decode_datetime('not a date')
    assert 'not a date' in str(error.value)


def test_decode_datetime_and_date_markers(session):
    value = session.decode(json.dumps({
        'a': {'__type__': 'datetime', 'value': '2022-10-10T10:12:09'},
        'b': {'__type__': 'date', 'value': '2025-12-01'},
    }))
    assert value['a'] == arrow.get('2022-10-10T10:12:09+00:00')
    assert value['b'] == arrow.get('2025-12-01T00:00:00+00:00')


def test_decode_builds_detached_entities(session):
    text = json.dumps({
        '__entity_type__': 'Task', 'id': 't1', 'name': 'comp',
        'status': {'__entity_type__': 'Status', 'id': 's1', 'name': 'Done'},
        'unknown_attribute': 1,
    })
    task = session.decode(text)
    assert task.entity_type == 'Task'
    assert task['name'] == 'comp'
    assert task['status']['name'] == 'Done'
    assert session.cache.keys() == [
        key for key in session.cache.keys() if 'Task' not in key
    ]
    assert len(session.recorded_operations) == 0


def test_decode_unknown_entity_type(session):
    with pytest.raises(ftrack_api.exception.UnrecognisedEntityTypeError):
        session.decode('{"__entity_type__": "NoSuchType", "id": "x"}')


def test_encode_is_sorted_ascii_json(session):
    text = session.encode({'b': 1, 'a': '\u00e9', 'c': [{'z': 1, 'y': 2}]})
    assert text == '{"a": "\\u00e9", "b": 1, "c": [{"y": 2, "z": 1}]}'


def test_encode_datetimes(session):
    value = session.encode([
        arrow.get('2020-01-02T03:04:05.500000+00:00'),
        datetime.datetime(2020, 1, 2, 3, 4, 5),
        datetime.date(2020, 1, 2),
    ])
    assert json.loads(value) == [
        {'__type__': 'datetime', 'value': '2020-01-02T03:04:05.500000+00:00'},
        {'__type__': 'datetime', 'value': '2020-01-02T03:04:05'},
        {'__type__': 'datetime', 'value': '2020-01-02'},
    ]


def test_encode_rejects_unknown_values(session):
    with pytest.raises(TypeError):
        session.encode(object())
    with pytest.raises(TypeError):
        session.encode(NOT_SET)
    with pytest.raises(ValueError) as error:
        session.encode({}, entity_attribute_strategy='everything')
    assert 'everything' in str(error.value)


def _task(session):
    status = session.create('Status', {'id': 's1', 'name': 'Done'}, reconstructing=True)
    task = session.create(
        'Task',
        {'id': 't1', 'name': 'remote', 'status': status,
         'thumbnail_url': {'url': 'x'}},
        reconstructing=True,
    )
    task['name'] = 'local'
    task['bid'] = 5
    return task


def test_encode_set_only(session):
    task = _task(session)
    data = json.loads(session.encode(task, 'set_only'))
    assert data == {
        '__entity_type__': 'Task', 'id': 't1', 'name': 'local', 'bid': 5,
        'status': {'__entity_type__': 'Status', 'id': 's1'},
        'thumbnail_url': {'url': 'x'},
    }


def test_encode_modified_only(session):
    task = _task(session)
    data = json.loads(session.encode(task, 'modified_only'))
    assert data == {'__entity_type__': 'Task', 'id': 't1', 'name': 'local', 'bid': 5}


def test_encode_persisted_only_skips_computed(session):
    task = _task(session)
    data = json.loads(session.encode(task, 'persisted_only'))
    assert data == {
        '__entity_type__': 'Task', 'id': 't1', 'name': 'remote',
        'status': {'__entity_type__': 'Status', 'id': 's1'},
    }


def test_encode_all_fetches_unset_values(session):
    task = _task(session)
    session.transport.echo = True
    session.transport.responses.append([{
        'action': 'query',
        'data': [{'__entity_type__': 'Task', 'id': 't1', 'description': 'fetched'}],
        'metadata': {'next': {'offset': None}},
    }])
    data = json.loads(session.encode(task, 'all'))
    assert data['name'] == 'local'
    assert data['description'] == 'fetched'
    first_request = session.transport.requests[0][0]['expression']
    assert first_request.startswith('select ')
    assert 'description' in first_request
    assert first_request.endswith(' from Task where id is t1 offset 0 limit 500')


def test_encode_all_without_auto_populate_skips_unset(session):
    task = _task(session)
    with session.auto_populating(False):
        data = json.loads(session.encode(task, 'all'))
    assert data['name'] == 'local'
    assert 'description' not in data


def test_encode_collections_as_references(session):
    first = session.create('Scope', {'id': 'a'}, reconstructing=True)
    task = session.create('Task', {'id': 't1', 'scopes': [first]}, reconstructing=True)
    assert json.loads(session.encode(task['scopes'])) == [
        {'__entity_type__': 'Scope', 'id': 'a'}
    ]


def test_entity_reference_composite_key(session):
    metadata = session.create(
        'Metadata', {'parent_id': 'p', 'key': 'k'}, reconstructing=True
    )
    assert session.entity_reference(metadata) == {
        '__entity_type__': 'Metadata', 'parent_id': 'p', 'key': 'k',
    }


def test_round_trip_through_encode_and_decode(session):
    task = _task(session)
    decoded = session.decode(session.encode(task, 'persisted_only'))
    assert decoded == task
    assert decoded is not task
    assert decoded['name'] == 'remote'
