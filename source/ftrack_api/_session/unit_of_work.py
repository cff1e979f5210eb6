"""The unit of work: recorded operations, entity states and commits.

Changes are recorded as operations (protocol §5.1); :meth:`UnitOfWork.commit`
turns them into one optimised batch (§5.2), sends it and clears the local
state (§5.3). The entities holding local values are tracked as they change,
so the cost of a commit follows what changed, not what is cached.
"""

from __future__ import annotations

import collections

import ftrack_api._session.batch
import ftrack_api._session.gc
import ftrack_api._session.identity
import ftrack_api.inspection
import ftrack_api.operation
import ftrack_api.symbol
import ftrack_api.session  # noqa: F401  (Session.call, read at commit time)

NOT_SET = ftrack_api.symbol.NOT_SET
CREATED = ftrack_api.symbol.CREATED
MODIFIED = ftrack_api.symbol.MODIFIED
DELETED = ftrack_api.symbol.DELETED


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

    def entities_in_state(self, state):
        """Return the entities whose state is *state*, in recording order."""
        return [entity for entity, current in self._states.values() if current is state]

    # Recording.
    @staticmethod
    def _key_and_primary_key(entity):
        key = entity._identity_key()
        names = entity.primary_key_attributes
        if len(names) == 1:
            name = names[0]
            value = entity._local.get(name, NOT_SET)
            if value is NOT_SET:
                value = entity._remote.get(name, NOT_SET)
            primary_key = collections.OrderedDict()
            primary_key[name] = value if value.__class__ is str else str(value)
        else:
            primary_key = collections.OrderedDict(
                zip(names, entity._primary_key_strings())
            )
        return key, primary_key

    def record_create(self, entity, entity_data):
        """Record the creation of *entity* with initial *entity_data*."""
        if not self.session.record_operations:
            return
        key, primary_key = self._key_and_primary_key(entity)
        self.operations._stack.append(ftrack_api.operation.CreateEntityOperation(
            entity.entity_type, primary_key, entity_data,
        ))
        self._states[key] = (entity, CREATED)

    def record_update(self, entity, name, old_value, new_value):
        """Record that attribute *name* of *entity* changed."""
        if not self.session.record_operations:
            return
        key, primary_key = self._key_and_primary_key(entity)
        self.operations._stack.append(ftrack_api.operation.UpdateEntityOperation(
            entity.entity_type, primary_key, name, old_value, new_value,
        ))
        if key not in self._states:
            self._states[key] = (entity, MODIFIED)

    def record_delete(self, entity):
        """Record the deletion of *entity*."""
        if not self.session.record_operations:
            return
        key, primary_key = self._key_and_primary_key(entity)
        self.operations._stack.append(ftrack_api.operation.DeleteEntityOperation(
            entity.entity_type, primary_key,
        ))
        self._states[key] = (entity, DELETED)

    # Committing.
    def commit(self):
        """Send the recorded operations in one batch and clear local state.

        On success the operations, states and local values are cleared and
        the server's answers (already merged while decoding) are the remote
        values. When sending fails the error propagates and everything
        recorded is kept (call :meth:`rollback` to discard it).
        """
        session = self.session
        with session._lock:
            stack = self.operations._stack
            count = len(stack)
            with ftrack_api._session.gc.paused():
                batch = ftrack_api._session.batch.build_batch(stack[:count])
            if batch:
                if 'call' in vars(session) or type(session).call is not ftrack_api.session.Session.call:
                    # A subclass or a patch of ``call`` sees every commit, as
                    # with upstream's client (call_args: the operations).
                    session.call(batch)
                else:
                    session._call(batch)
            if len(stack) == count:
                self._clear_after_commit()
            else:
                self._clear_committed(count)

    def _clear_committed(self, count):
        """Clear what the first *count* operations recorded, keep later ones.

        Changes recorded while the commit was in flight (by other threads)
        were not sent: their operations, the states they give and the local
        values they set stay for the next commit. Everything else is
        cleared as after any commit.
        """
        identity_key = ftrack_api._session.identity.identity_key
        make_key = self.session._make_key
        stack = self.operations._stack
        del stack[:count]
        late = list(stack)

        previous_states = self._states
        states = {}
        #: ``id(entity)`` -> names of local values to keep (None: all).
        kept = {}
        for operation in late:
            key = identity_key(
                make_key, operation.entity_type, list(operation.entity_key.values())
            )
            entry = states.get(key) or previous_states.get(key)
            if entry is None:
                continue
            entity, state = entry[0], states.get(key, (None, NOT_SET))[1]
            states[key] = (entity, ftrack_api.inspection.next_state(operation, state))
            marker = id(entity)
            if isinstance(operation, ftrack_api.operation.CreateEntityOperation):
                kept[marker] = None
            elif isinstance(operation, ftrack_api.operation.UpdateEntityOperation):
                names = kept.setdefault(marker, set())
                if names is not None:
                    names.add(operation.attribute_name)
        self._states = states

        dirty = self._dirty
        self._dirty = {}
        for marker, entity in dirty.items():
            local = entity._local
            if marker not in kept:
                local.clear()
                continue
            names = kept[marker]
            if names is not None:
                for name in [name for name in local if name not in names]:
                    del local[name]
            if local:
                self._dirty[marker] = entity

    def _clear_after_commit(self, keep=()):
        """Clear operations, states and local values.

        Entities whose ``id()`` is in *keep* keep their local values.
        """
        self.operations.clear()
        dirty = self._dirty
        self._dirty = {}
        self._states = {}
        for marker, entity in dirty.items():
            if marker not in keep:
                entity._local.clear()

    def rollback(self):
        """Discard recorded operations and local values.

        Entities created and not yet committed are removed from the
        session's cache: detached, they keep their values (the caller may
        still read them) but no longer take part in the session.
        """
        session = self.session
        with session._lock:
            detached = set()
            for key, (entity, state) in list(self._states.items()):
                if state is CREATED:
                    session._forget(key)
                    detached.add(id(entity))
            self._clear_after_commit(keep=detached)

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

