"""Unit of work against a LocalServer: what a commit or rollback leaves behind.

Protocol §5.3/§5.4: after a commit the session holds what the server
returned (nothing it made up locally), after a failed commit the recorded
work is kept until ``rollback()``, and a rollback detaches new entities
without destroying them.
"""

import pytest

import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_local_server.testing import (
    connect, create_project, create_task, record_requests, sent_operations,
    unique_name,
)

NOT_SET = ftrack_api.symbol.NOT_SET


@pytest.fixture
def project(ftrack_session):
    return create_project(ftrack_session, 'uow')


def test_collection_read_on_new_entity_is_fetched_again_after_commit(
    ftrack_session, project
):
    session = ftrack_session
    sequence = session.create('Sequence', {'name': 'seq', 'parent': project})
    # Reading gives an empty collection to work with before committing.
    assert list(sequence['children']) == []
    assert session.recorded_operations.__len__() == 2
    shot = session.create('Shot', {'name': 'sh010', 'parent': sequence})
    session.commit()

    # The server knows the shot is a child; the placeholder read before the
    # commit must not hide it.
    assert list(sequence['children']) == [shot]


def test_custom_attributes_of_new_entity_are_fetched_after_commit(
    ftrack_session, project
):
    session = ftrack_session
    text_type = session.query('CustomAttributeType where name is "text"').one()
    object_type = session.query('ObjectType where name is "Task"').one()
    keys = [unique_name('ca'), unique_name('ca')]
    for key in keys:
        session.create('CustomAttributeConfiguration', {
            'entity_type': 'task', 'object_type_id': object_type['id'],
            'type': text_type, 'label': key, 'key': key, 'default': 'default',
        })
    session.commit()

    task = create_task(session, project, commit=False)
    task['custom_attributes'][keys[0]] = 'set'
    session.commit()

    sent = record_requests(session)
    values = dict(task['custom_attributes'])
    # Fetched again (as the documentation says), now with every key.
    assert len(sent) == 1
    assert values[keys[0]] == 'set'
    assert values[keys[1]] == 'default'


def test_rollback_detaches_new_entities_keeping_their_values(
    ftrack_session, project
):
    session = ftrack_session
    sequence = session.create('Sequence', {'name': 'detached'})
    sequence_id = sequence['id']
    project['name'] = 'changed'
    with pytest.raises(ftrack_api.exception.ServerError):
        session.commit()  # A sequence needs a parent.

    session.rollback()
    sent = record_requests(session)
    # Detached, not destroyed: the values stay readable and nothing is
    # fetched for an entity the server does not know.
    assert sequence['id'] == sequence_id
    assert sequence['name'] == 'detached'
    assert ftrack_api.inspection.state(sequence) is NOT_SET
    assert session.recorded_operations.__len__() == 0
    assert sent == []
    # The persisted project lost its local change.
    with session.auto_populating(False):
        assert project['name'] != 'changed'
    assert session.get('Sequence', sequence_id) is None


def test_get_sends_the_paged_query_of_the_reference_client(
    ftrack_server, project
):
    session = connect(ftrack_server)
    try:
        sent = record_requests(session)
        found = session.get('Project', project['id'])
        assert found['id'] == project['id']
        assert sent_operations(sent) == [[{
            'action': 'query',
            'expression': (
                'select context_type, id, name from Project where '
                '(id is "{0}") offset 0 limit 500'.format(project['id'])
            ),
        }]]
    finally:
        session.close()


def test_change_from_another_thread_during_a_commit_is_not_lost(
    ftrack_server, project
):
    import threading

    session = connect(ftrack_server)
    try:
        task = create_task(session, session.get('Project', project['id']))
        task['name'] = 'sent'
        in_flight = threading.Event()
        changed = threading.Event()
        post = session._transport.post

        def post_while_another_thread_changes(body):
            in_flight.set()
            assert changed.wait(30)
            return post(body)

        def change():
            assert in_flight.wait(30)
            task['description'] = 'from another thread'
            changed.set()

        thread = threading.Thread(target=change)
        thread.start()
        session._transport.post = post_while_another_thread_changes
        try:
            session.commit()
        finally:
            session._transport.post = post
            thread.join(30)

        assert task['description'] == 'from another thread'
        assert ftrack_api.inspection.state(task) is ftrack_api.symbol.MODIFIED
        session.commit()
    finally:
        session.close()

    with connect(ftrack_server) as other:
        stored = other.get('Task', task['id'])
        assert (stored['name'], stored['description']) == (
            'sent', 'from another thread'
        )


def test_custom_attributes_given_at_create_update_the_owner_after_the_values(
    ftrack_session,
):
    import json

    session = ftrack_session
    number = session.query('CustomAttributeType where name is "number"').one()
    key = unique_name('fps')
    session.create('CustomAttributeConfiguration', {
        'key': key, 'label': key, 'entity_type': 'show', 'type': number,
        'config': json.dumps({'isdecimal': False}), 'default': 25,
        'is_hierarchical': False,
    })
    session.commit()
    schema = session.query('ProjectSchema').first()
    project = session.create('Project', {
        'name': unique_name('ca'), 'full_name': 'CA', 'project_schema': schema,
        'custom_attributes': {key: 24},
    })
    sent = record_requests(session)
    session.commit()
    operations = [(operation["action"], operation["entity_type"]) for operation in json.loads(sent[-1])]
    # As upstream: the project, the value, then the project's values.
    assert operations == [
        ('create', 'Project'), ('update', 'ContextCustomAttributeValue'),
        ('update', 'Project'),
    ]
    assert project['custom_attributes'][key] == 24
