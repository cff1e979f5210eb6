"""The parts of the storage layout: columns, tables, and how each type,
reference and collection is stored. :class:`ftrack_local_server.model.Model`
builds them from the schema; see that module for how.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple

from .schema import EntityType


class Column:
    """One SQL column: *name*, *data_type* (schema scalar type or
    ``datetime``), *hidden* (no public attribute) and the public
    *attributes* stored in it."""

    __slots__ = ('name', 'data_type', 'hidden', 'attributes')

    def __init__(self, name: str, data_type: str, hidden: bool = False) -> None:
        self.name = name
        self.data_type = data_type
        self.hidden = hidden
        self.attributes: List[str] = []

    @property
    def sql_type(self) -> str:
        """The column's SQLite affinity."""
        return {
            'integer': 'INTEGER',
            'number': 'NUMERIC',
            'boolean': 'INTEGER',
            'string': 'TEXT',
            'datetime': 'TEXT',
            'object': 'TEXT',
        }.get(self.data_type, '')

    def __repr__(self) -> str:
        return '<Column {0} {1}>'.format(self.name, self.data_type)


class Table:
    """One SQL table: *name*, the family *root* type name, the *types*
    stored in it, its *columns* (name -> :class:`Column`, in creation
    order) and *primary_key* columns. *is_link* is true for hidden
    many-to-many tables that no schema type describes."""

    def __init__(self, name: str, root: Optional[str], is_link: bool = False) -> None:
        self.name = name
        self.root = root
        self.is_link = is_link
        self.types: List[str] = []
        self.columns: 'OrderedDict[str, Column]' = OrderedDict()
        self.primary_key: Tuple[str, ...] = ()
        self.indexes: List[Tuple[str, ...]] = []

    def add_column(self, name: str, data_type: str, hidden: bool = False) -> Column:
        """Return column *name*, creating it with *data_type* if new."""
        column = self.columns.get(name)
        if column is None:
            column = Column(name, data_type, hidden)
            self.columns[name] = column
        return column

    def __repr__(self) -> str:
        return '<Table {0}>'.format(self.name)


class Layout:
    """Where one entity type is stored.

    *table* is its :class:`Table`; *columns* maps each stored scalar
    attribute name to its column; *computed* maps each scalar computed on
    read (no column: ``link``, ``thumbnail_url``, ``time_logged``, ...) to
    what it is; *condition* is a list of ``(column, values)``
    every row of this type or a subtype satisfies (empty: every row of
    the table); *fixed* the discriminator values written on insert; and
    *abstract* is true for types no row is created as directly.
    """

    def __init__(self, entity_type: EntityType, table: Table) -> None:
        self.entity_type = entity_type
        self.name = entity_type.name
        self.table = table
        self.columns: Dict[str, str] = {}
        self.condition: List[Tuple[str, Tuple[Any, ...]]] = []
        self.fixed: Dict[str, Any] = {}
        self.abstract = False
        self.computed: Dict[str, str] = {}

    @property
    def primary_key_columns(self) -> Tuple[str, ...]:
        """Columns of the primary-key attributes, in key order."""
        return tuple(self.columns[name] for name in self.entity_type.primary_key)

    def __repr__(self) -> str:
        return '<Layout {0} in {1}>'.format(self.name, self.table.name)


class Reference:
    """How reference *name* of type *owner* is stored.

    *columns* are the owner-table columns holding the target's key, in the
    order of *target_columns*, the target table's primary-key columns.
    *computed* is a reason string when the value is computed on read
    (then the columns are empty).
    """

    def __init__(self, owner: str, name: str, target: str,
                 columns: Tuple[str, ...], target_columns: Tuple[str, ...],
                 computed: Optional[str] = None) -> None:
        self.owner = owner
        self.name = name
        self.target = target
        self.columns = columns
        self.target_columns = target_columns
        self.computed = computed

    def __repr__(self) -> str:
        return '<Reference {0}.{1} -> {2} via {3}>'.format(
            self.owner, self.name, self.target, self.columns)


class Collection:
    """How collection (or mapped collection) *name* of type *owner* is stored.

    *kind* is ``'one_to_many'``, ``'many_to_many'`` or ``'computed'``.

    One to many: items of type *target* whose *item_columns* equal the
    owner's *owner_columns* (its primary-key columns) and whose *filters*
    (column -> value) match. *inverse* names the item's reference that
    points back (``parent`` for ``children``), if any; *type_column* is an
    item column that receives the owner's type name when the item joins
    the collection (``parent_type`` of notes and metadata).

    Many to many: rows of *link_table* (a table name; *link_type* is the
    schema type describing the rows, or None for a hidden table) whose
    *link_owner_columns* equal the owner's *owner_columns* and whose
    *link_item_columns* equal the item's *item_key_columns*.

    Computed: *computed* says what the value is.
    """

    def __init__(self, owner: str, name: str, target: str, kind: str) -> None:
        self.owner = owner
        self.name = name
        self.target = target
        self.kind = kind
        self.mapped = False
        self.owner_columns: Tuple[str, ...] = ()
        self.item_columns: Tuple[str, ...] = ()
        self.filters: Dict[str, Any] = {}
        self.inverse: Optional[str] = None
        self.type_column: Optional[str] = None
        self.link_table: Optional[str] = None
        self.link_type: Optional[str] = None
        self.link_owner_columns: Tuple[str, ...] = ()
        self.link_item_columns: Tuple[str, ...] = ()
        self.item_key_columns: Tuple[str, ...] = ()
        self.computed: Optional[str] = None

    def __repr__(self) -> str:
        if self.kind == 'many_to_many':
            detail = 'via {0}'.format(self.link_table)
        elif self.kind == 'one_to_many':
            detail = 'via {0}'.format(self.item_columns)
        else:
            detail = 'computed'
        return '<Collection {0}.{1} -> {2} {3}>'.format(
            self.owner, self.name, self.target, detail)


def kind_column(column: str) -> str:
    """Return the hidden column holding the JSON kind of variable *column*."""
    return '_ls_{0}_kind'.format(column)


def quote(identifier: str) -> str:
    """Return *identifier* quoted for SQL."""
    return '"{0}"'.format(identifier.replace('"', '""'))
