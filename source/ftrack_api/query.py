"""Lazy, paged results of a query expression."""

from __future__ import annotations

import collections.abc
import re

import ftrack_api.exception


def _quoted_spans(expression):
    """Return the ``(start, end)`` spans of the quoted values in *expression*.

    Values are in double or single quotes; a backslash escapes the next
    character. An unterminated value runs to the end.
    """
    spans = []
    quote = None
    start = 0
    index = 0
    length = len(expression)
    while index < length:
        character = expression[index]
        if quote is None:
            if character in '"\'':
                quote = character
                start = index
        elif character == '\\':
            index += 1
        elif character == quote:
            spans.append((start, index + 1))
            quote = None
        index += 1
    if quote is not None:
        spans.append((start, length))
    return spans


def _clause(pattern, expression):
    """Return the first match of *pattern* in *expression* that is a clause.

    A clause starts a word (it follows the start, white space or a closing
    parenthesis or quote) and is not inside a quoted value; None if there
    is none.
    """
    spans = None
    for match in pattern.finditer(expression):
        start = match.start()
        if start and not (
            expression[start - 1].isspace() or expression[start - 1] in ')"\''
        ):
            continue
        end = match.end()
        if end < len(expression) and (
            expression[end].isalnum() or expression[end] == '_'
        ):
            continue
        if spans is None:
            spans = _quoted_spans(expression)
        if any(low <= start < high for low, high in spans):
            continue
        return match
    return None


def _cut_clause(pattern, expression):
    """Return *expression* without the clause *pattern* finds, and its value.

    The value is the clause's ``value`` group as an integer, None (and
    *expression* unchanged) when there is no such clause.
    """
    match = _clause(pattern, expression)
    if match is None:
        return expression, None
    return (
        expression[:match.start()] + expression[match.end():],
        int(match.group('value')),
    )


class QueryResult(collections.abc.Sequence):
    """Results from a query, fetched from the server page by page on use.

    Nothing is requested until the result is iterated, indexed, measured
    or one of :meth:`all`, :meth:`one` or :meth:`first` is called.
    """

    OFFSET_EXPRESSION = re.compile(r'(?P<offset>offset (?P<value>\d+))')
    LIMIT_EXPRESSION = re.compile(r'(?P<limit>limit (?P<value>\d+))')

    def __init__(self, session, expression, page_size=500):
        """Initialise result set for *expression* run by *session*.

        *page_size* is the maximum number of records fetched per request.
        An ``offset`` and ``limit`` in *expression* are honoured for the
        final result set; pages are requested with their own offsets and
        limits. When the expression's limit is smaller than *page_size* it
        is used as the page size. Raise :exc:`ValueError` when *page_size*
        is not a positive integer.
        """
        if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
            raise ValueError(
                'page_size must be a positive integer, got {0!r}.'.format(page_size)
            )
        super(QueryResult, self).__init__()
        self._session = session
        self._results = []
        self._expression, self._offset, self._limit = self._extract(expression)
        self._page_size = page_size
        if self._limit is not None:
            self._page_size = min(page_size, self._limit)
        self._next_offset = self._offset or 0

    def _extract(self, expression):
        """Return *expression* without its offset and limit clauses, and both.

        Only whole words outside quoted values count as clauses, so a value
        such as ``"limit 1"`` is matched as written.
        """
        expression, offset = _cut_clause(self.OFFSET_EXPRESSION, expression)
        expression, limit = _cut_clause(self.LIMIT_EXPRESSION, expression)
        return expression.strip(), offset, limit

    def _extract_offset_and_limit(self, expression):
        """Return ``(expression, offset, limit)`` for *expression* (upstream's name).

        The expression comes back without its offset and limit clauses;
        each of *offset* and *limit* is an int or None. Unlike upstream,
        words inside quoted values are left alone (a kept fix).
        """
        return self._extract(expression)

    def _can_fetch_more(self):
        """Return whether more results may be fetched from the server."""
        return self._next_offset is not None

    def __repr__(self):
        return '<{0} for {1!r}>'.format(type(self).__name__, self._expression)

    def _fetch_more(self):
        """Fetch the next page, if there is one."""
        if self._next_offset is None:
            return
        expression = '{0} offset {1} limit {2}'.format(
            self._expression, self._next_offset, self._page_size
        )
        records, metadata = self._session._query(expression)
        self._results.extend(records)

        if self._limit is not None and len(self._results) >= self._limit:
            del self._results[self._limit:]
            self._next_offset = None
        else:
            self._next_offset = (metadata.get('next') or {}).get('offset')

    def _fetch_all(self):
        while self._next_offset is not None:
            self._fetch_more()

    def __getitem__(self, index):
        if isinstance(index, slice) or index < 0:
            self._fetch_all()
            return self._results[index]
        while index >= len(self._results) and self._next_offset is not None:
            self._fetch_more()
        return self._results[index]

    def __len__(self):
        self._fetch_all()
        return len(self._results)

    def __iter__(self):
        index = 0
        while True:
            while index < len(self._results):
                yield self._results[index]
                index += 1
            if self._next_offset is None:
                return
            self._fetch_more()

    def all(self):
        """Fetch and return all data."""
        self._fetch_all()
        return list(self._results)

    def one(self):
        """Return exactly one single result from the query.

        Raise :exc:`ValueError` if the expression already has a limit or an
        offset. Raise :exc:`ftrack_api.exception.MultipleResultsFoundError`
        if more than one result was available or
        :exc:`ftrack_api.exception.NoResultFoundError` if none was.
        """
        self._reject_limit()
        if self._offset is not None:
            raise ValueError(
                'Expression contains an offset clause which does not make '
                'sense when selecting a single item.'
            )
        records, _ = self._session._query('{0} limit 2'.format(self._expression))
        if not records:
            raise ftrack_api.exception.NoResultFoundError()
        if len(records) > 1:
            raise ftrack_api.exception.MultipleResultsFoundError()
        return records[0]

    def first(self):
        """Return the first matching result, or None if there is none.

        Raise :exc:`ValueError` if the expression already has a limit.
        """
        self._reject_limit()
        expression = self._expression
        if self._offset is not None:
            expression = '{0} offset {1}'.format(expression, self._offset)
        records, _ = self._session._query('{0} limit 1'.format(expression))
        if records:
            return records[0]
        return None

    def _reject_limit(self):
        """Raise :exc:`ValueError` (upstream's message) if it has a limit."""
        if self._limit is not None:
            raise ValueError('Expression already contains a limit clause.')
