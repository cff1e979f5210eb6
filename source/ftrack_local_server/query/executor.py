"""Running a query expression against the store.

:func:`execute` is what the ``query`` action does: parse the expression
(:mod:`.parser`), compile criteria and ordering (:mod:`.compiler`), read
one page of rows in a single statement, then load the projections for the
whole page (:mod:`.loader`). The result has the shape of protocol §2.3::

    {"action": "query", "data": [...], "metadata": {"next": {"offset": N}}}

``next.offset`` is the offset of the next page when rows exist beyond this
one, else null. Rows come in the ``order by`` order, then in creation
order, so paging is stable; a page asked for at the ``next`` offset of the
previous one continues from where that one ended (:mod:`.paging`), so
deep pages cost what the first one does.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any, Dict, Optional, Union

from ..encoding import now_text, parse_datetime
from ..model import quote
from ..schema import EntityType
from . import aggregate, ast, paging
from .compiler import Compiler
from .loader import Loader
from .parser import parse
from .projection import build_tree, plain_paths
from .sql import Fragment

logger = logging.getLogger(__name__)


def execute(tx: Any, expression: Union[str, ast.Query],
            base_url: Optional[str] = None,
            now: Optional[datetime.datetime] = None,
            visibility: Any = None) -> Dict[str, Any]:
    """Return the ``query`` action result of *expression* read through *tx*.

    *expression* is query text or an already parsed :class:`~.ast.Query`;
    *tx* the open store transaction; *base_url* the server address used in
    computed URLs; *now* the current time (aware or naive UTC; default: the
    real time) for time-dependent computed attributes; *visibility* (see
    :mod:`ftrack_local_server.permissions.visibility`) hides the rows of
    projects the user may not see, in the result and in every related
    entity loaded with it.

    Raise :class:`~ftrack_local_server.errors.QueryParseError` for text
    that does not parse, and
    :class:`~ftrack_local_server.errors.ValidationError` for an unknown
    type or attribute, a value that does not fit its attribute, or a
    restricted attribute selected.
    """
    query = parse(expression) if isinstance(expression, str) else expression
    stamp = _stamp(now)
    compiler = Compiler(tx.model, now=stamp, visibility=visibility)
    entity_type = compiler.entity_type(query.entity_type)
    if aggregate.is_aggregate(query):
        data, more = aggregate.execute(tx, compiler, query, entity_type)
    else:
        projections = query.projections
        paths = (plain_paths(projections) if projections is not None
                 else [(name,) for name in entity_type.default_projections])
        tree = build_tree(tx.catalogue, entity_type, paths)
        alias = 't0'
        where = compiler.where(query, entity_type, alias)
        keys = compiler.order_keys(query.order_by, entity_type, alias)
        select = 'SELECT {0}.rowid, {0}.*{{keys}} FROM {1} AS {0}'.format(
            quote(alias), quote(compiler.model.table(entity_type.name).name))
        rows, more = paging.fetch(tx, select, where, keys, query.offset, query.limit)
        data = Loader(tx, base_url, stamp, visibility).encode_rows(entity_type, rows, tree)
    next_offset = (query.offset or 0) + len(data) if more else None
    return {
        'action': 'query',
        'data': data,
        'metadata': {'next': {'offset': next_offset}},
    }


def rows_statement(compiler: Compiler, query: ast.Query, entity_type: EntityType) -> Fragment:
    """Return the statement selecting the stored rows *query* finds, in order (no paging).

    *compiler* compiles against the store's model; *entity_type* is the
    queried type.
    """
    alias = 't0'
    where = compiler.where(query, entity_type, alias)
    order = compiler.order_by(query.order_by, entity_type, alias)
    return Fragment(
        'SELECT {0}.rowid, {0}.* FROM {1} AS {0} WHERE {2} ORDER BY {3}'.format(
            quote(alias), quote(compiler.model.table(entity_type.name).name),
            where.sql, order.sql),
        where.params + order.params)


def _stamp(now: Optional[datetime.datetime]) -> str:
    return now_text() if now is None else parse_datetime(now)
