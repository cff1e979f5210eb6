"""``group by`` and aggregate queries.

``select count(id), status_id from Task group by project_id, status_id``
returns plain objects, one per group, holding each aggregate under
``<function>_<attribute>`` (``count_id``) and each grouped attribute under
its path (``project_id``, ``status.name``)::

    {"count_id": 2, "project_id": "...", "status_id": "..."}

Without ``group by``, aggregates summarise every matching entity in one
object. Every selected attribute that is not an aggregate must be grouped.
Groups come ordered by the ``order by`` keys (grouped paths or aggregate
names), then by the grouped values.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from ..encoding import from_storage
from ..errors import ValidationError
from ..model import quote
from ..schema import EntityType
from . import ast
from .compiler import Compiler, Scalar
from .paths import format_path
from .sql import fetch_page

_FUNCTIONS = {'count': 'COUNT', 'sum': 'SUM', 'avg': 'AVG', 'min': 'MIN', 'max': 'MAX'}


def is_aggregate(query: ast.Query) -> bool:
    """Return whether *query* groups or aggregates."""
    return bool(query.group_by) or any(
        p.function for p in query.projections or ())


def aggregate_name(projection: ast.Projection) -> str:
    """Return the output name of aggregate *projection* (``count_id``)."""
    return '{0}_{1}'.format(projection.function, format_path(projection.path))


def execute(tx: Any, compiler: Compiler, query: ast.Query,
            entity_type: EntityType) -> Tuple[List[Dict[str, Any]], bool]:
    """Return ``(rows, more)`` of aggregate *query*; *more* tells whether
    groups exist beyond the requested page.

    Raise :class:`~ftrack_local_server.errors.ValidationError` for a
    selected attribute that is not grouped, an aggregate of something
    that is not a single value, or an ``order by`` key that is neither a
    grouped path nor an aggregate name.
    """
    alias = 't0'
    groups: List[Tuple[str, Scalar]] = []
    for path in query.group_by:
        groups.append((format_path(path), compiler.value(entity_type, alias, path)))
    grouped = {format_path(path) for path in query.group_by}
    aggregates: List[Tuple[str, str, Scalar]] = []
    for projection in query.projections or ():
        if projection.function:
            value = compiler.value(entity_type, alias, projection.path)
            _check_arithmetic(projection, value)
            aggregates.append((aggregate_name(projection), projection.function, value))
        elif format_path(projection.path) not in grouped:
            raise ValidationError(
                'Attribute "{0}" is selected but neither grouped nor aggregated; '
                'add it to "group by" or select an aggregate such as '
                'count({0}).'.format(format_path(projection.path)))
    columns: List[str] = []
    params: List[Any] = []
    names: List[str] = []
    for index, (name, value) in enumerate(groups):
        columns.append('{0} AS "_ls_g{1}"'.format(value.fragment.sql, index))
        params.extend(value.fragment.params)
        names.append(name)
    for index, (name, function, value) in enumerate(aggregates):
        columns.append('{0}({1}) AS "_ls_a{2}"'.format(
            _FUNCTIONS[function], value.fragment.sql, index))
        params.extend(value.fragment.params)
    if not columns:
        raise ValidationError('An aggregate query must select or group something.')
    where = compiler.where(query, entity_type, alias)
    sql = 'SELECT {0} FROM {1} AS {2} WHERE {3}'.format(
        ', '.join(columns), quote(tx.model.table(entity_type.name).name),
        quote(alias), where.sql)
    params.extend(where.params)
    if groups:
        sql += ' GROUP BY {0}'.format(', '.join(
            '"_ls_g{0}"'.format(index) for index in range(len(groups))))
        order = _order(query.order_by, groups, aggregates)
        sql += ' ORDER BY ' + order
    rows, more = fetch_page(tx, sql, params, query.offset, query.limit)
    result = []
    for row in rows:
        record: Dict[str, Any] = {}
        for index, (name, value) in enumerate(groups):
            record[name] = from_storage(value.data_type, row['_ls_g{0}'.format(index)])
        for index, (name, function, value) in enumerate(aggregates):
            record[name] = _aggregate_value(function, value,
                                            row['_ls_a{0}'.format(index)])
        result.append(record)
    return result, more


#: Aggregates that add values up, and the types they accept (``variable``:
#: custom attribute values, numbers or not).
_ARITHMETIC = ('sum', 'avg')
_NUMERIC_TYPES = ('integer', 'number', 'variable')


def _check_arithmetic(projection: ast.Projection, value: Scalar) -> None:
    if projection.function in _ARITHMETIC and value.data_type not in _NUMERIC_TYPES:
        raise ValidationError(
            'Cannot compute {0}({1}): "{1}" is {2}, not a number; use count, '
            'min or max for it.'.format(
                projection.function, format_path(projection.path),
                'a ' + (value.data_type or 'value')))


def _order(keys: Sequence[ast.OrderKey], groups: Sequence[Tuple[str, Scalar]],
           aggregates: Sequence[Tuple[str, str, Scalar]]) -> str:
    group_index = {name: index for index, (name, _) in enumerate(groups)}
    aggregate_index = {name: index for index, (name, _, _) in enumerate(aggregates)}
    parts = []
    for key in keys:
        name = format_path(key.path)
        if name in group_index:
            column = '"_ls_g{0}"'.format(group_index[name])
        elif name in aggregate_index:
            column = '"_ls_a{0}"'.format(aggregate_index[name])
        else:
            raise ValidationError(
                'Cannot order groups by "{0}": order by a grouped attribute '
                '({1}) or an aggregate ({2}).'.format(
                    name, ', '.join(group_index) or 'none',
                    ', '.join(aggregate_index) or 'none'))
        parts.append(column + (' DESC' if key.descending else ''))
    parts.extend('"_ls_g{0}"'.format(index) for index in range(len(groups)))
    return ', '.join(parts)


def _aggregate_value(function: str, value: Scalar, stored: Any) -> Any:
    if function == 'count':
        return int(stored or 0)
    if stored is None:
        return None
    if function == 'avg':
        return float(stored)
    if function == 'sum':
        return stored
    return from_storage(value.data_type, stored)
