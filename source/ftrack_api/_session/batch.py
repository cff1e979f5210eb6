"""The batch a commit sends: payloads built from operations (protocol §5.2).

:func:`payload_for`, :func:`optimise` and :func:`to_wire` are the steps
the protocol describes, one at a time, on payload mappings.
:func:`build_batch` gives the same result straight from the recorded
operations in three linear passes, without building the payloads the
optimisation would throw away (the cost of a commit follows the number of
operations, whatever their mix).
"""

from __future__ import annotations

import ftrack_api._session.encoding
import ftrack_api.operation
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET

_CREATE = ftrack_api.operation.CreateEntityOperation
_UPDATE = ftrack_api.operation.UpdateEntityOperation
_DELETE = ftrack_api.operation.DeleteEntityOperation

#: Values sent as they are (anything else goes through ``to_wire_value``).
_PLAIN_TYPES = frozenset([str, int, float, bool, type(None)])


class OperationPayload(dict):
    """One operation of a batch as it is sent to the server: a mapping.

    A :class:`dict` (so a mutable mapping, and encoded to JSON at C speed);
    ``str()`` gives ``<OperationPayload {...}>`` as upstream's does.
    """

    def __str__(self):
        return '<{0} {1}>'.format(type(self).__name__, dict.__repr__(self))


def _identity(payload):
    return (payload['entity_type'], tuple(payload['entity_key']))


def payload_for(operation):
    """Return the :class:`OperationPayload` of a recorded *operation*.

    Raise :exc:`ValueError` naming *operation* when it is not a create,
    update or delete operation.
    """
    entity_type = operation.entity_type
    entity_key = list(operation.entity_key.values())

    if isinstance(operation, _CREATE):
        entity_data = {'__entity_type__': entity_type}
        entity_data.update(operation.entity_key)
        entity_data.update(operation.entity_data)
        return OperationPayload(
            action='create', entity_type=entity_type, entity_key=entity_key,
            entity_data=entity_data,
        )

    if isinstance(operation, _UPDATE):
        return OperationPayload(
            action='update', entity_type=entity_type, entity_key=entity_key,
            entity_data={
                '__entity_type__': entity_type,
                operation.attribute_name: operation.new_value,
            },
        )

    if isinstance(operation, _DELETE):
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


def to_wire(payloads):
    """Return *payloads* with entity values replaced by references."""
    to_wire_value = ftrack_api._session.encoding.to_wire_value
    plain = _PLAIN_TYPES
    for payload in payloads:
        entity_data = payload.get('entity_data')
        if entity_data:
            payload['entity_data'] = {
                name: value if value.__class__ in plain else to_wire_value(value)
                for name, value in entity_data.items()
            }
    return payloads


_CREATE_KIND = 0
_UPDATE_KIND = 1
_DELETE_KIND = 2

#: Kind of each exact operation class; subclasses are found by isinstance.
_KINDS = {_CREATE: _CREATE_KIND, _UPDATE: _UPDATE_KIND, _DELETE: _DELETE_KIND}


def _kind(operation):
    kind = _KINDS.get(operation.__class__)
    if kind is not None:
        return kind
    for cls, kind in _KINDS.items():
        if isinstance(operation, cls):
            return kind
    raise ValueError('Cannot build a payload for operation {0!r}.'.format(operation))


def build_batch(operations):
    """Return the optimised, wire-ready payloads for *operations*.

    *operations* is a sequence of create, update and delete operations in
    recording order. The result equals
    ``to_wire(optimise([payload_for(o) for o in operations]))`` and the
    operations are left unchanged. Raise :exc:`ValueError` naming an
    operation of another kind.
    """
    # Pass 1: kinds, identities, entities both created and deleted (§5.2 1).
    kinds_of = _KINDS
    kinds = []
    identities = []
    for operation in operations:
        kind = kinds_of.get(operation.__class__)
        kinds.append(_kind(operation) if kind is None else kind)
        identities.append(
            (operation.entity_type, tuple(operation.entity_key.values()))
        )
    if _DELETE_KIND in kinds:
        created = set()
        deleted = set()
        for kind, identity in zip(kinds, identities):
            if kind == _CREATE_KIND:
                created.add(identity)
            elif kind == _DELETE_KIND:
                deleted.add(identity)
        dropped = created & deleted
        if dropped:
            identities = [
                None if identity in dropped else identity
                for identity in identities
            ]

    # Pass 2: the last update of an attribute hides earlier ones (§5.2 2).
    hidden = set()
    seen = set()
    for index in range(len(operations) - 1, -1, -1):
        if kinds[index] == _UPDATE_KIND:
            identity = identities[index]
            if identity is not None:
                marker = (identity, operations[index].attribute_name)
                if marker in seen:
                    hidden.add(index)
                else:
                    seen.add(marker)

    # Pass 3: payloads without NOT_SET values or empty data, updates
    # collapsed into a directly preceding create or update of the same
    # entity (§5.2 3-5), entity values as references.
    to_wire_value = ftrack_api._session.encoding.to_wire_value
    plain = _PLAIN_TYPES
    # One reference per entity (or collection snapshot) for the whole batch.
    wire_values = {}
    result = []
    append = result.append
    previous_data = None
    previous_identity = None
    index = -1
    for operation in operations:
        index += 1
        identity = identities[index]
        if identity is None:
            continue
        kind = kinds[index]
        entity_type = operation.entity_type
        if kind == _UPDATE_KIND:
            value = operation.new_value
            if value.__class__ not in plain:
                if value is NOT_SET:
                    continue
                marker = id(value)
                wire_value = wire_values.get(marker)
                if wire_value is None:
                    wire_value = wire_values[marker] = to_wire_value(value)
                value = wire_value
            name = operation.attribute_name
            if name == '__entity_type__' or (hidden and index in hidden):
                continue
            if previous_identity == identity and previous_data is not None:
                previous_data['__entity_type__'] = entity_type
                previous_data[name] = value
                continue
            entity_data = {'__entity_type__': entity_type, name: value}
            append(OperationPayload(
                action='update', entity_type=entity_type,
                entity_key=list(identity[1]), entity_data=entity_data,
            ))
        elif kind == _CREATE_KIND:
            entity_data = {'__entity_type__': entity_type}
            entity_data.update(operation.entity_key)
            for name, value in operation.entity_data.items():
                if value.__class__ in plain:
                    entity_data[name] = value
                elif value is NOT_SET:
                    entity_data.pop(name, None)
                else:
                    marker = id(value)
                    wire_value = wire_values.get(marker)
                    if wire_value is None:
                        wire_value = wire_values[marker] = to_wire_value(value)
                    entity_data[name] = wire_value
            if len(entity_data) < 2 and (
                not entity_data or '__entity_type__' in entity_data
            ):
                continue
            append(OperationPayload(
                action='create', entity_type=entity_type,
                entity_key=list(identity[1]), entity_data=entity_data,
            ))
        else:
            entity_data = None
            append(OperationPayload(
                action='delete', entity_type=entity_type,
                entity_key=list(identity[1]),
            ))
        previous_data = entity_data
        previous_identity = identity
    return result
