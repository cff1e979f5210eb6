"""The permission model through real HTTP: roles x actions x (visible / hidden project).

Every user below holds one seeded role on project A only (project B is
hidden from it); the expected outcome of each action is written out here
(not derived from the server's role table), so a change of the table shows
up as a failing case. See ``doc/local_server.rst`` ("Permissions").
"""

import json
from types import SimpleNamespace

import pytest

from ftrack_local_server.testing import RawApi, new_id
from ftrack_local_server.testing import create_operation as create
from ftrack_local_server.testing import delete_operation as delete
from ftrack_local_server.testing import update_operation as update

ROLES = ['Administrator', 'Project Manager', 'Supervisor', 'User', 'Restricted User', 'API']

#: action -> roles allowed it on their project (the users with no role: none).
ALLOWED = {
    'create task': {'Administrator', 'Project Manager', 'Supervisor', 'API'},
    'update shot': {'Administrator', 'Project Manager', 'Supervisor', 'User', 'API'},
    'delete task': {'Administrator', 'Project Manager', 'Supervisor', 'API'},
    'create note': set(ROLES),
    'create version': {'Administrator', 'Project Manager', 'Supervisor', 'User', 'API'},
    'create timelog': set(ROLES),
    'update project': {'Administrator', 'Project Manager', 'Supervisor', 'API'},
}


def add_user(api, role=None, projects=(), all_projects=False):
    """Create a user holding *role* on *projects* (ids); return its RawApi."""
    username = 'perm-{0}'.format(new_id()[:12])
    user = api.create('User', {'username': username, 'is_active': True})['id']
    if role is not None:
        role_id = api.one('select id from SecurityRole where name is "{0}"'.format(role))['id']
        grant = new_id()
        api.ok([create('UserSecurityRole', {
            'id': grant, 'user_id': user, 'security_role_id': role_id,
            'is_all_projects': all_projects})] + [
            create('UserSecurityRoleProject', {
                'user_security_role_id': grant, 'project_id': project})
            for project in projects])
    key = api.ok([{'action': 'reset_remote', 'reset_type': 'api_key',
                   'entity_type': 'User', 'entity_key': [user]}])[0]['data']['api_key']
    client = RawApi(api.url, username, key)
    client.user_id = user
    return client


def _studio(api, name):
    project = api.create_project(name + new_id()[:8])['id']
    shot = api.create('Shot', {'name': 'sh', 'parent_id': project})['id']
    asset_type = api.query('select id from AssetType')[0]['id']
    asset = api.create('Asset', {'name': 'a', 'type_id': asset_type, 'context_id': shot})['id']
    version = api.create('AssetVersion', {'asset_id': asset})['id']
    note = api.create('Note', {'content': 'n', 'parent_id': shot, 'parent_type': 'Shot'})['id']
    return SimpleNamespace(project=project, shot=shot, asset=asset, version=version, note=note)


@pytest.fixture(scope='module')
def world(api):
    visible, hidden = _studio(api, 'perm_a_'), _studio(api, 'perm_b_')
    users = {role: add_user(api, role, [visible.project]) for role in ROLES}
    users[None] = add_user(api)
    return SimpleNamespace(a=visible, b=hidden, users=users, admin=api)


def _operations(world, action, place):
    if action == 'create task':
        return [create('Task', {'name': 't' + new_id()[:8], 'parent_id': place.shot})]
    if action == 'update shot':
        return [update('Shot', [place.shot], {'description': new_id()})]
    if action == 'delete task':
        task = world.admin.create('Task', {'name': 'd' + new_id()[:8],
                                           'parent_id': place.shot})['id']
        return [delete('Task', [task])]
    if action == 'create note':
        return [create('Note', {'content': 'c', 'parent_id': place.shot,
                                'parent_type': 'Shot'})]
    if action == 'create version':
        return [create('AssetVersion', {'asset_id': place.asset})]
    if action == 'create timelog':
        return [create('Timelog', {'context_id': place.shot, 'duration': 60})]
    if action == 'update project':
        return [update('Project', [place.project], {'full_name': 'renamed ' + new_id()})]
    raise AssertionError(action)


CASES = [(role, action, where) for role in ROLES + [None] for action in ALLOWED
         for where in ('visible', 'hidden')]


@pytest.mark.parametrize('role, action, where', CASES,
                         ids=['{0}-{1}-{2}'.format(r or 'no role', a, w) for r, a, w in CASES])
def test_role_matrix(world, role, action, where):
    place = world.a if where == 'visible' else world.b
    operations = _operations(world, action, place)
    answer = world.users[role].call(operations)
    expected = where == 'visible' and role in ALLOWED[action]
    if expected:
        assert isinstance(answer, list), answer
        return
    assert isinstance(answer, dict) and answer['exception'] == 'PermissionError', answer
    assert 'Permission denied' in answer['content']
    assert world.users[role].api_user in answer['content']
    if operations[0]['action'] == 'delete':
        task = operations[0]['entity_key'][0]
        assert world.admin.query('select id from Task where id is "{0}"'.format(task))


@pytest.mark.parametrize('role', ROLES + [None])
def test_queries_show_only_covered_projects(world, role):
    client = world.users[role]
    projects = {row['id'] for row in client.query('select id from Project')}
    assert world.b.project not in projects
    assert (world.a.project in projects) == (role is not None)
    for type_name, place in (('Shot', 'shot'), ('Asset', 'asset'),
                             ('AssetVersion', 'version'), ('Note', 'note')):
        hidden = client.query('select id from {0} where id is "{1}"'.format(
            type_name, getattr(world.b, place)))
        assert hidden == [], type_name
        shown = client.query('select id from {0} where id is "{1}"'.format(
            type_name, getattr(world.a, place)))
        assert bool(shown) == (role is not None), type_name


def test_related_entities_of_hidden_projects_are_left_out(world):
    client = world.users['User']
    me = client.one('select id from User where id is "{0}"'.format(client.user_id))
    assert me['id'] == client.user_id
    world.admin.ok([create('Timelog', {'context_id': world.b.shot, 'user_id': client.user_id,
                                       'duration': 1}),
                    create('Timelog', {'context_id': world.a.shot, 'user_id': client.user_id,
                                       'duration': 2})])
    found = client.one('select timelogs.duration from User where id is "{0}"'.format(
        client.user_id))
    assert [item['duration'] for item in found['timelogs']] == [2]
    version = client.one('select asset.parent.project_id from AssetVersion '
                         'where id is "{0}"'.format(world.a.version))
    assert version['asset']['parent']['project_id'] == world.a.project


def test_aggregates_and_subqueries_see_only_covered_projects(world):
    client = world.users['User']
    count = client.result('select count(id) from Shot')
    total = world.admin.result('select count(id) from Shot')
    assert 0 < count['data'][0]['count_id'] < total['data'][0]['count_id']
    ids = client.query('select id from Project where id in (select project_id from Shot)')
    assert {row['id'] for row in ids} == {world.a.project}


def test_studio_data_stays_readable(world):
    client = world.users['Restricted User']
    assert client.query('select id from Status')
    assert client.query('select id from User')


def test_studio_data_is_read_only_for_non_administrators(world):
    client = world.users['Project Manager']
    status = world.admin.query('select id from Status')[0]['id']
    answer = client.call([update('Status', [status], {'name': 'changed'})])
    assert answer['exception'] == 'PermissionError'


def test_administrator_on_all_projects_administers(api, world):
    boss = add_user(api, 'Administrator', all_projects=True)
    assert {world.a.project, world.b.project} <= {
        row['id'] for row in boss.query('select id from Project')}
    boss.create('User', {'username': 'made-by-boss-' + new_id()[:8]})


@pytest.mark.parametrize('role', ROLES + [None])
def test_administrative_actions_need_an_administrator(api, world, role):
    client = world.users[role]
    role_id = api.one('select id from SecurityRole where name is "User"')['id']
    attempts = [
        [create('User', {'username': 'intruder-' + new_id()[:8]})],
        [create('UserSecurityRole', {'user_id': client.user_id, 'security_role_id': role_id,
                                     'is_all_projects': True})],
        [{'action': 'add_user_security_role', 'user_id': client.user_id,
          'role_id': role_id}],
        [update('SecurityRole', [role_id], {'name': 'User'})],
        [update('User', [client.user_id], {'username': 'renamed-' + new_id()[:8]})],
    ]
    for operations in attempts:
        answer = client.call(operations)
        assert isinstance(answer, dict) and answer['exception'] == 'PermissionError', (
            operations, answer)
        assert 'administrator' in answer['content']


def test_users_may_change_their_own_profile_and_key(world):
    client = world.users['Restricted User']
    client.ok([update('User', [client.user_id], {'first_name': 'Renamed'})])
    answer = client.ok([{'action': 'reset_remote', 'reset_type': 'api_key'}])
    assert answer[0]['data']['api_key']


def test_a_plain_user_cannot_take_the_administrator_over(api, world, ftrack_server):
    client = world.users['User']
    admin_id = api.one('select id from User where username is "{0}"'.format(
        ftrack_server.api_user))['id']
    answer = client.call([{'action': 'reset_remote', 'reset_type': 'api_key',
                           'entity_type': 'User', 'entity_key': [admin_id]}])
    assert answer['exception'] == 'PermissionError'
    assert api.query('select id from Project')  # the administrator's key still works
    answer = client.call([update('User', [admin_id], {'email': 'me@evil.example'})])
    assert answer['exception'] == 'PermissionError'
    role_id = api.one('select id from SecurityRole where name is "Administrator"')['id']
    answer = client.call([create('UserSecurityRole', {
        'user_id': client.user_id, 'security_role_id': role_id, 'is_all_projects': True})])
    assert answer['exception'] == 'PermissionError'
    assert client.query('select id from Project where id is "{0}"'.format(world.b.project)) == []


# -- custom attributes: read_security_roles / write_security_roles ------------------------

@pytest.fixture(scope='module')
def attributes(api, world):
    text = api.one('select id from CustomAttributeType where name is "text"')['id']
    role = api.one('select id from SecurityRole where name is "User"')['id']

    def configuration(key, read, write):
        return api.create('CustomAttributeConfiguration', {
            'key': key, 'label': key, 'type_id': text, 'entity_type': 'show',
            'config': json.dumps({'markdown': False}), 'default': '',
            'read_security_roles': [{'__entity_type__': 'SecurityRole', 'id': r}
                                    for r in read],
            'write_security_roles': [{'__entity_type__': 'SecurityRole', 'id': r}
                                     for r in write]})['id']

    suffix = new_id()[:6]
    names = SimpleNamespace(open='open' + suffix, readonly='ro' + suffix,
                            secret='secret' + suffix)
    ids = SimpleNamespace(open=configuration(names.open, [role], [role]),
                          readonly=configuration(names.readonly, [role], []),
                          secret=configuration(names.secret, [], []))
    return SimpleNamespace(names=names, ids=ids)


def _values(client, project):
    found = client.one('select custom_attributes from Project where id is "{0}"'.format(project))
    return {item['key'] for item in found['custom_attributes']}


def test_custom_attribute_values_need_a_read_role(world, attributes):
    keys = _values(world.users['User'], world.a.project)
    assert attributes.names.open in keys and attributes.names.readonly in keys
    assert attributes.names.secret not in keys
    admin_keys = _values(world.admin, world.a.project)
    assert attributes.names.secret in admin_keys
    supervisor_keys = _values(world.users['Supervisor'], world.a.project)
    assert not {attributes.names.open, attributes.names.secret} & supervisor_keys


@pytest.mark.parametrize('which, allowed', [('open', True), ('readonly', False),
                                            ('secret', False)])
def test_custom_attribute_writes_need_a_write_role(world, attributes, which, allowed):
    client = world.users['User']
    operation = update('ContextCustomAttributeValue',
                       [getattr(attributes.ids, which), world.a.project], {'value': 'set'})
    answer = client.call([operation])
    if allowed:
        assert isinstance(answer, list), answer
    else:
        assert answer['exception'] == 'PermissionError'
        assert getattr(attributes.names, which) in answer['content']


def test_custom_attribute_of_a_hidden_project_cannot_be_written(world, attributes):
    answer = world.users['User'].call([update(
        'ContextCustomAttributeValue', [attributes.ids.open, world.b.project],
        {'value': 'x'})])
    assert answer['exception'] == 'PermissionError'


def test_criteria_cannot_reach_into_hidden_projects(world):
    client = world.users['User']
    hidden_name = world.admin.one('select name from Project where id is "{0}"'.format(
        world.b.project))['name']
    world.admin.ok([create('Timelog', {'context_id': world.b.shot, 'user_id': client.user_id,
                                       'duration': 5})])
    found = client.query(
        'select id from User where id is "{0}" and timelogs any '
        '(context.project.name is "{1}")'.format(client.user_id, hidden_name))
    assert found == []
    assert world.admin.query(
        'select id from User where id is "{0}" and timelogs any '
        '(context.project.name is "{1}")'.format(client.user_id, hidden_name))
