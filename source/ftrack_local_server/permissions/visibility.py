"""Which stored rows a user may see: SQL conditions for queries and loads.

Data that belongs to a project is visible only to users whose roles cover
that project. :data:`PROJECT_OF` says, for each kind of project data, how
its project is found, as one of:

* ``('path', (attribute, ...))`` -- a query-language path to the project
  id (``Asset``: ``parent.project_id``);
* ``('via', reference)`` -- the project of the entity a reference points
  at (``Recipient``: its ``note``);
* ``('owner', attribute)`` -- the project of the entity whose id the
  attribute holds, whatever its type (notes, metadata and custom
  attribute values belong to a context, version, asset, list, ...).

Rows whose project cannot be found (a component in no version, a note on
a user) are studio data and visible to all. Custom attribute values are
also hidden unless one of the user's roles is among their configuration's
``read_security_roles``: a configuration nobody was given is readable by
administrators only.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from ..model import quote
from ..query.sql import Fragment, column, placeholders

#: How to find the project of project data (see the module doc). The first
#: base a type is a kind of decides.
PROJECT_OF: Tuple[Tuple[str, Tuple[str, Any]], ...] = (
    ('Context', ('path', ('project_id',))),
    ('Asset', ('path', ('parent', 'project_id'))),
    ('AssetVersion', ('path', ('asset', 'parent', 'project_id'))),
    ('Component', ('path', ('version', 'asset', 'parent', 'project_id'))),
    ('ComponentLocation', ('via', 'component')),
    ('JobComponent', ('via', 'component')),
    ('Timelog', ('path', ('context', 'project_id'))),
    ('Timer', ('path', ('context', 'project_id'))),
    ('Appointment', ('path', ('context', 'project_id'))),
    ('Manager', ('path', ('context', 'project_id'))),
    ('List', ('path', ('project_id',))),
    ('ListObject', ('via', 'list')),
    ('ReviewSession', ('path', ('project_id',))),
    ('ReviewSessionObject', ('via', 'review_session')),
    ('ReviewSessionInvitee', ('via', 'review_session')),
    ('CalendarEvent', ('path', ('project_id',))),
    ('Note', ('owner', 'parent_id')),
    ('NoteComponent', ('via', 'note')),
    ('NoteLabelLink', ('via', 'note')),
    ('Recipient', ('via', 'note')),
    ('Metadata', ('owner', 'parent_id')),
    ('StatusChange', ('owner', 'parent_id')),
    ('CustomAttributeValue', ('owner', 'entity_id')),
    ('TypedContextLink', ('via', 'from')),
    ('AssetVersionLink', ('via', 'from')),
)

#: Types an ``owner`` id may name, looked at in this order.
OWNER_TYPES = ('Context', 'AssetVersion', 'Asset', 'List', 'ReviewSessionObject',
               'ReviewSession', 'Component')


def project_rule(catalogue: Any, type_name: str) -> Optional[Tuple[str, Any]]:
    """Return the :data:`PROJECT_OF` rule of *type_name*, or None for studio data."""
    entity_type = catalogue.get(type_name)
    for base, rule in PROJECT_OF:
        if catalogue.find(base) is not None and entity_type.is_a(base):
            return rule
    return None


def project_expression(compiler: Any, type_name: str, alias: str,
                       depth: int = 0) -> Optional[Fragment]:
    """Return SQL for the project id of the *type_name* row in *alias*, or None.

    *compiler* is a :class:`~ftrack_local_server.query.compiler.Compiler`
    of the statement (its aliases are unique within it).
    """
    model = compiler.model
    rule = project_rule(model.catalogue, type_name)
    if rule is None or depth > 4:
        return None
    kind, argument = rule
    if kind == 'path':
        entity_type = model.catalogue.get(type_name)
        return compiler.value(entity_type, alias, argument).fragment
    if kind == 'via':
        reference = model.reference(type_name, argument)
        return _through(compiler, reference.target, alias, reference.columns[0], depth)
    id_column = model.layout(type_name).columns[argument]
    parts = [found for found in (
        _through(compiler, owner, alias, id_column, depth, typed=True)
        for owner in OWNER_TYPES) if found is not None]
    if not parts:
        return None
    return Fragment('COALESCE({0})'.format(', '.join(p.sql for p in parts)),
                    [value for p in parts for value in p.params])


def _through(compiler: Any, target: str, alias: str, id_column: str, depth: int,
             typed: bool = False) -> Optional[Fragment]:
    """Return SQL for the project of the *target* row whose key is in *id_column* of *alias*."""
    model = compiler.model
    sub = compiler.alias()
    inner = project_expression(compiler, target, sub, depth + 1)
    if inner is None:
        return None
    key = model.layout(target).primary_key_columns[0]
    condition, params = ('', [])
    if typed:
        type_sql, type_params = model.type_condition(target, sub)
        condition, params = ' AND ' + type_sql, list(type_params)
    return Fragment(
        '(SELECT {0} FROM {1} AS {2} WHERE {3} = {4}{5})'.format(
            inner.sql, quote(model.table(target).name), quote(sub),
            column(sub, key), column(alias, id_column), condition),
        list(inner.params) + params)


class Visibility:
    """The row filters of one user's :class:`~.access.Access` *access*."""

    def __init__(self, access: Any) -> None:
        self.access = access
        self.projects = access.visible_projects()
        self._read_roles: Optional[List[str]] = None

    @property
    def unrestricted(self) -> bool:
        """Whether nothing is filtered (administrators)."""
        return self.access.full

    def condition(self, compiler: Any, type_name: str, alias: str) -> Optional[Fragment]:
        """Return the SQL test that the *type_name* row in *alias* is visible, or None."""
        if self.access.full:
            return None
        parts: List[Fragment] = []
        if self.projects is not None:
            expression = project_expression(compiler, type_name, alias)
            if expression is not None:
                ids = sorted(self.projects)
                test = '{0} IN ({1})'.format(expression.sql, placeholders(len(ids))) \
                    if ids else '0'
                parts.append(Fragment(
                    '({0} IS NULL OR {1})'.format(expression.sql, test),
                    list(expression.params) * 2 + ids if ids else list(expression.params)))
        if compiler.model.catalogue.get(type_name).is_a('CustomAttributeValue'):
            parts.append(self._readable_value(compiler.model, alias, type_name))
        if not parts:
            return None
        return Fragment(' AND '.join(p.sql for p in parts),
                        [value for p in parts for value in p.params])

    def _readable_value(self, model: Any, alias: str, type_name: str) -> Fragment:
        collection = model.collection('CustomAttributeConfiguration', 'read_security_roles')
        roles = sorted(self.access.role_ids())
        if not roles:
            return Fragment('0', [])
        return Fragment(
            'EXISTS (SELECT 1 FROM {0} AS "_ls_read" WHERE {1} = {2} AND {3} IN ({4}))'.format(
                quote(collection.link_table),
                column('_ls_read', collection.link_owner_columns[0]),
                column(alias, model.layout(type_name).columns['configuration_id']),
                column('_ls_read', collection.link_item_columns[0]),
                placeholders(len(roles))),
            roles)


def visibility_of(access: Any) -> Optional[Visibility]:
    """Return the :class:`Visibility` of *access*, or None when nothing is filtered."""
    if access is None or access.full:
        return None
    return Visibility(access)


