"""The ``query`` action: run a query expression (protocol §2.3).

Request ``{"action": "query", "expression": "select name from Task"}``;
result ``{"action": "query", "data": [...], "metadata": {"next":
{"offset": N or null}}}``. See :mod:`ftrack_local_server.query` for the
language and :mod:`ftrack_local_server.query.executor` for the result.
"""

from __future__ import annotations

from typing import Any, Dict

from ..errors import ValidationError
from ..query.executor import execute
from ..permissions import access_for, visibility_of
from . import action


@action('query')
def query(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Return the result of the query *operation* read through ``context.tx``.

    Only what the user's security roles let it see is returned
    (:mod:`ftrack_local_server.permissions`). Raise
    :class:`~ftrack_local_server.errors.ValidationError` when the
    operation has no ``expression`` string, and the errors of
    :func:`~ftrack_local_server.query.executor.execute` for a bad query.
    """
    expression = operation.get('expression')
    if not isinstance(expression, str):
        raise ValidationError(
            'The query operation needs an "expression" string, got {0!r}.'.format(
                expression))
    base_url = getattr(context.server, 'base_url', None)
    return execute(context.tx, expression, base_url=base_url,
                   visibility=visibility_of(access_for(context)))
