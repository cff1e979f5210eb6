"""A restricted user's session, through upstream's client and ours (issue 8, permissions).

Both clients run the same script as a user holding the ``User`` role on one
project of two; they must see the same projects and fail the same way on
a refused commit.
"""

from types import SimpleNamespace

import pytest

from ftrack_local_server.testing import RawApi, new_id
from ftrack_local_server.testing import create_operation as create


@pytest.fixture
def artist(ftrack_server):
    admin = RawApi(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    shown = admin.create_project('compat_shown_' + new_id()[:8])
    hidden = admin.create_project('compat_hidden_' + new_id()[:8])
    admin.create('Shot', {'name': 'sh010', 'parent_id': shown['id']})
    admin.create('Shot', {'name': 'sh010', 'parent_id': hidden['id']})
    username = 'compat-artist-' + new_id()[:8]
    user = admin.create('User', {'username': username, 'is_active': True})['id']
    role = admin.one('select id from SecurityRole where name is "User"')['id']
    grant = new_id()
    admin.ok([create('UserSecurityRole', {'id': grant, 'user_id': user,
                                          'security_role_id': role,
                                          'is_all_projects': False}),
              create('UserSecurityRoleProject', {'user_security_role_id': grant,
                                                 'project_id': shown['id']})])
    key = admin.ok([{'action': 'reset_remote', 'reset_type': 'api_key',
                     'entity_type': 'User', 'entity_key': [user]}])[0]['data']['api_key']
    return SimpleNamespace(server=SimpleNamespace(url=ftrack_server.url, api_user=username,
                                                  api_key=key),
                           shown=shown, hidden=hidden)


def test_restricted_user_sees_the_same_in_both_clients(compat, artist):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'projects = sorted(p["name"] for p in session.query("Project").all())\n'
        'hidden = session.get("Project", {0!r})\n'
        'shots = [s["name"] for s in session.query(\n'
        '    "Shot where project.id is \\"{0}\\"").all()]\n'
        'result = [projects, hidden, shots]\n'
        'session.close()'.format(artist.hidden['id']), server=artist.server)


def test_refused_commit_fails_the_same_way_in_both_clients(compat, artist):
    upstream, ours = compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'project = session.get("Project", {0!r})\n'
        'session.create("Sequence", {{"name": "sq", "parent": project}})\n'
        'try:\n'
        '    session.commit()\n'
        'except ftrack_api.exception.ServerError as error:\n'
        '    result = [type(error).__name__, "PermissionError" in str(error),\n'
        '              len(session.recorded_operations)]\n'
        'session.rollback()\n'
        'session.close()'.format(artist.shown['id']), server=artist.server)
    assert upstream['result'] == ['ServerError', True, 2]
