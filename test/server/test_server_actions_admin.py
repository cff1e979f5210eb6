"""Administration actions through raw HTTP: widget URLs, invites, delayed_job, security roles."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from ftrack_local_server.actions.invites import read_outbox


def outbox(server: Any) -> List[Dict[str, Any]]:
    with server.state.store.transaction() as tx:
        return read_outbox(tx)


def new_user(raw_api: Any, email: Any = 'artist@example.test') -> Dict[str, Any]:
    data = {'username': 'user-{0}'.format(uuid.uuid4().hex[:8]), 'first_name': 'Ada', 'is_active': True}
    if email:
        data['email'] = email
    return raw_api.create('User', data)


def new_project(raw_api: Any) -> Dict[str, Any]:
    schema = raw_api.query('select id from ProjectSchema')[0]
    name = 'project_{0}'.format(uuid.uuid4().hex[:8])
    return raw_api.create('Project', {'name': name, 'full_name': name, 'project_schema_id': schema['id']})


def role_id(raw_api: Any, name: str) -> str:
    return raw_api.query('select id from SecurityRole where name is "{0}"'.format(name))[0]['id']


# -- get_widget_url -----------------------------------------------------------------


def test_widget_url_and_page(ftrack_server: Any, raw_api: Any) -> None:
    result = raw_api.ok([{'action': 'get_widget_url', 'name': 'tasks', 'theme': 'light'}])[0]
    assert list(result) == ['widget_url']
    url = urlparse(result['widget_url'])
    assert '{0}://{1}'.format(url.scheme, url.netloc) == ftrack_server.url
    assert url.path == '/widget/'
    query = parse_qs(url.query)
    assert query['widget'] == ['tasks'] and query['theme'] == ['light']
    assert len(query['token'][0]) >= 32
    assert ftrack_server.api_key not in result['widget_url']

    page = requests.get(result['widget_url'], timeout=60)
    assert page.status_code == 200
    assert page.headers['Content-Type'].startswith('text/html')
    assert 'data-widget="tasks"' in page.text
    assert 'data-theme="light"' in page.text
    assert ftrack_server.api_user in page.text


def test_widget_url_for_an_entity_and_invalid_theme(ftrack_server: Any, raw_api: Any) -> None:
    project = new_project(raw_api)
    result = raw_api.ok([{'action': 'get_widget_url', 'name': 'info', 'theme': 'purple',
                          'entity_type': 'Project', 'entity_key': [project['id']]}])[0]
    query = parse_qs(urlparse(result['widget_url']).query)
    assert query['theme'] == ['dark']
    assert query['entityType'] == ['Project'] and query['entityId'] == [project['id']]
    page = requests.get(result['widget_url'], timeout=60)
    assert page.status_code == 200
    assert project['name'] in page.text and 'data-theme="dark"' in page.text


def test_widget_token_expires(ftrack_server: Any, raw_api: Any) -> None:
    result = raw_api.ok([{'action': 'get_widget_url', 'name': 'tasks_browser', 'theme': None}])[0]
    token = parse_qs(urlparse(result['widget_url']).query)['token'][0]
    with ftrack_server.state.store.transaction() as tx:
        row = tx.query_one('SELECT created_at, expires_at FROM _ls_widget_token WHERE token = ?', (token,))
        assert row['expires_at'] - row['created_at'] == 360
        tx.execute('UPDATE _ls_widget_token SET expires_at = ? WHERE token = ?', (time.time() - 1, token))
    page = requests.get(result['widget_url'], timeout=60)
    assert page.status_code == 401 and 'expired' in page.text
    unknown = requests.get(ftrack_server.url + '/widget/?widget=tasks&token=forged', timeout=60)
    assert unknown.status_code == 401 and 'not known' in unknown.text
    assert requests.get(ftrack_server.url + '/widget/', timeout=60).status_code == 401


@pytest.mark.parametrize('operation, exception, message', [
    ({'name': 'calendar'}, 'ValidationError', '"calendar"'),
    ({'name': 'info'}, 'ValidationError', 'entity_type'),
    ({'name': 'info', 'entity_type': 'Project', 'entity_key': ['0c0ffee0-0000-0000-0000-000000000000']},
     'NotFoundError', '0c0ffee0'),
    ({'name': 'info', 'entity_type': 'Nonsense', 'entity_key': ['x']}, 'ValidationError', '"Nonsense"'),
])
def test_widget_url_errors(raw_api: Any, operation: Dict[str, Any], exception: str, message: str) -> None:
    result = raw_api.call([dict(operation, action='get_widget_url')])
    assert result['exception'] == exception
    assert message in result['content']


# -- invites ------------------------------------------------------------------------


def test_send_user_invite_is_recorded(ftrack_server: Any, raw_api: Any) -> None:
    user = new_user(raw_api, 'artist.{0}@example.test'.format(uuid.uuid4().hex[:6]))
    before = len(outbox(ftrack_server))
    result = raw_api.ok([{'action': 'send_user_invite', 'user_id': user['id']}])
    assert result == [{'sent': True}]
    messages = outbox(ftrack_server)[before:]
    assert len(messages) == 1
    message = messages[0]
    assert message['recipient'] == user['email']
    assert message['kind'] == 'user_invite' and message['entity_id'] == user['id']
    assert 'invited' in message['subject']
    assert user['username'] in message['body'] and ftrack_server.url in message['body']
    assert message['sent_at']


def test_send_user_invite_errors(ftrack_server: Any, raw_api: Any) -> None:
    before = len(outbox(ftrack_server))
    unknown = str(uuid.uuid4())
    result = raw_api.call([{'action': 'send_user_invite', 'user_id': unknown}])
    assert result['exception'] == 'NotFoundError' and unknown in result['content']
    no_email = new_user(raw_api, email=None)
    result = raw_api.call([{'action': 'send_user_invite', 'user_id': no_email['id']}])
    assert result['exception'] == 'ValidationError' and 'e-mail' in result['content']
    # A batch failing after an invite records nothing.
    user = new_user(raw_api)
    result = raw_api.call([{'action': 'send_user_invite', 'user_id': user['id']},
                           {'action': 'send_user_invite', 'user_id': unknown}])
    assert result['exception'] == 'NotFoundError'
    assert len(outbox(ftrack_server)) == before


def test_send_review_session_invite(ftrack_server: Any, raw_api: Any) -> None:
    project = new_project(raw_api)
    session = raw_api.create('ReviewSession', {
        'name': 'Dailies', 'description': 'Weekly dailies', 'project_id': project['id'],
        'start_date': {'__type__': 'datetime', 'value': '2024-01-01T10:00:00'},
        'end_date': {'__type__': 'datetime', 'value': '2024-01-01T11:00:00'}})
    invitee = raw_api.create('ReviewSessionInvitee', {
        'review_session_id': session['id'], 'name': 'Client', 'email': 'client@example.test'})
    before = len(outbox(ftrack_server))
    result = raw_api.ok([{'action': 'send_review_session_invite', 'review_session_invitee_id': invitee['id']}])
    assert result == [{'sent': True}]
    message = outbox(ftrack_server)[before]
    assert message['recipient'] == 'client@example.test'
    assert 'Dailies' in message['subject'] and session['id'] in message['body']
    sent = raw_api.query('select last_sent_at from ReviewSessionInvitee where id is {0}'.format(invitee['id']))
    assert sent[0]['last_sent_at'] is not None
    unknown = raw_api.call([{'action': 'send_review_session_invite', 'review_session_invitee_id': 'nope'}])
    assert unknown['exception'] == 'NotFoundError' and 'nope' in unknown['content']


# -- delayed_job --------------------------------------------------------------------


def test_delayed_job_ldap_sync_fails_with_an_explanation(raw_api: Any) -> None:
    result = raw_api.ok([{'action': 'delayed_job', 'job_type': 'SYNC_USERS_LDAP'}])[0]
    assert result['action'] == 'delayed_job'
    job = result['data']
    assert job['__entity_type__'] == 'Job'
    assert job['status'] == 'failed'
    assert 'LDAP is not configured' in json.loads(job['data'])['error']
    stored = raw_api.query('select status, data from Job where id is {0}'.format(job['id']))
    assert stored[0]['status'] == 'failed'


def test_delayed_job_unknown_type(raw_api: Any) -> None:
    result = raw_api.call([{'action': 'delayed_job', 'job_type': 'REINDEX'}])
    assert result['exception'] == 'ValidationError'
    assert '"REINDEX"' in result['content'] and 'SYNC_USERS_LDAP' in result['content']


# -- security roles -----------------------------------------------------------------


def user_roles(raw_api: Any, user_id: str) -> Dict[str, Any]:
    found = raw_api.query(
        'select security_role.name, is_all_open_projects, user_security_role_projects.project_id '
        'from UserSecurityRole where user_id is {0}'.format(user_id))
    return {
        item['security_role']['name']: (
            item['is_all_open_projects'],
            sorted(project['project_id'] for project in item['user_security_role_projects']))
        for item in found
    }


def test_security_role_life_cycle(raw_api: Any) -> None:
    user = new_user(raw_api)
    manager, artist = role_id(raw_api, 'Project Manager'), role_id(raw_api, 'User')
    project = new_project(raw_api)

    added = raw_api.ok([{'action': 'add_user_security_role', 'user_id': user['id'], 'role_id': manager}])[0]
    assert added['action'] == 'add_user_security_role'
    assert added['data']['__entity_type__'] == 'UserSecurityRole'
    assert added['data']['security_role_id'] == manager
    assert user_roles(raw_api, user['id']) == {'Project Manager': (True, [])}
    again = raw_api.ok([{'action': 'add_user_security_role', 'user_id': user['id'], 'role_id': manager}])[0]
    assert again['data']['id'] == added['data']['id']

    granted = raw_api.ok([{'action': 'grant_user_security_role_project', 'user_id': user['id'],
                           'role_id': artist, 'project_id': project['id']}])[0]
    assert [item['project_id'] for item in granted['data']['user_security_role_projects']] == [project['id']]
    assert user_roles(raw_api, user['id'])['User'] == (False, [project['id']])

    updated = raw_api.ok([{'action': 'update_user_security_role', 'user_id': user['id'],
                           'role_id': artist, 'new_role_id': role_id(raw_api, 'Supervisor')}])[0]
    assert updated['data']['id'] == granted['data']['id']
    assert user_roles(raw_api, user['id']) == {
        'Project Manager': (True, []), 'Supervisor': (False, [project['id']])}

    raw_api.ok([{'action': 'revoke_user_security_role_project', 'user_id': user['id'],
                 'role_id': role_id(raw_api, 'Supervisor'), 'project_id': project['id']}])
    assert user_roles(raw_api, user['id'])['Supervisor'] == (False, [])

    removed = raw_api.ok([{'action': 'remove_user_security_role', 'user_id': user['id'], 'role_id': manager}])
    assert removed == [{'action': 'remove_user_security_role', 'data': True}]
    raw_api.ok([{'action': 'revoke_user_security_role', 'user_id': user['id'],
                 'role_id': role_id(raw_api, 'Supervisor')}])
    assert user_roles(raw_api, user['id']) == {}


def test_security_role_errors(raw_api: Any) -> None:
    user = new_user(raw_api)
    manager = role_id(raw_api, 'Project Manager')
    project = new_project(raw_api)

    def error(**operation: Any) -> Dict[str, Any]:
        result = raw_api.call([operation])
        assert 'exception' in result, result
        return result

    result = error(action='add_user_security_role', user_id='nobody', role_id=manager)
    assert result['exception'] == 'NotFoundError' and 'nobody' in result['content']
    result = error(action='add_user_security_role', user_id=user['id'], role_id='nothing')
    assert result['exception'] == 'NotFoundError' and 'nothing' in result['content']
    result = error(action='add_user_security_role', user_id=user['id'], role_id=role_id(raw_api, 'API'))
    assert result['exception'] == 'ValidationError' and 'API' in result['content']
    result = error(action='remove_user_security_role', user_id=user['id'], role_id=manager)
    assert result['exception'] == 'NotFoundError' and 'Project Manager' in result['content']
    result = error(action='grant_user_security_role_project', user_id=user['id'], role_id=manager,
                   project_id='missing-project')
    assert result['exception'] == 'NotFoundError' and 'missing-project' in result['content']
    raw_api.ok([{'action': 'add_user_security_role', 'user_id': user['id'], 'role_id': manager}])
    result = error(action='revoke_user_security_role_project', user_id=user['id'], role_id=manager,
                   project_id=project['id'])
    assert result['exception'] == 'NotFoundError' and project['id'] in result['content']
    raw_api.ok([{'action': 'add_user_security_role', 'user_id': user['id'],
                 'role_id': role_id(raw_api, 'User')}])
    result = error(action='update_user_security_role', user_id=user['id'], role_id=manager,
                   new_role_id=role_id(raw_api, 'User'))
    assert result['exception'] == 'ValidationError' and 'already has' in result['content']
    result = error(action='add_user_security_role', user_id=user['id'])
    assert result['exception'] == 'ValidationError' and '"role_id"' in result['content']


def test_security_role_batch_is_atomic(raw_api: Any) -> None:
    user = new_user(raw_api)
    result = raw_api.call([
        {'action': 'add_user_security_role', 'user_id': user['id'], 'role_id': role_id(raw_api, 'Supervisor')},
        {'action': 'remove_user_security_role', 'user_id': user['id'], 'role_id': role_id(raw_api, 'User')},
    ])
    assert result['exception'] == 'NotFoundError'
    assert user_roles(raw_api, user['id']) == {}
