"""More usage examples of the documentation, as written (in Python 3).

Review sessions, custom attribute configurations, link attributes, scopes,
assignments and allocations, security roles, task templates, LDAP sync,
user invites, asset version links and the migration guide's examples,
against a LocalServer. (Projects, metadata, custom attribute values, notes,
lists, timers, links and jobs are in ``test_client_examples.py``.)
"""

import json
import random

import arrow
import pytest

import ftrack_api.entity.job
from ftrack_local_server.testing import connect, create_project, create_task, unique_name


@pytest.fixture
def project(ftrack_session):
    return create_project(ftrack_session, 'usage')


@pytest.fixture
def asset_version(ftrack_session, project):
    """A committed version of a new asset under a new shot of *project*."""
    session = ftrack_session
    shot = session.create('Shot', {'name': 'sh010', 'parent': project})
    task = create_task(session, shot, name='comp', commit=False)
    asset = session.create('Asset', {
        'name': 'My asset',
        'type': session.query('AssetType where name is "Geometry"').one(),
        'parent': shot,
    })
    version = session.create('AssetVersion', {'asset': asset, 'task': task})
    session.commit()
    return version


def test_review_sessions(ftrack_session, project, asset_version):
    session = ftrack_session
    name = unique_name('Weekly review')
    review_session = session.create('ReviewSession', {
        'name': name,
        'description': 'See updates from last week.',
        'project': project,
    })
    review_session_object = session.create('ReviewSessionObject', {
        'name': 'Compositing',
        'description': 'Fixed shadows.',
        'version': 'Version 3',
        'review_session': review_session,
        'asset_version': asset_version,
    })
    invitee = session.create('ReviewSessionInvitee', {
        'name': 'John Doe',
        'email': 'john.doe@example.com',
        'review_session': review_session,
    })
    session.commit()

    review_sessions = session.query(
        'ReviewSession where name is "{0}"'.format(name)
    )
    assert review_sessions.all() == [review_session]
    assert review_session in project['review_sessions']
    assert list(review_session['review_session_objects']) == [review_session_object]
    assert list(review_session['review_session_invitees']) == [invitee]

    session.send_review_session_invite(invitee)
    session.send_review_session_invites([invitee])

    session.delete(invitee)
    session.commit()
    assert session.query(
        'ReviewSessionInvitee where review_session_id is "{0}"'.format(
            review_session['id']
        )
    ).all() == []


def test_custom_attribute_configurations(ftrack_session, project):
    session = ftrack_session
    assert session.query('CustomAttributeConfiguration').all() is not None

    custom_attribute_type = session.query(
        'CustomAttributeType where name is "text"'
    ).one()
    text_key = unique_name('asset_version_text_attribute')
    session.create('CustomAttributeConfiguration', {
        'entity_type': 'assetversion',
        'type': custom_attribute_type,
        'label': 'Asset version text attribute',
        'key': text_key,
        'default': 'bar',
        'config': json.dumps({'markdown': False}),
    })
    session.commit()

    # Project specific, then changed to global.
    project_key = unique_name('project_specific')
    configuration = session.create('CustomAttributeConfiguration', {
        'project_id': project['id'],
        'entity_type': 'assetversion',
        'type': custom_attribute_type,
        'label': 'Project specific',
        'key': project_key,
        'default': 'bar',
        'config': json.dumps({'markdown': False}),
    })
    session.commit()
    configuration['project_id'] = None
    session.commit()

    security_role = session.query('SecurityRole').first()
    enumerator_type = session.query(
        'CustomAttributeType where name is "enumerator"'
    ).first()
    enumerator = session.create('CustomAttributeConfiguration', {
        'entity_type': 'assetversion',
        'type': enumerator_type,
        'label': 'Enumerator attribute',
        'key': unique_name('enumerator_attribute'),
        'default': ['bar'],
        'config': json.dumps({
            'multiSelect': True,
            'data': json.dumps([
                {'menu': 'Foo', 'value': 'foo'},
                {'menu': 'Bar', 'value': 'bar'},
            ]),
        }),
        'write_security_roles': [security_role],
        'read_security_roles': [security_role],
    })
    number = session.create('CustomAttributeConfiguration', {
        'entity_type': 'assetversion',
        'type': session.query('CustomAttributeType where name is "number"').first(),
        'label': 'Number attribute',
        'key': unique_name('number_attribute'),
        'default': 42,
        'config': json.dumps({'isdecimal': True}),
    })
    date = session.create('CustomAttributeConfiguration', {
        'entity_type': 'assetversion',
        'type': session.query('CustomAttributeType where name is "date"').first(),
        'label': 'Date attribute',
        'key': unique_name('date_attribute'),
        'default': arrow.Arrow(2017, 2, 8),
        'write_security_roles': [security_role],
        'read_security_roles': [security_role],
    })
    session.commit()

    # Changing the default only affects new entities.
    number['default'] = 43
    session.commit()

    with connect(session) as other:
        loaded = other.get('CustomAttributeConfiguration', configuration['id'])
        assert loaded['project_id'] is None
        assert other.get('CustomAttributeConfiguration', number['id'])['default'] == 43
        assert list(other.get(
            'CustomAttributeConfiguration', enumerator['id']
        )['read_security_roles']) == [other.get('SecurityRole', security_role['id'])]
        assert other.get('CustomAttributeConfiguration', date['id'])['key'] == (
            date['key']
        )


def test_link_attributes(ftrack_session, project, asset_version):
    session = ftrack_session
    task_name = unique_name('myTask')
    shot = asset_version['asset']['parent']
    task = create_task(session, shot, name=task_name)

    task = session.query(
        'select link from Task where name is "{0}"'.format(task_name)
    ).first()
    assert [(item['type'], item['id']) for item in task['link']] == [
        ('Project', project['id']), ('Shot', shot['id']), ('Task', task['id'])
    ]
    assert task['link'][-1]['name'] == task_name
    entities = []
    for item in task['link']:
        entities.append(session.get(item['type'], item['id']))
    assert entities == [project, shot, task]

    user = session.query(
        'User where username is "{0}"'.format(session.api_user)
    ).one()
    session.create('Timelog', {
        'user': user, 'context': task, 'start': arrow.utcnow(), 'duration': 60,
    })
    session.commit()
    timelogs = session.query(
        'select context.link, start, duration from Timelog '
        'where user.username is "{0}" and context_id is "{1}"'.format(
            session.api_user, task['id']
        )
    ).all()
    assert [timelog['context']['link'][-1]['name'] for timelog in timelogs] == [
        task_name
    ]

    asset_version['user'] = user
    session.commit()
    versions = session.query(
        'select link from AssetVersion where user.username is "{0}" '
        'and id is "{1}"'.format(session.api_user, asset_version['id'])
    ).all()
    assert versions[0]['link'][-1]['id'] == asset_version['id']


def test_scopes(ftrack_session, project):
    session = ftrack_session
    name = unique_name('London')
    session.create('Scope', {'name': name})
    task = create_task(session, project)

    scope = session.query('Scope where name is "{0}"'.format(name))[0]
    if scope in task['scopes']:
        task['scopes'].remove(scope)
    else:
        task['scopes'].append(scope)
    session.commit()

    tasks = session.query('Task where scopes.name is "{0}"'.format(name))
    assert tasks.all() == [task]


def test_assignments_and_allocations(ftrack_session, project):
    session = ftrack_session
    current_user = session.query(
        u'User where username is {0}'.format(session.api_user)
    ).one()
    group = session.create('Group', {'name': unique_name('Animation')})
    member = session.create('User', {'username': unique_name('animator')})
    session.create('Membership', {'group': group, 'user': member})
    for resource in (group, current_user):
        session.create('Appointment', {
            'context': project, 'resource': resource, 'type': 'allocation',
        })
    task = create_task(session, project, commit=False)
    session.create('Appointment', {
        'context': task, 'resource': current_user, 'type': 'assignment',
    })
    session.commit()

    # The documented loop over the project team.
    project_team = set()
    for allocation in project['allocations']:
        resource = allocation['resource']
        if isinstance(resource, session.types['Group']):
            for membership in resource['memberships']:
                user = membership['user']
                project_team.add(user)
        else:
            user = resource
            project_team.add(user)
    assert project_team == {member, current_user}

    users = session.query(
        'select first_name, last_name from User '
        'where assignments any (context_id = "{0}")'.format(task['id'])
    )
    assert users.all() == [current_user]

    assigned_tasks = session.query(
        'select link from Task '
        'where assignments any (resource.username = "{0}")'.format(session.api_user)
    )
    assert task in assigned_tasks.all()
    assert u' / '.join(item['name'] for item in task['link']).endswith(task['name'])


def test_user_security_roles(ftrack_session, project):
    session = ftrack_session
    security_roles = session.query(
        'select name from SecurityRole where type is "PROJECT"'
    ).all()
    assert 'Project Manager' in [role['name'] for role in security_roles]

    user = session.create('User', {'username': unique_name('producer')})
    project_manager_role = session.query(
        'SecurityRole where name is "Project Manager"'
    ).one()
    session.create('UserSecurityRole', {
        'is_all_projects': True,
        'user': user,
        'security_role': project_manager_role,
    })
    session.commit()

    found = []
    for user_security_role in user['user_security_roles']:
        if user_security_role['is_all_projects']:
            result_string = 'all projects'
        else:
            result_string = 'some projects'
        found.append((user_security_role['security_role']['name'], result_string))
    assert found == [('Project Manager', 'all projects')]
    assert len(session.query(
        'UserSecurityRole where user.username is "{0}"'.format(user['username'])
    ).all()) == 1


def test_task_templates(ftrack_session, project):
    session = ftrack_session
    task_templates = project['project_schema']['task_templates']
    assert len(task_templates) > 0
    names = {}
    for task_template in task_templates:
        names[task_template['name']] = [
            item['task_type']['name'] for item in task_template['items']
        ]
    assert all(names.values())

    # "Apply" a random task template directly under the project.
    task_template = random.choice(project['project_schema']['task_templates'])
    for task_type in [t['task_type'] for t in task_template['items']]:
        session.create('Task', {
            'name': task_type['name'], 'type': task_type, 'parent': project,
        })
    session.commit()
    assert sorted(
        task['name'] for task in session.query(
            'Task where project_id is "{0}"'.format(project['id'])
        )
    ) == sorted(names[task_template['name']])


def test_sync_users_with_ldap_through_call(ftrack_session):
    result = ftrack_session.call([
        dict(action='delayed_job', job_type='SYNC_USERS_LDAP')
    ])
    job = result[0]['data']
    assert isinstance(job, ftrack_api.entity.job.Job)
    assert job.get('status') in ('queued', 'running', 'done', 'failed')


def test_invite_user(ftrack_session):
    session = ftrack_session
    user_email = '{0}@mail.vfx-company.com'.format(unique_name('artist'))
    new_user = session.create('User', {
        'username': user_email, 'email': user_email, 'is_active': True,
    })
    session.commit()
    new_user.send_invite()


def test_asset_version_link_shortcut(ftrack_session, asset_version):
    session = ftrack_session
    asset = asset_version['asset']
    model_version = asset_version
    rig_version = session.create('AssetVersion', {'asset': asset})
    session.commit()

    rig_version['uses_versions'].append(model_version)
    session.commit()

    used_in = [version for version in model_version['used_in_versions']]
    assert used_in == [rig_version]
    # The link goes from the version used to the version using it.
    link = session.query(
        'AssetVersionLink where to_id is "{0}"'.format(rig_version['id'])
    ).one()
    assert link['from'] == model_version


def test_migration_guide_examples(ftrack_session):
    """Creating objects, dates, query by path and parents, as the guide writes."""
    session = ftrack_session
    project = create_project(session, 'migration_test')
    project_schema = project['project_schema']
    default_shot_status = project_schema.get_statuses('Shot')[0]
    default_task_type = project_schema.get_types('Task')[0]
    default_task_status = project_schema.get_statuses(
        'Task', default_task_type['id']
    )[0]
    sequence = session.create('Sequence', {'name': '001', 'parent': project})
    for shot_number in range(10, 60, 10):
        shot = session.create('Shot', {
            'name': '{0:03d}'.format(shot_number),
            'parent': sequence,
            'status': default_shot_status,
        })
        session.create('Task', {
            'name': 'Task name',
            'parent': shot,
            'status': default_task_status,
            'type': default_task_type,
        })
    session.commit()

    # Query object by path.
    shot = session.query(
        'Shot where project.name is "{0}" '
        'and parent.name is "001" and name is "010"'.format(project['name'])
    ).one()
    task = shot['children'][0]

    # Date and datetime attributes are arrow values in UTC.
    task['start_date'] = arrow.utcnow().floor('day')
    session.commit()
    assert session.get('Task', task['id'])['start_date'] == (
        arrow.utcnow().floor('day')
    )

    # Retrieving an object's parents.
    parents = []
    for item in task['link'][:-1]:
        parents.append(session.get(item['type'], item['id']))
    assert parents == [project, sequence, shot]
