"""JSON encoding and decoding of values exchanged with the server.

Encoding follows protocol §1.3 and §3: keys sorted, default separators,
ASCII escaping; datetimes as ``{"__type__": "datetime", "value": ISO}``;
entities as references plus the attributes chosen by a strategy;
collections as lists of references.
"""

from __future__ import annotations

import datetime
import functools
import json
import sys


import ftrack_api.collection
import ftrack_api.entity.base
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET

#: The strategies accepted by :meth:`Session.encode`.
ENTITY_ATTRIBUTE_STRATEGIES = (
    'all', 'set_only', 'modified_only', 'persisted_only',
)

_UTC = datetime.timezone.utc

#: Collection values, encoded as lists of entity references.
_COLLECTIONS = (
    ftrack_api.collection.Collection, ftrack_api.collection.MappedCollectionProxy,
)


def _is_arrow(value):
    """Return whether *value* is an arrow value (without importing arrow).

    No arrow value can exist before some code imported arrow.
    """
    module = sys.modules.get('arrow')
    return module is not None and isinstance(value, module.Arrow)


def encode_datetime(value):
    """Return the wire form of a datetime-like *value*.

    Arrow values, datetimes and dates are all tagged ``datetime`` (as the
    reference client does); the ISO text keeps the value's own offset and
    microseconds.
    """
    return {'__type__': 'datetime', 'value': value.isoformat()}


def decode_datetime(text):
    """Return *text* (ISO 8601) as an aware arrow value in UTC.

    A value without offset is taken as UTC; an offset or ``Z`` is honoured
    and converted to UTC. Raise :exc:`ValueError` naming *text* when it is
    not a date-time.
    """
    candidate = text
    if candidate.endswith('Z'):
        candidate = candidate[:-1] + '+00:00'
    # Imported when the first date-time is decoded (not at import time).
    import arrow

    try:
        parsed = datetime.datetime.fromisoformat(candidate)
    except ValueError:
        try:
            return arrow.get(text).to('utc')
        except (arrow.parser.ParserError, ValueError, TypeError):
            raise ValueError(
                'Invalid datetime value from server: {0!r}.'.format(text)
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    elif parsed.utcoffset():
        parsed = parsed.astimezone(_UTC)
    return arrow.Arrow.fromdatetime(parsed)


def decode_typed(data):
    """Return the value of a ``__type__`` marker mapping *data*.

    ``datetime`` and ``date`` markers become aware arrow values in UTC
    (dates at midnight); other markers are returned unchanged.
    """
    value_type = data['__type__']
    if value_type == 'datetime' or value_type == 'date':
        value = data.get('value')
        if value is None:
            return None
        return decode_datetime(value)
    return data


def plain_object_hook(data):
    """Decode typed markers in *data* (a JSON object); leave entities."""
    if '__type__' in data:
        return decode_typed(data)
    return data


def entity_reference(entity):
    """Return the reference of *entity*: its type and primary key values."""
    reference = {'__entity_type__': entity.entity_type}
    for name, value in zip(
        entity.primary_key_attributes, entity._primary_key_strings()
    ):
        reference[name] = value
    return reference


def to_wire_value(value):
    """Return *value* with entities and collections replaced by references.

    Used for values of operation payloads: a top-level entity becomes its
    reference and a collection (or mapped collection) a list of references.
    Other values are returned unchanged (datetimes are handled when the
    payload is serialised).
    """
    if isinstance(value, ftrack_api.entity.base.Entity):
        return entity_reference(value)
    if isinstance(value, ftrack_api.collection.Collection):
        return [entity_reference(item) for item in value]
    if isinstance(value, ftrack_api.collection.MappedCollectionProxy):
        return [entity_reference(item) for item in value.collection]
    return value


def _entity_attributes(entity, strategy):
    """Yield ``(name, value)`` pairs of *entity* chosen by *strategy*."""
    table = entity.attributes._data
    if strategy == 'all':
        for name, value in entity.items():
            if value is not NOT_SET:
                yield name, value
        return

    local = entity._local
    remote = entity._remote
    for name, attribute in table.items():
        if strategy == 'set_only':
            value = local.get(name, NOT_SET)
            if value is NOT_SET:
                value = remote.get(name, NOT_SET)
        elif strategy == 'modified_only':
            if not attribute.is_modified(entity):
                continue
            value = local.get(name, NOT_SET)
        else:  # persisted_only
            if attribute.computed:
                continue
            value = remote.get(name, NOT_SET)
        if value is NOT_SET:
            continue
        yield name, value


def encode_entity(entity, strategy):
    """Return the JSON-ready mapping of *entity* under *strategy*."""
    data = entity_reference(entity)
    for name, value in _entity_attributes(entity, strategy):
        if name in data and name != '__entity_type__':
            # Primary key values stay in their reference (string) form.
            continue
        data[name] = to_wire_value(value)
    return data


def _default(strategy, value):
    if isinstance(value, ftrack_api.entity.base.Entity):
        return encode_entity(value, strategy)
    if isinstance(value, _COLLECTIONS):
        return to_wire_value(value)
    if isinstance(value, (datetime.datetime, datetime.date)) or _is_arrow(value):
        return encode_datetime(value)
    if value is NOT_SET:
        raise TypeError(
            'NOT_SET cannot be encoded: it is a client-side marker for a '
            'missing value.'
        )
    raise TypeError('{0!r} could not be encoded.'.format(value))


def encode(data, entity_attribute_strategy='set_only'):
    """Return *data* as JSON text (sorted keys, ASCII).

    *entity_attribute_strategy* decides which attributes of entities in
    *data* are written: ``all`` (fetching unset ones), ``set_only`` (local
    or remote values), ``modified_only`` (changed local values) or
    ``persisted_only`` (remote values, skipping computed attributes). Raise
    :exc:`ValueError` for an unknown strategy and :exc:`TypeError` for a
    value that cannot be encoded.
    """
    if entity_attribute_strategy not in ENTITY_ATTRIBUTE_STRATEGIES:
        raise ValueError(
            'Unsupported entity_attribute_strategy {0!r}; expected one of '
            '{1}.'.format(
                entity_attribute_strategy, ', '.join(ENTITY_ATTRIBUTE_STRATEGIES)
            )
        )
    return json.dumps(
        data,
        sort_keys=True,
        ensure_ascii=True,
        default=functools.partial(_default, entity_attribute_strategy),
    )
