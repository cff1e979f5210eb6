"""Small helpers for building SQL text with positional parameters."""

from __future__ import annotations

from typing import Any, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from ..model import quote

#: Largest number of values bound in one ``IN (...)`` list; older SQLite
#: builds allow 999 parameters per statement.
CHUNK_SIZE = 900


class Fragment(NamedTuple):
    """A piece of SQL and the parameters its ``?`` placeholders take, in order."""

    sql: str
    params: List[Any]


TRUE = Fragment('1', [])
FALSE = Fragment('0', [])


def column(alias: str, name: str) -> str:
    """Return ``"alias"."name"``."""
    return '{0}.{1}'.format(quote(alias), quote(name))


def join(fragments: Sequence[Fragment], operator: str) -> Fragment:
    """Return *fragments* joined with *operator* (``AND`` / ``OR``), parenthesised."""
    if len(fragments) == 1:
        return fragments[0]
    params: List[Any] = []
    for fragment in fragments:
        params.extend(fragment.params)
    return Fragment(
        '(' + ' {0} '.format(operator).join(
            '({0})'.format(f.sql) for f in fragments) + ')',
        params,
    )


def conjunction(fragments: Iterable[Fragment]) -> Fragment:
    """Return the ``AND`` of *fragments*, dropping ones that are always true."""
    kept = [f for f in fragments if f.sql != '1']
    if not kept:
        return TRUE
    return join(kept, 'AND')


def placeholders(count: int) -> str:
    """Return ``?, ?, ...`` with *count* placeholders."""
    return ', '.join('?' * count)


def fetch_page(tx: Any, sql: str, params: List[Any], offset: Optional[int],
               limit: Optional[int]) -> Tuple[List[Any], bool]:
    """Return ``(rows, more)``: the page *offset* / *limit* of the rows *sql* selects.

    *more* tells whether rows exist beyond the page; one row more than
    asked is read to know it.
    """
    if limit is not None or offset:
        sql += ' LIMIT ? OFFSET ?'
        params = params + [-1 if limit is None else limit + 1, offset or 0]
    rows = tx.query(sql, params)
    more = limit is not None and len(rows) > limit
    return (rows[:limit] if more else rows), more


def chunks(values: Sequence[Any], size: int = CHUNK_SIZE) -> Iterable[Sequence[Any]]:
    """Yield *values* in slices of at most *size*."""
    for start in range(0, len(values), size):
        yield values[start:start + size]
