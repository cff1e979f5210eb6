"""The storage layout: which SQL table and columns hold each entity type.

The layout is derived from the schema (:mod:`ftrack_local_server.schema`)
rather than written out for 116 types:

* **Tables.** Types of one specialisation family (``schema.SUPERTYPES``)
  share the table of the family root; every other type has its own table.
  Table names are the real server's internal names lower-cased
  (schema-level ``alias_for``: ``Project`` is stored with the contexts in
  ``context``, ``Status`` in ``taskstatus``, ...). ``NoteCategory`` and
  ``NoteLabel`` are two names for one internal table and share it as
  well, as do ``CustomAttributeLink`` and ``CustomAttributeLinkFrom``
  (the same link rows seen from either end).
* **Discriminators.** Within a shared table a row's concrete type is told
  by a classifier column: ``context_type`` (``show`` for projects,
  ``task`` for typed contexts) then ``object_type_id`` for the typed
  contexts (the schema's classifier ids); ``system_type`` for components
  (``file``, ``sequence``, ``container``) and lists (``task``,
  ``assetversion``); ``resource_type`` for resources; ``to_entity_type``
  / ``from_entity_type`` for the typed custom attribute links;
  ``parent_type`` for status changes; and a hidden ``_ls_type`` column
  holding the type name where the real server has no public column
  (custom attribute values, custom configurations).
  :meth:`Model.type_condition` gives the SQL test for "rows of type T
  (including its subtypes)" and :meth:`Model.concrete_type` the type of
  one stored row.
* **Columns.** Every stored scalar attribute of every type of a table
  has a column (a ``variable`` one also a hidden :func:`kind_column`
  telling the JSON kind of its value). Attributes that share an
  ``alias_for`` (the same internal column, e.g. ``is_all_projects`` /
  ``is_all_open_projects``) and attributes of the same public name in one
  family share one column, named after the public attribute.
  :meth:`Model.column` answers it. Scalars computed on read (``link``,
  ``thumbnail_url``, ``time_logged``, ...) have no column; they are listed
  in :attr:`Layout.computed`.
* **References.** A reference is stored in the foreign-key scalar next to
  it (``status`` -> ``status_id``; ``author`` (alias ``user``) ->
  ``user_id``; ``_task_workflow`` (alias ``taskworkflow``) -> the scalar
  whose alias is ``taskworkflowid``), or, where the schema has none, in a
  column named by :data:`REFERENCE_OVERRIDES`. :meth:`Model.reference`
  answers a :class:`Reference`.
* **Collections.** A collection is the inverse of a reference of the item
  type that points back at the owner (``children`` <- ``parent``), of a
  foreign-key scalar described as ``Foreign key(s): Owner.id``, or, as
  written in :data:`COLLECTION_OVERRIDES`, of a plain id column
  (``notes`` <- ``Note.parent_id``), a many-to-many link table (schema
  link entities such as ``WorkflowSchemaStatus`` or ``ListObject``, or a
  hidden ``_rel_*`` table where the schema has none), or a value computed
  on read (``ancestors``). :meth:`Model.collection` answers a
  :class:`Collection`.

Everything the query evaluator needs to compile criteria and projections
into SQL joins, and the write rules need to keep both sides of a
relation consistent, is answered here; nothing here touches a database.

Notes for readers of the stored data:

* A join through a relation should also apply
  :meth:`Model.type_condition` of the relation's target type when the
  target shares its table (``Task.custom_attributes`` holds only
  ``ContextCustomAttributeValue`` rows of the shared value table;
  ``TypedContextList.items`` only tasks).
* Values are stored as :mod:`ftrack_local_server.encoding` describes:
  datetimes as naive UTC text ``YYYY-MM-DDTHH:MM:SS`` (so they compare and
  sort as text), booleans as 0/1, ``variable`` values natively with their
  kind alongside. ``parent_type``, ``to_entity_type`` and
  ``from_entity_type`` hold schema type names (``Task``, ``Shot``), the
  form clients see.
* Custom attribute values are dense: every entity has a value row (with
  the configuration's ``key`` copied in) for each configuration applying
  to it (:mod:`ftrack_local_server.rules.custom_attributes`).
* Rows keep SQLite's ``rowid``; ordering by it gives creation order.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from . import errors
from .model_collections import build_collections, build_indexes
from .model_layout import (
    Collection, Column, Layout, Reference, Table, kind_column, quote,
)
from .model_overrides import (
    COMPUTED_REFERENCES, COMPUTED_SCALARS,
    CUSTOM_ATTRIBUTE_VALUE_KINDS, HIDDEN_DISCRIMINATOR_ROOTS, LEGACY_TYPES,
    REFERENCE_OVERRIDES, SHARED_TABLES, TYPE_COLUMN,
)
from .schema import REFERENCE, Attribute, Catalogue, EntityType

logger = logging.getLogger(__name__)

__all__ = [
    'Model', 'Table', 'Column', 'Layout', 'Reference', 'Collection',
    'TYPE_COLUMN', 'LEGACY_TYPES', 'CUSTOM_ATTRIBUTE_VALUE_KINDS',
    'kind_column', 'quote',
]

class Model:
    """The storage layout of every type of *catalogue*.

    Lookups raise :class:`~ftrack_local_server.errors.ValidationError`
    naming the unknown type or attribute (and its type).
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.tables: 'OrderedDict[str, Table]' = OrderedDict()
        self.layouts: Dict[str, Layout] = {}
        self.references: Dict[Tuple[str, str], Reference] = {}
        self.collections: Dict[Tuple[str, str], Collection] = {}
        self._candidates: Dict[str, List[Layout]] = {}
        # (table, attribute) -> column, while the tables are built.
        self._column_of: Dict[Tuple[str, str], str] = {}
        self._build_tables()
        self._build_discriminators()
        self._build_references()
        build_collections(self)
        build_indexes(self)

    # -- lookups -----------------------------------------------------------

    def layout(self, type_name: str) -> Layout:
        """Return the :class:`Layout` of *type_name* (ValidationError if unknown)."""
        layout = self.layouts.get(type_name)
        if layout is None:
            self.catalogue.get(type_name)
            raise errors.ValidationError(
                'Unknown entity type "{0}".'.format(type_name))
        return layout

    def table(self, type_name: str) -> Table:
        """Return the :class:`Table` storing *type_name*."""
        return self.layout(type_name).table

    def column(self, type_name: str, attribute: str) -> str:
        """Return the column of scalar *attribute* of *type_name*.

        Raise ValidationError naming the attribute and type when it is
        unknown or not a scalar.
        """
        layout = self.layout(type_name)
        column = layout.columns.get(attribute)
        if column is None:
            kind = self.catalogue.attribute(type_name, attribute).kind
            raise errors.ValidationError(
                'Attribute "{0}" of "{1}" is a {2}, not a scalar.'.format(
                    attribute, type_name, kind.replace('_', ' ')))
        return column

    def reference(self, type_name: str, attribute: str) -> Reference:
        """Return the :class:`Reference` of *attribute* of *type_name*."""
        found = self.references.get((type_name, attribute))
        if found is None:
            self._not_a(type_name, attribute, 'reference')
        return found

    def collection(self, type_name: str, attribute: str) -> Collection:
        """Return the :class:`Collection` of *attribute* of *type_name*."""
        found = self.collections.get((type_name, attribute))
        if found is None:
            self._not_a(type_name, attribute, 'collection')
        return found

    def _not_a(self, type_name: str, attribute: str, what: str) -> None:
        kind = self.catalogue.attribute(type_name, attribute).kind
        raise errors.ValidationError(
            'Attribute "{0}" of "{1}" is a {2}, not a {3}.'.format(
                attribute, type_name, kind.replace('_', ' '), what))

    def key_columns(self, type_name: str) -> Tuple[str, ...]:
        """Return the primary-key columns of *type_name*, in key order."""
        return self.layout(type_name).primary_key_columns

    def type_condition(self, type_name: str, alias: Optional[str] = None
                       ) -> Tuple[str, List[Any]]:
        """Return ``(sql, params)`` true for rows of *type_name* or a subtype.

        *alias* qualifies the columns (``alias.column``). The SQL is
        ``'1'`` when every row of the table qualifies.
        """
        layout = self.layout(type_name)
        parts = []
        params: List[Any] = []
        prefix = '{0}.'.format(quote(alias)) if alias else ''
        for column, values in layout.condition:
            if len(values) == 1:
                parts.append('{0}{1} = ?'.format(prefix, quote(column)))
            else:
                parts.append('{0}{1} IN ({2})'.format(
                    prefix, quote(column), ', '.join('?' * len(values))))
            params.extend(values)
        if not parts:
            return '1', []
        return ' AND '.join(parts), params

    def concrete_type(self, type_name: str, row: Any) -> str:
        """Return the most specific type under *type_name* that stored *row* is.

        *row* is a mapping of column name -> value (e.g. ``sqlite3.Row``)
        holding at least the discriminator columns of the table.
        """
        candidates = self._candidates.get(type_name)
        if candidates is None:
            entity_type = self.catalogue.get(type_name)
            candidates = [self.layouts[candidate.name] for candidate in sorted(
                entity_type.descendants(),
                key=lambda candidate: -len(candidate.ancestors()),
            )]
            self._candidates[type_name] = candidates
        for layout in candidates:
            if self._matches(layout, row):
                return layout.name
        return type_name

    def _matches(self, layout: Layout, row: Any) -> bool:
        for column, values in layout.condition:
            try:
                value = row[column]
            except (KeyError, IndexError):
                return False
            if value not in values:
                return False
        return True

    def discriminator_columns(self, table_name: str) -> Tuple[str, ...]:
        """Return the columns that tell apart the types of table *table_name*."""
        names: List[str] = []
        for type_name in self.tables[table_name].types:
            for column, _ in self.layouts[type_name].condition:
                if column not in names:
                    names.append(column)
        return tuple(names)

    def legacy_name(self, type_name: str) -> str:
        """Return the real server's lower-case internal name of *type_name*.

        ``task`` for typed contexts, ``show`` for projects, else the
        internal table name lower-cased (``assetversion``, ``user``) --
        the ``entityType`` of ``ftrack.update`` change records.
        """
        entity_type = self.catalogue.get(type_name)
        if entity_type.is_a('TypedContext'):
            return 'task'
        return entity_type.internal_name.lower()

    def relations(self, type_name: str) -> Iterable[Tuple[Attribute, Any]]:
        """Yield ``(attribute, Reference or Collection)`` for every relation of a type."""
        entity_type = self.catalogue.get(type_name)
        for attribute in entity_type.attributes.values():
            if attribute.kind == REFERENCE:
                yield attribute, self.references[(type_name, attribute.name)]
            elif attribute.is_many:
                yield attribute, self.collections[(type_name, attribute.name)]

    # -- construction --------------------------------------------------------

    def _table_owner(self, entity_type: EntityType) -> EntityType:
        root = entity_type.root
        owner_name = SHARED_TABLES.get(root.name)
        if owner_name:
            return self.catalogue.get(owner_name)
        return root

    def _build_tables(self) -> None:
        groups: 'OrderedDict[str, List[EntityType]]' = OrderedDict()
        for entity_type in self.catalogue:
            owner = self._table_owner(entity_type)
            groups.setdefault(owner.name, []).append(entity_type)
        for owner_name, members in sorted(groups.items()):
            owner = self.catalogue.get(owner_name)
            table = Table(owner.internal_name.lower(), owner.name)
            if table.name in self.tables:
                raise RuntimeError('Table {0} defined twice.'.format(table.name))
            self.tables[table.name] = table
            members.sort(key=lambda member: (len(member.ancestors()), member.name))
            table.types = [member.name for member in members]
            self._build_columns(table, members)
            for member in members:
                layout = Layout(member, table)
                self.layouts[member.name] = layout
                for attribute in member.scalars():
                    reason = self._computed_reason(attribute)
                    if reason:
                        layout.computed[attribute.name] = reason
                    else:
                        layout.columns[attribute.name] = self._column_of[
                            (table.name, attribute.name)]
            table.primary_key = self.layouts[owner.name].primary_key_columns

    def _build_columns(self, table: Table, members: Sequence[EntityType]) -> None:
        # Union-find over public names and internal aliases: scalars that
        # share either one live in the same column.
        parent: Dict[Tuple[str, str], Tuple[str, str]] = {}

        def find(node: Tuple[str, str]) -> Tuple[str, str]:
            parent.setdefault(node, node)
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        def union(a: Tuple[str, str], b: Tuple[str, str]) -> None:
            parent[find(a)] = find(b)

        scalars: List[Attribute] = []
        for member in members:
            for attribute in member.scalars():
                if self._computed_reason(attribute):
                    continue
                scalars.append(attribute)
                union(('name', attribute.name),
                      ('alias', attribute.alias_for or attribute.name))
        groups: 'OrderedDict[Tuple[str, str], List[Attribute]]' = OrderedDict()
        for attribute in scalars:
            groups.setdefault(find(('name', attribute.name)), []).append(attribute)
        root_names = set(members[0].attributes) if members else set()
        for attributes in groups.values():
            names = sorted(
                {attribute.name for attribute in attributes},
                key=lambda name: (name not in root_names, name.startswith('_'), name),
            )
            data_types = {attribute.data_type for attribute in attributes}
            if len(data_types) > 1:
                raise RuntimeError(
                    'Attributes {0} of table {1} share a column but differ in '
                    'type: {2}.'.format(names, table.name, sorted(data_types)))
            data_type = data_types.pop()
            column = table.add_column(names[0], data_type)
            if data_type == 'variable':
                # The JSON kind of a variable value (a bool stored as 1 must
                # come back as true, a list as a list).
                table.add_column(kind_column(column.name), 'string', hidden=True)
            for name in names:
                column.attributes.append(name)
                self._column_of[(table.name, name)] = column.name

    @staticmethod
    def _computed_reason(attribute: Attribute) -> Optional[str]:
        if attribute.name in COMPUTED_SCALARS:
            return COMPUTED_SCALARS[attribute.name]
        if attribute.computed:
            return 'computed by the server on read'
        return None

    def _build_discriminators(self) -> None:
        for layout in self.layouts.values():
            entity_type = layout.entity_type
            root = entity_type.root.name
            name = entity_type.name
            if root == 'Context':
                if name == 'Context':
                    layout.abstract = True
                elif name == 'Project':
                    layout.condition = [('context_type', ('show',))]
                    layout.fixed = {'context_type': 'show'}
                elif name == 'TypedContext':
                    layout.condition = [('context_type', ('task',))]
                    layout.fixed = {'context_type': 'task'}
                else:
                    object_type_id = entity_type.classifiers['object_typeid']
                    layout.condition = [('object_type_id', (object_type_id,))]
                    layout.fixed = {
                        'context_type': 'task', 'object_type_id': object_type_id}
            elif root in ('Component', 'Resource') and name != root:
                column = 'system_type' if root == 'Component' else 'resource_type'
                value = {
                    'FileComponent': 'file', 'SequenceComponent': 'sequence',
                    'ContainerComponent': 'container', 'User': 'user',
                    'Group': 'group',
                }[name]
                layout.condition = [(column, (value,))]
                layout.fixed = {column: value}
            elif root == 'Resource':
                layout.abstract = True
            elif root == 'List' and name != 'List':
                value = entity_type.classifiers['entity']
                layout.condition = [('system_type', (value,))]
                layout.fixed = {'system_type': value}
            elif root in HIDDEN_DISCRIMINATOR_ROOTS:
                layout.table.add_column(TYPE_COLUMN, 'string', hidden=True)
                if name == root:
                    layout.abstract = root == 'CustomConfigurationBase'
                else:
                    layout.condition = [(TYPE_COLUMN, (name,))]
                    layout.fixed = {TYPE_COLUMN: name}
            elif root in ('CustomAttributeLink', 'CustomAttributeLinkFrom') \
                    and name != root:
                column = 'to_entity_type' if root == 'CustomAttributeLink' \
                    else 'from_entity_type'
                layout.table.add_column(column, 'string')
                target = self._link_target(entity_type)
                names = tuple(
                    [target.name] + [t.name for t in target.descendants()])
                layout.condition = [(column, names)]
            elif root == 'StatusChange' and name != root:
                value = 'task' if name == 'TypedContextStatusChange' \
                    else 'assetversion'
                layout.condition = [('parent_type', (value,))]
                layout.fixed = {'parent_type': value}

    def _link_target(self, entity_type: EntityType) -> EntityType:
        for attribute in entity_type.attributes.values():
            if attribute.kind == REFERENCE and attribute.name != 'configuration':
                return self.catalogue.get(attribute.target)
        raise RuntimeError('No typed relation on {0}.'.format(entity_type.name))

    def _build_references(self) -> None:
        for entity_type in self.catalogue:
            layout = self.layouts[entity_type.name]
            for attribute in entity_type.attributes.values():
                if attribute.kind != REFERENCE:
                    continue
                key = (entity_type.name, attribute.name)
                target = self.layouts[attribute.target]
                if key in COMPUTED_REFERENCES:
                    self.references[key] = Reference(
                        entity_type.name, attribute.name, attribute.target,
                        (), target.primary_key_columns,
                        computed=COMPUTED_REFERENCES[key])
                    continue
                columns = REFERENCE_OVERRIDES.get(key)
                if columns is None:
                    scalar = self._foreign_key_scalar(entity_type, attribute)
                    if scalar is None:
                        raise RuntimeError(
                            'No foreign key for reference {0}.{1}.'.format(*key))
                    if scalar.name in layout.computed:
                        # ReviewSession.thumbnail: its id is computed too.
                        self.references[key] = Reference(
                            entity_type.name, attribute.name, attribute.target,
                            (), target.primary_key_columns,
                            computed='follows computed {0}'.format(scalar.name))
                        continue
                    columns = (layout.columns[scalar.name],)
                else:
                    columns = tuple(
                        layout.columns.get(column, column) for column in columns)
                    for column in columns:
                        if column not in layout.table.columns:
                            layout.table.add_column(column, 'string', hidden=True)
                self.references[key] = Reference(
                    entity_type.name, attribute.name, attribute.target,
                    columns, target.primary_key_columns)

    @staticmethod
    def _foreign_key_scalar(entity_type: EntityType,
                            attribute: Attribute) -> Optional[Attribute]:
        candidates = []
        alias = attribute.alias_for
        for scalar in entity_type.scalars():
            if scalar.name == attribute.name + '_id':
                return scalar
            if alias and (scalar.name == alias + '_id' or
                          scalar.alias_for in (alias + 'id', alias + '_id')):
                candidates.append(scalar)
        return candidates[0] if len(candidates) == 1 else None
