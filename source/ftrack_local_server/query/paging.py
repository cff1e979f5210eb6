"""Pages that continue where the previous page of the same query ended.

A client reads a long result page by page: ``offset 0 limit 500``, then
``offset 500 limit 500`` and so on, each time with the offset the previous
answer gave as ``next``. With ``LIMIT ? OFFSET ?`` SQLite walks over every
skipped row, so the page at offset 49,500 of 50,000 rows costs several
times the first page.

Instead, each page that has a successor remembers the sort key of its last
row (the values of the ``order by`` attributes, then the rowid, which makes
the order total) in :class:`PagePositions`, under the statement, its
parameters and the offset the next page starts at. A request for exactly
that offset reads "the rows after this key" (a range on the rowid for the
default order), which costs what the first page costs. The rows and their
order are those ``OFFSET`` gives: the continuation condition is the
lexicographic "after" of the same expressions the statement orders by,
with SQLite's ordering of NULL (first when ascending, last when
descending).

A remembered position is only used while the database is unchanged
(:attr:`~ftrack_local_server.store.Store.generation`); any other offset
falls back to ``OFFSET``.
"""

from __future__ import annotations

import collections
import threading
from typing import Any, Hashable, List, Optional, Sequence, Tuple

from .sql import Fragment

#: Positions remembered per database (least recently used dropped first).
CACHE_SIZE = 256

#: Key of the :class:`PagePositions` in :attr:`Store.caches`.
CACHE_NAME = 'page_positions'

#: Column name prefix of the sort key values added to a page's rows.
KEY_PREFIX = '_ls_key'


class PagePositions(object):
    """Sort keys of the last rows of recent pages, valid for one database state."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: 'collections.OrderedDict[Hashable, Tuple[Any, tuple]]' = (
            collections.OrderedDict())
        self._lock = threading.Lock()

    def get(self, key: Hashable, generation: Any) -> Optional[tuple]:
        """Return the sort key stored for *key* in database state *generation*, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] != generation:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, generation: Any, values: tuple) -> None:
        """Remember the sort key *values* for *key* in state *generation*."""
        with self._lock:
            self._entries[key] = (generation, values)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def positions(store: Any) -> PagePositions:
    """Return the :class:`PagePositions` of *store*, created on first use."""
    cache = store.caches.get(CACHE_NAME)
    if cache is None:
        cache = store.caches.setdefault(CACHE_NAME, PagePositions())
    return cache


def after(keys: Sequence[Tuple[Fragment, bool]], values: Sequence[Any]) -> Fragment:
    """Return the condition "the row sorts after *values*" for the order *keys*.

    *keys* are ``(value, descending)`` pairs as the ORDER BY uses them,
    the last one the rowid; *values* the key of the last row of the
    previous page. Lexicographic: equal on the first *i* keys and after on
    key *i*, for some *i*.
    """
    alternatives: List[str] = []
    params: List[Any] = []
    equal_sql: List[str] = []
    equal_params: List[Any] = []
    for (value, descending), bound in zip(keys, values):
        step_sql, step_params = _after_one(value, descending, bound)
        if step_sql is not None:
            alternatives.append(' AND '.join(equal_sql + [step_sql]))
            params.extend(equal_params + step_params)
        equal_sql.append('({0}) IS ?'.format(value.sql))
        equal_params = equal_params + list(value.params) + [bound]
    if not alternatives:
        return Fragment('0', [])
    condition = '(' + ' OR '.join('({0})'.format(a) for a in alternatives) + ')'
    (first, descending), bound = keys[0], values[0]
    if len(keys) > 1 and not descending and bound is not None:
        # Implied by the condition (NULL sorts first, so before the bound);
        # stated on its own, SQLite can start an index range there.
        condition = '({0}) >= ? AND {1}'.format(first.sql, condition)
        params = list(first.params) + [bound] + params
    return Fragment(condition, params)


def _after_one(value: Fragment, descending: bool, bound: Any) -> Tuple[Optional[str], List[Any]]:
    # SQLite sorts NULL before every other value; DESC reverses the order.
    if not descending:
        if bound is None:
            return '({0}) IS NOT NULL'.format(value.sql), list(value.params)
        return '({0}) > ?'.format(value.sql), list(value.params) + [bound]
    if bound is None:
        return None, []  # Nothing sorts after NULL when descending.
    return ('(({0}) < ? OR ({0}) IS NULL)'.format(value.sql),
            list(value.params) + [bound] + list(value.params))


def continuations(keys: Sequence[Tuple[Fragment, bool]],
                  values: Sequence[Any]) -> List[Fragment]:
    """Return the conditions whose rows, read one after the other, follow *values*.

    Usually one: :func:`after`. When the first key is descending and the
    bound is not NULL, two: the rows at or below the bound that sort after
    it (a range SQLite can read from an index), then the rows whose first
    key is NULL, which sort after every other row when descending.
    """
    (first, descending), bound = keys[0], values[0]
    condition = after(keys, values)
    if len(keys) > 1 and descending and bound is not None:
        return [
            Fragment('({0}) <= ? AND {1}'.format(first.sql, condition.sql),
                     list(first.params) + [bound] + condition.params),
            Fragment('({0}) IS NULL'.format(first.sql), list(first.params)),
        ]
    return [condition]


def fetch(tx: Any, select: str, where: Fragment, keys: Sequence[Tuple[Fragment, bool]],
          offset: Optional[int], limit: Optional[int]) -> Tuple[List[Any], bool]:
    """Return ``(rows, more)``: the page *offset* / *limit* of a rows statement.

    The statement is ``{select}{key columns} FROM ... WHERE {where} ORDER BY
    {keys}``; *select* holds everything before the key columns and the
    ``FROM`` clause after them, split at the marker ``{keys}``. *more*
    tells whether rows exist beyond the page (one row more than asked is
    read). Rows hold ``_ls_key0``, ... the sort key values besides the
    statement's own columns.
    """
    from .compiler import order_list

    head, _, tail = select.partition('{keys}')
    columns = ''.join(', {0} AS "{1}{2}"'.format(value.sql, KEY_PREFIX, index)
                      for index, (value, _) in enumerate(keys[:-1]))
    column_params = [param for value, _ in keys[:-1] for param in value.params]
    order = order_list(keys)
    statement_key = _statement_key(head + tail, where, order)
    cache = positions(tx.store) if statement_key is not None else None
    generation = tx.store.generation if cache is not None else None
    position = None
    if offset and cache is not None:
        position = cache.get(statement_key + (offset,), generation)
    if position is None:
        parts = [None]
        skip = offset or 0
    else:
        parts = continuations(keys, position)
        skip = 0
    wanted = None if limit is None else limit + 1
    rows: List[Any] = []
    for part in parts:
        condition = where
        if part is not None:
            condition = Fragment('({0}) AND {1}'.format(where.sql, part.sql),
                                 list(where.params) + part.params)
        sql = '{0}{1}{2} WHERE {3} ORDER BY {4}'.format(
            head, columns, tail, condition.sql, order.sql)
        params = column_params + list(condition.params) + list(order.params)
        if wanted is not None or skip:
            sql += ' LIMIT ? OFFSET ?'
            params += [-1 if wanted is None else wanted - len(rows), skip]
        rows.extend(tx.query(sql, params))
        if wanted is not None and len(rows) >= wanted:
            break
    more = limit is not None and len(rows) > limit
    if more:
        rows = rows[:limit]
        if cache is not None and rows:
            last = rows[-1]
            values = tuple(last['{0}{1}'.format(KEY_PREFIX, index)]
                           for index in range(len(keys) - 1)) + (last['rowid'],)
            cache.put(statement_key + ((offset or 0) + limit,), generation, values)
    return rows, more


def _statement_key(select: str, where: Fragment, order: Fragment) -> Optional[tuple]:
    key = (select, where.sql, order.sql, tuple(where.params), tuple(order.params))
    try:
        hash(key)
    except TypeError:
        return None
    return key
