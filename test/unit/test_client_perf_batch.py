"""The linear-time batch builder gives exactly the §5.2 step-by-step result."""

import collections
import random

import pytest

import ftrack_api._session.batch as batch
import ftrack_api.operation as operation
from ftrack_local_server.testing import OfflineSession
from ftrack_api.symbol import NOT_SET


def reference_batch(operations):
    """The batch built one protocol step at a time."""
    return batch.to_wire(batch.optimise([batch.payload_for(o) for o in operations]))


@pytest.fixture(scope='module')
def session():
    session = OfflineSession()
    yield session
    session.close()


class SubclassedUpdate(operation.UpdateEntityOperation):
    """An operation subclass, as a plugin might push."""


def random_operations(rng, entities):
    operations = []
    for _ in range(rng.randint(0, 14)):
        entity_type = rng.choice(['Task', 'User'])
        key = collections.OrderedDict(id=rng.choice('abc'))
        roll = rng.random()
        values = ['v', 'w', 1, None, NOT_SET, rng.choice(entities), [1, 2]]
        if roll < 0.3:
            names = rng.sample(['name', 'id', 'x', 'parent'], rng.randint(0, 3))
            data = {name: rng.choice(values) for name in names}
            operations.append(operation.CreateEntityOperation(entity_type, key, data))
        elif roll < 0.85:
            cls = rng.choice([operation.UpdateEntityOperation, SubclassedUpdate])
            operations.append(cls(
                entity_type, key, rng.choice(['name', 'x', 'y', 'parent']),
                None, rng.choice(values),
            ))
        else:
            operations.append(operation.DeleteEntityOperation(entity_type, key))
    return operations


def test_same_result_as_the_protocol_steps(session):
    entities = [
        session.create('Project', {'id': 'p{0}'.format(index), 'name': 'p'},
                       reconstructing=True)
        for index in range(3)
    ]
    rng = random.Random(20240501)
    for _ in range(3000):
        operations = random_operations(rng, entities)
        expected = reference_batch(operations)
        got = batch.build_batch(operations)
        assert got == expected, operations
        assert all(type(payload) is batch.OperationPayload for payload in got)


def test_operations_are_left_unchanged(session):
    project = session.create('Project', {'id': 'p1', 'name': 'p'}, reconstructing=True)
    key = collections.OrderedDict(id='t1')
    create = operation.CreateEntityOperation('Task', key, {'name': 'a', 'x': NOT_SET})
    update = operation.UpdateEntityOperation('Task', key, 'parent', None, project)
    before = (dict(create.entity_data), dict(create.entity_key), update.new_value)
    payloads = batch.build_batch([create, update])
    assert payloads == [{
        'action': 'create', 'entity_type': 'Task', 'entity_key': ['t1'],
        'entity_data': {
            '__entity_type__': 'Task', 'id': 't1', 'name': 'a',
            'parent': {'__entity_type__': 'Project', 'id': 'p1'},
        },
    }]
    assert (dict(create.entity_data), dict(create.entity_key), update.new_value) == before


def test_unknown_operation_is_refused_by_name():
    class Strange(operation.Operation):
        entity_type = 'Task'
        entity_key = collections.OrderedDict(id='a')

        def __repr__(self):
            return '<Strange operation>'

    with pytest.raises(ValueError, match='Strange operation'):
        batch.build_batch([Strange()])


def test_update_between_other_entities_is_not_collapsed():
    key_a = collections.OrderedDict(id='a')
    key_b = collections.OrderedDict(id='b')
    operations = [
        operation.UpdateEntityOperation('Task', key_a, 'name', None, 'one'),
        operation.UpdateEntityOperation('Task', key_b, 'name', None, 'two'),
        operation.UpdateEntityOperation('Task', key_a, 'bid', None, 3),
    ]
    assert [payload['entity_key'] for payload in batch.build_batch(operations)] == [
        ['a'], ['b'], ['a'],
    ]


def test_commit_sends_the_built_batch(session):
    session.transport.echo = True
    project = session.create('Project', {'id': 'p9', 'name': 'p'}, reconstructing=True)
    task = session.create('Task', {'name': 'first', 'parent': project})
    task['name'] = 'renamed'
    expected = reference_batch(list(session.recorded_operations))
    session.commit()
    assert session.transport.requests[-1] == expected
    assert expected[0]['entity_data']['name'] == 'renamed'
