"""Change records: what a batch added, updated and removed.

Each record has the shape of one entity of an ``ftrack.update`` event
(protocol §8.12)::

    {"action": "add" | "update" | "remove",
     "entityId": <id>, "entityType": <legacy table name: task, show, ...>,
     "entity_type": <schema type>, "objectTypeId": <typed contexts, else None>,
     "parentId": <parent id or None>, "keys": [<changed attributes>],
     "changes": {<attribute>: {"old": <wire value>, "new": <wire value>}},
     "parents": [{"entityId", "entityType", "entity_type", "parentId"}, ...]}

``keys`` and ``changes`` name attributes as a real server does: by their
internal name (the schema's ``alias_for``, e.g. ``statusid`` for
``status_id``, ``typeid`` for ``type_id``), which is what event plugins
written for ftrack test (``'statusid' in entity['keys']``); attributes
without an alias keep their public name (``name``, ``description``).
Custom attribute changes are named by the attribute's key.

``parents`` lists the entity itself and its ancestors up to the project.
Records are appended to ``context.changes``; the event server publishes
them once the batch has been committed. Several updates of one entity in
one batch are merged into one record.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .common import Entity, entity_id
from .hierarchy import chain, object_type_id, parent_of


def event_key(catalogue: Any, type_name: str, name: str) -> str:
    """Return the name ``ftrack.update`` events use for attribute *name*."""
    entity_type = catalogue.get(type_name)
    if not entity_type.has_attribute(name):
        # Not a schema attribute (a custom attribute key): keep it.
        return name
    alias = entity_type.attribute(name).alias_for
    return alias if isinstance(alias, str) and alias else name


def _wire_values(entity: Entity) -> Dict[str, Any]:
    values = {}
    for name in entity.layout.columns:
        value = entity.wire(name)
        if value is not None:
            values[name] = value
    return values


class ChangeLog:
    """Collects change records of one batch into *records* (a list).

    *user* is the batch's authenticated user mapping.
    """

    def __init__(self, tx: Any, records: List[Dict[str, Any]],
                 user: Optional[Dict[str, Any]] = None) -> None:
        self.tx = tx
        self.records = records
        #: The authenticated user of the batch (rules stamp it on new rows).
        self.context_user = user or {}
        self._updates: Dict[Any, Dict[str, Any]] = {}

    def _record(self, action: str, entity: Entity,
                changes: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
        parent_id, _ = parent_of(self.tx, entity)
        changes = {event_key(self.tx.model.catalogue, entity.type_name, name): change
                   for name, change in changes.items()}
        key = entity.key
        record = {
            'action': action,
            'entityId': entity_id(key),
            'entityType': self.tx.model.legacy_name(entity.type_name),
            'entity_type': entity.type_name,
            'objectTypeId': object_type_id(entity),
            'parentId': parent_id,
            'keys': list(changes),
            'changes': changes,
            'parents': chain(self.tx, entity),
        }
        self.records.append(record)
        return record

    def added(self, entity: Entity) -> None:
        """Record that *entity* was created (its set values as changes)."""
        changes = {name: {'old': None, 'new': value}
                   for name, value in _wire_values(entity).items()}
        self._record('add', entity, changes)

    def updated(self, entity: Entity, old: Dict[str, Any],
                names: Optional[List[str]] = None) -> None:
        """Record that *entity* changed from stored column values *old*.

        *names* limits the attributes compared (default: every stored
        scalar). Nothing is recorded when no value changed.
        """
        before = Entity(entity.model, entity.type_name, old)
        changes = {}
        for name in names if names is not None else list(entity.layout.columns):
            if name not in entity.layout.columns:
                continue
            old_value, new_value = before.wire(name), entity.wire(name)
            if old_value != new_value:
                changes[name] = {'old': old_value, 'new': new_value}
        self.changed(entity, changes)

    def changed(self, entity: Entity, changes: Dict[str, Dict[str, Any]]) -> None:
        """Record *changes* (attribute -> {old, new}) of *entity*, merging repeats."""
        if not changes:
            return
        identity = entity.identity
        record = self._updates.get(identity)
        if record is None or record not in self.records:
            self._updates[identity] = self._record('update', entity, dict(changes))
            return
        for name, change in changes.items():
            name = event_key(self.tx.model.catalogue, entity.type_name, name)
            if name in record['changes']:
                record['changes'][name]['new'] = change['new']
            else:
                record['changes'][name] = change
                record['keys'].append(name)

    def removed(self, entity: Entity) -> None:
        """Record that *entity* was deleted (its last values as changes)."""
        changes = {name: {'old': value, 'new': None}
                   for name, value in _wire_values(entity).items()}
        self._record('remove', entity, changes)

