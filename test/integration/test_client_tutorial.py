"""The tutorial and 'Understanding sessions' chapters, against a LocalServer."""

import uuid

import arrow
import pytest

import ftrack_api
import ftrack_api.collection
import ftrack_api.exception
import ftrack_api.operation
import ftrack_api.symbol
from ftrack_local_server.testing import connect as make_session
from ftrack_local_server.testing import create_project
from ftrack_local_server.testing import record_requests as count_requests


@pytest.fixture
def project(ftrack_session):
    return create_project(ftrack_session, 'tutorial')


def test_types_and_query(ftrack_session, project):
    types = ftrack_session.types
    for name in ('TypedContext', 'ObjectType', 'Priority', 'Project', 'Sequence',
                 'Shot', 'Task', 'Status', 'Type', 'Timelog', 'User'):
        assert name in types.keys()

    projects = ftrack_session.query('Project')
    assert len(projects) >= 1
    keys = projects[0].keys()
    for name in ('status', 'is_global', 'name', 'end_date', 'context_type',
                 'id', 'full_name', 'root', 'start_date'):
        assert name in keys
    names = [item['name'] for item in projects]
    assert project['name'] in names


def test_criteria(ftrack_session, project):
    active = ftrack_session.query('Project where status is active').all()
    assert project in active
    soon = ftrack_session.query(
        'Project where status is active and end_date before "{0}"'.format(
            arrow.now().shift(weeks=+1)
        )
    ).all()
    assert all(item['end_date'] for item in soon)


def test_children_and_parent(ftrack_server, ftrack_session, project):
    sequence = ftrack_session.create('Sequence', {
        'name': 'Starlord Reveal', 'parent': project,
    })
    ftrack_session.commit()

    with make_session(ftrack_server) as fresh:
        loaded = fresh.query('Project where id is "{0}"'.format(project['id'])).one()
        children = loaded['children']
        assert isinstance(children, ftrack_api.collection.Collection)
        child = children[0]
        assert child['parent'] is loaded

    results = ftrack_session.query(
        'Context where parent.name like "{0}%"'.format(project['name'][:6])
    ).all()
    assert sequence in results


def test_create_sequence_setting_parent(ftrack_session, project):
    new_sequence = ftrack_session.create('Sequence', {'name': 'Starlord Reveal'})
    new_sequence['description'] = 'First hero character reveal.'
    new_sequence['parent'] = project
    ftrack_session.commit()

    check = ftrack_session.query(
        'select name, description, parent_id from Sequence where project_id is "{0}"'
        .format(project['id'])
    ).one()
    assert check is new_sequence
    assert check['description'] == 'First hero character reveal.'
    assert check['parent_id'] == project['id']


def test_create_sequence_appending_to_children(ftrack_session, project):
    other = ftrack_session.create('Sequence', {'name': 'Second'})
    project['children'].append(other)
    ftrack_session.commit()
    check = ftrack_session.query(
        'select parent_id from Sequence where id is "{0}"'.format(other['id'])
    ).one()
    assert check['parent_id'] == project['id']


def test_context_manager_and_closed_session(ftrack_server):
    with make_session(ftrack_server) as session:
        user = session.query('User').first()
        assert str(user).startswith('<User(')
    assert session.closed
    with pytest.raises(ftrack_api.exception.ConnectionClosedError):
        session.query('Project').first()


def test_unit_of_work_recorded_operations(ftrack_session):
    user = ftrack_session.create('User', {})
    user['username'] = 'martin_{0}'.format(uuid.uuid4().hex[:6])
    other_user = ftrack_session.create(
        'User', {'username': 'bjorn_{0}'.format(uuid.uuid4().hex[:6])}
    )
    other_user['email'] = 'bjorn@example.com'
    kinds = [type(operation) for operation in ftrack_session.recorded_operations]
    assert kinds == [
        ftrack_api.operation.CreateEntityOperation,
        ftrack_api.operation.UpdateEntityOperation,
        ftrack_api.operation.CreateEntityOperation,
        ftrack_api.operation.UpdateEntityOperation,
    ]
    sent = count_requests(ftrack_session)
    ftrack_session.commit()
    assert len(sent) == 1
    assert len(ftrack_session.recorded_operations) == 0


def test_queries_do_not_see_uncommitted_changes(ftrack_session):
    user = ftrack_session.create(
        'User', {'username': 'some_unique_{0}'.format(uuid.uuid4().hex)}
    )
    query = 'User where username is "{0}"'.format(user['username'])
    assert len(ftrack_session.query(query)) == 0
    ftrack_session.commit()
    assert len(ftrack_session.query(query)) == 1


def test_query_results_keep_local_changes(ftrack_session):
    user = ftrack_session.query('User').first()
    user['email'] = 'me@example.com'
    retrieved = ftrack_session.query(
        'User where id is "{0}"'.format(user['id'])
    ).one()
    assert retrieved['email'] == 'me@example.com'
    assert retrieved is user


def test_auto_population(ftrack_session):
    user = ftrack_session.query('User').first()
    sent = count_requests(ftrack_session)
    username = user['username']
    assert username
    assert len(sent) == 1
    assert user['username'] == username
    assert len(sent) == 1
    with ftrack_session.auto_populating(False):
        assert user['email'] is ftrack_api.symbol.NOT_SET
    assert len(sent) == 1


def test_isinstance_through_session_types(ftrack_session, project):
    assert isinstance(project, ftrack_session.types['Project'])
    assert not isinstance(project, ftrack_session.types['User'])
