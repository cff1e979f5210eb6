"""Conversion between wire values (protocol §3) and stored values.

Wire to storage (:func:`storage_values`) checks each value against its
attribute's type and raises :class:`~ftrack_local_server.errors.ValidationError`
naming the attribute, its type and the offending value. Datetimes are
accepted tagged (``{"__type__": "datetime" | "date", "value": ...}``) or as
ISO strings, with or without offset, fractional seconds or time, and are
stored as naive UTC text ``YYYY-MM-DDTHH:MM:SS`` (the real server keeps
whole seconds). Booleans are stored as 0/1; ``variable`` values keep their
JSON kind in a hidden column so they come back as what was sent.

Storage to wire (:func:`encode_entity`, :func:`entity_reference`) produces
the encoded entity of protocol §3.3 / §4.7: ``__entity_type__`` (the
concrete type), the primary key, the requested scalar values, the type's
system projections under their public names and, for classified types
(typed contexts, typed lists), the classifier attributes.
"""

from __future__ import annotations

import datetime as _datetime
import json
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from . import errors
from .model import Model, kind_column
from .schema import Attribute

#: Format of stored and sent datetimes.
DATETIME_FORMAT = '%Y-%m-%dT%H:%M:%S'

_DATETIME_PATTERN = re.compile(
    r'^\s*(\d{4})-(\d{2})-(\d{2})'
    r'(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?'
    r'\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?\s*$'
)


def parse_datetime(value: Any) -> Optional[str]:
    """Return *value* as naive UTC text ``YYYY-MM-DDTHH:MM:SS``, or None.

    *value* may be a tagged wire value, an ISO-8601 string (date only, or
    date and time with optional seconds, fraction and offset / ``Z``) or a
    :class:`datetime.datetime` / :class:`datetime.date`. Return None when
    it cannot be read as a datetime.
    """
    if isinstance(value, dict) and value.get('__type__') in ('datetime', 'date'):
        value = value.get('value')
    if isinstance(value, _datetime.datetime):
        moment = value
        if moment.tzinfo is not None:
            try:
                moment = moment.astimezone(_datetime.timezone.utc).replace(tzinfo=None)
            except OverflowError:
                return None
        return format_datetime(moment)
    if isinstance(value, _datetime.date):
        return format_datetime(_datetime.datetime(value.year, value.month, value.day))
    if not isinstance(value, str):
        return None
    match = _DATETIME_PATTERN.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, _fraction, offset = match.groups()
    try:
        moment = _datetime.datetime(
            int(year), int(month), int(day),
            int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if offset and offset not in ('Z', 'z'):
        sign = 1 if offset[0] == '+' else -1
        digits = offset[1:].replace(':', '')
        hours = int(digits[:2])
        minutes = int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            return None
        try:
            moment -= sign * _datetime.timedelta(hours=hours, minutes=minutes)
        except OverflowError:
            # In UTC the moment falls before year 1 or after year 9999.
            return None
    return format_datetime(moment)


def format_datetime(moment: _datetime.datetime) -> str:
    """Return naive *moment* as stored and sent: ``YYYY-MM-DDTHH:MM:SS``.

    Years always have four digits (``strftime`` drops the zeros of years
    before 1000 on some platforms, which would not parse nor sort).
    """
    return '{0:04d}-{1:02d}-{2:02d}T{3:02d}:{4:02d}:{5:02d}'.format(
        moment.year, moment.month, moment.day, moment.hour, moment.minute,
        moment.second)


def now_text() -> str:
    """Return the current time as stored: naive UTC ``YYYY-MM-DDTHH:MM:SS``."""
    return format_datetime(_datetime.datetime.now(_datetime.timezone.utc).replace(tzinfo=None))


def datetime_value(text: Optional[str]) -> Optional[Dict[str, str]]:
    """Return the wire form of stored datetime *text* (None stays None)."""
    if text is None:
        return None
    return {'__type__': 'datetime', 'value': text}


def is_entity_reference(value: Any) -> bool:
    """Return whether *value* looks like an encoded entity (has ``__entity_type__``)."""
    return isinstance(value, dict) and '__entity_type__' in value


def _type_error(entity_type: str, attribute: Attribute, value: Any,
                expected: str) -> errors.ValidationError:
    return errors.ValidationError(
        'Value {0} for attribute "{1}" of "{2}" must be {3}.'.format(
            errors.excerpt(value), attribute.name, entity_type, expected))


def storage_values(entity_type: str, attribute: Attribute, column: str,
                   value: Any) -> Dict[str, Any]:
    """Return ``{column: stored value, ...}`` for wire *value* of *attribute*.

    *entity_type* names the type in error messages. ``variable``
    attributes also fill their kind column. Raise ValidationError naming
    the attribute, type and value when the value does not fit.
    """
    data_type = attribute.data_type
    if data_type == 'variable':
        stored, kind = variable_to_storage(value)
        return {column: stored, kind_column(column): kind}
    if value is None:
        return {column: None}
    if is_entity_reference(value) or (
            isinstance(value, list) and data_type != 'object'):
        raise _type_error(entity_type, attribute, value,
                          'a {0}'.format(_expected_name(data_type)))
    if data_type == 'datetime':
        text = parse_datetime(value)
        if text is None:
            raise _type_error(
                entity_type, attribute, value,
                'a datetime ({"__type__": "datetime", "value": '
                '"YYYY-MM-DDTHH:MM:SS"} or an ISO-8601 string)')
        return {column: text}
    if data_type == 'string':
        if not isinstance(value, str):
            raise _type_error(entity_type, attribute, value, 'a string')
        if attribute.enum is not None and value not in attribute.enum:
            raise _type_error(
                entity_type, attribute, value,
                'one of {0}'.format(', '.join(attribute.enum)))
        return {column: value}
    if data_type == 'boolean':
        # Like a real server, 0 and 1 are numbers, not booleans.
        if isinstance(value, bool):
            return {column: int(value)}
        raise _type_error(entity_type, attribute, value, 'a boolean (true or false)')
    if data_type == 'integer':
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(entity_type, attribute, value, 'an integer')
        if not is_storable_number(value):
            raise _type_error(entity_type, attribute, value, _STORABLE)
        if isinstance(value, float):
            if not value.is_integer():
                raise _type_error(entity_type, attribute, value, 'an integer')
            value = int(value)
            if not is_storable_number(value):
                raise _type_error(entity_type, attribute, value, _STORABLE)
        return {column: value}
    if data_type == 'number':
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(entity_type, attribute, value, 'a number')
        if not is_storable_number(value):
            raise _type_error(entity_type, attribute, value, _STORABLE)
        return {column: value}
    if data_type == 'object':
        return {column: _json_text(value)}
    return {column: value}


#: Whole numbers the store keeps exactly (SQLite INTEGER is 64-bit).
INTEGER_RANGE = (-2 ** 63, 2 ** 63 - 1)

_STORABLE = ('a finite number (whole numbers from {0} to {1})'.format(*INTEGER_RANGE))


def is_storable_number(value: Any) -> bool:
    """Return whether number *value* can be stored and sent back as JSON.

    Floats must be finite (``NaN`` / ``Infinity`` are not JSON); whole
    numbers must fit :data:`INTEGER_RANGE`.
    """
    if isinstance(value, float):
        return value == value and value not in (float('inf'), float('-inf'))
    return INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]


def _expected_name(data_type: Optional[str]) -> str:
    return {
        'string': 'string', 'boolean': 'boolean', 'integer': 'integer',
        'number': 'number', 'datetime': 'datetime',
    }.get(data_type or '', data_type or 'value')


def _json_text(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except ValueError:
        raise errors.ValidationError(
            'Value {0} cannot be stored: it holds a number that is not finite '
            '(NaN or Infinity are not JSON).'.format(errors.excerpt(value)))


def variable_to_storage(value: Any) -> Tuple[Any, str]:
    """Return ``(stored value, kind)`` for a ``variable`` wire value."""
    if value is None:
        return None, 'null'
    if isinstance(value, bool):
        return int(value), 'bool'
    if isinstance(value, (int, float)) and not is_storable_number(value):
        raise errors.ValidationError(
            'Value {0} cannot be stored: expected {1}.'.format(errors.excerpt(value), _STORABLE))
    if isinstance(value, int):
        return value, 'int'
    if isinstance(value, float):
        return value, 'float'
    if isinstance(value, str):
        return value, 'str'
    if isinstance(value, dict) and value.get('__type__') in ('datetime', 'date'):
        text = parse_datetime(value)
        if text is None:
            raise errors.ValidationError(
                'Could not read {0} as a datetime.'.format(errors.excerpt(value)))
        return text, 'datetime'
    if isinstance(value, (list, dict)):
        return _json_text(value), 'list' if isinstance(value, list) else 'dict'
    raise errors.ValidationError(
        'Unsupported value {0}.'.format(errors.excerpt(value)))


def variable_from_storage(stored: Any, kind: Optional[str]) -> Any:
    """Return the wire value of a stored ``variable`` value of *kind*."""
    if stored is None or kind == 'null':
        return None
    if kind == 'bool':
        return bool(stored)
    if kind == 'datetime':
        return datetime_value(stored)
    if kind in ('list', 'dict'):
        return json.loads(stored)
    if kind == 'float':
        return float(stored)
    return stored


def from_storage(data_type: Optional[str], stored: Any, kind: Optional[str] = None) -> Any:
    """Return the wire value of *stored* for a scalar of *data_type*.

    *kind* is the value of the kind column for ``variable`` scalars.
    """
    if data_type == 'variable':
        return variable_from_storage(stored, kind)
    if stored is None:
        return None
    if data_type == 'boolean':
        return bool(stored)
    if data_type == 'datetime':
        return datetime_value(stored)
    if data_type == 'object':
        try:
            return json.loads(stored)
        except (TypeError, ValueError):
            return stored
    if data_type == 'integer' and isinstance(stored, float) and stored.is_integer():
        return int(stored)
    return stored


def _row_value(row: Mapping[str, Any], column: str) -> Any:
    try:
        return row[column]
    except (KeyError, IndexError):
        return None


def scalar_value(model: Model, type_name: str, attribute: str,
                 row: Mapping[str, Any]) -> Any:
    """Return the wire value of stored scalar *attribute* of *type_name* in *row*."""
    layout = model.layout(type_name)
    column = layout.columns[attribute]
    data_type = layout.table.columns[column].data_type
    kind = _row_value(row, kind_column(column)) if data_type == 'variable' else None
    return from_storage(data_type, _row_value(row, column), kind)


def key_values(model: Model, type_name: str, row: Mapping[str, Any]) -> Tuple[Any, ...]:
    """Return the primary-key values of stored *row* of *type_name*."""
    return tuple(_row_value(row, column) for column in model.key_columns(type_name))


def entity_reference(model: Model, type_name: str, key: Sequence[Any]) -> Dict[str, Any]:
    """Return the reference ``{"__entity_type__": type_name, <pk>: ...}``.

    *key* holds the primary-key values in key order.
    """
    entity_type = model.catalogue.get(type_name)
    reference: Dict[str, Any] = {'__entity_type__': type_name}
    for name, value in zip(entity_type.primary_key, key):
        reference[name] = scalar_wire(model, type_name, name, value)
    return reference


def scalar_wire(model: Model, type_name: str, attribute: str, stored: Any) -> Any:
    """Return the wire value of one stored value of scalar *attribute*."""
    layout = model.layout(type_name)
    column = layout.columns.get(attribute)
    data_type = layout.table.columns[column].data_type if column else None
    return from_storage(data_type, stored)


def reference_from_row(model: Model, type_name: str, row: Mapping[str, Any]) -> Dict[str, Any]:
    """Return the reference of stored *row*, whose concrete type is *type_name*."""
    return entity_reference(model, type_name, key_values(model, type_name, row))


def automatic_attributes(model: Model, type_name: str) -> List[str]:
    """Return the scalars every encoded entity of *type_name* carries.

    The primary key, the system projections (public names) and the
    classifier attributes of classified types (``object_type_id`` of typed
    contexts, with ``project_id`` and ``context_type``).
    """
    entity_type = model.catalogue.get(type_name)
    layout = model.layout(type_name)
    names: List[str] = list(entity_type.primary_key)
    for name in entity_type.system_projections:
        if name not in names and name in layout.columns:
            names.append(name)
    for classifier in entity_type.classifiers:
        for attribute in entity_type.scalars():
            if attribute.alias_for == classifier and attribute.name not in names:
                names.append(attribute.name)
    return names


def encode_entity(model: Model, type_name: str, row: Mapping[str, Any],
                  attributes: Optional[Iterable[str]] = None,
                  skip_null: bool = False) -> Dict[str, Any]:
    """Return the encoded entity of stored *row* (protocol §3.3).

    *type_name* is the row's concrete type (see
    :meth:`~ftrack_local_server.model.Model.concrete_type`). *attributes*
    names the stored scalars to include besides the automatic ones of
    :func:`automatic_attributes` (default: every stored scalar of the
    type). With *skip_null*, null values of non-key attributes are left
    out. Relations and computed attributes are the caller's to add.
    """
    layout = model.layout(type_name)
    encoded: Dict[str, Any] = {'__entity_type__': type_name}
    names = automatic_attributes(model, type_name)
    if attributes is None:
        names.extend(name for name in layout.columns if name not in names)
    else:
        names.extend(name for name in attributes
                     if name not in names and name in layout.columns)
    key = set(model.catalogue.get(type_name).primary_key)
    for name in names:
        value = scalar_value(model, type_name, name, row)
        if value is None and skip_null and name not in key:
            continue
        encoded[name] = value
    return encoded
