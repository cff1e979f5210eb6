"""Tokenizer of the ftrack query language.

Splits an expression into :class:`Token` items the parser consumes. Tokens
may touch each other: ``key=some_key``, ``"v1"and``, ``)or(`` and
``(a,b)`` all split as a reader would expect, because the Python client
generates such text (protocol §2.3.2).

Token kinds:

``word``
    a bare word: keywords, attribute paths, entity types and unquoted
    values (UUIDs, numbers, ``2015-06-01``, ``True``, ``none``, ...).
``string``
    a single- or double-quoted string; :attr:`Token.value` holds the text
    with quotes removed and escapes resolved.
``op``
    a symbolic operator: ``=``, ``!=``, ``>``, ``<``, ``>=``, ``<=``.
``(``, ``)``, ``,``
    punctuation, the kind being the character itself.
``end``
    the end of the expression (always the last token).
"""

from __future__ import annotations

import re
from typing import List, NamedTuple

from ..errors import QueryParseError

_TOKEN_PATTERN = re.compile(
    r'''
    (?P<space>\s+)
    | "(?P<dq>(?:[^"\\]|\\.)*)"
    | '(?P<sq>(?:[^'\\]|\\.)*)'
    | (?P<op>!=|>=|<=|=|>|<)
    | (?P<punct>[(),])
    | (?P<word>(?:[^\s(),"'=!<>]|!(?!=))(?:[^\s(),"=!<>]|!(?!=))*)
    | (?P<bad>["'])
    ''',
    re.VERBOSE | re.DOTALL,
)

# Only quotes and backslashes are escapable: other backslashes are kept as
# written so that unescaped Windows paths sent by clients survive intact.
_ESCAPE_PATTERN = re.compile(r'''\\(["'\\])''')


class Token(NamedTuple):
    """One token: *kind*, *value* (resolved text) and *position* (offset)."""

    kind: str
    value: str
    position: int


def unescape(text: str) -> str:
    """Return *text* with ``\\"``, ``\\'`` and ``\\\\`` resolved."""
    if '\\' not in text:
        return text
    return _ESCAPE_PATTERN.sub(r'\1', text)


def describe(token: Token) -> str:
    """Return how *token* is named in an error message."""
    if token.kind == 'end':
        return 'the end of the query'
    text = token.value if len(token.value) <= 40 else token.value[:37] + '...'
    if token.kind == 'string':
        return 'the string {0!r}'.format(text)
    return repr(text)


def tokenize(expression: str) -> List[Token]:
    """Return the tokens of *expression*, ending with an ``end`` token.

    Raise :class:`~ftrack_local_server.errors.QueryParseError` for an
    unterminated quoted string, naming its position.
    """
    tokens: List[Token] = []
    append = tokens.append
    position = 0
    length = len(expression)
    match = _TOKEN_PATTERN.match
    while position < length:
        found = match(expression, position)
        # Every character starts some alternative; ``bad`` catches a quote
        # that has no closing partner.
        kind = found.lastgroup
        if kind == 'word':
            append(Token('word', found.group('word'), position))
        elif kind in ('dq', 'sq'):
            append(Token('string', unescape(found.group(kind)), position))
        elif kind == 'op':
            append(Token('op', found.group('op'), position))
        elif kind == 'punct':
            value = found.group('punct')
            append(Token(value, value, position))
        elif kind == 'bad':
            raise QueryParseError(
                "Could not parse query '{0}': unterminated string starting "
                'with {1} at position {2}.'.format(
                    expression, found.group('bad'), position
                )
            )
        position = found.end()
    append(Token('end', '', length))
    return tokens
