"""Tests for wire/storage conversion (ftrack_local_server.encoding)."""

import datetime

import pytest

from ftrack_local_server import encoding, errors
from ftrack_local_server.model import Model
from ftrack_local_server.schema import Catalogue
from ftrack_local_server.store import Store

TASK = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'


@pytest.fixture(scope='module')
def model():
    return Model(Catalogue.load())


@pytest.mark.parametrize('value, expected', [
    ('2023-10-10T09:50:34', '2023-10-10T09:50:34'),
    ('2023-10-10T09:50:34-05:00', '2023-10-10T14:50:34'),
    ('2023-10-10T09:50:34+0130', '2023-10-10T08:20:34'),
    ('2023-10-10T09:50:34.123456Z', '2023-10-10T09:50:34'),
    ('2023-10-10T09:50:34.123Z', '2023-10-10T09:50:34'),
    ('2023-10-10 09:50', '2023-10-10T09:50:00'),
    ('2023-10-10', '2023-10-10T00:00:00'),
    ({'__type__': 'datetime', 'value': '2022-10-10T10:12:09+00:00'},
     '2022-10-10T10:12:09'),
    ({'__type__': 'date', 'value': '2025-12-01'}, '2025-12-01T00:00:00'),
    (datetime.datetime(2020, 1, 2, 3, 4, 5, 600), '2020-01-02T03:04:05'),
    (datetime.date(2020, 1, 2), '2020-01-02T00:00:00'),
])
def test_parse_datetime(value, expected):
    assert encoding.parse_datetime(value) == expected


@pytest.mark.parametrize('value', ['2023-13-01', 'yesterday', 5, None,
                                   '2023-10-10T25:00:00'])
def test_unreadable_datetimes(value):
    assert encoding.parse_datetime(value) is None


def _store(model, type_name, attribute, value):
    entity_type = model.catalogue.get(type_name)
    return encoding.storage_values(
        type_name, entity_type.attribute(attribute),
        model.column(type_name, attribute), value)


def test_storage_values(model):
    assert _store(model, 'Task', 'name', 'x') == {'name': 'x'}
    assert _store(model, 'Task', 'bid', 8) == {'bid': 8}
    assert _store(model, 'Task', 'name', None) == {'name': None}
    assert _store(model, 'Status', 'is_active', True) == {'is_active': 1}
    assert _store(model, 'Task', 'start_date', '2020-01-01') == {
        'start_date': '2020-01-01T00:00:00'}
    assert _store(model, 'Component', 'size', 3.0) == {'size': 3}


@pytest.mark.parametrize('type_name, attribute, value', [
    ('Task', 'name', 5),
    ('Task', 'bid', 'eight'),
    ('Task', 'bid', True),
    ('Status', 'is_active', 'yes'),
    ('Component', 'size', 1.5),
    ('Task', 'start_date', 'soon'),
    ('Task', 'name', {'__entity_type__': 'Task', 'id': 'x'}),
    ('Job', 'status', 'sleeping'),
])
def test_wrong_value_types_name_attribute_and_value(model, type_name,
                                                     attribute, value):
    with pytest.raises(errors.ValidationError) as info:
        _store(model, type_name, attribute, value)
    assert attribute in info.value.content
    assert type_name in info.value.content
    assert errors.excerpt(value) in info.value.content


@pytest.mark.parametrize('value', [
    None, True, False, 3, 2.5, 'text', ['a', 'b'], {'a': 1},
])
def test_variable_values_round_trip(value):
    stored, kind = encoding.variable_to_storage(value)
    assert encoding.variable_from_storage(stored, kind) == value
    assert type(encoding.variable_from_storage(stored, kind)) is type(value)


def test_variable_datetime(model):
    stored, kind = encoding.variable_to_storage(
        {'__type__': 'datetime', 'value': '2020-01-01T10:00:00+01:00'})
    assert encoding.variable_from_storage(stored, kind) == {
        '__type__': 'datetime', 'value': '2020-01-01T09:00:00'}


def test_encode_entity_of_a_task(model):
    with Store(model=model) as store:
        with store.transaction() as tx:
            tx.insert('context', {
                'id': 't1', 'context_type': 'task', 'object_type_id': TASK,
                'name': 'compositing', 'project_id': 'p1',
                'created_at': '2022-10-10T10:12:09'})
            row = tx.load('Task', ['t1'])
    concrete = model.concrete_type('Context', row)
    assert concrete == 'Task'
    assert encoding.encode_entity(model, concrete, row, ['name']) == {
        '__entity_type__': 'Task', 'id': 't1', 'name': 'compositing',
        'context_type': 'task', 'object_type_id': TASK, 'project_id': 'p1'}
    full = encoding.encode_entity(model, concrete, row, skip_null=True)
    assert full['created_at'] == {
        '__type__': 'datetime', 'value': '2022-10-10T10:12:09'}
    assert 'description' not in full
    assert encoding.reference_from_row(model, concrete, row) == {
        '__entity_type__': 'Task', 'id': 't1'}


def test_entity_reference_with_composite_key(model):
    assert encoding.entity_reference(model, 'Metadata', ['p1', 'k']) == {
        '__entity_type__': 'Metadata', 'parent_id': 'p1', 'key': 'k'}
