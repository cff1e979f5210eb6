"""Input limits of the local server, each answered as a 4xx ftrack error object.

A hostile or careless client must not be able to crash the server, hold it
for minutes or store values nothing can read back. Every limit here is
checked before or while a batch runs, and a request past one gets a
:class:`~ftrack_local_server.errors.ValidationError` (HTTP 422 in strict
mode; 413 for sizes) naming the limit and the offending value; nothing of
the batch is applied.

Limits are read from ``ServerConfig.options`` (see :func:`option`):

``max_body``
    Largest ``/api`` request body in bytes (default 256 MiB).
``max_batch_operations``
    Most operations in one batch (default 100,000).
``batch_time_limit``
    Seconds one batch may run before it is rolled back (default 120).
``max_json_depth``
    Deepest nesting of lists and objects in a request (default 64).

Query expressions have fixed limits (:mod:`ftrack_local_server.query.parser`):
size, condition count, nesting and path length.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import time
from typing import Any, Dict, List, Mapping, Optional

from . import errors

#: Defaults of the configurable limits (see the module documentation).
DEFAULTS: Dict[str, Any] = {
    'max_body': 256 * 1024 ** 2,
    'max_batch_operations': 100000,
    'batch_time_limit': 120.0,
    'max_json_depth': 64,
}

#: Integers SQLite can store (signed 64 bits).
INTEGER_RANGE = (-2 ** 63, 2 ** 63 - 1)

#: Longest entity id accepted.
MAX_ID_LENGTH = 128

_BAD_ID_CHARACTERS = re.compile(r'[\x00-\x1f\x7f/\\]')


def option(options: Optional[Mapping[str, Any]], name: str) -> Any:
    """Return the limit *name* from *options* (server options), else its default.

    Raise :class:`ValueError` naming the option when the value given is
    not a positive number.
    """
    value = (options or {}).get(name)
    if value is None and name == 'max_body':
        # The older name of the same setting.
        value = (options or {}).get('max_request_size')
    if value is None:
        return DEFAULTS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError('Option {0} must be a positive number, got {1!r}.'.format(
            name, value))
    return value


class BodyTooLargeError(errors.ValidationError):
    """A request body larger than ``max_body``."""

    status = 413

    def __init__(self, size: Any, limit: int) -> None:
        super().__init__(
            'The request body is too large ({0} bytes; at most {1} are accepted): '
            'split the batch into smaller ones.'.format(size, limit))


class BatchTimeLimitError(errors.ValidationError):
    """A batch that ran longer than ``batch_time_limit``."""

    status = 408

    def __init__(self, seconds: float, index: Optional[int] = None) -> None:
        where = '' if index is None else ' (stopped at operation {0})'.format(index)
        super().__init__(
            'The batch ran longer than the time limit of {0:g} seconds{1} and was '
            'rolled back: nothing of it was applied. Split it into smaller '
            'batches.'.format(seconds, where))


# -- JSON -------------------------------------------------------------------------


def loads(text: str, max_depth: int, source: str = 'request body') -> Any:
    """Return the JSON value of *text*, refusing nesting deeper than *max_depth*.

    Raise :class:`~ftrack_local_server.errors.ValidationError` for too deep
    nesting; malformed JSON raises :class:`ValueError` as :func:`json.loads`
    does. Numbers out of what the store keeps (``NaN``, ``Infinity``,
    integers beyond 64 bits) are refused where they are written, by the
    rules, which name the attribute.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise errors.ValidationError(
            'The {0} nests lists or objects too deeply (at most {1} levels are '
            'accepted).'.format(source, max_depth)) from None
    depth = json_depth(value, max_depth)
    if depth > max_depth:
        raise errors.ValidationError(
            'The {0} nests lists or objects {1} levels deep; at most {2} are '
            'accepted.'.format(source, depth, max_depth))
    return value


def json_depth(value: Any, stop: int) -> int:
    """Return how deeply lists and objects nest in *value* (a scalar is 0).

    Stops counting once *stop* is exceeded (the result is then ``stop + 1``).
    Iterative, so any depth is safe.
    """
    deepest = 0
    pending: List[Any] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > deepest:
            deepest = depth
            if deepest > stop:
                return deepest
        for child in children:
            if isinstance(child, (dict, list)):
                pending.append((child, depth + 1))
    return deepest


# -- Batches ----------------------------------------------------------------------


def check_batch(operations: List[Dict[str, Any]], options: Optional[Mapping[str, Any]]) -> None:
    """Check the size of the batch *operations* and the ids it creates.

    Raise :class:`~ftrack_local_server.errors.ValidationError` for more
    operations than ``max_batch_operations`` or a ``create`` whose id is
    malformed (see :func:`check_identifier`).
    """
    limit = option(options, 'max_batch_operations')
    if len(operations) > limit:
        raise errors.ValidationError(
            'The batch has {0} operations; at most {1} are accepted in one '
            'batch: split it into smaller ones.'.format(len(operations), limit))
    for index, operation in enumerate(operations):
        if operation.get('action') != 'create':
            continue
        data = operation.get('entity_data')
        if isinstance(data, dict) and 'id' in data:
            check_identifier(data['id'], index, operation.get('entity_type'))


def check_identifier(value: Any, index: Optional[int] = None,
                     entity_type: Any = None) -> None:
    """Refuse the entity id *value* unless it is a plausible id.

    A real ftrack server's ids are UUIDs (36 characters such as
    ``"2a4ae8b4-5d3c-11e5-8e43-f23c91df25eb"``), generated by the client
    (``uuid.uuid4()``) or the server, and stored in columns sized for them.
    The local server accepts any non-empty text of at most
    :data:`MAX_ID_LENGTH` characters without control characters or path
    separators (``/``, ``\\``) and other than ``.`` and ``..``, so fixtures
    may use readable ids; the id is used in file paths of component data.
    Non-text ids are left to the rules of the entity type.

    Raise :class:`~ftrack_local_server.errors.ValidationError` naming the
    operation *index*, the *entity_type* and the id.
    """
    if not isinstance(value, str):
        return
    problem = None
    if not value:
        problem = 'it is empty'
    elif len(value) > MAX_ID_LENGTH:
        problem = 'it has {0} characters, at most {1} are accepted'.format(
            len(value), MAX_ID_LENGTH)
    elif _BAD_ID_CHARACTERS.search(value):
        problem = 'it holds a control character or a path separator'
    elif value in ('.', '..'):
        problem = 'it is a relative path'
    if problem is None:
        return
    where = '' if index is None else 'Operation {0}: '.format(index)
    raise errors.ValidationError(
        '{0}The id {1} of the new {2} is not valid: {3}. Ids are UUID-like text '
        'such as "{4}".'.format(
            where, errors.excerpt(value[:MAX_ID_LENGTH + 8]),
            entity_type if isinstance(entity_type, str) else 'entity', problem,
            '2a4ae8b4-5d3c-11e5-8e43-f23c91df25eb'))


# -- Time -------------------------------------------------------------------------


def start_clock(tx: Any, options: Optional[Mapping[str, Any]]) -> None:
    """Give the transaction *tx* the deadline of a batch starting now."""
    seconds = float(option(options, 'batch_time_limit'))
    tx.state['time_limit'] = seconds
    tx.set_deadline(time.monotonic() + seconds)


def check_clock(tx: Any, index: Optional[int] = None) -> None:
    """Raise :class:`BatchTimeLimitError` when the batch of *tx* is past its deadline."""
    deadline = getattr(tx, 'deadline', None)
    if deadline is not None and time.monotonic() > deadline:
        raise BatchTimeLimitError(tx.state.get('time_limit', 0), index)


# -- Translating failures of the storage layer -------------------------------------


def translate(error: BaseException, tx: Any = None, index: Optional[int] = None,
              action: Any = None) -> Optional[errors.ApiError]:
    """Return the client error for *error*, raised by an operation, when it is an input limit.

    ``None`` for an error that is not one (a real bug). *tx* tells whether
    the batch's deadline passed; *index* and *action* locate the operation.
    """
    where = 'Operation {0} (action "{1}")'.format(index, action)
    if isinstance(error, sqlite3.OperationalError):
        text = str(error)
        if text == 'interrupted' and tx is not None and tx.deadline is not None \
                and time.monotonic() > tx.deadline:
            return BatchTimeLimitError(tx.state.get('time_limit', 0), index)
        if 'parser stack overflow' in text or 'too large' in text \
                or 'too many terms' in text or 'too many' in text:
            return errors.ValidationError(
                '{0} is too complex for the server to run ({1}): use fewer '
                'conditions, shorter attribute paths or less nesting.'.format(
                    where, text))
        if 'integer overflow' in text:
            return errors.ValidationError(
                '{0} computes a number out of the signed 64-bit integer range '
                '({1}).'.format(where, text))
    if isinstance(error, RecursionError):
        return errors.ValidationError(
            '{0} nests too deeply for the server to handle: use less nesting.'.format(
                where))
    if isinstance(error, OverflowError):
        return errors.ValidationError(
            '{0} holds a number out of range ({1}): integers must lie between '
            '{2} and {3}.'.format(where, error, *INTEGER_RANGE))
    return None


def finite(value: Any) -> Any:
    """Return *value* (results of a batch) with non-finite floats replaced by ``None``.

    Sums and averages of large stored numbers can overflow to infinity;
    JSON has no such number, so they are answered as null.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [finite(item) for item in value]
    if isinstance(value, dict):
        return dict((key, finite(item)) for key, item in value.items())
    return value
