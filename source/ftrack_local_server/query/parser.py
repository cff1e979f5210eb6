"""Parser of the ftrack query language.

:func:`parse` turns an expression into an :class:`~.ast.Query`::

    select name, status.name from Task where parent.id is "x" limit 10
    Task where (id is "x")
    select count(id), status_id from Task group by status_id

Grammar (keywords case-insensitive, ``not`` binds tighter than ``and``,
which binds tighter than ``or``)::

    query       := [select projections from] TYPE [where criteria] clause*
    clause      := group by paths | order by keys | offset INT | limit INT
    projections := projection ("," projection)*
    projection  := FUNCTION "(" path ")" | path
    criteria    := conjunction (or conjunction)*
    conjunction := negation (and negation)*
    negation    := not negation | "(" criteria ")"
                 | path (has | any) "(" [criteria] ")"
                 | path OPERATOR value
    value       := STRING | WORD | "(" literal ("," literal)* ")"
                 | "(" query ")"

Parsed queries are cached (the tree is immutable), so parsing the same
expression again is a dictionary look-up.

Expressions past the limits below are refused with a ``ParseError`` naming
the limit, before anything runs: :data:`MAX_EXPRESSION_LENGTH` characters,
:data:`MAX_CONDITIONS` conditions, :data:`MAX_NESTING` levels of
parentheses, ``not``, ``has`` / ``any`` and sub-queries,
:data:`MAX_PATH_LENGTH` names in one attribute path and
:data:`MAX_JOIN_DEPTH` for the longest chain of relations a condition
follows (each name of a path and of enclosing ``has`` / ``any`` paths
counts one, each enclosing sub-query two): beyond it SQLite cannot run the
statement.
"""

from __future__ import annotations

import functools
import re
from typing import Callable, List, Optional, Tuple, TypeVar

from ..errors import QueryParseError
from . import ast
from .tokens import Token, describe, tokenize

T = TypeVar('T')

#: How many parsed expressions are kept.
CACHE_SIZE = 2048

#: Word operators and their canonical names (:data:`ast.OPERATORS`).
WORD_OPERATORS = {
    'is': 'is',
    'is_not': 'is_not',
    'after': '>',
    'greater_than': '>',
    'before': '<',
    'less_than': '<',
    'in': 'in',
    'not_in': 'not_in',
    'like': 'like',
    'not_like': 'not_like',
}

#: Symbolic operators and their canonical names.
SYMBOL_OPERATORS = {
    '=': 'is',
    '!=': 'is_not',
    '>': '>',
    '<': '<',
    '>=': '>=',
    '<=': '<=',
}

RELATIONS = ('has', 'any')

_DIRECTIONS = {
    'asc': False,
    'ascending': False,
    'desc': True,
    'descending': True,
}

_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*\Z')
_INTEGER = re.compile(r'[-+]?[0-9]+\Z')
_FLOAT = re.compile(
    r'[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z'
    r'|[-+]?[0-9]+[eE][-+]?[0-9]+\Z'
)
_NON_NEGATIVE = re.compile(r'[0-9]+\Z')

#: Largest ``offset`` / ``limit`` kept; the executor asks for one row more.
MAX_COUNT = 2 ** 62

#: Input limits (see the module documentation).
MAX_EXPRESSION_LENGTH = 4 * 1024 ** 2
MAX_CONDITIONS = 500
MAX_NESTING = 32
MAX_PATH_LENGTH = 10
MAX_JOIN_DEPTH = 11


def parse(expression: str) -> ast.Query:
    """Return the syntax tree of query *expression*.

    Raise :class:`~ftrack_local_server.errors.QueryParseError` when
    *expression* is not a string or cannot be parsed; the message quotes
    the expression, gives the character offset of the problem and says
    what was expected and what was found.
    """
    if not isinstance(expression, str):
        raise QueryParseError(
            'Query expression must be a string, not {0} ({1!r}).'.format(
                type(expression).__name__, expression
            )
        )
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise QueryParseError(
            'Could not parse query {0}...: it has {1} characters, at most {2} are '
            'accepted.'.format(expression[:80], len(expression), MAX_EXPRESSION_LENGTH))
    return _parse_cached(expression)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse_cached(expression: str) -> ast.Query:
    # lru_cache is thread-safe and does not cache raised errors, so bad
    # expressions are re-parsed (and re-reported) every time.
    query = _Parser(expression).parse()
    depth = join_depth(query)
    if depth > MAX_JOIN_DEPTH:
        raise QueryParseError(
            "Could not parse query '{0}': its conditions follow relations {1} deep "
            '(names in attribute paths and enclosing has / any, two per '
            'sub-query); at most {2} are accepted.'.format(
                _short(expression), depth, MAX_JOIN_DEPTH))
    return query


def _short(expression: str) -> str:
    return expression if len(expression) <= 300 else expression[:297] + '...'


def join_depth(node: object) -> int:
    """Return the longest chain of relations the conditions of *node* follow.

    *node* is a query or criteria tree (nesting already bounded by the
    parser); see the module documentation for the counting.
    """
    if isinstance(node, ast.Query):
        return join_depth(node.criteria) if node.criteria is not None else 0
    if isinstance(node, (ast.And, ast.Or)):
        return max(join_depth(item) for item in node.items)
    if isinstance(node, ast.Not):
        return join_depth(node.item)
    if isinstance(node, ast.Relation):
        inner = join_depth(node.criteria) if node.criteria is not None else 0
        return len(node.path) + inner
    if isinstance(node, ast.Comparison):
        value = node.value
        if isinstance(value, ast.SubQuery):
            return max(len(node.path), 2 + join_depth(value.query))
        return len(node.path)
    return 0


def clear_cache() -> None:
    """Forget every cached parse result."""
    _parse_cached.cache_clear()


def literal_from_word(word: str) -> ast.Literal:
    """Return the :class:`ast.Literal` for the unquoted value *word*."""
    lowered = word.lower()
    if lowered == 'true':
        value = True
    elif lowered == 'false':
        value = False
    elif lowered in ('none', 'null'):
        value = None
    elif _INTEGER.match(word):
        value = int(word)
    elif _FLOAT.match(word):
        value = float(word)
    else:
        value = word
    return ast.Literal(value=value, text=word, quoted=False)


class _Parser:
    """Recursive-descent parser over the tokens of one expression."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens: List[Token] = tokenize(expression)
        self.index = 0
        self.nesting = 0
        self.conditions = 0

    def enter(self, token: Token) -> None:
        """Count one more level of nesting at *token*; refuse past :data:`MAX_NESTING`."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise QueryParseError(
                "Could not parse query '{0}': it nests parentheses, not, has / any "
                'or sub-queries more than {1} levels deep (at position {2}).'.format(
                    _short(self.expression), MAX_NESTING, token.position))

    def count_condition(self, token: Token) -> None:
        """Count one more condition; refuse past :data:`MAX_CONDITIONS`."""
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise QueryParseError(
                "Could not parse query '{0}': it has more than {1} conditions (at "
                'position {2}); split it or use "in" with a list of values.'.format(
                    _short(self.expression), MAX_CONDITIONS, token.position))

    # Token helpers -------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def peek(self, distance: int = 1) -> Token:
        index = min(self.index + distance, len(self.tokens) - 1)
        return self.tokens[index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != 'end':
            self.index += 1
        return token

    def is_keyword(self, token: Token, *keywords: str) -> bool:
        return token.kind == 'word' and token.value.lower() in keywords

    def fail(self, expected: str, token: Optional[Token] = None) -> None:
        token = token or self.current
        raise QueryParseError(
            "Could not parse query '{0}': expected {1} at position {2}, "
            'found {3}.'.format(
                self.expression, expected, token.position, describe(token)
            )
        )

    def expect(self, kind: str, expected: str) -> Token:
        if self.current.kind != kind:
            self.fail(expected)
        return self.advance()

    def expect_keyword(self, keyword: str) -> Token:
        if not self.is_keyword(self.current, keyword):
            self.fail("'{0}'".format(keyword))
        return self.advance()

    # Query ---------------------------------------------------------------

    def parse(self) -> ast.Query:
        query = self.parse_query()
        if self.current.kind != 'end':
            self.fail_after_query(query)
        return query

    def parse_query(self) -> ast.Query:
        projections = None
        if self.is_keyword(self.current, 'select'):
            self.advance()
            projections = self.parse_projections()
            self.expect_keyword('from')
        entity_type = self.parse_name('an entity type')
        criteria = None
        if self.is_keyword(self.current, 'where'):
            self.advance()
            criteria = self.parse_criteria()
        group_by: Tuple[ast.Path, ...] = ()
        order_by: Tuple[ast.OrderKey, ...] = ()
        offset = limit = None
        seen = set()
        while True:
            token = self.current
            if self.is_keyword(token, 'group') and self.is_keyword(
                self.peek(), 'by'
            ):
                self.check_repeat(seen, 'group by', token)
                self.advance()
                self.advance()
                group_by = self.parse_group_by()
            elif self.is_keyword(token, 'order') and self.is_keyword(
                self.peek(), 'by'
            ):
                self.check_repeat(seen, 'order by', token)
                self.advance()
                self.advance()
                order_by = self.parse_order_by()
            elif self.is_keyword(token, 'offset'):
                self.check_repeat(seen, 'offset', token)
                self.advance()
                offset = self.parse_count('offset')
            elif self.is_keyword(token, 'limit'):
                self.check_repeat(seen, 'limit', token)
                self.advance()
                limit = self.parse_count('limit')
            else:
                break
        return ast.Query(
            entity_type=entity_type,
            projections=projections,
            criteria=criteria,
            group_by=group_by,
            order_by=order_by,
            offset=offset,
            limit=limit,
        )

    def fail_after_query(self, query: ast.Query) -> None:
        clauses = "'group by', 'order by', 'offset', 'limit' or the end of the query"
        if query.criteria is not None:
            self.fail("'and', 'or', " + clauses)
        elif query.group_by or query.order_by or query.offset is not None or (
            query.limit is not None
        ):
            self.fail(clauses)
        self.fail("'where', " + clauses)

    def check_repeat(self, seen: set, clause: str, token: Token) -> None:
        if clause in seen:
            raise QueryParseError(
                "Could not parse query '{0}': '{1}' given twice, again at "
                'position {2}.'.format(self.expression, clause, token.position)
            )
        seen.add(clause)

    def parse_count(self, clause: str) -> int:
        token = self.current
        if token.kind != 'word' or not _NON_NEGATIVE.match(token.value):
            self.fail('a non-negative whole number after {0!r}'.format(clause))
        self.advance()
        # No table reaches this many rows; larger counts mean "all" (or
        # "past the end") and must not overflow the store's integers.
        return min(int(token.value), MAX_COUNT)

    # Names and paths -----------------------------------------------------

    def parse_name(self, expected: str) -> str:
        token = self.current
        if token.kind != 'word' or not _NAME.match(token.value):
            self.fail(expected)
        self.advance()
        return token.value

    def parse_path(self, expected: str = 'an attribute name') -> ast.Path:
        token = self.current
        if token.kind != 'word':
            self.fail(expected)
        parts = tuple(token.value.split('.'))
        if not all(_NAME.match(part) for part in parts):
            self.fail(expected)
        if len(parts) > MAX_PATH_LENGTH:
            raise QueryParseError(
                "Could not parse query '{0}': the attribute path {1} has {2} names; "
                'at most {3} are accepted.'.format(
                    _short(self.expression), token.value[:200], len(parts),
                    MAX_PATH_LENGTH))
        self.advance()
        return parts

    # Projections, grouping and ordering ----------------------------------

    def parse_list(self, parse_item: Callable[[], T]) -> Tuple[T, ...]:
        items = [parse_item()]
        while self.current.kind == ',':
            self.advance()
            items.append(parse_item())
        return tuple(items)

    def parse_projections(self) -> Tuple[ast.Projection, ...]:
        return self.parse_list(self.parse_projection)

    def parse_projection(self) -> ast.Projection:
        token = self.current
        if self.is_keyword(token, 'from'):
            # Some types have an attribute called ``from`` (links); it is
            # the keyword unless another ``from`` or a comma follows it.
            following = self.peek()
            if not (following.kind == ',' or self.is_keyword(following, 'from')):
                self.fail('an attribute name')
        if (
            token.kind == 'word'
            and token.value.lower() in ast.FUNCTIONS
            and self.peek().kind == '('
        ):
            self.advance()
            self.advance()
            path = self.parse_path()
            self.expect(')', "')' closing {0}(".format(token.value.lower()))
            return ast.Projection(path=path, function=token.value.lower())
        return ast.Projection(path=self.parse_path())

    def parse_group_by(self) -> Tuple[ast.Path, ...]:
        return self.parse_list(self.parse_path)

    def parse_order_by(self) -> Tuple[ast.OrderKey, ...]:
        return self.parse_list(self.parse_order_key)

    def parse_order_key(self) -> ast.OrderKey:
        path = self.parse_path()
        descending = False
        token = self.current
        if token.kind == 'word' and token.value.lower() in _DIRECTIONS:
            descending = _DIRECTIONS[token.value.lower()]
            self.advance()
        return ast.OrderKey(path=path, descending=descending)

    # Criteria ------------------------------------------------------------

    def parse_criteria(self) -> ast.Criteria:
        items = [self.parse_conjunction()]
        while self.is_keyword(self.current, 'or'):
            self.advance()
            items.append(self.parse_conjunction())
        if len(items) == 1:
            return items[0]
        return ast.Or(tuple(items))

    def parse_conjunction(self) -> ast.Criteria:
        items = [self.parse_negation()]
        while self.is_keyword(self.current, 'and'):
            self.advance()
            items.append(self.parse_negation())
        if len(items) == 1:
            return items[0]
        return ast.And(tuple(items))

    def parse_negation(self) -> ast.Criteria:
        token = self.current
        if self.is_keyword(token, 'not') and self.starts_condition(self.peek()):
            self.advance()
            self.enter(token)
            negated = ast.Not(self.parse_negation())
            self.nesting -= 1
            return negated
        if token.kind == '(':
            self.advance()
            self.enter(token)
            criteria = self.parse_criteria()
            self.expect(')', "')' or a condition joined by 'and' or 'or'")
            self.nesting -= 1
            return criteria
        if token.kind != 'word':
            self.fail('a condition')
        self.count_condition(token)
        path = self.parse_path('a condition')
        operator_token = self.current
        if self.is_keyword(operator_token, *RELATIONS):
            return self.parse_relation(path, operator_token.value.lower())
        operator = self.parse_operator()
        if operator in ('in', 'not_in'):
            value = self.parse_collection_value(operator)
        else:
            value = self.parse_literal()
        return ast.Comparison(path=path, operator=operator, value=value)

    @staticmethod
    def starts_condition(token: Token) -> bool:
        # ``not`` is only the negation when a condition follows; anything
        # else (say ``not is 1``) is reported at the operator instead.
        return token.kind in ('(', 'word')

    def parse_relation(self, path: ast.Path, kind: str) -> ast.Relation:
        self.advance()
        self.enter(self.expect('(', "'(' after {0!r}".format(kind)))
        if self.current.kind == ')':
            self.advance()
            self.nesting -= 1
            return ast.Relation(path=path, kind=kind, criteria=None)
        criteria = self.parse_criteria()
        self.expect(')', "')' or a condition joined by 'and' or 'or'")
        self.nesting -= 1
        return ast.Relation(path=path, kind=kind, criteria=criteria)

    def parse_operator(self) -> str:
        token = self.current
        if token.kind == 'op':
            self.advance()
            return SYMBOL_OPERATORS[token.value]
        if token.kind == 'word':
            operator = WORD_OPERATORS.get(token.value.lower())
            if operator is not None:
                self.advance()
                return operator
        self.fail('an operator (is, is_not, =, !=, >, <, >=, <=, in, '
                  'not_in, like, not_like, has or any)')
        raise AssertionError('unreachable')

    def parse_literal(self) -> ast.Literal:
        token = self.current
        if token.kind == 'string':
            self.advance()
            return ast.Literal(value=token.value, text=token.value, quoted=True)
        if token.kind == 'word':
            self.advance()
            return literal_from_word(token.value)
        self.fail('a value')
        raise AssertionError('unreachable')

    def parse_collection_value(self, operator: str):
        self.expect('(', "'(' starting the list of values after {0!r}".format(
            operator
        ))
        if self.is_keyword(self.current, 'select'):
            self.enter(self.current)
            query = self.parse_query()
            if self.current.kind != ')':
                self.fail("')' closing the sub-query")
            self.advance()
            self.nesting -= 1
            return ast.SubQuery(query)
        items: Tuple[ast.Literal, ...] = ()
        if self.current.kind != ')':
            items = self.parse_list(self.parse_literal)
        self.expect(')', "',' or ')' in the list of values")
        return ast.ValueList(items)
