"""The batch a commit sends: recording and the optimisation of protocol §5.2."""

import json

import pytest

import ftrack_api.operation
import ftrack_api.symbol
from ftrack_local_server.testing import offline_session
from ftrack_api._session.batch import optimise


@pytest.fixture
def session():
    yield from offline_session()


def _payload(action, entity_type, key, data):
    entity_data = {'__entity_type__': entity_type}
    entity_data.update(data)
    return {
        'action': action, 'entity_type': entity_type, 'entity_key': [key],
        'entity_data': entity_data,
    }


def create(entity_type, key, **data):
    return _payload('create', entity_type, key, data)


def update(entity_type, key, **data):
    return _payload('update', entity_type, key, data)


def delete(entity_type, key):
    return {'action': 'delete', 'entity_type': entity_type, 'entity_key': [key]}


def test_created_then_deleted_entity_drops_all_its_payloads():
    payloads = [
        create('User', 'a', id='a'),
        update('User', 'a', username='x'),
        create('User', 'b', id='b'),
        delete('User', 'a'),
    ]
    assert optimise(payloads) == [create('User', 'b', id='b')]


def test_last_write_wins_per_attribute():
    payloads = [
        update('User', 'a', username='one', email='e'),
        update('Task', 'c', name='other entity'),
        update('User', 'a', username='two'),
    ]
    assert optimise(payloads) == [
        update('User', 'a', email='e'),
        update('Task', 'c', name='other entity'),
        update('User', 'a', username='two'),
    ]


def test_not_set_values_are_dropped_and_empty_payloads_removed():
    not_set = ftrack_api.symbol.NOT_SET
    payloads = [
        update('User', 'a', username='one'),
        update('User', 'a', username=not_set),
        update('User', 'b', email=not_set, username='kept'),
    ]
    # The NOT_SET update wins over the first one, then both disappear.
    assert optimise(payloads) == [update('User', 'b', username='kept')]


def test_delete_payloads_are_kept():
    assert optimise([delete('User', 'a')]) == [delete('User', 'a')]


def test_adjacent_updates_collapse_into_create():
    payloads = [
        create('Sequence', 's', id='s', name='seq'),
        update('Sequence', 's', description='d'),
        update('Sequence', 's', name='renamed'),
        update('Sequence', 's', parent={'__entity_type__': 'Project', 'id': 'p'}),
    ]
    assert optimise(payloads) == [
        create(
            'Sequence', 's', id='s', name='renamed', description='d',
            parent={'__entity_type__': 'Project', 'id': 'p'},
        ),
    ]


def test_non_adjacent_updates_are_not_collapsed():
    payloads = [
        create('Sequence', 's', id='s'),
        create('Sequence', 't', id='t'),
        update('Sequence', 's', name='late'),
        update('Sequence', 's', description='later'),
    ]
    assert optimise(payloads) == [
        create('Sequence', 's', id='s'),
        create('Sequence', 't', id='t'),
        update('Sequence', 's', name='late', description='later'),
    ]


def test_unit_of_work_example_sends_two_creates(session):
    # "Understanding sessions": create followed by updates become one create.
    user = session.create('User', {})
    user['username'] = 'martin'
    other_user = session.create('User', {'username': 'bjorn'})
    other_user['email'] = 'bjorn@example.com'

    operations = list(session.recorded_operations)
    assert [type(operation) for operation in operations] == [
        ftrack_api.operation.CreateEntityOperation,
        ftrack_api.operation.UpdateEntityOperation,
        ftrack_api.operation.CreateEntityOperation,
        ftrack_api.operation.UpdateEntityOperation,
    ]

    session.commit()
    assert len(session.recorded_operations) == 0
    (batch,) = session.transport.requests
    assert [payload['action'] for payload in batch] == ['create', 'create']
    assert batch[0]['entity_key'] == [user['id']]
    assert batch[0]['entity_data']['username'] == 'martin'
    assert batch[0]['entity_data']['id'] == user['id']
    assert batch[1]['entity_data']['username'] == 'bjorn'
    assert batch[1]['entity_data']['email'] == 'bjorn@example.com'


def test_wire_body_has_sorted_keys_default_separators_and_ascii(session):
    user = session.create('User', {'username': 'bj\u00f6rn', 'id': 'u1'})
    session.commit()
    body = session.transport.bodies[0]
    assert body == json.dumps(
        json.loads(body), sort_keys=True, ensure_ascii=True
    )
    assert '\\u00f6' in body
    assert body.startswith('[{"action": "create", "entity_data": {"__entity_type__": "User"')
    assert user['username'] == 'bj\u00f6rn'


def test_references_and_collections_are_sent_as_references(session):
    project = session.create('Project', {'id': 'p1', 'name': 'p'}, reconstructing=True)
    scope = session.create('Scope', {'id': 's1', 'name': 'London'}, reconstructing=True)
    with session.auto_populating(False):
        task = session.create('Task', {'name': 't', 'parent': project})
        task['scopes'].append(scope)
    session.commit()
    (batch,) = session.transport.requests
    assert len(batch) == 1
    data = batch[0]['entity_data']
    assert data['parent'] == {'__entity_type__': 'Project', 'id': 'p1'}
    assert data['scopes'] == [{'__entity_type__': 'Scope', 'id': 's1'}]


def test_create_then_delete_sends_nothing(session):
    user = session.create('User', {'username': 'temporary'})
    session.delete(user)
    session.commit()
    assert session.transport.requests == []
    assert len(session.recorded_operations) == 0


def test_update_of_existing_entity_sends_only_changed_value(session):
    user = session.create(
        'User', {'id': 'u1', 'username': 'old', 'email': 'e'}, reconstructing=True
    )
    user['username'] = 'new'
    session.commit()
    assert session.transport.requests == [[{
        'action': 'update', 'entity_type': 'User', 'entity_key': ['u1'],
        'entity_data': {'__entity_type__': 'User', 'username': 'new'},
    }]]


def test_delete_of_existing_entity(session):
    user = session.create('User', {'id': 'u1'}, reconstructing=True)
    session.delete(user)
    session.commit()
    assert session.transport.requests == [[{
        'action': 'delete', 'entity_type': 'User', 'entity_key': ['u1'],
    }]]


def test_composite_key_entity_key_is_list_of_strings(session):
    metadata = session.create(
        'Metadata', {'parent_id': 'p', 'key': 'k', 'value': 'v'},
        reconstructing=True,
    )
    metadata['value'] = 'changed'
    session.commit()
    (batch,) = session.transport.requests
    assert batch[0]['entity_key'] == ['p', 'k']


def test_datetime_values_are_tagged(session):
    import arrow

    task = session.create('Task', {'id': 't1'}, reconstructing=True)
    task['start_date'] = arrow.get('2020-01-02T03:04:05+00:00')
    session.commit()
    (batch,) = session.transport.requests
    assert batch[0]['entity_data']['start_date'] == {
        '__type__': 'datetime', 'value': '2020-01-02T03:04:05+00:00',
    }
