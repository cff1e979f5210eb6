"""Expressions that filter events (subscriptions) and subscribers (targets).

The language is ``key<op>value`` conditions (``=``, ``!=``, ``>``, ``>=``,
``<``, ``<=``) combined with ``not``, ``and`` and ``or`` (in that order of
precedence) and parentheses. Keys may use dots to reach into nested
mappings (``data.entity.id``). Values are bare words or quoted strings and
are always compared as strings; a value ending in ``*`` compared with ``=``
matches any candidate string containing the part before the ``*``.
"""

from __future__ import annotations

import collections
import collections.abc
import logging
import operator
import re
import threading

import ftrack_api.exception

logger = logging.getLogger(__name__)

#: A bare (unquoted) value: letters and digits of any script, and ``_ - , . / * @ +``.
BARE_VALUE_PATTERN = r'[\w\-,./*@+]+'

#: A key: letters and digits of any script and ``_``; dots separate nested keys.
KEY_PATTERN = r'[\w.]+'

_OPERATORS = {
    '=': operator.eq,
    '!=': operator.ne,
    '>=': operator.ge,
    '<=': operator.le,
    '>': operator.gt,
    '<': operator.lt,
}

_OPERATOR_SYMBOLS = dict((function, symbol) for symbol, function in _OPERATORS.items())


class Expression(object):
    """Base of the expressions a candidate mapping can be tested against.

    The base expression imposes no condition: it matches every candidate.
    """

    def match(self, candidate):
        """Return whether *candidate* fulfils this expression."""
        return True

    def __repr__(self):
        return '<{0}>'.format(type(self).__name__)


class _Combination(Expression):
    """Base of expressions combining a list of other expressions."""

    def __init__(self, expressions=None):
        """Combine *expressions* (a list of :class:`Expression`)."""
        super().__init__()
        self._expressions = list(expressions or [])

    def __repr__(self):
        return '<{0} [{1}]>'.format(
            type(self).__name__,
            ' '.join(repr(expression) for expression in self._expressions),
        )


class All(_Combination):
    """Match a candidate that matches every one of *expressions*.

    With no expressions every candidate matches.
    """

    def match(self, candidate):
        """Return whether *candidate* matches every combined expression."""
        for expression in self._expressions:
            if not expression.match(candidate):
                return False
        return True


class Any(_Combination):
    """Match a candidate that matches at least one of *expressions*.

    With no expressions no candidate matches.
    """

    def match(self, candidate):
        """Return whether *candidate* matches any combined expression."""
        for expression in self._expressions:
            if expression.match(candidate):
                return True
        return False


class Not(Expression):
    """Match a candidate that does not match *expression*."""

    def __init__(self, expression):
        """Negate *expression* (an :class:`Expression`)."""
        super().__init__()
        self._expression = expression

    def match(self, candidate):
        """Return whether *candidate* fails the negated expression."""
        return not self._expression.match(candidate)

    def __repr__(self):
        return '<{0} {1!r}>'.format(type(self).__name__, self._expression)


class Condition(Expression):
    """Compare the value found under a key of the candidate with a value."""

    def __init__(self, key, operator, value):
        """Create the condition ``key <operator> value``.

        *key* names the candidate value to test; dots walk into nested
        mappings (``'data.eventType'`` reads ``candidate['data']['eventType']``).
        A candidate missing any part of the key never matches.

        *operator* is the comparison function, called as
        ``operator(candidate_value, value)`` (for example :func:`operator.eq`).

        *value* is what to compare with. A string value ending in ``*``
        compared for equality matches any candidate string that contains
        the part before the ``*``.
        """
        super().__init__()
        self.key = key
        self.operator = operator
        self.value = value
        self._path = key.split('.')
        self._contains = None
        if (
            operator is _OPERATORS['=']
            and isinstance(value, str)
            and value.endswith('*')
        ):
            self._contains = value[:-1]

    def match(self, candidate):
        """Return whether *candidate* satisfies the condition."""
        found = candidate
        for part in self._path:
            if not isinstance(found, collections.abc.Mapping):
                return False
            try:
                found = found[part]
            except KeyError:
                return False

        if self._contains is not None:
            return isinstance(found, str) and self._contains in found

        try:
            return bool(self.operator(found, self.value))
        except TypeError:
            # Ordering a number against the (always textual) value cannot be
            # decided; treat it as not matching rather than failing routing.
            logger.debug(
                'Cannot compare %r with %r for key %r.', found, self.value, self.key
            )
            return False

    def __repr__(self):
        symbol = _OPERATOR_SYMBOLS.get(self.operator)
        if symbol is None:
            symbol = getattr(self.operator, '__name__', repr(self.operator))
        # The value as text, unquoted, as upstream writes it.
        return '<{0} {1}{2}{3}>'.format(
            type(self).__name__, self.key, symbol, self.value
        )


def format_value(value):
    """Return *value* (a string) written as an expression value.

    Bare when it can be (as ``id=<value>`` has always been written), else
    double-quoted with ``\\`` and ``"`` escaped, so that any text can be
    the value of a condition such as a reply's target.
    """
    if re.fullmatch(BARE_VALUE_PATTERN, value):
        return value
    return '"{0}"'.format(value.replace('\\', '\\\\').replace('"', '\\"'))


def _build_grammar():
    """Return a new pyparsing grammar producing :class:`Expression` objects."""
    import pyparsing

    # A keyword only when not the start of a longer key (``order=1``).
    and_keyword = _keyword('and')
    or_keyword = _keyword('or')
    not_keyword = _keyword('not')

    key = ~(and_keyword | or_keyword | not_keyword) + pyparsing.Regex(KEY_PATTERN)
    comparison = pyparsing.one_of(list(_OPERATORS))
    value = (
        pyparsing.QuotedString('"', esc_char='\\')
        | pyparsing.QuotedString("'", esc_char='\\')
        | pyparsing.Regex(BARE_VALUE_PATTERN)
    )
    condition = key + comparison + value
    condition.set_parse_action(
        lambda tokens: Condition(tokens[0], _OPERATORS[tokens[1]], tokens[2])
    )

    expression = pyparsing.infix_notation(
        condition,
        [
            (not_keyword, 1, pyparsing.OpAssoc.RIGHT, _make_not),
            (and_keyword, 2, pyparsing.OpAssoc.LEFT, _make_combination(All)),
            (or_keyword, 2, pyparsing.OpAssoc.LEFT, _make_combination(Any)),
        ],
    )
    grammar = pyparsing.StringStart() + expression + pyparsing.StringEnd()
    grammar.streamline()
    return grammar


def _keyword(word):
    """Return an element matching *word* in any case, not followed by a key character."""
    import pyparsing

    return pyparsing.Regex(r'(?i:{0})(?![\w.])'.format(word))


def _make_not(tokens):
    # Tokens are [[not, operand]] (or more nots before the operand).
    group = list(tokens[0])
    result = group[-1]
    for _ in group[:-1]:
        result = Not(result)
    return result


def _make_combination(cls):
    def combine(tokens):
        # Operands sit at even positions between the keyword tokens.
        return cls(list(tokens[0])[0::2])

    return combine


#: The lock and cache every :class:`Parser` shares (every event hub and
#: subscription has a parser, and expressions never change once built).
_LOCK = threading.Lock()
_CACHE = collections.OrderedDict()

#: The pyparsing grammar, built (and pyparsing imported) when first needed:
#: the common expressions take the fast path below.
_GRAMMAR = []


def _grammar():
    if not _GRAMMAR:
        _GRAMMAR.append(_build_grammar())
    return _GRAMMAR[0]


# The fast path: conditions joined by ``and`` only, values bare or quoted
# without escapes. It gives exactly what the grammar gives for them (a
# Condition, or an All of Conditions); anything else goes to the grammar.
_SPACE = r'[ \t\r\n]*'
_FAST_CONDITION = re.compile(
    _SPACE + r'(?P<key>' + KEY_PATTERN + r')' + _SPACE
    + r'(?P<operator>!=|>=|<=|=|>|<)' + _SPACE
    + r'(?:"(?P<double>[^"\\]*)"|\'(?P<single>[^\'\\]*)\'|(?P<bare>'
    + BARE_VALUE_PATTERN + r'))' + _SPACE
)
_FAST_AND = re.compile(r'(?i:and)(?![\w.])')
_KEYWORDS = frozenset(['and', 'or', 'not'])


def _parse_simple(expression):
    """Return the expression for a plain conjunction of conditions, or None."""
    conditions = []
    position = 0
    length = len(expression)
    while True:
        match = _FAST_CONDITION.match(expression, position)
        if match is None or match.group('key').lower() in _KEYWORDS:
            return None
        value = match.group('double')
        if value is None:
            value = match.group('single')
            if value is None:
                value = match.group('bare')
        conditions.append(
            Condition(match.group('key'), _OPERATORS[match.group('operator')], value)
        )
        position = match.end()
        if position == length:
            break
        joined = _FAST_AND.match(expression, position)
        if joined is None:
            return None
        position = joined.end()
    if len(conditions) == 1:
        return conditions[0]
    return All(conditions)


class Parser(object):
    """Parse expression strings into :class:`Expression` objects.

    A parser may be shared by several threads: parsing is serialised by a
    lock and results are cached, as expressions never change once built.
    """

    #: How many distinct parsed expressions are kept.
    cache_size = 1024

    def __init__(self):
        """Create a parser; all parsers share one grammar, lock and cache."""
        super().__init__()
        self._lock, self._cache = _LOCK, _CACHE

    def parse(self, expression):
        """Return the :class:`Expression` described by the string *expression*.

        A blank *expression* matches everything.

        Raise :class:`ftrack_api.exception.ParseError` if *expression* is not
        a string or cannot be parsed.
        """
        if not isinstance(expression, str):
            raise ftrack_api.exception.ParseError(
                'Expression must be a string, not {0!r}.'.format(expression)
            )

        with self._lock:
            cached = self._cache.get(expression)
            if cached is not None:
                self._cache.move_to_end(expression)
                return cached

            if not expression.strip():
                result = All()
            else:
                result = _parse_simple(expression)
            if result is None:
                import pyparsing

                try:
                    result = _grammar().parse_string(expression, parse_all=True)[0]
                except pyparsing.ParseBaseException as error:
                    raise ftrack_api.exception.ParseError(
                        'Failed to parse expression {0!r}: {1}'.format(
                            expression, error
                        )
                    )

            self._cache[expression] = result
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return result
