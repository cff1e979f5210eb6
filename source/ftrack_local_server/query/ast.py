"""Syntax tree of the ftrack query language.

The parser (:mod:`ftrack_local_server.query.parser`) turns an expression such
as ``select name, status.name from Task where parent.id is "x" limit 10`` into
these nodes; the evaluator compiles them against the schema and storage.

Nodes are plain frozen dataclasses so they can be compared in tests and used
as cache keys. Attribute paths are tuples of names (``('status', 'name')``).
Nothing here knows about the schema: whether a name exists, or what type a
value must have, is decided by the evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple, Union

#: Canonical comparison operators. The parser maps every synonym of the
#: query language onto one of these (``=`` and ``is`` become ``'is'``,
#: ``after`` and ``greater_than`` become ``'>'``, and so on).
OPERATORS = (
    'is', 'is_not', '>', '<', '>=', '<=', 'in', 'not_in', 'like', 'not_like',
)

#: Aggregate functions allowed in projections.
FUNCTIONS = ('count', 'sum', 'avg', 'min', 'max')

Path = Tuple[str, ...]


@dataclass(frozen=True)
class Literal:
    """A single value written in an expression.

    *text* is the value as written, with quotes removed and backslash
    escapes resolved. *quoted* tells whether it was written in quotes.
    *value* is the parser's reading of an unquoted word: ``int`` or
    ``float`` for numbers, ``True`` / ``False`` for booleans (any case),
    ``None`` for ``none`` / ``null`` (any case), else the text itself.
    Quoted values always have ``value == text``. The evaluator coerces
    the value to the type of the attribute it is compared with (a quoted
    ``"2015-06-01"`` against a date-time attribute becomes a datetime).
    """

    value: Any
    text: str
    quoted: bool = False


@dataclass(frozen=True)
class ValueList:
    """A parenthesised list of literals, the right side of ``in``."""

    items: Tuple[Literal, ...]


@dataclass(frozen=True)
class SubQuery:
    """A parenthesised ``select`` query, the right side of ``in``."""

    query: 'Query'


Value = Union[Literal, ValueList, SubQuery]


@dataclass(frozen=True)
class Comparison:
    """``<path> <operator> <value>``; *operator* is one of :data:`OPERATORS`."""

    path: Path
    operator: str
    value: Value


@dataclass(frozen=True)
class Relation:
    """``<path> has (<criteria>)`` or ``<path> any (<criteria>)``.

    *kind* is ``'has'`` (a reference) or ``'any'`` (a collection).
    *criteria* is ``None`` for empty parentheses, ``any ()``, which
    tests that the collection is not empty.
    """

    path: Path
    kind: str
    criteria: Optional['Criteria']


@dataclass(frozen=True)
class And:
    """All of *items* hold."""

    items: Tuple['Criteria', ...]


@dataclass(frozen=True)
class Or:
    """At least one of *items* holds."""

    items: Tuple['Criteria', ...]


@dataclass(frozen=True)
class Not:
    """*item* does not hold."""

    item: 'Criteria'


Criteria = Union[Comparison, Relation, And, Or, Not]


@dataclass(frozen=True)
class Projection:
    """One item of a ``select`` list.

    A plain attribute path, or an aggregate (``count(id)``) when
    *function* is one of :data:`FUNCTIONS`.
    """

    path: Path
    function: Optional[str] = None


@dataclass(frozen=True)
class OrderKey:
    """One key of ``order by``; *descending* is ``True`` for ``desc``."""

    path: Path
    descending: bool = False


@dataclass(frozen=True)
class Query:
    """A whole query expression.

    *projections* is ``None`` for the short form ``Task where ...`` (the
    type's default projections apply) and a tuple otherwise.
    *entity_type* is the name as written; the evaluator checks it.
    """

    entity_type: str
    projections: Optional[Tuple[Projection, ...]] = None
    criteria: Optional[Criteria] = None
    group_by: Tuple[Path, ...] = field(default_factory=tuple)
    order_by: Tuple[OrderKey, ...] = field(default_factory=tuple)
    offset: Optional[int] = None
    limit: Optional[int] = None
