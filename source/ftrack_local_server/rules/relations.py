"""Keeping both sides of relations consistent.

A reference is stored in foreign-key columns of its owner, so setting
``parent`` and setting ``parent_id`` are the same write (:func:`set_reference`
refuses a batch entry that gives both with different values).

A collection value means "the collection now contains exactly these"
(:func:`set_collection`):

* one to many: each new item gets the owner's key in its foreign-key
  columns (a note appended to ``task['notes']`` gets ``parent_id`` and
  ``parent_type``; a reply appended to ``note['replies']`` gets
  ``in_reply_to_id``; a member of a sequence gets ``container_id``), plus
  the collection's filter values (an appointment in ``assignments`` becomes
  of type ``assignment``); items no longer listed are detached when their
  foreign key may be empty, and kept otherwise (their own delete removes
  them; a typed context always keeps its parent);
* many to many: link rows are added and removed (``WorkflowSchemaStatus``,
  ``ListObject``, ``AssetVersionLink``, hidden link tables).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import errors
from .common import Entity
from .validation import check_mutable


def set_reference(entity: Entity, attribute: str, target: Optional[Entity],
                  supplied_columns: Dict[str, Any]) -> Dict[str, Any]:
    """Store reference *attribute* of *entity* pointing at *target* (None clears).

    *supplied_columns* are the scalar column values supplied in the same
    operation: a foreign key given there with another value is an error.
    Return the column values written (column -> new value).
    """
    reference = entity.model.reference(entity.type_name, attribute)
    values = target.key if target is not None else (None,) * len(reference.columns)
    written = {}
    for column, value in zip(reference.columns, values):
        if column in supplied_columns and supplied_columns[column] != value:
            raise errors.ValidationError(
                'Conflicting values for "{0}" of "{1}": the reference gives '
                '{2!r} but "{3}" is {4!r}.'.format(
                    attribute, entity.type_name, value, column,
                    supplied_columns[column]))
        written[column] = value
    return written


def _keeps_its_parent(item: Entity, name: str) -> bool:
    # A typed context belongs to a project through its parent chain, so it
    # is never detached: it moves to another parent or is deleted.
    return name == 'parent_id' and item.entity_type.is_a('TypedContext')


def set_collection(tx: Any, owner: Entity, attribute: str, items: List[Entity],
                   changes: Any) -> Tuple[List[Entity], List[Entity]]:
    """Make collection *attribute* of *owner* hold exactly *items*.

    *changes* is the batch's :class:`~ftrack_local_server.rules.changes.ChangeLog`.
    Return ``(added, removed)`` items. Raise ValidationError for an item of
    the wrong type, PermissionError when an item's owner may not change.
    """
    collection = tx.model.collection(owner.type_name, attribute)
    for item in items:
        if not item.entity_type.is_a(collection.target) and not \
                tx.model.catalogue.get(collection.target).is_a(item.entity_type):
            raise errors.ValidationError(
                'Collection "{0}" of "{1}" holds "{2}" entities, not {3}.'.format(
                    attribute, owner.type_name, collection.target, item.describe()))
    if collection.kind == 'many_to_many':
        return _set_links(tx, owner, collection, items, changes)
    return _set_owned(tx, owner, collection, items, changes)


def _current_items(tx: Any, owner: Entity, collection: Any) -> List[Entity]:
    where = dict(zip(collection.item_columns, owner.key))
    where.update(collection.filters)
    table = tx.model.table(collection.target)
    rows = tx.select(table.name, where)
    root = table.root or collection.target
    found = []
    for row in rows:
        item = Entity.from_row(tx.model, root, row)
        if item.entity_type.is_a(collection.target):
            found.append(item)
    return found


def _set_owned(tx: Any, owner: Entity, collection: Any, items: List[Entity],
               changes: Any) -> Tuple[List[Entity], List[Entity]]:
    from .hierarchy import check_parent, forget_chains, reparented
    current = _current_items(tx, owner, collection)
    wanted = {item.identity for item in items}
    present = {item.identity for item in current}
    added = []
    for item in items:
        new_values = dict(zip(collection.item_columns, owner.key))
        new_values.update(collection.filters)
        if collection.type_column and item.has('parent_type'):
            new_values[collection.type_column] = owner.type_name
        if all(item.values.get(column) == value
               for column, value in new_values.items()):
            continue
        for column in collection.item_columns:
            name = item.attribute_of(column)
            if name in item.layout.columns:
                check_mutable(item, name, {column: new_values[column]})
        if 'parent_id' in collection.item_columns and \
                item.entity_type.is_a('Context'):
            check_parent(tx, item, owner.key[0])
        old = dict(item.values)
        item.values.update(new_values)
        tx.update(item.table, item.key_where, new_values)
        forget_chains(tx)
        if 'parent_id' in collection.item_columns:
            reparented(tx, item)
        changes.updated(item, old)
        if item.identity not in present:
            added.append(item)
    removed = []
    if not collection.mapped:
        for item in current:
            if item.identity in wanted:
                continue
            names = [item.attribute_of(c) for c in collection.item_columns]
            detachable = all(
                name in item.layout.columns and
                name not in item.entity_type.required and
                name not in item.entity_type.primary_key and
                not item.entity_type.attribute(name).immutable and
                not _keeps_its_parent(item, name)
                for name in names)
            if not detachable:
                continue
            old = dict(item.values)
            cleared = {column: None for column in collection.item_columns}
            item.values.update(cleared)
            tx.update(item.table, item.key_where, cleared)
            changes.updated(item, old)
            removed.append(item)
    return added, removed


def _set_links(tx: Any, owner: Entity, collection: Any, items: List[Entity],
               changes: Any) -> Tuple[List[Entity], List[Entity]]:
    from .cascade import delete_entities
    from .custom_attributes import create_values_for_entity
    from .defaults import derive, fill_defaults
    from .values import Supplied
    where = dict(zip(collection.link_owner_columns, owner.key))
    rows = tx.select(collection.link_table, where)
    current: Dict[Tuple[Any, ...], Any] = {}
    for row in rows:
        current[tuple(row[c] for c in collection.link_item_columns)] = row
    wanted = [item.key for item in items]
    added, removed = [], []
    for item in items:
        if item.key in current:
            continue
        values = dict(where)
        values.update(zip(collection.link_item_columns, item.key))
        if collection.link_type:
            link = Entity(tx.model, collection.link_type, values)
            fill_defaults(link, Supplied(collection.link_type))
            derive(tx, changes.context_user, link)
            tx.insert(link.table, link.values)
            create_values_for_entity(tx, link)
            changes.added(link)
        else:
            tx.insert(collection.link_table, values)
        added.append(item)
    by_key = {item.key: item for item in items}
    stale = [key for key in current if key not in set(wanted)]
    for key in stale:
        row = current[key]
        if collection.link_type:
            link = Entity.from_row(tx.model, collection.link_type, row)
            delete_entities(tx, [link], changes)
        else:
            tx.delete(collection.link_table, dict(
                list(where.items()) + list(zip(collection.link_item_columns, key))))
        removed.append(by_key.get(key))
    return added, [item for item in removed if item is not None]
