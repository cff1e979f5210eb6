"""Shared pieces of the write rules: stored entities and small helpers."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .. import encoding, errors
from ..model import Model

Key = Tuple[Any, ...]


def entity_id(key: Sequence[Any]) -> Any:
    """Return the ``entityId`` of change records for primary key *key*.

    The id itself for single keys; composite keys (``Metadata``,
    ``WorkflowSchemaStatus``, ...) are joined with commas so that every
    ``entityId`` is a plain, hashable value.
    """
    if len(key) == 1:
        return key[0]
    return ','.join(str(value) for value in key)


def describe_key(type_name: str, key: Sequence[Any]) -> str:
    """Return ``Type(key, ...)`` for messages."""
    return '{0}({1})'.format(type_name, ', '.join(str(value) for value in key))


class Entity:
    """One stored entity: its concrete *type_name* and column *values*.

    Built from a stored row (:meth:`from_row`) or for a new entity. The
    values are a mutable copy; writing them back is the caller's job.
    """

    def __init__(self, model: Model, type_name: str, values: Dict[str, Any]) -> None:
        self.model = model
        self.type_name = type_name
        self.layout = model.layout(type_name)
        self.entity_type = self.layout.entity_type
        self.values = values

    @classmethod
    def from_row(cls, model: Model, type_name: str, row: Mapping[str, Any]) -> 'Entity':
        """Return the entity of stored *row*, found through type *type_name*.

        The concrete type is worked out from the row's discriminators.
        """
        values = {key: row[key] for key in row.keys() if key != 'rowid'}
        return cls(model, model.concrete_type(type_name, values), values)

    @property
    def table(self) -> str:
        """Name of the table storing the entity."""
        return self.layout.table.name

    @property
    def key(self) -> Key:
        """Primary-key values, in key order."""
        return tuple(self.values.get(c) for c in self.layout.primary_key_columns)

    @property
    def key_where(self) -> Dict[str, Any]:
        """Column -> value mapping selecting this entity's row."""
        return dict(zip(self.layout.primary_key_columns, self.key))

    @property
    def identity(self) -> Tuple[str, Key]:
        """``(table, key)``: what identifies the stored row."""
        return self.table, self.key

    def get(self, attribute: str) -> Any:
        """Return the stored value of scalar *attribute* (None if unset)."""
        column = self.layout.columns.get(attribute)
        return self.values.get(column) if column else None

    def wire(self, attribute: str) -> Any:
        """Return the wire value of scalar *attribute*."""
        return encoding.scalar_value(self.model, self.type_name, attribute, self.values)

    def attribute_of(self, column: str) -> str:
        """Return the (first) scalar attribute stored in *column*, or *column* itself."""
        for name, candidate in self.layout.columns.items():
            if candidate == column:
                return name
        return column

    def has(self, attribute: str) -> bool:
        """Return whether the type has a stored scalar *attribute*."""
        return attribute in self.layout.columns

    def reference(self) -> Dict[str, Any]:
        """Return the wire entity reference."""
        return encoding.entity_reference(self.model, self.type_name, self.key)

    def describe(self) -> str:
        """Return ``Type(key)`` for messages."""
        return describe_key(self.type_name, self.key)

    def __repr__(self) -> str:
        return '<Entity {0}>'.format(self.describe())


def load(tx: Any, type_name: str, key: Sequence[Any]) -> Optional[Entity]:
    """Return the stored entity of *type_name* (or a subtype) with *key*, or None."""
    row = tx.load(type_name, key)
    if row is None:
        return None
    return Entity.from_row(tx.model, type_name, row)


def project_id_of(tx: Any, context_id: Any) -> Optional[str]:
    """Return the project id of context *context_id* (itself for a project)."""
    if context_id is None:
        return None
    context = load(tx, 'Context', (context_id,))
    if context is None:
        return None
    if context.type_name == 'Project':
        return context.key[0]
    return context.get('project_id')


def asset_project_id(tx: Any, asset_id: Any) -> Optional[str]:
    """Return the project id of asset *asset_id* (through its context)."""
    if asset_id is None:
        return None
    asset = load(tx, 'Asset', (asset_id,))
    return project_id_of(tx, asset.get('context_id')) if asset is not None else None


def load_by_id(tx: Any, type_names: Iterable[str], identifier: Any) -> Optional[Entity]:
    """Return the entity with primary key ``(identifier,)`` among *type_names*.

    Tables shared by several of the types are searched once. Used for
    polymorphic links that store only an id (``Note.parent_id``).
    """
    seen = set()
    for type_name in type_names:
        table = tx.model.table(type_name).name
        if table in seen:
            continue
        seen.add(table)
        root = tx.model.tables[table].root or type_name
        if len(tx.model.key_columns(root)) != 1:
            continue
        entity = load(tx, root, (identifier,))
        if entity is not None and entity.entity_type.is_a(type_name):
            return entity
        if entity is not None:
            for candidate in type_names:
                if entity.entity_type.is_a(candidate):
                    return entity
    return None


def owners_of(model: Model, attribute_name: str) -> List[str]:
    """Return the names of the types having relation *attribute_name*, roots first."""
    names = [t.name for t in model.catalogue
             if t.has_attribute(attribute_name) and
             t.attribute(attribute_name).is_many]
    names.sort(key=lambda name: len(model.catalogue.get(name).ancestors()))
    return names


def key_from_reference(model: Model, value: Any, attribute: str,
                       owner_type: str) -> Tuple[str, Key]:
    """Return ``(type, key)`` of wire entity reference *value*.

    Raise ValidationError naming *attribute* of *owner_type* when *value*
    is not a reference with every primary-key field of a known type.
    """
    if not encoding.is_entity_reference(value):
        raise errors.ValidationError(
            'Value {0} for "{1}" of "{2}" must be an entity reference '
            '({{"__entity_type__": ..., <primary key>}}).'.format(
                errors.excerpt(value), attribute, owner_type))
    type_name = value['__entity_type__']
    entity_type = model.catalogue.find(type_name) if isinstance(type_name, str) else None
    if entity_type is None:
        raise errors.ValidationError(
            'Unknown entity type "{0}" in the value of "{1}" of "{2}".'.format(
                type_name, attribute, owner_type))
    key = []
    for name in entity_type.primary_key:
        if name not in value or value[name] is None:
            raise errors.ValidationError(
                'Reference {0} for "{1}" of "{2}" lacks primary key "{3}".'.format(
                    errors.excerpt(value), attribute, owner_type, name))
        key.append(stored_key_value(model, type_name, name, value[name]))
    return type_name, tuple(key)


def stored_key_value(model: Model, type_name: str, name: str, value: Any) -> Any:
    """Return the stored form of *value*, given for primary-key attribute *name* of *type_name*.

    Raise ValidationError naming the attribute, type and value when it
    does not fit the attribute.
    """
    definition = model.catalogue.attribute(type_name, name)
    column = model.column(type_name, name)
    return encoding.storage_values(
        type_name, definition, column, coerce_key_value(definition.data_type, value))[column]


def coerce_key_value(data_type: Optional[str], value: Any) -> Any:
    """Return key *value* (clients send key values as strings) in its type."""
    if isinstance(value, str) and data_type in ('integer', 'number'):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value

