"""Administration actions: ``delayed_job`` and the user security role actions.

``delayed_job`` (protocol §2.12) starts a server job. The only type is
``SYNC_USERS_LDAP``; a local server has no LDAP directory, so the job
it answers has status ``failed`` and ``data`` (JSON text) explaining why.
Result ``{"action": "delayed_job", "data": <Job>}``.

Security roles (``SecurityRole`` of type ``PROJECT``) are given to users
as ``UserSecurityRole`` entities, valid on all open projects
(``is_all_open_projects``) and/or on the projects listed as
``UserSecurityRoleProject`` entities:

``add_user_security_role`` (``user_id``, ``role_id``)
    Give the role on all open projects; a user who already has the role
    keeps it as it is.
``remove_user_security_role`` / ``revoke_user_security_role`` (``user_id``, ``role_id``)
    Take the role (and its projects) away.
``update_user_security_role`` (``user_id``, ``role_id``, ``new_role_id``)
    Replace the role by another, keeping its projects.
``grant_user_security_role_project`` (``user_id``, ``role_id``, ``project_id``)
    Give the role on one project (giving the user the role for listed
    projects only, if the user did not have it).
``revoke_user_security_role_project`` (``user_id``, ``role_id``, ``project_id``)
    Take the role away on one project.

Each answers ``{"action": <name>, "data": <UserSecurityRole>}`` with the
role's ``user_security_role_projects``, or ``"data": true`` after removing
the role. Only administrators may use them (``PermissionError``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from .. import errors
from ..dispatch import query_first, quote
from ..encoding import now_text
from ..permissions import access_for
from ..rules.writer import writer_for
from . import action, required_string
from .entity import encode_written

#: The job types ``delayed_job`` knows.
JOB_TYPES = ('SYNC_USERS_LDAP',)

#: Security role type that can be given to users per project.
PROJECT_ROLE_TYPE = 'PROJECT'


@action('delayed_job')
def delayed_job(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Create the job ``job_type`` asks for and answer it (failed: no LDAP here).

    Raise :class:`~ftrack_local_server.errors.ValidationError` naming an
    unknown ``job_type``.
    """
    job_type = operation.get('job_type')
    if job_type not in JOB_TYPES:
        raise errors.ValidationError(
            'delayed_job: unknown job_type {0}; the job types are {1}.'.format(
                errors.excerpt(job_type), ', '.join(JOB_TYPES)))
    data = {
        'description': 'Synchronise users with LDAP',
        'error': 'LDAP is not configured on this server: a local ftrack server has no LDAP '
                 'directory to synchronise users with. Manage users with the API or with '
                 '"python -m ftrack_local_server users".',
    }
    written = writer_for(context).create('Job', {
        'type': job_type, 'status': 'failed', 'user_id': context.user.get('id'),
        'data': json.dumps(data), 'finished_at': now_text(),
    })
    return {'action': 'delayed_job', 'data': encode_written(context, written, True)}


# -- security roles --------------------------------------------------------------


def _check_user(context: Any, user_id: str, action_name: str) -> None:
    if query_first(context, 'select id from User where id is {0}'.format(quote(user_id))) is None:
        raise errors.NotFoundError('{0}: no User with id {1} exists.'.format(action_name, user_id))


def _check_role(context: Any, role_id: str, action_name: str) -> Dict[str, Any]:
    role = query_first(context, 'select id, name, type from SecurityRole where id is {0}'.format(quote(role_id)))
    if role is None:
        raise errors.NotFoundError('{0}: no SecurityRole with id {1} exists.'.format(action_name, role_id))
    if role.get('type') != PROJECT_ROLE_TYPE:
        raise errors.ValidationError(
            '{0}: the security role "{1}" is of type {2}; only roles of type {3} can be given '
            'to users.'.format(action_name, role.get('name'), errors.excerpt(role.get('type')),
                               PROJECT_ROLE_TYPE))
    return role


def _check_project(context: Any, project_id: str, action_name: str) -> None:
    if query_first(context, 'select id from Project where id is {0}'.format(quote(project_id))) is None:
        raise errors.NotFoundError('{0}: no Project with id {1} exists.'.format(action_name, project_id))


def _user_role(context: Any, user_id: str, role_id: str) -> Optional[Dict[str, Any]]:
    return query_first(context, (
        'select id, is_all_open_projects, user_security_role_projects.project_id, '
        'user_security_role_projects.id from UserSecurityRole where user_id is {0} and '
        'security_role_id is {1}').format(quote(user_id), quote(role_id)))


def _required_user_role(context: Any, user_id: str, role_id: str, role: Dict[str, Any],
                        action_name: str) -> Dict[str, Any]:
    found = _user_role(context, user_id, role_id)
    if found is None:
        raise errors.NotFoundError(
            '{0}: User {1} does not have the security role "{2}" ({3}).'.format(
                action_name, user_id, role.get('name'), role_id))
    return found


def _answer(context: Any, action_name: str, user_role_id: str) -> Dict[str, Any]:
    data = query_first(context, (
        'select id, user_id, security_role_id, is_all_open_projects, '
        'user_security_role_projects.id, user_security_role_projects.project_id '
        'from UserSecurityRole where id is {0}').format(quote(user_role_id)))
    return {'action': action_name, 'data': data}


def _user_and_role(operation: Dict[str, Any], context: Any, action_name: str) -> Any:
    # Every security role action is the administrator's, even one that ends
    # up writing nothing (a role the user already has).
    access_for(context).require_administrator('use "{0}"'.format(action_name))
    user_id = required_string(operation, 'user_id', action_name)
    role_id = required_string(operation, 'role_id', action_name)
    _check_user(context, user_id, action_name)
    return user_id, role_id, _check_role(context, role_id, action_name)


@action('add_user_security_role')
def add_user_security_role(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Give user ``user_id`` the security role ``role_id`` on all open projects."""
    name = 'add_user_security_role'
    user_id, role_id, _ = _user_and_role(operation, context, name)
    existing = _user_role(context, user_id, role_id)
    if existing is not None:
        return _answer(context, name, existing['id'])
    written = writer_for(context).create('UserSecurityRole', {
        'user_id': user_id, 'security_role_id': role_id, 'is_all_open_projects': True,
    })
    return _answer(context, name, written.entity.key[0])


def _remove(operation: Dict[str, Any], context: Any, name: str) -> Dict[str, Any]:
    user_id, role_id, role = _user_and_role(operation, context, name)
    found = _required_user_role(context, user_id, role_id, role, name)
    writer_for(context).delete('UserSecurityRole', [found['id']])
    return {'action': name, 'data': True}


@action('remove_user_security_role')
def remove_user_security_role(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Take the security role ``role_id`` (and its projects) from user ``user_id``."""
    return _remove(operation, context, 'remove_user_security_role')


@action('revoke_user_security_role')
def revoke_user_security_role(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """The name the documentation's example uses for ``remove_user_security_role``."""
    return _remove(operation, context, 'revoke_user_security_role')


@action('update_user_security_role')
def update_user_security_role(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Replace user ``user_id``'s role ``role_id`` by ``new_role_id``, keeping its projects.

    Raise :class:`~ftrack_local_server.errors.ValidationError` when the
    user already has the new role.
    """
    name = 'update_user_security_role'
    user_id, role_id, role = _user_and_role(operation, context, name)
    new_role_id = required_string(operation, 'new_role_id', name)
    new_role = _check_role(context, new_role_id, name)
    found = _required_user_role(context, user_id, role_id, role, name)
    if new_role_id != role_id:
        if _user_role(context, user_id, new_role_id) is not None:
            raise errors.ValidationError(
                '{0}: User {1} already has the security role "{2}" ({3}); remove one of the '
                'two roles instead.'.format(name, user_id, new_role.get('name'), new_role_id))
        writer_for(context).update('UserSecurityRole', [found['id']], {'security_role_id': new_role_id})
    return _answer(context, name, found['id'])


def _project_operation(operation: Dict[str, Any], context: Any, name: str) -> Any:
    user_id, role_id, role = _user_and_role(operation, context, name)
    project_id = required_string(operation, 'project_id', name)
    _check_project(context, project_id, name)
    return user_id, role_id, role, project_id


def _granted(user_role: Dict[str, Any], project_id: str) -> Optional[str]:
    for item in user_role.get('user_security_role_projects') or []:
        if item.get('project_id') == project_id:
            return item.get('id')
    return None


@action('grant_user_security_role_project')
def grant_user_security_role_project(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Give user ``user_id`` the role ``role_id`` on project ``project_id``."""
    name = 'grant_user_security_role_project'
    user_id, role_id, _, project_id = _project_operation(operation, context, name)
    writer = writer_for(context)
    found = _user_role(context, user_id, role_id)
    if found is None:
        user_role_id = writer.create('UserSecurityRole', {
            'user_id': user_id, 'security_role_id': role_id, 'is_all_open_projects': False,
        }).entity.key[0]
    else:
        user_role_id = found['id']
        if _granted(found, project_id) is not None:
            return _answer(context, name, user_role_id)
    writer.create('UserSecurityRoleProject', {
        'user_security_role_id': user_role_id, 'project_id': project_id,
    })
    return _answer(context, name, user_role_id)


@action('revoke_user_security_role_project')
def revoke_user_security_role_project(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Take the role ``role_id`` of user ``user_id`` away on project ``project_id``."""
    name = 'revoke_user_security_role_project'
    user_id, role_id, role, project_id = _project_operation(operation, context, name)
    found = _required_user_role(context, user_id, role_id, role, name)
    granted = _granted(found, project_id)
    if granted is None:
        raise errors.NotFoundError(
            '{0}: User {1} does not have the security role "{2}" on project {3}.'.format(
                name, user_id, role.get('name'), project_id))
    writer_for(context).delete('UserSecurityRoleProject', [granted])
    return _answer(context, name, found['id'])
