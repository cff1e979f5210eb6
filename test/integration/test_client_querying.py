"""The 'Querying' chapter, paging and generated expressions, against a LocalServer."""

import datetime
import uuid

import arrow
import pytest

import ftrack_api
import ftrack_api.exception
import ftrack_api.query
from ftrack_local_server.testing import connect
from ftrack_local_server.testing import record_requests as count_requests
from ftrack_local_server.testing import unique_name as unique


@pytest.fixture
def studio(ftrack_session):
    """A project with a sequence, shots, tasks, notes, metadata and timelogs."""
    session = ftrack_session
    schema = session.query('ProjectSchema').first()
    name = unique('thrones')
    project = session.create('Project', {
        'name': name, 'full_name': name + '_full', 'project_schema': schema,
    })
    task_type = schema.get_types('Task')[0]
    task_status = schema.get_statuses('Task', task_type['id'])[0]
    sequence = session.create('Sequence', {'name': 'seq', 'parent': project})
    tasks = []
    for index in range(3):
        shot = session.create('Shot', {'name': 'sh{0}'.format(index), 'parent': sequence})
        tasks.append(session.create('Task', {
            'name': 'task{0}'.format(index), 'parent': shot, 'type': task_type,
            'status': task_status, 'bid': index * 10,
        }))
    user = session.query('User').first()
    session.create('Timelog', {
        'user': user, 'context': tasks[0], 'start': arrow.utcnow(), 'duration': 10,
        'comment': 'Some comment',
    })
    project['metadata']['some_key'] = 'some_value'
    session.commit()
    return {'project': project, 'tasks': tasks, 'user': user, 'sequence': sequence}


def test_query_result_is_lazy(ftrack_session, studio):
    sent = count_requests(ftrack_session)
    projects = ftrack_session.query('Project')
    assert isinstance(projects, ftrack_api.query.QueryResult)
    assert sent == []
    assert studio['project'] in projects.all()
    assert len(sent) == 1


def test_criteria_and_combinations(ftrack_session, studio):
    name = studio['project']['name']
    session = ftrack_session
    assert session.query(
        'Project where status is active and name like "%{0}"'.format(name[-8:])
    ).one() is studio['project']
    assert session.query(
        'Project where status is active and '
        '(name like "%{0}" or full_name like "%{0}")'.format(name[-8:])
    ).one() is studio['project']


def test_filtering_on_relationships(ftrack_session, studio):
    session = ftrack_session
    project = studio['project']
    tasks = session.query('Task where project.id is "{0}"'.format(project['id'])).all()
    assert sorted(task['name'] for task in tasks) == ['task0', 'task1', 'task2']
    logged = session.query(
        'Task where timelogs.start >= "{0}" and project.id is "{1}"'.format(
            arrow.now().floor('day'), project['id']
        )
    ).all()
    assert logged == [studio['tasks'][0]]


def test_has_and_any(ftrack_session, studio):
    session = ftrack_session
    user = studio['user']
    note = studio['tasks'][1].create_note('hello', author=user)
    session.commit()
    notes = session.query(
        'Note where author has (first_name is "{0}" and last_name is "{1}")'.format(
            user['first_name'], user['last_name']
        )
    ).all()
    assert note in notes
    same = session.query(
        'Note where author.first_name is "{0}" and author.last_name is "{1}"'.format(
            user['first_name'], user['last_name']
        )
    ).all()
    assert note in same
    projects = session.query(
        'Project where metadata any (key=some_key and value=some_value)'
    ).all()
    assert studio['project'] in projects
    idle = session.query(
        'Task where not timelogs any () and project_id is "{0}"'.format(
            studio['project']['id']
        )
    ).all()
    assert sorted(task['name'] for task in idle) == ['task1', 'task2']


@pytest.mark.parametrize('criteria, expected', [
    ('bid is 10', ['task1']),
    ('bid != 10', ['task0', 'task2']),
    ('bid > 0', ['task1', 'task2']),
    ('bid < 20', ['task0', 'task1']),
    ('bid >= 10', ['task1', 'task2']),
    ('bid <= 10', ['task0', 'task1']),
    ('name in ("task0", "task2")', ['task0', 'task2']),
    ('name not_in ("task0", "task2")', ['task1']),
    ('name like "task%"', ['task0', 'task1', 'task2']),
    ('name not_like "%1"', ['task0', 'task2']),
    ('name is_not "task0"', ['task1', 'task2']),
])
def test_operators(ftrack_session, studio, criteria, expected):
    tasks = ftrack_session.query(
        'Task where project_id is "{0}" and {1}'.format(studio['project']['id'], criteria)
    ).all()
    assert sorted(task['name'] for task in tasks) == expected


def test_projections_avoid_further_requests(ftrack_server, studio):
    with connect(ftrack_server) as session:
        sent = count_requests(session)
        projects = session.query('select full_name, project_schema.name from Project')
        lines = [
            '{project[full_name]} - {project[project_schema][name]})'.format(project=project)
            for project in projects
        ]
        assert len(sent) == 1
        assert any(studio['project']['full_name'] in line for line in lines)


def test_paging_with_small_pages(ftrack_session, studio):
    sent = count_requests(ftrack_session)
    tasks = ftrack_session.query(
        'select name from Task where project_id is "{0}"'.format(
            studio['project']['id']
        ),
        page_size=1,
    )
    assert sorted(task['name'] for task in tasks) == ['task0', 'task1', 'task2']
    assert len(sent) >= 3


def test_offset_and_limit(ftrack_session, studio):
    expression = 'select name from Task where project_id is "{0}" order by name'.format(
        studio['project']['id']
    )
    assert [task['name'] for task in ftrack_session.query(expression + ' limit 2')] == [
        'task0', 'task1',
    ]
    assert [
        task['name'] for task in ftrack_session.query(expression + ' offset 1 limit 5')
    ] == ['task1', 'task2']


def test_one_and_first_errors(ftrack_session, studio):
    project_id = studio['project']['id']
    with pytest.raises(ftrack_api.exception.MultipleResultsFoundError):
        ftrack_session.query('Task where project_id is "{0}"'.format(project_id)).one()
    with pytest.raises(ftrack_api.exception.NoResultFoundError):
        ftrack_session.query('Task where name is "{0}"'.format(unique('none'))).one()
    with pytest.raises(ftrack_api.exception.IncorrectResultError):
        ftrack_session.query('Task where name is "{0}"'.format(unique('none'))).one()
    assert ftrack_session.query(
        'Task where name is "{0}"'.format(unique('none'))
    ).first() is None
    with pytest.raises(ValueError):
        ftrack_session.query('Task limit 1').one()


def test_get_and_composite_keys(ftrack_server, studio):
    project = studio['project']
    with connect(ftrack_server) as session:
        sent = count_requests(session)
        loaded = session.get('Project', project['id'])
        assert loaded['name'] == project['name']
        assert session.get('Project', project['id']) is loaded
        metadata = session.get('Metadata', [project['id'], 'some_key'])
        assert metadata['value'] == 'some_value'
        assert session.get(
            'Metadata', {'parent_id': project['id'], 'key': 'some_key'}
        ) is metadata
        assert session.get('Project', str(uuid.uuid4())) is None
        assert len(sent) == 3


def test_populate_composite_keys(ftrack_server, studio):
    project = studio['project']
    project['metadata']['other'] = 'x'
    project.session.commit()
    with connect(ftrack_server) as session:
        items = session.query(
            'select parent_id, key from Metadata where parent_id is "{0}"'.format(
                project['id']
            )
        ).all()
        assert len(items) == 2
        session.populate(items, 'value')
        with session.auto_populating(False):
            assert sorted(item['value'] for item in items) == ['some_value', 'x']


def test_quoted_values_in_generated_expressions(ftrack_session, studio):
    project = studio['project']
    project['metadata']['quote"and\\backslash'] = 'v'
    ftrack_session.commit()
    with connect(ftrack_session) as session:
        metadata = session.get('Metadata', [project['id'], 'quote"and\\backslash'])
        assert metadata['value'] == 'v'


def test_ensure(ftrack_session):
    username = unique('martin')
    user = ftrack_session.ensure('User', {'username': username})
    assert ftrack_session.ensure('User', {'username': username}) is user
    updated = ftrack_session.ensure(
        'User', {'username': username, 'email': 'martin@example.com'},
        identifying_keys=['username'],
    )
    assert updated is user
    assert ftrack_session.query(
        'select email from User where username is "{0}"'.format(username)
    ).one()['email'] == 'martin@example.com'


@pytest.mark.parametrize('start_date', [
    arrow.get('2020-01-02T03:04:05.123456+02:00'),
    datetime.datetime(2020, 1, 2, 3, 4, 5),
    datetime.date(2020, 1, 2),
], ids=['aware-with-offset', 'naive', 'date'])
def test_ensure_with_a_date_time_finds_what_it_created(
    ftrack_session, studio, start_date
):
    data = {
        'name': unique('dated'), 'parent_id': studio['sequence']['id'],
        'start_date': start_date,
    }
    created = ftrack_session.ensure('Shot', data)
    with connect(ftrack_session) as other:
        assert other.ensure('Shot', data)['id'] == created['id']
        assert len(other.query(
            'Shot where name is "{0}"'.format(data['name'])
        ).all()) == 1


def test_ensure_with_values_that_need_quoting(ftrack_session):
    username = 'it\'s "quoted" \\ {0}'.format(unique('user'))
    user = ftrack_session.ensure('User', {'username': username})
    assert ftrack_session.ensure('User', {'username': username}) is user
    assert user['username'] == username


def test_offset_and_limit_words_inside_values(ftrack_session):
    username = '{0} offset 1 limit 1'.format(unique('paged'))
    user = ftrack_session.create('User', {'username': username})
    ftrack_session.commit()
    found = ftrack_session.query(
        'User where username is "{0}"'.format(username)
    ).all()
    assert found == [user]
    assert ftrack_session.query(
        'User where username is "{0}"'.format(username)
    ).one() is user
