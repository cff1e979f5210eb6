"""Recording an operation copies mutable values only."""

import datetime

import arrow

import ftrack_api.operation
import ftrack_api.symbol


def test_immutable_values_are_recorded_as_they_are():
    when = arrow.get('2020-01-02T03:04:05+00:00')
    naive = datetime.datetime(2020, 1, 2)
    values = {'a': when, 'b': naive, 'c': 'text', 'd': 5, 'e': (1, 2),
              'f': ftrack_api.symbol.NOT_SET, 'g': datetime.date(2020, 1, 2)}
    operation = ftrack_api.operation.CreateEntityOperation('Task', {'id': '1'}, values)
    for name, value in values.items():
        assert operation.entity_data[name] is value


def test_mutable_values_are_copied():
    mutable = {'list': [1, 2], 'dict': {'k': 'v'}}
    operation = ftrack_api.operation.CreateEntityOperation('Task', {'id': '1'}, mutable)
    mutable['list'].append(3)
    mutable['dict']['k'] = 'changed'
    assert operation.entity_data == {'list': [1, 2], 'dict': {'k': 'v'}}
