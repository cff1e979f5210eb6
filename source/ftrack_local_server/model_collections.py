"""How collections are stored, and which indexes lookups need.

Part of building :class:`ftrack_local_server.model.Model`: a collection
is the inverse of a reference of its item type, of a foreign key
described as ``Foreign key(s): Owner.id``, or what
:data:`~ftrack_local_server.model_overrides.COLLECTION_OVERRIDES` says
(id columns, link tables, computed values).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .model_layout import Collection, Reference, Table
from .model_overrides import COLLECTION_OVERRIDES
from .schema import MAPPED_COLLECTION, REFERENCE, Attribute, EntityType


def _override_for(entity_type: EntityType, name: str) -> Optional[Dict[str, Any]]:
    for candidate in [entity_type] + entity_type.ancestors():
        found = COLLECTION_OVERRIDES.get((candidate.name, name))
        if found is not None:
            return found
    return COLLECTION_OVERRIDES.get(name)


def build_collections(model: Any) -> None:
    """Resolve every collection of *model*'s types into ``model.collections``."""
    failures = []
    for entity_type in model.catalogue:
        for attribute in entity_type.attributes.values():
            if not attribute.is_many:
                continue
            try:
                collection = _resolve_collection(model, entity_type, attribute)
            except RuntimeError as error:
                failures.append(str(error))
                continue
            collection.mapped = attribute.kind == MAPPED_COLLECTION
            model.collections[(entity_type.name, attribute.name)] = collection
    if failures:
        raise RuntimeError('\n'.join(failures))


def _resolve_collection(model: Any, owner: EntityType,
                        attribute: Attribute) -> Collection:
    override = _override_for(owner, attribute.name)
    # An override may widen the schema's item type ('target').
    item = model.catalogue.get((override or {}).get('target', attribute.target))
    owner_layout = model.layouts[owner.name]
    item_layout = model.layouts[item.name]
    if override and 'computed' in override:
        collection = Collection(owner.name, attribute.name, item.name, 'computed')
        collection.computed = override['computed']
        return collection
    if override and 'link' in override:
        collection = Collection(
            owner.name, attribute.name, item.name, 'many_to_many')
        collection.owner_columns = owner_layout.primary_key_columns
        collection.item_key_columns = item_layout.primary_key_columns
        link = override['link']
        if link in model.layouts:
            link_layout = model.layouts[link]
            collection.link_type = link
            collection.link_table = link_layout.table.name
            collection.link_owner_columns = tuple(
                link_layout.columns[name] for name in override['owner'])
            collection.link_item_columns = tuple(
                link_layout.columns[name] for name in override['item'])
        else:
            table = model.tables.get(link)
            if table is None:
                table = Table(link, None, is_link=True)
                model.tables[link] = table
                for column in override['owner'] + override['item']:
                    table.add_column(column, 'string', hidden=True)
                table.primary_key = override['owner'] + override['item']
            collection.link_table = link
            collection.link_owner_columns = tuple(override['owner'])
            collection.link_item_columns = tuple(override['item'])
        return collection
    collection = Collection(owner.name, attribute.name, item.name, 'one_to_many')
    collection.owner_columns = owner_layout.primary_key_columns
    if override and 'item_columns' in override:
        collection.item_columns = tuple(
            item_layout.columns.get(name, name)
            for name in override['item_columns'])
        collection.type_column = override.get('type_column')
        collection.filters = dict(override.get('filters') or {})
        return collection
    if override and 'inverse' in override:
        inverse = model.references[(item.name, override['inverse'])]
    else:
        inverse = _find_inverse(model, owner, item)
    if inverse is not None:
        collection.inverse = inverse.name
        collection.item_columns = inverse.columns
        if override:
            collection.filters = dict(override.get('filters') or {})
        return collection
    scalar = _foreign_key_description(owner, item)
    if scalar is None:
        raise RuntimeError('Cannot resolve collection {0}.{1} of {2}.'.format(
            owner.name, attribute.name, item.name))
    collection.item_columns = (item_layout.columns[scalar.name],)
    return collection


def _find_inverse(model: Any, owner: EntityType, item: EntityType
                  ) -> Optional[Reference]:
    candidates = []
    for attribute in item.attributes.values():
        if attribute.kind != REFERENCE:
            continue
        reference = model.references[(item.name, attribute.name)]
        if reference.computed:
            continue
        target = model.catalogue.get(attribute.target)
        if owner.is_a(target) or target.is_a(owner):
            candidates.append(reference)
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        # Prefer an exact type match (e.g. Group.children -> Group.parent).
        exact = [c for c in candidates if c.target == owner.name]
        if len(exact) == 1:
            return exact[0]
        raise RuntimeError(
            'Collection of {0} in {1} is ambiguous: {2}.'.format(
                item.name, owner.name, [c.name for c in candidates]))
    return None


def _foreign_key_description(owner: EntityType, item: EntityType
                             ) -> Optional[Attribute]:
    names = {owner.name} | {a.name for a in owner.ancestors()}
    found = []
    for scalar in item.scalars():
        description = scalar.description or ''
        if not description.startswith('Foreign key(s):'):
            continue
        for target in description[len('Foreign key(s):'):].split(','):
            type_name = target.strip().split('.')[0]
            if type_name in names:
                found.append(scalar)
    return found[0] if len(found) == 1 else None


def build_indexes(model: Any) -> None:
    """List in each table of *model* the indexes its lookups need."""
    for table in model.tables.values():
        wanted: List[Tuple[str, ...]] = []
        for type_name in table.types:
            for column, _ in model.layouts[type_name].condition:
                wanted.append((column,))
        for reference in model.references.values():
            if reference.columns and model.layouts[reference.owner].table is table:
                wanted.append(reference.columns)
        for collection in model.collections.values():
            if collection.kind == 'one_to_many' and \
                    model.layouts[collection.target].table is table:
                wanted.append(collection.item_columns)
            elif collection.kind == 'many_to_many' and \
                    collection.link_table == table.name:
                wanted.append(collection.link_owner_columns)
                wanted.append(collection.link_item_columns)
        for column in table.columns.values():
            # Foreign keys, and names: scripts look entities up by name
            # (`parent.parent.name is "sq010"`) at least as often as by id.
            if (column.name.endswith('_id') or column.name == 'name') \
                    and not column.hidden:
                wanted.append((column.name,))
        for columns in wanted:
            if columns and columns != table.primary_key[:len(columns)] \
                    and columns not in table.indexes:
                table.indexes.append(columns)
