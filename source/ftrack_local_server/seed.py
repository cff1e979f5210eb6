"""Seed data: the fixture files a new database is filled from, and users.

A fixture file is a JSON list of ``/api`` operations, normally ``create``
operations with explicit ids, exactly as a client would send them. When a
database is created the server runs, in one transaction and through the
normal actions:

1. ``fixtures/system.json`` -- *system data*, what the server and clients
   need to work at all: the five built-in locations (protocol §7.1), the
   object types and the default priority with the ids the schema uses as
   defaults, priorities, states, statuses, types, workflow schemas, the task
   type schema, the project schema with its schemas, overrides and task
   templates, custom attribute types, security roles and user types;
2. ``fixtures/default.json`` -- *studio content* a new site would have
   (asset types, note labels, list categories, groups, the storage scenario
   setting), skipped with ``bare``;
3. the user's own fixture files, in the order given;
4. the administrator user (unless a fixture already created a user with that
   username) with the ``Administrator`` security role on all projects, and
   its API key.

If any operation fails, nothing is written and the error names the file and
the operation index.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import auth, errors
from .config import DEFAULT_API_USER
from .context import RequestContext
from .dispatch import (
    SYSTEM_USER,
    execute_operations,
    query_first,
    quote,
    validate_operations,
)

logger = logging.getLogger(__name__)

#: Directory of the fixture files shipped with the package.
FIXTURE_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')

#: System data every database starts with.
SYSTEM_FIXTURE = os.path.join(FIXTURE_DIRECTORY, 'system.json')

#: Studio content a database starts with unless created *bare*.
DEFAULT_FIXTURE = os.path.join(FIXTURE_DIRECTORY, 'default.json')

#: Security role given to the administrator.
ADMINISTRATOR_ROLE = 'Administrator'


class FixtureError(ValueError):
    """A fixture file that cannot be used; the message names file and reason."""


def read_fixture(path: str) -> List[Dict[str, Any]]:
    """Return the operations of the fixture file at *path*.

    Raise :class:`FixtureError` naming *path* if the file does not exist,
    cannot be read, is not UTF-8 JSON, or is not a list of operation objects
    with a string ``action``.
    """
    try:
        with open(path, 'rb') as handle:
            data = handle.read()
    except FileNotFoundError:
        raise FixtureError('Fixture file {0!r} does not exist.'.format(path))
    except IsADirectoryError:
        raise FixtureError('Fixture file {0!r} is a directory, not a file.'.format(path))
    except OSError as error:
        raise FixtureError(
            'Fixture file {0!r} cannot be read: {1}.'.format(path, error.strerror or error)
        )
    try:
        value = json.loads(data.decode('utf-8'))
    except UnicodeDecodeError as error:
        raise FixtureError(
            'Fixture file {0!r} is not UTF-8 text (byte {1} cannot be '
            'decoded).'.format(path, error.start)
        )
    except ValueError as error:
        raise FixtureError(
            'Fixture file {0!r} is not valid JSON: {1} (line {2}, column '
            '{3}).'.format(
                path,
                getattr(error, 'msg', error),
                getattr(error, 'lineno', '?'),
                getattr(error, 'colno', '?'),
            )
        )
    try:
        return validate_operations(value, 'fixture file {0!r}'.format(path))
    except errors.ApiError as error:
        raise FixtureError(error.content)


def fixture_paths(bare: bool) -> List[str]:
    """Return the built-in fixture files a new database is filled from, in order.

    *bare* leaves out the studio content.
    """
    return [SYSTEM_FIXTURE] if bare else [SYSTEM_FIXTURE, DEFAULT_FIXTURE]


def read_fixtures(paths: Sequence[str]) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """Return ``(path, operations)`` for each of *paths*, read and validated first.

    Raise :class:`FixtureError` for the first unusable file.
    """
    return [(path, read_fixture(path)) for path in paths]


def apply_fixtures(
    context: RequestContext, fixtures: Sequence[Tuple[str, List[Dict[str, Any]]]]
) -> int:
    """Run the operations of each ``(path, operations)`` in *fixtures* in *context*.

    The caller owns the transaction. Return the number of operations run.
    Raise :class:`~ftrack_local_server.errors.ApiError` whose message starts
    with the file and operation index that failed.
    """
    count = 0
    for path, operations in fixtures:
        name = os.path.basename(path)

        def describe(index: int, _path: str = path) -> str:
            return 'Fixture file {0!r}, operation {1}'.format(_path, index)

        execute_operations(context, operations, describe=describe)
        logger.debug('Loaded %d operations from fixture %s.', len(operations), name)
        count += len(operations)
    return count


def find_user(context: RequestContext, username: str) -> Optional[Dict[str, Any]]:
    """Return the ``User`` named *username* (``id``, ``username``) or ``None``."""
    return query_first(
        context,
        'select id, username, first_name, last_name from User where '
        'username is {0}'.format(quote(username)),
    )


def create_user(
    context: RequestContext,
    username: str,
    first_name: Optional[str] = None,
    last_name: Optional[str] = None,
    email: Optional[str] = None,
    roles: Sequence[str] = (),
    user_id: Optional[str] = None,
    projects: Sequence[str] = (),
) -> Dict[str, Any]:
    """Create an active ``User`` *username* through the ``create`` action.

    *roles* are names of security roles, granted on all projects, or only
    on the projects named in *projects* when any are given. *user_id*
    defaults to a new random id. Return the created user's wire form. Raise
    :class:`~ftrack_local_server.errors.ApiError` if the user cannot be
    created (e.g. the username is taken), or a role or project does not
    exist.
    """
    if not isinstance(username, str) or not username.strip():
        raise errors.ValidationError(
            'A username must be a non-empty string, got {0!r}.'.format(username)
        )
    data = {
        'id': user_id or str(uuid.uuid4()),
        'username': username,
        'first_name': first_name if first_name is not None else username,
        'last_name': last_name if last_name is not None else '',
        'is_active': True,
    }
    if email is None and '@' in username:
        email = username
    if email is not None:
        data['email'] = email
    operations: List[Dict[str, Any]] = [
        {'action': 'create', 'entity_type': 'User', 'entity_data': data}
    ]
    if projects and not roles:
        raise errors.ValidationError(
            'Projects {0} were given for user {1!r} without a role to grant on '
            'them.'.format(', '.join(repr(name) for name in projects), username)
        )
    project_ids = []
    for project_name in projects:
        project = query_first(
            context, 'select id from Project where name is {0}'.format(quote(project_name))
        )
        if project is None:
            raise errors.NotFoundError(
                'No Project named {0!r} exists; cannot grant user {1!r} a role '
                'on it.'.format(project_name, username)
            )
        project_ids.append(project['id'])
    for role_name in roles:
        role_id = _role_id(context, role_name)
        if role_id is None:
            raise errors.NotFoundError(
                'No SecurityRole named {0!r} exists; cannot grant it to user '
                '{1!r}.'.format(role_name, username)
            )
        user_role_id = str(uuid.uuid4())
        operations.append(
            {
                'action': 'create',
                'entity_type': 'UserSecurityRole',
                'entity_data': {
                    'id': user_role_id,
                    'user_id': data['id'],
                    'security_role_id': role_id,
                    'is_all_projects': not project_ids,
                },
            }
        )
        for project_id in project_ids:
            operations.append(
                {
                    'action': 'create',
                    'entity_type': 'UserSecurityRoleProject',
                    'entity_data': {
                        'user_security_role_id': user_role_id,
                        'project_id': project_id,
                    },
                }
            )
    results = execute_operations(context, operations)
    return results[0]['data']


def ensure_administrator(
    context: RequestContext, username: Optional[str] = None, api_key: Optional[str] = None
) -> Dict[str, Any]:
    """Make sure the administrator exists and has a key; return its credentials.

    *username* (default: the current administrator, else ``'admin'``) is
    created as an active user with the ``Administrator`` role if missing.
    *api_key* replaces its key if given; otherwise an existing key is kept
    and a missing one generated. The user becomes the default whose
    credentials the server prints. Return ``{'user_id', 'username',
    'api_key'}``.
    """
    tx = context.tx
    auth.ensure_table(tx)
    current = auth.default_credentials(tx)
    if username is None and current is not None:
        username = current['username']
    username = username or DEFAULT_API_USER
    user = find_user(context, username)
    if user is None:
        roles = [ADMINISTRATOR_ROLE] if _role_id(context, ADMINISTRATOR_ROLE) is not None else []
        user = create_user(
            context,
            username,
            first_name='Administrator',
            last_name='',
            roles=roles,
            user_id=str(uuid.uuid5(uuid.NAMESPACE_URL, 'ftrack-local-server:user:' + username)),
        )
        logger.info('Created administrator user %r.', username)
    existing = {row['user_id']: row for row in auth.api_key_rows(tx)}.get(user['id'])
    if api_key is None and existing is not None:
        api_key = existing['api_key']
    api_key = auth.set_api_key(tx, user['id'], username, api_key, default=True)
    return {'user_id': user['id'], 'username': username, 'api_key': api_key}


def _role_id(context: RequestContext, name: str) -> Optional[str]:
    role = query_first(
        context, 'select id from SecurityRole where name is {0}'.format(quote(name))
    )
    return role['id'] if role is not None else None


def system_context(state: Any, tx: Any) -> RequestContext:
    """Return a request context for writes the server makes on its own behalf."""
    return RequestContext(server=state, tx=tx, user=dict(SYSTEM_USER))
