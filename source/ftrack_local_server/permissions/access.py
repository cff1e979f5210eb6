"""What one user may see and do: its security roles and their project scopes.

:class:`Access` is built once per batch (:func:`access_for`) from the
user's ``UserSecurityRole`` rows. Two kinds of users have full access and
skip every check: the server itself (seed data, the command line: no user
id) and *administrators* -- the server's own administrator (the user whose
credentials the server prints) and anyone holding the ``Administrator``
role on all projects.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Dict, FrozenSet, List, Optional, Set

from .. import auth, errors
from .roles import ADMINISTRATOR, READ, allowed, area_of


class Grant:
    """One ``UserSecurityRole`` of the user: role *role_id* named *role_name*,
    on every project (*all_projects*) or on *project_ids*."""

    __slots__ = ('role_id', 'role_name', 'all_projects', 'project_ids')

    def __init__(self, role_id: str, role_name: str, all_projects: bool,
                 project_ids: FrozenSet[str]) -> None:
        self.role_id = role_id
        self.role_name = role_name
        self.all_projects = all_projects
        self.project_ids = project_ids

    def covers(self, project_id: Optional[str]) -> bool:
        """Return whether the grant applies to project *project_id* (None: studio data)."""
        return project_id is None or self.all_projects or project_id in self.project_ids


class Access:
    """The permissions of *user* (the request's user mapping) given its *grants*.

    With *full* every check passes and nothing is filtered.
    """

    def __init__(self, user: Dict[str, Any], grants: List[Grant], full: bool) -> None:
        self.user = user
        self.user_id = user.get('id') if user else None
        self.grants = grants
        self.full = full

    @property
    def username(self) -> str:
        """The user's name, for messages."""
        return (self.user or {}).get('username') or 'the server'

    def visible_projects(self) -> Optional[Set[str]]:
        """Return the ids of the projects the user can see, or None for all of them."""
        if self.full or any(grant.all_projects for grant in self.grants):
            return None
        found: Set[str] = set()
        for grant in self.grants:
            found.update(grant.project_ids)
        return found

    def role_ids(self, project_id: Optional[str] = None) -> Set[str]:
        """Return the ids of the user's roles that apply to *project_id* (None: any)."""
        return {grant.role_id for grant in self.grants
                if project_id is None or grant.covers(project_id)}

    def may(self, action: str, entity_type: Any, project_id: Optional[str]) -> bool:
        """Return whether the user may *action* entities of *entity_type* in *project_id*.

        *project_id* is the project the entity belongs to, None for studio
        data (which any of the user's roles may grant).
        """
        if self.full:
            return True
        area, in_project = area_of(entity_type)
        for grant in self.grants:
            if in_project and project_id is not None and not grant.covers(project_id):
                continue
            if action in allowed(grant.role_name, area):
                return True
        return False

    def require(self, action: str, entity_type: Any, project_id: Optional[str],
                what: str) -> None:
        """Raise PermissionError unless the user may *action* *what* (see :meth:`may`)."""
        if self.may(action, entity_type, project_id):
            return
        raise errors.PermissionError_(
            'Permission denied: user "{0}" may not {1} {2}{3}.'.format(
                self.username, action, what, _scope_text(project_id)))

    def require_administrator(self, what: str) -> None:
        """Raise PermissionError unless the user administers the server."""
        if self.full:
            return
        raise errors.PermissionError_(
            'Permission denied: only an administrator may {0} (user "{1}" is '
            'not one).'.format(what, self.username))


def _scope_text(project_id: Optional[str]) -> str:
    return ' in Project({0})'.format(project_id) if project_id else ''


def load_access(tx: Any, user: Optional[Dict[str, Any]]) -> Access:
    """Return the :class:`Access` of *user* read through transaction *tx*."""
    user = user or {}
    user_id = user.get('id')
    if user_id is None:
        return Access(user, [], True)
    grants = _grants(tx, user_id)
    full = _is_server_administrator(tx, user_id) or any(
        grant.role_name == ADMINISTRATOR and grant.all_projects for grant in grants)
    return Access(user, grants, full)


def _is_server_administrator(tx: Any, user_id: str) -> bool:
    """Return whether *user_id* is the user whose credentials the server prints."""
    try:
        row = tx.execute('SELECT 1 FROM {0} WHERE user_id = ? AND is_default = 1'.format(
            auth.TABLE), (user_id,)).fetchone()
    except sqlite3.OperationalError:
        return False  # no key table yet: a database being seeded
    return row is not None


def _grants(tx: Any, user_id: str) -> List[Grant]:
    model = tx.model
    columns = model.layout('UserSecurityRole').columns
    links = model.layout('UserSecurityRoleProject').columns
    rows = tx.query(
        'SELECT usr."{id}" AS id, usr."{role}" AS role_id, '
        'usr."{all}" AS all_projects, role."{name}" AS role_name '
        'FROM {usr} AS usr JOIN {roles} AS role ON role."{role_key}" = usr."{role}" '
        'WHERE usr."{user}" = ? ORDER BY usr.rowid'.format(
            id=columns['id'], role=columns['security_role_id'],
            all=columns['is_all_projects'], user=columns['user_id'],
            name=model.layout('SecurityRole').columns['name'],
            role_key=model.layout('SecurityRole').columns['id'],
            usr=_table(tx, 'UserSecurityRole'), roles=_table(tx, 'SecurityRole')),
        [user_id])
    grants = []
    for row in rows:
        projects = frozenset(
            link[0] for link in tx.query(
                'SELECT "{0}" FROM {1} WHERE "{2}" = ?'.format(
                    links['project_id'], _table(tx, 'UserSecurityRoleProject'),
                    links['user_security_role_id']), [row['id']]))
        grants.append(Grant(row['role_id'], row['role_name'],
                            bool(row['all_projects']), projects))
    return grants


def _table(tx: Any, type_name: str) -> str:
    return '"{0}"'.format(tx.model.table(type_name).name)


def access_for(context: Any) -> Access:
    """Return the :class:`Access` of the batch *context*'s user (built on first use)."""
    access = getattr(context, 'access', None)
    if access is None:
        access = load_access(context.tx, context.user)
        context.access = access
    return access


__all__ = ['Access', 'Grant', 'access_for', 'load_access', 'READ']
