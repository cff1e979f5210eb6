"""Comparisons of an attribute's value with the values written in a query.

``<attribute> <operator> <value>`` once the attribute is an SQL expression
(:class:`Scalar`): the value is coerced to the attribute's type
(:mod:`.values`); ``none`` works with ``is`` / ``is_not`` only; ``like``
patterns use ``%`` and ``_``, a backslash making the next one literal;
``in`` / ``not_in`` take a list (which may name ``none``) or a sub-query.
Comparisons keep SQL semantics for null values: ``name is_not "x"`` does
not hold for a null name.
"""

from __future__ import annotations

from typing import Any, List

from ..errors import ValidationError
from . import ast, values
from .sql import FALSE, TRUE, Fragment, placeholders

_COMPARISON_SQL = {'is': '=', 'is_not': '!=', '>': '>', '<': '<', '>=': '>=', '<=': '<='}


class Scalar:
    """An SQL expression with the data type of the scalar it reads."""

    __slots__ = ('fragment', 'data_type', 'where')

    def __init__(self, fragment: Fragment, data_type: str, where: str) -> None:
        self.fragment = fragment
        self.data_type = data_type
        self.where = where


def compare(compiler: Any, scalar: Scalar, operator: str, value: Any) -> Fragment:
    """Return the SQL of *scalar* *operator* *value* (a parsed value).

    *compiler* compiles sub-queries (:class:`.compiler.Compiler`). Raise
    :class:`~ftrack_local_server.errors.ValidationError` naming the
    attribute and the value when the value does not fit the operator or
    the attribute's type.
    """
    expression = scalar.fragment
    if operator in ('in', 'not_in'):
        return _membership(compiler, scalar, operator, value)
    if not isinstance(value, ast.Literal):
        raise ValidationError(
            'Operator "{0}" needs a single value for {1}.'.format(
                operator, scalar.where))
    if operator in ('like', 'not_like'):
        if not value.quoted and value.value is None:
            raise ValidationError(
                'Operator "{0}" needs a pattern for {1}, not none.'.format(
                    operator, scalar.where))
        # A backslash makes the next % or _ literal (\\% in a quoted
        # value, as backslashes themselves need escaping there).
        sql = "{0} {1}LIKE ? ESCAPE '\\'".format(
            expression.sql, 'NOT ' if operator == 'not_like' else '')
        return Fragment(sql, expression.params + [value.text])
    is_null = not value.quoted and value.value is None
    if is_null:
        if operator == 'is':
            return Fragment('{0} IS NULL'.format(expression.sql),
                            list(expression.params))
        if operator == 'is_not':
            return Fragment('{0} IS NOT NULL'.format(expression.sql),
                            list(expression.params))
        raise ValidationError(
            'Cannot use "{0}" with none for {1}: none can only be compared '
            'with "is" or "is_not".'.format(operator, scalar.where))
    if scalar.data_type == 'variable':
        return _variable_comparison(scalar, operator, value)
    stored = values.coerce(value, scalar.data_type, scalar.where)
    return Fragment('{0} {1} ?'.format(expression.sql, _COMPARISON_SQL[operator]),
                    expression.params + [stored])

def _variable_comparison(scalar: Scalar, operator: str,
                         value: ast.Literal) -> Fragment:
    expression = scalar.fragment
    if operator in ('is', 'is_not'):
        candidates = values.variable_candidates(value)
        sql = '{0} {1}IN ({2})'.format(
            expression.sql, 'NOT ' if operator == 'is_not' else '',
            placeholders(len(candidates)))
        return Fragment(sql, expression.params + candidates)
    stored = values.variable_ordered(value)
    return Fragment('{0} {1} ?'.format(expression.sql, _COMPARISON_SQL[operator]),
                    expression.params + [stored])

def _membership(compiler: Any, scalar: Scalar, operator: str, value: Any) -> Fragment:
    expression = scalar.fragment
    negate = operator == 'not_in'
    if isinstance(value, ast.SubQuery):
        rows = compiler.select_query(value.query)
        if negate:
            # One null among the sub-query's values would make NOT IN
            # unknown for every row; nulls are no values to exclude.
            rows = Fragment('SELECT "_ls_value" FROM ({0}) WHERE "_ls_value" IS '
                            'NOT NULL'.format(rows.sql), rows.params)
        return Fragment('{0} {1}IN ({2})'.format(
            expression.sql, 'NOT ' if negate else '', rows.sql),
            expression.params + rows.params)
    if not isinstance(value, ast.ValueList):
        raise ValidationError(
            'Operator "{0}" needs a parenthesised list of values or a '
            'sub-query for {1}.'.format(operator, scalar.where))
    stored: List[Any] = []
    has_null = False
    for item in value.items:
        if not item.quoted and item.value is None:
            has_null = True
        elif scalar.data_type == 'variable':
            stored.extend(values.variable_candidates(item))
        else:
            stored.append(values.coerce(item, scalar.data_type, scalar.where))
    parts = []
    params: List[Any] = []
    if stored:
        parts.append('{0} IN ({1})'.format(expression.sql,
                                           placeholders(len(stored))))
        params.extend(expression.params + stored)
    if has_null:
        parts.append('{0} IS NULL'.format(expression.sql))
        params.extend(expression.params)
    if not parts:
        return TRUE if negate else FALSE
    fragment = Fragment('(' + ' OR '.join(parts) + ')', params)
    if negate:
        # SQL semantics, as for is_not: a null value is neither in nor
        # not in a list that does not name none.
        return Fragment('NOT {0}'.format(fragment.sql), fragment.params)
    return fragment
