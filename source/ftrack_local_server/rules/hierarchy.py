"""The context hierarchy: parents, projects and ancestors.

Typed contexts keep ``project_id`` equal to the project at the top of
their parent chain; :func:`reparented` moves a whole subtree when a parent
changes. :func:`check_parent` refuses parents that would make a cycle or
that cannot have children, and :func:`chain` lists an entity's ancestors
for change records.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import errors
from ..query.sql import chunks
from .common import Entity, entity_id, load, project_id_of

#: Depth beyond which a parent chain is taken to be broken.
MAX_DEPTH = 256

_SUBTREE = (
    'WITH RECURSIVE subtree(id) AS ('
    ' SELECT id FROM context WHERE parent_id = ?'
    ' UNION SELECT c.id FROM context c JOIN subtree s ON c.parent_id = s.id'
    ') '
)


def descendant_ids(tx: Any, context_id: Any) -> List[str]:
    """Return the ids of every context below *context_id*."""
    rows = tx.query(_SUBTREE + 'SELECT id FROM subtree', [context_id])
    return [row[0] for row in rows]


def check_parent(tx: Any, entity: Entity, parent_id: Any) -> None:
    """Raise ValidationError if *parent_id* cannot be the parent of context *entity*.

    A project is the top of its tree and takes no parent; None (no parent)
    passes here, see :func:`check_new_parent` for moves.
    """
    if parent_id is None or not entity.entity_type.is_a('Context'):
        return
    if entity.entity_type.is_a('Project'):
        raise errors.ValidationError(
            '{0} cannot be given the parent Context({1}): a project is the top '
            'of its hierarchy and has no parent.'.format(entity.describe(), parent_id))
    if parent_id == entity.key[0]:
        raise errors.ValidationError(
            '{0} cannot be its own parent.'.format(entity.describe()))
    parent = load(tx, 'Context', (parent_id,))
    if parent is None:
        raise errors.NotFoundError(
            'Context({0}) given as parent of {1} does not exist.'.format(
                parent_id, entity.describe()))
    if parent.entity_type.is_a('TypedContext'):
        row = tx.select_one('objecttype', {'id': parent.get('object_type_id')})
        if row is not None and row['is_leaf']:
            raise errors.ValidationError(
                '{0} cannot be the parent of {1}: objects of type "{2}" cannot '
                'have children.'.format(parent.describe(), entity.describe(),
                                        row['name']))
    if entity.key[0] in _ancestor_ids(tx, parent_id):
        raise errors.ValidationError(
            '{0} cannot be moved under {1}, which is below it.'.format(
                entity.describe(), parent.describe()))


def check_new_parent(tx: Any, entity: Entity, parent_id: Any) -> None:
    """Raise ValidationError if stored context *entity* cannot move to *parent_id*.

    Besides :func:`check_parent`, a typed context cannot be left without a
    parent (it would belong to no project); deleting it is how it goes.
    """
    if parent_id is None and entity.entity_type.is_a('TypedContext'):
        raise errors.ValidationError(
            'Cannot remove the parent of {0}: a {1} must stay below a parent '
            '(move it under another one or delete it).'.format(
                entity.describe(), entity.type_name))
    check_parent(tx, entity, parent_id)


def _ancestor_ids(tx: Any, context_id: Any) -> List[str]:
    found = []
    current = context_id
    for _ in range(MAX_DEPTH):
        if current is None:
            break
        found.append(current)
        row = tx.select_one('context', {'id': current})
        current = row['parent_id'] if row is not None else None
    return found


def reparented(tx: Any, entity: Entity) -> List[str]:
    """Make ``project_id`` of typed context *entity* and its subtree follow its parent.

    Call after *entity*'s new ``parent_id`` is stored. Return the ids of
    the descendants whose project changed.
    """
    forget_chains(tx)
    if not entity.entity_type.is_a('TypedContext'):
        return []
    project_id = project_id_of(tx, entity.get('parent_id'))
    column = entity.layout.columns['project_id']
    if entity.values.get(column) == project_id:
        return []
    entity.values[column] = project_id
    tx.update('context', {'id': entity.key[0]}, {'project_id': project_id})
    moved = descendant_ids(tx, entity.key[0])
    for chunk in chunks(moved):
        tx.update('context', {'id': list(chunk)}, {'project_id': project_id})
    pending = tx.state.get(_DEFERRED)
    if pending and project_id is not None:
        for identifier in [entity.key[0]] + moved:
            if identifier in pending:
                _resolve(tx, identifier)
    return moved


#: Key in ``tx.state`` of typed contexts waiting for their project.
_DEFERRED = 'contexts_without_project'


def defer(tx: Any, entity: Entity) -> None:
    """Remember new typed context *entity*, whose project is not known yet."""
    tx.state.setdefault(_DEFERRED, {})[entity.key[0]] = entity.type_name


def _resolve(tx: Any, identifier: Any) -> None:
    from .custom_attributes import create_values_for_entity
    from .defaults import derive_context
    type_name = tx.state[_DEFERRED].pop(identifier)
    entity = load(tx, type_name, (identifier,))
    if entity is None:
        return
    before = dict(entity.values)
    derive_context(tx, entity)
    changed = {c: v for c, v in entity.values.items() if before.get(c) != v}
    if changed:
        tx.update(entity.table, entity.key_where, changed)
    create_values_for_entity(tx, entity)


def is_deferred(tx: Any, entity: Entity) -> bool:
    """Return whether typed context *entity* still waits for its project."""
    return entity.key[0] in tx.state.get(_DEFERRED, {})


def deferred(tx: Any) -> List[Entity]:
    """Return the typed contexts of the batch still waiting for their project."""
    found = []
    for identifier, type_name in list(tx.state.get(_DEFERRED, {}).items()):
        entity = load(tx, type_name, (identifier,))
        if entity is not None:
            found.append(entity)
    return found


#: How each kind of entity names its parent in change records.
PARENT_COLUMNS = (
    ('Context', 'parent_id', 'Context'),
    ('Asset', 'context_id', 'Context'),
    ('AssetVersion', 'asset_id', 'Asset'),
    ('Component', 'version_id', 'AssetVersion'),
    ('Timelog', 'context_id', 'Context'),
    ('Appointment', 'context_id', 'Context'),
    ('Manager', 'context_id', 'Context'),
    ('List', 'project_id', 'Project'),
)


def parent_of(tx: Any, entity: Entity) -> Tuple[Any, Optional[str]]:
    """Return ``(parent id, parent type or None)`` of *entity* for change records."""
    for type_name, attribute, parent_type in PARENT_COLUMNS:
        if entity.entity_type.is_a(type_name) and entity.has(attribute):
            return entity.get(attribute), parent_type
    for attribute in ('parent_id', 'entity_id'):
        if entity.has(attribute):
            owner_type = entity.get('parent_type') if entity.has('parent_type') else None
            if isinstance(owner_type, str) and tx.model.catalogue.find(owner_type) is None:
                owner_type = None
            return entity.get(attribute), owner_type
    return None, None


#: Key in ``tx.state`` of the ancestor entries computed in this batch.
_CHAINS = 'ancestor_chains'


def forget_chains(tx: Any) -> None:
    """Drop the batch's cached ancestor chains (after a move or a delete)."""
    tx.state.pop(_CHAINS, None)


def chain(tx: Any, entity: Entity) -> List[Dict[str, Any]]:
    """Return *entity* and its ancestors as change-record ``parents`` entries."""
    return _entries(tx, entity, {entity.identity})


def _entries(tx: Any, entity: Entity, seen: set) -> List[Dict[str, Any]]:
    """Return the ``parents`` entry of *entity* followed by its ancestors'."""
    parent_id, parent_type = parent_of(tx, entity)
    entries = [{
        'entityId': entity_id(entity.key),
        'entityType': tx.model.legacy_name(entity.type_name),
        'entity_type': entity.type_name,
        'parentId': parent_id,
    }]
    if parent_id is not None and parent_type is not None:
        entries.extend(_ancestors(tx, parent_type, parent_id, seen))
    return entries


def _ancestors(tx: Any, type_name: str, identifier: Any, seen: set) -> List[Dict[str, Any]]:
    cache = tx.state.setdefault(_CHAINS, {})
    cached = cache.get(identifier)
    if cached is not None:
        return [dict(entry) for entry in cached]
    current = _load_any(tx, type_name, identifier)
    if current is None or current.identity in seen or len(seen) > MAX_DEPTH:
        return []
    seen.add(current.identity)
    entries = _entries(tx, current, seen)
    cache[identifier] = entries
    return [dict(entry) for entry in entries]


def _load_any(tx: Any, type_name: str, identifier: Any) -> Optional[Entity]:
    root = tx.model.catalogue.get(type_name).root.name
    if len(tx.model.key_columns(root)) != 1:
        return None
    return load(tx, root, (identifier,))


def object_type_id(entity: Entity) -> Optional[str]:
    """Return the object type id of a typed context (None for others)."""
    if entity.entity_type.is_a('TypedContext'):
        return entity.get('object_type_id')
    return None

