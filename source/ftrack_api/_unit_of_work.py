"""The unit of work: recorded operations, entity states and commits.

Changes are recorded as operations (protocol §5.1); :meth:`UnitOfWork.commit`
turns them into one optimised batch (§5.2), sends it and clears the local
state (§5.3). The entities holding local values are tracked as they change,
so the cost of a commit follows what changed, not what is cached.
"""

from __future__ import annotations

import collections
import logging

import ftrack_api._encoding
import ftrack_api._gc
import ftrack_api.inspection
import ftrack_api.operation
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET
CREATED = ftrack_api.symbol.CREATED
MODIFIED = ftrack_api.symbol.MODIFIED
DELETED = ftrack_api.symbol.DELETED

logger = logging.getLogger(__name__)


class OperationPayload(dict):
    """Represent operation payload: one operation of a batch sent to the server."""


def _identity(payload):
    return (payload['entity_type'], tuple(payload['entity_key']))


def payload_for(operation):
    """Return the :class:`OperationPayload` of a recorded *operation*."""
    entity_type = operation.entity_type
    entity_key = list(operation.entity_key.values())

    if isinstance(operation, ftrack_api.operation.CreateEntityOperation):
        entity_data = {'__entity_type__': entity_type}
        entity_data.update(operation.entity_key)
        entity_data.update(operation.entity_data)
        return OperationPayload(
            action='create', entity_type=entity_type, entity_key=entity_key,
            entity_data=entity_data,
        )

    if isinstance(operation, ftrack_api.operation.UpdateEntityOperation):
        return OperationPayload(
            action='update', entity_type=entity_type, entity_key=entity_key,
            entity_data={
                '__entity_type__': entity_type,
                operation.attribute_name: operation.new_value,
            },
        )

    if isinstance(operation, ftrack_api.operation.DeleteEntityOperation):
        return OperationPayload(
            action='delete', entity_type=entity_type, entity_key=entity_key,
        )

    raise ValueError('Cannot build a payload for operation {0!r}.'.format(operation))


def optimise(payloads):
    """Return *payloads* optimised exactly as protocol §5.2 describes.

    In order: drop every payload of entities both created and deleted;
    keep only the last update of each attribute; drop NOT_SET values; drop
    payloads left with no data; merge an update into the directly preceding
    create or update of the same entity. *payloads* (mappings with
    ``action``, ``entity_type``, ``entity_key`` and, except for deletes,
    ``entity_data``) are modified in place.
    """
    entries = [(_identity(payload), payload) for payload in payloads]

    created = set()
    deleted = set()
    for identity, payload in entries:
        action = payload['action']
        if action == 'create':
            created.add(identity)
        elif action == 'delete':
            deleted.add(identity)
    dropped = created & deleted
    if dropped:
        entries = [entry for entry in entries if entry[0] not in dropped]

    seen = set()
    for identity, payload in reversed(entries):
        if payload['action'] != 'update':
            continue
        entity_data = payload['entity_data']
        for name in list(entity_data):
            if name == '__entity_type__':
                continue
            marker = (identity, name)
            if marker in seen:
                del entity_data[name]
            else:
                seen.add(marker)

    result = []
    previous_identity = None
    for identity, payload in entries:
        entity_data = payload.get('entity_data')
        if entity_data is not None:
            unset = None
            for name, value in entity_data.items():
                if value is NOT_SET:
                    if unset is None:
                        unset = []
                    unset.append(name)
            if unset:
                for name in unset:
                    del entity_data[name]
            if len(entity_data) == 0 or (
                len(entity_data) == 1 and '__entity_type__' in entity_data
            ):
                continue
        if (
            result
            and payload['action'] == 'update'
            and previous_identity == identity
            and result[-1]['action'] in ('create', 'update')
        ):
            result[-1]['entity_data'].update(entity_data)
            continue
        result.append(payload)
        previous_identity = identity
    return result


_PLAIN_TYPES = frozenset([str, int, float, bool, type(None)])


def to_wire(payloads):
    """Return *payloads* with entity values replaced by references."""
    to_wire_value = ftrack_api._encoding.to_wire_value
    plain = _PLAIN_TYPES
    for payload in payloads:
        entity_data = payload.get('entity_data')
        if entity_data:
            payload['entity_data'] = {
                name: value if value.__class__ in plain else to_wire_value(value)
                for name, value in entity_data.items()
            }
    return payloads


class UnitOfWork(object):
    """Recorded operations, entity states and dirty entities of a session."""

    def __init__(self, session):
        self.session = session
        self.operations = ftrack_api.operation.Operations()
        #: Identity key -> (entity, state) for entities with operations.
        self._states = {}
        #: ``id(entity)`` -> entity for entities holding local values.
        self._dirty = {}

    # Tracking.
    def mark_dirty(self, entity):
        """Remember that *entity* holds local values."""
        self._dirty[id(entity)] = entity

    def state_of(self, entity):
        """Return the state of *entity* (NOT_SET when nothing is recorded)."""
        if not self._states:
            return NOT_SET
        entry = self._states.get(entity._identity_key())
        if entry is None:
            return NOT_SET
        return entry[1]

    def _set_state(self, entity, state, key=None):
        if key is None:
            key = entity._identity_key()
        entry = self._states.get(key)
        current = NOT_SET if entry is None else entry[1]
        if state is MODIFIED and current is not NOT_SET:
            return
        self._states[key] = (entity, state)

    def entities_in_state(self, state):
        """Return the entities whose state is *state*, in recording order."""
        return [entity for entity, current in self._states.values() if current is state]

    # Recording.
    def _recording(self):
        return self.session.record_operations

    @staticmethod
    def _key_and_primary_key(entity):
        values = entity._primary_key_strings()
        key = entity.session._make_key((entity.entity_type, values))
        return key, collections.OrderedDict(
            zip(entity.primary_key_attributes, values)
        )

    def record_create(self, entity, entity_data):
        """Record the creation of *entity* with initial *entity_data*."""
        if not self._recording():
            return
        key, primary_key = self._key_and_primary_key(entity)
        self.operations._stack.append(ftrack_api.operation.CreateEntityOperation(
            entity.entity_type, primary_key, entity_data,
        ))
        self._states[key] = (entity, CREATED)

    def record_update(self, entity, name, old_value, new_value):
        """Record that attribute *name* of *entity* changed."""
        if not self._recording():
            return
        key, primary_key = self._key_and_primary_key(entity)
        self.operations._stack.append(ftrack_api.operation.UpdateEntityOperation(
            entity.entity_type, primary_key, name, old_value, new_value,
        ))
        if key not in self._states:
            self._states[key] = (entity, MODIFIED)

    def record_delete(self, entity):
        """Record the deletion of *entity*."""
        if not self._recording():
            return
        self.operations.push(ftrack_api.operation.DeleteEntityOperation(
            entity.entity_type, ftrack_api.inspection.primary_key(entity),
        ))
        self._set_state(entity, DELETED)

    # Committing.
    def build_batch(self):
        """Return the optimised batch of payloads for the recorded operations.

        Entity values are replaced by references; the result is ready for
        :meth:`Session.call`-style encoding.
        """
        payloads = [payload_for(operation) for operation in self.operations._stack]
        return to_wire(optimise(payloads))

    def commit(self):
        """Send the recorded operations in one batch and clear local state.

        On success the operations, states and local values are cleared and
        the server's answers (already merged while decoding) are the remote
        values. When sending fails the error propagates and everything
        recorded is kept (call :meth:`rollback` to discard it).
        """
        session = self.session
        with session._lock:
            with ftrack_api._gc.paused():
                batch = self.build_batch()
            if batch:
                session._call(batch)
            self._clear_after_commit()

    def _clear_after_commit(self):
        self.operations.clear()
        dirty = list(self._dirty.values())
        self._dirty = {}
        self._states = {}
        for entity in dirty:
            entity._local.clear()

    def rollback(self):
        """Discard recorded operations and local values.

        Entities created and not yet committed are removed from the
        session's cache.
        """
        session = self.session
        with session._lock:
            for key, (entity, state) in list(self._states.items()):
                if state is CREATED:
                    session._forget(key)
            self._clear_after_commit()

    def discard_entity(self, entity):
        """Forget every operation and local value recorded for *entity*."""
        session = self.session
        with session._lock:
            key = entity._identity_key()
            identity = (entity.entity_type, tuple(entity._primary_key_strings()))
            kept = []
            for operation in self.operations._stack:
                operation_identity = (
                    operation.entity_type, tuple(operation.entity_key.values())
                )
                if operation_identity != identity:
                    kept.append(operation)
            self.operations._stack[:] = kept
            entry = self._states.pop(key, None)
            if entry is not None and entry[1] is CREATED:
                session._forget(key)
            entity._local.clear()
            self._dirty.pop(id(entity), None)
