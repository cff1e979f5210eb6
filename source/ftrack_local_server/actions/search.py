"""The ``search`` action of the JavaScript client: a query narrowed by search terms.

Request::

    {"action": "search", "expression": "select name from Shot",
     "entity_type": "Shot", "terms": ["forest", "010"],
     "context_id": "<project or other context id>",
     "object_type_ids": ["<ObjectType id>", ...]}

Every key but ``action`` is optional, though an ``expression`` or an
``entity_type`` is needed. The result has the shape of ``query`` with
``"action": "search"``. An entity matches when:

* each term appears (case-insensitively) in at least one of its text
  attributes (:data:`TEXT_ATTRIBUTES`; for a version also its asset's
  name and its version number);
* with ``context_id``, it is that context or lies below it (an asset or a
  version through its context);
* with a non-empty ``object_type_ids``, its object type is one of them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import errors
from ..query import ast
from ..query.executor import execute
from ..query.parser import parse
from . import action

#: Text attributes a term is looked for in, where the type has them.
TEXT_ATTRIBUTES = (
    'name', 'full_name', 'description', 'username', 'first_name', 'last_name',
    'email', 'comment', 'content', 'label', 'title',
)

#: Path of the context id of types that are not contexts themselves.
_CONTEXT_PATHS = (
    ('Asset', ('context_id',)),
    ('AssetVersion', ('asset', 'context_id')),
)


def _literal(text: str) -> ast.Literal:
    return ast.Literal(value=text, text=text, quoted=True)


def _term_criteria(entity_type: Any, term: str) -> ast.Criteria:
    pattern = _literal('%{0}%'.format(term))
    paths: List[Tuple[str, ...]] = [
        (name,) for name in TEXT_ATTRIBUTES
        if name in entity_type.attributes and entity_type.attributes[name].data_type == 'string'
    ]
    if entity_type.is_a('AssetVersion'):
        paths.append(('asset', 'name'))
    items: List[ast.Criteria] = [ast.Comparison(path, 'like', pattern) for path in paths]
    if entity_type.is_a('AssetVersion') and term.strip().isdigit():
        number = int(term.strip())
        items.append(ast.Comparison(('version',), 'is', ast.Literal(number, str(number))))
    if not items:
        raise errors.ValidationError(
            'search: {0} has no text attributes to look for the terms in.'.format(entity_type.name))
    return items[0] if len(items) == 1 else ast.Or(tuple(items))


def _context_criteria(entity_type: Any, context_id: str) -> ast.Criteria:
    literal = _literal(context_id)
    if entity_type.is_a('Context'):
        path: Tuple[str, ...] = ('id',)
    else:
        found = [value for name, value in _CONTEXT_PATHS if entity_type.is_a(name)]
        if not found:
            raise errors.ValidationError(
                'search: {0} entities do not lie in a context, so "context_id" cannot narrow '
                'them.'.format(entity_type.name))
        path = found[0]
    # Contexts at or below the given one: itself, everything of its project
    # when it is a project, and typed contexts listing it among their
    # ancestors (which never include the project).
    itself_or_project = ast.Query(
        entity_type='Context', projections=(ast.Projection(('id',)),),
        criteria=ast.Or((ast.Comparison(('id',), 'is', literal),
                         ast.Comparison(('project_id',), 'is', literal))))
    below = ast.Query(
        entity_type='TypedContext', projections=(ast.Projection(('id',)),),
        criteria=ast.Relation(('ancestors',), 'any', ast.Comparison(('id',), 'is', literal)))
    return ast.Or((
        ast.Comparison(path, 'in', ast.SubQuery(itself_or_project)),
        ast.Comparison(path, 'in', ast.SubQuery(below)),
    ))


def _string_list(operation: Dict[str, Any], name: str) -> Optional[List[str]]:
    value = operation.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise errors.ValidationError(
            'search "{0}" must be a list of strings, got {1}.'.format(name, errors.excerpt(value)))
    return value


@action('search')
def search(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Answer the entities of the query that match the search; see the module documentation.

    Raise :class:`~ftrack_local_server.errors.ValidationError` without an
    expression or entity type, for an ``entity_type`` that is not the
    expression's, malformed lists, or narrowing a type cannot have; and the
    errors of ``query`` for a bad expression.
    """
    expression = operation.get('expression')
    entity_type_name = operation.get('entity_type')
    if expression is not None and not isinstance(expression, str):
        raise errors.ValidationError(
            'search "expression" must be a string, got {0}.'.format(errors.excerpt(expression)))
    if expression:
        query = parse(expression)
        if entity_type_name and entity_type_name != query.entity_type:
            raise errors.ValidationError(
                'search "entity_type" {0} is not the type of the expression ({1}).'.format(
                    errors.excerpt(entity_type_name), query.entity_type))
    elif isinstance(entity_type_name, str) and entity_type_name:
        query = ast.Query(entity_type=entity_type_name)
    else:
        raise errors.ValidationError('search needs an "expression" or an "entity_type".')
    entity_type = context.tx.catalogue.find(query.entity_type)
    if entity_type is None:
        raise errors.ValidationError(
            'search: unknown entity type {0}.'.format(errors.excerpt(query.entity_type)))
    criteria: List[ast.Criteria] = [query.criteria] if query.criteria is not None else []
    for term in _string_list(operation, 'terms') or []:
        if term.strip():
            criteria.append(_term_criteria(entity_type, term.strip()))
    context_id = operation.get('context_id')
    if context_id is not None:
        if not isinstance(context_id, str) or not context_id:
            raise errors.ValidationError(
                'search "context_id" must be an id string, got {0}.'.format(errors.excerpt(context_id)))
        criteria.append(_context_criteria(entity_type, context_id))
    object_type_ids = _string_list(operation, 'object_type_ids')
    if object_type_ids:
        if 'object_type_id' not in entity_type.attributes:
            raise errors.ValidationError(
                'search: {0} entities have no object type, so "object_type_ids" cannot narrow '
                'them.'.format(entity_type.name))
        criteria.append(ast.Comparison(('object_type_id',), 'in', ast.ValueList(
            tuple(_literal(item) for item in object_type_ids))))
    if criteria:
        combined = criteria[0] if len(criteria) == 1 else ast.And(tuple(criteria))
        query = ast.Query(
            entity_type=query.entity_type, projections=query.projections, criteria=combined,
            group_by=query.group_by, order_by=query.order_by, offset=query.offset, limit=query.limit)
    result = execute(context.tx, query, base_url=getattr(context.server, 'base_url', None))
    result['action'] = 'search'
    return result
