"""Checks a write must pass: required values, immutability, uniqueness.

Messages name the type, the attribute and the offending value so that a
user can act on them.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional

from .. import errors
from ..schema import REFERENCE
from .common import Entity, describe_key


def _reference_for_column(entity: Entity, attribute: str) -> str:
    """Return the public name to report for a missing required scalar.

    A missing foreign key is reported with its reference too
    (``"status_id" (status)``) since clients usually set the reference.
    """
    column = entity.layout.columns.get(attribute)
    for name, definition in entity.entity_type.attributes.items():
        if definition.kind != REFERENCE:
            continue
        reference = entity.model.reference(entity.type_name, name)
        if reference.columns == (column,):
            return '"{0}" ({1})'.format(attribute, name)
    return '"{0}"'.format(attribute)


#: Attributes a type needs although the schema does not list them as
#: required: a custom attribute configuration without a type, key or
#: entity type could hold no value.
ALSO_REQUIRED = {
    'CustomAttributeConfiguration': ('type_id', 'key', 'entity_type'),
}


def missing_required(entity: Entity, exempt: Iterable[str] = (),
                     only: Optional[Iterable[str]] = None) -> List[str]:
    """Return the required attributes *entity* lacks, as named in messages.

    Only stored scalars are checked (required relations are checked
    through their foreign keys); names in *exempt* are skipped, and with
    *only* just those names are checked.
    """
    exempt = set(exempt)
    wanted = None if only is None else set(only)
    missing: List[str] = []
    required = list(entity.entity_type.required) + [
        name for name in ALSO_REQUIRED.get(entity.type_name, ())
        if name not in entity.entity_type.required]
    for name in required:
        if name in exempt or name not in entity.layout.columns:
            continue
        if wanted is not None and name not in wanted:
            continue
        if entity.values.get(entity.layout.columns[name]) is None:
            missing.append(_reference_for_column(entity, name))
    return missing


def check_required(entity: Entity, exempt: Iterable[str] = (),
                   action: str = 'create', only: Optional[Iterable[str]] = None) -> None:
    """Raise ValidationError listing the required attributes *entity* lacks.

    *exempt* and *only* are as for :func:`missing_required`; *action*
    (``create`` or ``update``) is the write the message names.
    """
    missing = missing_required(entity, exempt, only)
    if missing:
        raise errors.ValidationError(
            'Cannot {0} {1}: missing required attribute{2} {3}.'.format(
                action, entity.describe(), 's' if len(missing) > 1 else '',
                ', '.join(missing)))


def check_mutable(entity: Entity, attribute: str, new_columns: dict) -> None:
    """Refuse to change immutable *attribute* of stored *entity*.

    An immutable attribute may still be given a first value while it is
    empty (the Python client allows that too) or be re-sent unchanged.
    *new_columns* maps the attribute's column(s) to the new stored values.
    Raise :class:`~ftrack_local_server.errors.PermissionError_`.
    """
    definition = entity.entity_type.attribute(attribute)
    is_key = attribute in entity.entity_type.primary_key
    if not (definition.immutable or is_key):
        return
    changed = False
    empty = True
    for column, value in new_columns.items():
        current = entity.values.get(column)
        if current is not None:
            empty = False
        if current != value:
            changed = True
    if not changed or (empty and not is_key):
        return
    raise errors.PermissionError_(
        'Cannot set immutable attribute "{0}" of {1} to {2}.'.format(
            attribute, entity.describe(),
            errors.excerpt(list(new_columns.values())[0]
                              if len(new_columns) == 1 else list(new_columns.values()))))


def check_new_identity(tx: Any, entity: Entity) -> None:
    """Raise DuplicateEntryError when an entity with *entity*'s key exists."""
    existing = tx.select_one(entity.table, entity.key_where)
    if existing is not None:
        existing_type = tx.model.concrete_type(
            tx.model.tables[entity.table].root or entity.type_name, existing)
        raise errors.DuplicateEntryError(
            'Cannot create {0}: {1} already exists.'.format(
                entity.describe(), describe_key(existing_type, entity.key)))


#: Values that must be unique among entities of a type (besides the key):
#: type -> tuples of attributes. Typed contexts are unique by name among
#: their siblings whatever their type, assets by name and type within their
#: parent, versions by number within their asset, lists by name within
#: their project and custom attribute keys within what they apply to, as
#: on a real server; the rest are names a real server keeps unique.
UNIQUE = {
    'Project': (('name',),),
    'User': (('username',),),
    'Timer': (('user_id',),),
    'Location': (('name',),),
    'TypedContext': (('parent_id', 'name'),),
    'Asset': (('context_id', 'type_id', 'name'),),
    'AssetVersion': (('asset_id', 'version'),),
    'List': (('project_id', 'name'),),
    'CustomAttributeConfiguration': (('entity_type', 'object_type_id', 'key'),),
    'ObjectType': (('name',),),
    'SecurityRole': (('name',),),
}

#: Attributes of :data:`UNIQUE` whose null is a value like any other (a
#: configuration for every object type has no object type).
MATCH_NULL = {('CustomAttributeConfiguration', 'object_type_id')}


def check_unique(tx: Any, entity: Entity) -> None:
    """Raise DuplicateEntryError when *entity* repeats a unique value of its type."""
    for type_name, groups in UNIQUE.items():
        if not entity.entity_type.is_a(type_name):
            continue
        for attributes in groups:
            where = {entity.layout.columns[name]: entity.get(name)
                     for name in attributes}
            if any(value is None and (type_name, name) not in MATCH_NULL
                   for name, value in zip(attributes, where.values())):
                continue
            condition, params = tx.model.type_condition(type_name)
            clause = ' AND '.join('"{0}" IS ?'.format(column) for column in where)
            sql = 'SELECT rowid, * FROM "{0}" WHERE {1} AND {2} AND NOT ({3}) LIMIT 1'.format(
                entity.table, clause, condition,
                ' AND '.join('"{0}" IS ?'.format(column)
                             for column in entity.layout.primary_key_columns))
            row = tx.query_one(sql, list(where.values()) + params + list(entity.key))
            if row is not None:
                if type_name == 'Timer':
                    message = ('User {0} already has a running timer; stop it '
                               'before starting another.').format(entity.get('user_id'))
                else:
                    existing = Entity.from_row(
                        tx.model, tx.model.tables[entity.table].root or type_name, row)
                    message = 'A {0} with {1} already exists: {2}.'.format(
                        type_name, ' and '.join(
                            '{0} {1}'.format(name, errors.excerpt(entity.get(name)))
                            for name in attributes), existing.describe())
                raise errors.DuplicateEntryError(message)
