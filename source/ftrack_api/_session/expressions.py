"""Query expressions the session generates (protocol §2.3.2).

Values interpolated into expressions are quoted with double quotes and
backslash-escaped, so any string (quotes, backslashes, non-ASCII text) can
be matched exactly.
"""

from __future__ import annotations

import datetime
import re
import sys


_UTC = datetime.timezone.utc

#: Values that are safe to write without quotes (ids and plain words).
_BARE_WORD = re.compile(r'^[A-Za-z0-9_\-]+$')


def quote(value):
    """Return *value* as a double-quoted, backslash-escaped query string."""
    text = str(value)
    return '"{0}"'.format(text.replace('\\', '\\\\').replace('"', '\\"'))


def bare_or_quoted(value):
    """Return *value* unquoted when it is a plain word, else :func:`quote`.

    Ids are written bare, as the reference client does, keeping the
    expressions a real server receives unchanged.
    """
    text = str(value)
    if _BARE_WORD.match(text):
        return text
    return quote(text)


def as_stored(value):
    """Return *value* as the server stores it when it is a date-time.

    Date-times become aware UTC datetimes in whole seconds (a naive value
    is taken as UTC, a date is midnight); other values are returned as
    they are.
    """
    arrow = sys.modules.get('arrow')  # no arrow value exists before arrow is imported
    if arrow is not None and isinstance(value, arrow.Arrow):
        value = value.datetime
    if isinstance(value, datetime.datetime):
        if value.utcoffset() is None:
            value = value.replace(tzinfo=_UTC)
        return value.astimezone(_UTC).replace(microsecond=0)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=_UTC)
    return value


def format_value(value):
    """Return *value* written as a literal for a ``where`` clause.

    Strings are quoted; date-times are written as the server stores them
    (see :func:`as_stored`), as quoted naive ISO text in UTC; other values
    use their Python text (``True``, ``None``, ``5``).
    """
    if isinstance(value, str):
        return quote(value)
    stored = as_stored(value)
    if isinstance(stored, datetime.datetime):
        return quote(stored.replace(tzinfo=None).isoformat())
    return str(value)


def get_expression(entity_type, primary_key, values):
    """Return the expression fetching the *entity_type* with key *values*.

    *primary_key* lists the key attribute names matching *values*.
    """
    criteria = ' and '.join(
        '{0} is {1}'.format(name, quote(value))
        for name, value in zip(primary_key, values)
    )
    return '{0} where ({1})'.format(entity_type, criteria)


def populate_expressions(entity_type, primary_key, keys, projections, chunk_size):
    """Return expressions fetching *projections* of the entities with *keys*.

    *keys* is a list of primary key value lists. The entities are split in
    chunks of at most *chunk_size*, one expression per chunk, so each
    request carries only its own part of the key list.
    """
    expressions = []
    for start in range(0, len(keys), chunk_size):
        chunk = keys[start:start + chunk_size]
        if len(primary_key) == 1:
            name = primary_key[0]
            if len(chunk) == 1:
                criteria = '{0} is {1}'.format(name, bare_or_quoted(chunk[0][0]))
            else:
                criteria = '{0} in ({1})'.format(
                    name, ','.join(bare_or_quoted(values[0]) for values in chunk)
                )
        else:
            # The reference client writes no space before ``and`` here;
            # servers accept it, and keeping it keeps the wire identical.
            criteria = ' or '.join(
                '({0})'.format('and '.join(
                    '{0} is {1}'.format(name, quote(value))
                    for name, value in zip(primary_key, values)
                ))
                for values in chunk
            )
        expressions.append('select {0} from {1} where {2}'.format(
            projections, entity_type, criteria
        ))
    return expressions


def ensure_expression(entity_type, data, keys):
    """Return the expression finding an *entity_type* matching *data* on *keys*."""
    criteria = ' and '.join(
        '{0} is {1}'.format(key, format_value(data[key])) for key in keys
    )
    return '{0} where {1}'.format(entity_type, criteria)
