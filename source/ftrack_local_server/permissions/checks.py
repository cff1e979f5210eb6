"""Checks every write of a batch passes: the user's roles must allow it.

:class:`WriteGuard` is what the :class:`~ftrack_local_server.rules.writer.Writer`
asks before it deletes or updates a stored entity (in the entity's current
project) and, once the batch's operations have run, about every entity it
created or updated (in the project it ended in: a typed context may get
its parent later in the batch). Administrative data (users, roles and
their links, schemas, settings) needs an administrator whatever the
roles say; a user may still change its own name, e-mail and thumbnail.
Custom attribute values need one of their configuration's
``write_security_roles``. A refusal raises
:class:`~ftrack_local_server.errors.PermissionError_` (``PermissionError``
on the wire), which rolls the whole batch back.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import errors
from ..model import quote
from ..query.compiler import Compiler
from ..query.sql import column
from ..rules.common import load
from .roles import CREATE, DELETE, UPDATE, area_of
from .visibility import project_expression

#: What a user may change of its own User without being an administrator.
OWN_PROFILE = frozenset(('first_name', 'last_name', 'email', 'thumbnail_id',
                         'thumbnail'))


def project_of(tx: Any, type_name: str, key: Tuple[Any, ...]) -> Optional[str]:
    """Return the id of the project stored entity *type_name* / *key* belongs to, or None."""
    model = tx.model
    compiler = Compiler(model)
    expression = project_expression(compiler, type_name, 't0')
    if expression is None:
        return None
    key_columns = model.layout(type_name).primary_key_columns
    where = ' AND '.join('{0} = ?'.format(column('t0', c)) for c in key_columns)
    row = tx.query_one('SELECT {0} FROM {1} AS "t0" WHERE {2}'.format(
        expression.sql, quote(model.table(type_name).name), where),
        list(expression.params) + list(key))
    return row[0] if row is not None else None


class WriteGuard:
    """The write checks of one batch, for the user of :class:`~.access.Access` *access*."""

    def __init__(self, tx: Any, access: Any) -> None:
        self.tx = tx
        self.access = access
        self._pending: Dict[Tuple[str, Tuple[Any, ...]], Tuple[str, str, List[str]]] = {}

    @property
    def active(self) -> bool:
        """Whether anything is checked (not for administrators and the server)."""
        return not self.access.full

    def _check(self, action: str, entity: Any, names: List[str]) -> None:
        entity_type = entity.entity_type
        area, _in_project = area_of(entity_type)
        if area == 'administration':
            own = (entity.type_name == 'User' and action == UPDATE and
                   entity.key[0] == self.access.user_id and
                   set(names) <= OWN_PROFILE)
            if not own:
                self.access.require_administrator(
                    '{0} {1}'.format(action, entity.describe()))
            return
        project_id = project_of(self.tx, entity.type_name, entity.key)
        collections = [name for name in names if name in entity_type.attributes and
                       entity_type.attributes[name].is_many]
        if action == UPDATE and collections and len(collections) == len(names):
            # Changing only what a collection holds (a note appended to a
            # shot's notes) is a write of its items: the item type decides.
            for name in collections:
                target = self.tx.catalogue.get(entity_type.attributes[name].target)
                self.access.require(UPDATE, target, project_id, '"{0}" of {1}'.format(
                    name, entity.describe()))
            return
        self.access.require(action, entity_type, project_id, entity.describe())

    def before_change(self, action: str, entity: Any, names: List[str] = ()) -> None:
        """Check that stored *entity* may be updated (attributes *names*) or deleted now.

        Updates are checked again when the batch ends (see :meth:`finish`),
        in the project the entity is in by then.
        """
        if not self.active:
            return
        names = [name for name in names if name != '__entity_type__']
        self._check(action, entity, names)
        if action == UPDATE:
            self.after_write(UPDATE, entity, names)

    def after_write(self, action: str, entity: Any, names: List[str] = ()) -> None:
        """Remember that *entity* was created or updated, to check at :meth:`finish`."""
        if not self.active:
            return
        identity = entity.identity
        previous = self._pending.get(identity)
        if previous is not None:
            # Created then updated in one batch: still a create.
            action = previous[1] if previous[1] == CREATE else action
            names = list(previous[2]) + list(names)
        self._pending[identity] = (entity.type_name, action, list(names))

    def finish(self, removed: Any) -> None:
        """Check every entity created or updated by the batch (skipping *removed* ones)."""
        pending, self._pending = self._pending, {}
        for identity, (type_name, action, names) in pending.items():
            if identity in removed:
                continue
            entity = load(self.tx, type_name, identity[1])
            if entity is not None:
                self._check(action, entity, names)

    def check_value_write(self, configuration: Any, owner: Any) -> None:
        """Check that custom attribute *configuration* (a row) may be written on *owner*.

        The user needs one of the configuration's ``write_security_roles``
        that applies to the owner's project, and must see the owner.
        """
        if not self.active:
            return
        project_id = project_of(self.tx, owner.type_name, owner.key) if owner else None
        visible = self.access.visible_projects()
        key = configuration['key']
        if project_id is not None and visible is not None and project_id not in visible:
            raise errors.PermissionError_(
                'Permission denied: user "{0}" may not set custom attribute "{1}" '
                'of {2} in Project({3}).'.format(
                    self.access.username, key, owner.describe(), project_id))
        collection = self.tx.model.collection(
            'CustomAttributeConfiguration', 'write_security_roles')
        rows = self.tx.query('SELECT {0} FROM {1} WHERE {2} = ?'.format(
            quote(collection.link_item_columns[0]), quote(collection.link_table),
            quote(collection.link_owner_columns[0])), [configuration['id']])
        writers = {row[0] for row in rows}
        if writers & self.access.role_ids(project_id):
            return
        raise errors.PermissionError_(
            'Permission denied: user "{0}" may not set custom attribute "{1}"{2}: '
            'none of its roles is among the attribute\'s write_security_roles.'.format(
                self.access.username, key,
                ' of {0}'.format(owner.describe()) if owner else ''))


__all__ = ['CREATE', 'DELETE', 'UPDATE', 'WriteGuard', 'project_of']
