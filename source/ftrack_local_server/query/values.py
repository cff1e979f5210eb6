"""Coercion of the values written in a query to stored values.

A literal (:class:`~.ast.Literal`) is read according to the type of the
attribute it is compared with, and turned into the form the store keeps
(:mod:`ftrack_local_server.encoding`): naive UTC text for datetimes, 0/1 for
booleans, numbers for numbers, text for strings. ``none`` / ``null``
(unquoted) stands for a missing value.

``variable`` attributes (custom attribute values) hold values of any JSON
kind; a literal is matched against every stored form it may have (``5``
matches the number 5 and the text "5").
"""

from __future__ import annotations

import json
from typing import Any, List

from ..encoding import is_storable_number, parse_datetime
from ..errors import ValidationError
from . import ast

_TRUE_WORDS = ('true', '1', 'yes')
_FALSE_WORDS = ('false', '0', 'no')

_TYPE_NAMES = {
    'string': 'a string',
    'integer': 'an integer',
    'number': 'a number',
    'boolean': 'a boolean',
    'datetime': 'a datetime',
    'object': 'an object',
    'variable': 'a value',
}


def describe_literal(literal: ast.Literal) -> str:
    """Return *literal* as written, for error messages."""
    if literal.quoted:
        return json.dumps(literal.text)
    return literal.text


def _error(where: str, data_type: str, literal: ast.Literal,
           expected: str) -> ValidationError:
    return ValidationError(
        'Cannot compare {0} ({1}) with {2}: expected {3}.'.format(
            where, _TYPE_NAMES.get(data_type, data_type),
            describe_literal(literal), expected)
    )


def coerce(literal: ast.Literal, data_type: str, where: str) -> Any:
    """Return the stored form of *literal* for a scalar of *data_type*.

    *where* names the attribute for messages (``"bid" of "Task"``).
    Returns None for an unquoted ``none`` / ``null``. Raise
    :class:`~ftrack_local_server.errors.ValidationError` naming the
    attribute and the value when the value cannot be read as that type.
    """
    if not literal.quoted and literal.value is None:
        return None
    if data_type == 'string':
        return literal.text
    if data_type == 'datetime':
        text = parse_datetime(literal.text)
        if text is None:
            raise _error(where, data_type, literal,
                         'a date or date-time such as "2015-06-01" or '
                         '"2015-06-01T10:00:00"')
        return text
    if data_type == 'boolean':
        value = literal.value if not literal.quoted else literal.text
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int) and value in (0, 1):
            return value
        lowered = str(value).lower()
        if lowered in _TRUE_WORDS:
            return 1
        if lowered in _FALSE_WORDS:
            return 0
        raise _error(where, data_type, literal, 'true or false')
    if data_type in ('integer', 'number'):
        number = _number(literal)
        if number is None:
            raise _error(where, data_type, literal, 'a number')
        return number
    # object and anything else: compared as stored (JSON) text.
    return literal.text


def _number(literal: ast.Literal) -> Any:
    value = literal.value
    if literal.quoted:
        from .parser import literal_from_word

        value = literal_from_word(literal.text.strip()).value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float('inf'), float('-inf')):
        return None
    if not is_storable_number(value):
        # Beyond the store's whole numbers; as a float it still compares
        # correctly with every stored number.
        return float(value)
    return value


def variable_candidates(literal: ast.Literal) -> List[Any]:
    """Return every stored form a ``variable`` value equal to *literal* may have.

    Text always; a number when the literal reads as one; 1 / 0 for
    booleans; naive UTC text for datetimes. Empty for ``none``.
    """
    if not literal.quoted and literal.value is None:
        return []
    candidates: List[Any] = [literal.text]
    number = _number(literal)
    if number is not None:
        candidates.append(number)
    lowered = literal.text.lower()
    if lowered in ('true', 'false'):
        candidates.append(1 if lowered == 'true' else 0)
    moment = parse_datetime(literal.text) if '-' in literal.text else None
    if moment is not None and moment not in candidates:
        candidates.append(moment)
    return candidates


def variable_ordered(literal: ast.Literal) -> Any:
    """Return the form of *literal* used to order-compare a ``variable`` value.

    A number when the literal reads as one, naive UTC text for a datetime,
    else the text.
    """
    number = _number(literal)
    if number is not None:
        return number
    if '-' in literal.text:
        moment = parse_datetime(literal.text)
        if moment is not None:
            return moment
    return literal.text
