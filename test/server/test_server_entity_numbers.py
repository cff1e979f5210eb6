"""Numbers at the edges through real HTTP: too large, not finite, not numbers.

The store keeps 64-bit whole numbers and finite floats; JSON sent by
clients may hold more (Python's ``json`` writes ``NaN`` and ``Infinity``
and integers of any size). Such values get an error object naming the
attribute and the value, never an unexpected server error, and no answer
ever carries ``NaN`` / ``Infinity`` (not JSON).
"""

import json

import pytest

from ftrack_local_server.testing import new_id

HUGE = 10 ** 30


@pytest.fixture
def task(raw_api):
    project = raw_api.create_project('numbers-' + new_id())
    shot = raw_api.create('Shot', {'name': 'sh', 'parent_id': project['id']})
    return raw_api.create('Task', {'name': 't', 'parent_id': shot['id'], 'bid': 2})


def update_text(task_id, field, literal):
    """The JSON text of one Task update whose value is written as *literal*."""
    return ('[{"action": "update", "entity_type": "Task", "entity_key": ["%s"], '
            '"entity_data": {"%s": %s}}]' % (task_id, field, literal))


@pytest.mark.parametrize('field, literal', [
    ('bid', str(HUGE)), ('bid', str(-HUGE)), ('sort', str(HUGE)),
    ('bid', 'Infinity'), ('bid', '-Infinity'), ('bid', 'NaN'), ('sort', 'Infinity'),
])
def test_out_of_range_numbers_are_refused(raw_api, task, field, literal):
    response = raw_api.post(update_text(task['id'], field, literal), raw=True)
    error = response.json()
    assert error['exception'] == 'ValidationError', error
    assert '"{0}"'.format(field) in error['content']
    assert literal.lstrip('-') in error['content']
    row = raw_api.query('select bid, sort from Task where id is "{0}"'.format(task['id']))[0]
    assert (row['bid'], row['sort']) == (2, 0)


def test_largest_whole_numbers_are_kept(raw_api, task):
    largest = 2 ** 63 - 1
    raw_api.ok([{'action': 'update', 'entity_type': 'Task', 'entity_key': [task['id']],
                 'entity_data': {'sort': largest}}])
    row = raw_api.query('select sort from Task where id is "{0}"'.format(task['id']))[0]
    assert row['sort'] == largest


def test_out_of_range_custom_attribute_value_is_refused(raw_api, task):
    number = raw_api.query('select id from CustomAttributeType where name is "number"')[0]['id']
    configuration = raw_api.create('CustomAttributeConfiguration', {
        'entity_type': 'task', 'object_type_id': '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c',
        'type_id': number, 'label': 'n', 'key': 'numbers_' + new_id()[:8], 'default': 0,
        'config': json.dumps({'isdecimal': False})})
    for literal in (str(HUGE), 'Infinity', 'NaN'):
        body = ('[{"action": "update", "entity_type": "ContextCustomAttributeValue", '
                '"entity_key": ["%s", "%s"], "entity_data": {"value": %s}}]'
                % (configuration['id'], task['id'], literal))
        error = raw_api.post(body, raw=True).json()
        assert error['exception'] == 'ValidationError', error
        assert literal in error['content']
    values = raw_api.query('select custom_attributes from Task where id is "{0}"'.format(
        task['id']))[0]['custom_attributes']
    assert [value['value'] for value in values
            if value['configuration_id'] == configuration['id']] == [0]


@pytest.mark.parametrize('criteria, found', [
    ('bid < {0}'.format(HUGE), True),
    ('bid > {0}'.format(HUGE), False),
    ('bid > -{0}'.format(HUGE), True),
    ('bid in ({0}, 2)'.format(HUGE), True),
    ('bid is "{0}"'.format(HUGE), False),
    ('name is {0}'.format(HUGE), False),
])
def test_huge_numbers_in_criteria_compare_as_numbers(raw_api, task, criteria, found):
    data = raw_api.query('select id from Task where id is "{0}" and {1}'.format(
        task['id'], criteria))
    assert bool(data) is found


@pytest.mark.parametrize('clauses', [
    'offset {0} limit 5'.format(HUGE), 'limit {0}'.format(HUGE),
    'offset {0}'.format(HUGE),
])
def test_huge_offset_and_limit(raw_api, task, clauses):
    result = raw_api.ok([{'action': 'query', 'expression':
                          'select id from Task where id is "{0}" {1}'.format(
                              task['id'], clauses)}])[0]
    expected = [] if 'offset' in clauses else [task['id']]
    assert [row['id'] for row in result['data']] == expected
    assert result['metadata'] == {'next': {'offset': None}}


@pytest.mark.parametrize('function', ['sum', 'avg'])
def test_sum_and_average_need_numbers(raw_api, task, function):
    error = raw_api.call([{'action': 'query', 'expression':
                           'select {0}(name) from Task group by parent_id'.format(function)}])
    assert error['exception'] == 'ValidationError', error
    assert '{0}(name)'.format(function) in error['content']
    assert '"name"' in error['content']


@pytest.mark.parametrize('function', ['min', 'max', 'count'])
def test_min_max_count_take_any_attribute(raw_api, task, function):
    rows = raw_api.ok([{'action': 'query', 'expression':
                        'select {0}(name) from Task where id is "{1}"'.format(
                            function, task['id'])}])[0]['data']
    assert rows == [{'{0}_name'.format(function): 1 if function == 'count' else 't'}]
