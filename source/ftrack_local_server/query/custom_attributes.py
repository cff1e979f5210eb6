"""Dense custom attribute values, as the real server returns them on read.

Selecting ``custom_attributes`` returns one value entity per configuration
that applies to the entity, whether or not a value was ever stored
(protocol §4.5.1): the Python client's key/value view refuses a key whose
value entity is missing, so stored-only values would break
``entity['custom_attributes']['key'] = value``.

A configuration (``CustomAttributeConfiguration``) applies to an entity
when

* its ``entity_type`` is the entity's legacy kind (``task`` for typed
  contexts -- then its ``object_type_id`` must be the entity's --, ``show``
  for projects, ``assetversion``, ``asset``, ``user``, ``list``,
  ``listobject``), or it is hierarchical (``is_hierarchical``) and the
  entity is a context, asset or asset version; and
* its ``project_id`` is unset or the entity's project.

An unstored value is the value stored on the nearest entity above (for
hierarchical configurations: parent contexts; an asset version continues
through its asset to the asset's context), else the configuration's
``default``. Values come ordered by the configurations' ``sort``, then
``key``.

Only stored values take part in criteria (``custom_attributes any (key is
"k" and value is "v")``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from ..encoding import scalar_value
from ..model import CUSTOM_ATTRIBUTE_VALUE_KINDS, Model, quote
from ..schema import MAPPED_COLLECTION, Attribute, EntityType
from .sql import chunks, placeholders

if TYPE_CHECKING:  # pragma: no cover
    from .loader import Item, Loader

#: Kinds whose hierarchical configurations apply, and inherit.
HIERARCHICAL_KINDS = ('task', 'show', 'asset', 'assetversion')

CONFIGURATION = 'CustomAttributeConfiguration'


def is_custom_attribute_collection(model: Model, attribute: Attribute) -> bool:
    """Return whether *attribute* is a dense custom attribute collection."""
    return (attribute.kind == MAPPED_COLLECTION
            and attribute.target in CUSTOM_ATTRIBUTE_VALUE_KINDS)


def owner_kind(entity_type: EntityType) -> Optional[str]:
    """Return the legacy kind configurations name for *entity_type*, or None."""
    if entity_type.is_a('Project'):
        return 'show'
    if entity_type.is_a('TypedContext'):
        return 'task'
    for name, kind in (('AssetVersion', 'assetversion'), ('Asset', 'asset'),
                       ('User', 'user'), ('List', 'list'),
                       ('ListObject', 'listobject')):
        if entity_type.is_a(name):
            return kind
    return None


class _Configuration:
    __slots__ = ('id', 'key', 'entity_type', 'object_type_id', 'project_id',
                 'is_hierarchical', 'default', 'order')

    def __init__(self, model: Model, row: Any, index: int) -> None:
        def value(name: str) -> Any:
            return scalar_value(model, CONFIGURATION, name, row)

        self.id = value('id')
        self.key = value('key')
        self.entity_type = value('entity_type')
        self.object_type_id = value('object_type_id')
        self.project_id = value('project_id')
        self.is_hierarchical = bool(value('is_hierarchical'))
        self.default = value('default')
        self.order = (value('sort') or 0, self.key or '', index)


def _configurations(loader: 'Loader') -> List[_Configuration]:
    cache = getattr(loader, '_ls_configurations', None)
    if cache is None:
        model = loader.model
        table = quote(model.table(CONFIGURATION).name)
        condition, params = model.type_condition(CONFIGURATION, '_config')
        rows = loader.tx.query(
            'SELECT "_config".rowid, "_config".* FROM {0} AS "_config" WHERE {1} '
            'ORDER BY "_config".rowid'.format(table, condition), params)
        cache = [_Configuration(model, row, index) for index, row in enumerate(rows)]
        loader._ls_configurations = cache
    return cache


def _context_facts(loader: 'Loader', owner_type: EntityType, items: Sequence['Item']
                   ) -> Dict[Tuple[Any, ...], Tuple[Optional[str], Optional[str], Any]]:
    """Return key -> (project id, object type id, id of the entity above)."""
    facts = {}
    model = loader.model
    if owner_type.is_a('Context'):
        for item in items:
            row = item.row
            if row is None:
                continue
            if item.type == 'Project':
                facts[item.key] = (row['id'], None, None)
            else:
                facts[item.key] = (row['project_id'], row['object_type_id'],
                                   row['parent_id'])
        return facts
    if owner_type.is_a('AssetVersion'):
        assets = loader.load_rows(
            'Asset', [(item.row['asset_id'],) for item in items
                      if item.row is not None and item.row['asset_id']])
        contexts = loader.load_rows(
            'Context', [(row['context_id'],) for row in assets.values()
                        if row['context_id']])
        for item in items:
            if item.row is None:
                continue
            asset = assets.get((item.row['asset_id'],))
            context = contexts.get((asset['context_id'],)) if asset is not None else None
            facts[item.key] = (_project_of(model, context), None,
                               asset['id'] if asset is not None else None)
        return facts
    if owner_type.is_a('Asset'):
        contexts = loader.load_rows(
            'Context', [(item.row['context_id'],) for item in items
                        if item.row is not None and item.row['context_id']])
        for item in items:
            if item.row is None:
                continue
            context = contexts.get((item.row['context_id'],))
            facts[item.key] = (_project_of(model, context), None,
                               item.row['context_id'])
        return facts
    for item in items:
        facts[item.key] = (None, None, None)
    return facts


def _project_of(model: Model, context: Any) -> Optional[str]:
    if context is None:
        return None
    if model.concrete_type('Context', context) == 'Project':
        return context['id']
    return context['project_id']


def _applies(configuration: _Configuration, kind: str, project_id: Optional[str],
             object_type_id: Optional[str]) -> bool:
    if configuration.project_id not in (None, '') and configuration.project_id != project_id:
        return False
    if configuration.is_hierarchical and kind in HIERARCHICAL_KINDS:
        return True
    if configuration.entity_type != kind:
        return False
    if kind == 'task':
        return configuration.object_type_id == object_type_id
    return True


def _inherited(loader: 'Loader', starts: Dict[Tuple[Any, ...], Any],
               configuration_ids: Sequence[Any]) -> Dict[Tuple[Any, Any], Any]:
    """Return (item key, configuration id) -> value stored on the nearest entity above.

    *starts* maps item key -> id of the entity directly above it (a
    context or, for versions, an asset).
    """
    if not configuration_ids:
        return {}
    model = loader.model
    # Asset -> its context; contexts -> their parents.
    asset_ids = [start for start in starts.values() if start is not None]
    assets = loader.load_rows('Asset', [(a,) for a in asset_ids])
    chains_from: Dict[Tuple[Any, ...], List[Any]] = {}
    context_starts = []
    for key, start in starts.items():
        if start is None:
            continue
        asset = assets.get((start,))
        if asset is not None:
            chains_from[key] = [start]
            if asset['context_id']:
                context_starts.append(asset['context_id'])
                chains_from[key].append(('context', asset['context_id']))
        else:
            chains_from[key] = [('context', start)]
            context_starts.append(start)
    from .computed import _parent_chains

    chains = _parent_chains(loader, context_starts)
    orders: Dict[Tuple[Any, ...], List[Any]] = {}
    for key, parts in chains_from.items():
        ids: List[Any] = []
        for part in parts:
            if isinstance(part, tuple):
                ids.extend(row['id'] for row in chains.get(part[1], []))
            else:
                ids.append(part)
        orders[key] = ids
    all_ids = list(dict.fromkeys(i for ids in orders.values() for i in ids))
    stored: Dict[Tuple[Any, Any], Any] = {}
    table = quote(model.table('CustomAttributeValue').name)
    config_marks = placeholders(len(configuration_ids))
    for chunk in chunks(all_ids, 800):
        rows = loader.tx.query(
            'SELECT rowid, * FROM {0} WHERE {1} IN ({2}) AND {3} IN ({4})'.format(
                table, quote(model.column('CustomAttributeValue', 'entity_id')),
                placeholders(len(chunk)),
                quote(model.column('CustomAttributeValue', 'configuration_id')),
                config_marks),
            list(chunk) + list(configuration_ids))
        for row in rows:
            stored[(row['entity_id'], row['configuration_id'])] = scalar_value(
                model, 'CustomAttributeValue', 'value', row)
    result = {}
    for key, ids in orders.items():
        for configuration_id in configuration_ids:
            for entity_id in ids:
                if (entity_id, configuration_id) in stored:
                    result[(key, configuration_id)] = stored[(entity_id, configuration_id)]
                    break
    return result


def add_dense_values(loader: 'Loader', owner_type: EntityType, attribute: Attribute,
                     items: Sequence['Item'], placed_lists: Dict[Tuple[Any, ...], List[Any]],
                     children: Dict[Any, 'Item']) -> None:
    """Complete *placed_lists* (item key -> placed values) with unstored values.

    Adds a value entity, registered with *loader* and added to
    *children*, for every applicable configuration without a stored
    value; fills in ``key`` where a stored value lacks it; orders each
    list by configuration.
    """
    kind = owner_kind(owner_type)
    configurations = _configurations(loader)
    if kind is None or not configurations:
        return
    by_id = {configuration.id: configuration for configuration in configurations}
    for child in children.values():
        # A value stored without its key still reads with its configuration's.
        if child.row is not None and child.row['key'] is None:
            configuration = by_id.get(child.key[0])
            if configuration is not None:
                child.encoded['key'] = configuration.key
    facts = _context_facts(loader, owner_type, items)
    missing: Dict[Tuple[Any, ...], List[_Configuration]] = {}
    for item in items:
        project_id, object_type_id, _ = facts.get(item.key, (None, None, None))
        present = {placed.get('configuration_id') for placed in placed_lists[item.key]}
        missing[item.key] = [
            configuration for configuration in configurations
            if configuration.id not in present
            and _applies(configuration, kind, project_id, object_type_id)
        ]
    hierarchical = sorted({c.id for wanted in missing.values() for c in wanted
                           if c.is_hierarchical and kind in HIERARCHICAL_KINDS})
    inherited = _inherited(
        loader, {key: facts.get(key, (None, None, None))[2] for key in missing},
        hierarchical)
    for item in items:
        for configuration in missing[item.key]:
            value = inherited.get((item.key, configuration.id), configuration.default)
            child, placed = loader.virtual_item(
                attribute.target, (configuration.id, item.key[0]),
                {'key': configuration.key, 'value': value})
            placed_lists[item.key].append(placed)
            children[(child.table, child.key)] = child
        placed_lists[item.key].sort(key=lambda placed: by_id[
            placed.get('configuration_id')].order
            if placed.get('configuration_id') in by_id else (float('inf'), '', 0))
