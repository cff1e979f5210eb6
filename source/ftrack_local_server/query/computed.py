"""Computed attributes built in Python when they are selected.

The attributes with an SQL form (``time_logged``, ``is_latest_version``,
``latest_version``, ...) live in :mod:`.computed_sql`. This module builds
the rest, each for a whole level of entities at once:

``link`` (and its deprecated name ``_link``)
    the list of ``{"id", "name", "type"}`` from the project down to the
    entity, ``type`` being the schema type (``"Project"``, ``"Shot"``).
    Contexts follow ``parent``; an asset version continues the link of its
    asset's parent context with one entry for the version itself, named
    after the asset and the version number (``hero v003``) -- clients take
    ``link[1:-1]`` as the contexts a version is published under; a group
    follows its parent groups.
``thumbnail_url``
    ``{"url": "<server>/component/thumbnail?id=<thumbnail id>"}`` when the
    entity has a thumbnail (for note, setting and job components: the
    component itself), else null. The URL carries no credentials: add
    ``username`` and ``apiKey`` as for any file request (protocol §6.2).
``url``
    ``{"url": "<server>/component/get?id=<component id>"}`` when the
    component is in the ``ftrack.server`` location, else null.
``ancestors`` / ``descendants``
    the typed contexts above the entity (nearest first) / below it
    (breadth first, then creation order).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Tuple

from ..model import quote
from .sql import chunks, placeholders

if TYPE_CHECKING:  # pragma: no cover
    from .loader import Item, Loader

logger = logging.getLogger(__name__)

#: Id of the built-in ``ftrack.server`` location (protocol §7.1).
SERVER_LOCATION_ID = '3a372bde-05bc-11e4-8908-20c9d081909b'

#: Longest parent chain followed; deeper chains are cut (and logged),
#: which only a corrupt, cyclic hierarchy produces.
MAX_DEPTH = 256


def load_scalar(loader: 'Loader', type_name: str, name: str,
                items: Sequence['Item']) -> Dict[Tuple[Any, ...], Any]:
    """Return item key -> value of computed scalar *name* for *items* of *type_name*."""
    entity_type = loader.catalogue.get(type_name)
    if name in ('link', '_link'):
        if entity_type.is_a('Context'):
            return _context_links(loader, items)
        if entity_type.is_a('AssetVersion'):
            return _version_links(loader, items)
        if entity_type.is_a('Group'):
            return _group_links(loader, items)
    if name == 'thumbnail_url':
        return _thumbnail_urls(loader, type_name, items)
    if name == 'url':
        return _component_urls(loader, type_name, items)
    logger.warning('No way to compute %s.%s; returning null.', type_name, name)
    return {}


def load_collection(loader: 'Loader', type_name: str, name: str,
                    items: Sequence['Item']) -> Dict[Tuple[Any, ...], List[Any]]:
    """Return item key -> stored rows of computed collection *name*."""
    ids = [item.key[0] for item in items]
    if name == 'ancestors':
        chains = _parent_chains(loader, ids)
        return {
            (entity_id,): [row for row in chain[1:] if _is_typed_context(loader, row)]
            for entity_id, chain in chains.items()
        }
    if name == 'descendants':
        return _descendants(loader, ids)
    logger.warning('No way to compute %s.%s; returning an empty list.',
                   type_name, name)
    return {}


def _url(loader: 'Loader', path: str, entity_id: Any) -> Dict[str, str]:
    base = (loader.base_url or '').rstrip('/')
    return {'url': '{0}{1}?id={2}'.format(base, path, entity_id)}


def _is_typed_context(loader: 'Loader', row: Any) -> bool:
    return loader.model.concrete_type('Context', row) != 'Project'


def _link_entry(loader: 'Loader', row: Any) -> Dict[str, Any]:
    return {
        'id': row['id'],
        'name': row['name'],
        'type': loader.model.concrete_type('Context', row),
    }


def _context_tree(loader: 'Loader') -> Tuple[str, str, str]:
    """Return the quoted context table, id column and parent column."""
    model = loader.model
    return (quote(model.table('Context').name), quote(model.column('Context', 'id')),
            quote(model.column('Context', 'parent_id')))


def _parent_chains(loader: 'Loader', ids: Sequence[Any]) -> Dict[Any, List[Any]]:
    """Return id -> [its context row, its parent row, ...] up to the root."""
    table, id_column, parent_column = _context_tree(loader)
    chains: Dict[Any, List[Any]] = {}
    for chunk in chunks(list(dict.fromkeys(ids))):
        sql = (
            'WITH RECURSIVE _chain(start, id, depth) AS ('
            'SELECT {id}, {id}, 0 FROM {table} WHERE {id} IN ({marks}) '
            'UNION ALL SELECT _chain.start, _c.{parent}, _chain.depth + 1 '
            'FROM _chain JOIN {table} AS _c ON _c.{id} = _chain.id '
            'WHERE _c.{parent} IS NOT NULL AND _chain.depth < {limit}) '
            'SELECT _chain.start AS _ls_start, _chain.depth AS _ls_depth, _c.* '
            'FROM _chain JOIN {table} AS _c ON _c.{id} = _chain.id '
            'ORDER BY _chain.start, _chain.depth'
        ).format(id=id_column, table=table, parent=parent_column,
                 marks=placeholders(len(chunk)), limit=MAX_DEPTH)
        for row in loader.tx.query(sql, list(chunk)):
            chains.setdefault(row['_ls_start'], []).append(row)
    for start, chain in chains.items():
        if len(chain) > MAX_DEPTH:
            logger.warning('Context %s has a parent chain longer than %d; cut.',
                           start, MAX_DEPTH)
    return chains


def _context_links(loader: 'Loader', items: Sequence['Item']
                   ) -> Dict[Tuple[Any, ...], Any]:
    chains = _parent_chains(loader, [item.key[0] for item in items])
    return {
        item.key: [_link_entry(loader, row) for row in reversed(chains.get(item.key[0], []))]
        for item in items
    }


def _version_links(loader: 'Loader', items: Sequence['Item']
                   ) -> Dict[Tuple[Any, ...], Any]:
    asset_ids = [item.row['asset_id'] for item in items
                 if item.row['asset_id'] is not None]
    assets = loader.load_rows('Asset', [(asset_id,) for asset_id in asset_ids])
    context_ids = [row['context_id'] for row in assets.values()
                   if row['context_id'] is not None]
    chains = _parent_chains(loader, context_ids)
    result = {}
    for item in items:
        row = item.row
        link: List[Dict[str, Any]] = []
        asset = assets.get((row['asset_id'],))
        if asset is not None:
            chain = chains.get(asset['context_id'], [])
            link.extend(_link_entry(loader, context) for context in reversed(chain))
        link.append({
            'id': item.key[0],
            'name': _version_name(asset['name'] if asset is not None else None,
                                  row['version']),
            'type': item.type,
        })
        result[item.key] = link
    return result


def _version_name(asset_name: Any, version: Any) -> str:
    number = 'v{0:03d}'.format(int(version)) if version is not None else 'v'
    return '{0} {1}'.format(asset_name, number) if asset_name else number


def _group_links(loader: 'Loader', items: Sequence['Item']
                 ) -> Dict[Tuple[Any, ...], Any]:
    result = {}
    cache: Dict[Any, Any] = {}
    for item in items:
        link = []
        row = item.row
        seen = set()
        while row is not None and row['id'] not in seen and len(link) < MAX_DEPTH:
            seen.add(row['id'])
            link.append({'id': row['id'], 'name': row['name'], 'type': 'Group'})
            parent_id = row['parent_id']
            if parent_id is None:
                break
            if parent_id not in cache:
                cache[parent_id] = loader.load_rows('Group', [(parent_id,)]).get((parent_id,))
            row = cache[parent_id]
        result[item.key] = list(reversed(link))
    return result


def _thumbnail_urls(loader: 'Loader', type_name: str, items: Sequence['Item']
                    ) -> Dict[Tuple[Any, ...], Any]:
    entity_type = loader.catalogue.get(type_name)
    layout = loader.model.layout(type_name)
    if 'thumbnail_id' in layout.columns:
        images = _stored_values(items, layout.columns['thumbnail_id'])
    elif 'thumbnail_id' in entity_type.attributes:
        # Computed thumbnail id (review sessions).
        from . import computed_sql

        fragment, _ = computed_sql.scalar_expression(
            loader.model, type_name, 'thumbnail_id', '_owner', loader.now)
        values = loader._select_by_key(type_name, items, fragment)
        images = {item.key: values.get(item.key) for item in items}
    elif 'component_id' in layout.columns:
        # Note, setting and job components: the component is the image.
        images = _stored_values(items, layout.columns['component_id'])
    else:
        return {}
    return {key: (_url(loader, '/component/thumbnail', image) if image is not None else None)
            for key, image in images.items()}


def _stored_values(items: Sequence['Item'], column: str) -> Dict[Tuple[Any, ...], Any]:
    return {item.key: item.row[column] for item in items if item.row is not None}


def _component_urls(loader: 'Loader', type_name: str, items: Sequence['Item']
                    ) -> Dict[Tuple[Any, ...], Any]:
    layout = loader.model.layout(type_name)
    column = layout.columns.get('component_id')
    if column is None:
        return {}
    component_ids = {item.key: item.row[column] for item in items if item.row is not None}
    if type_name == 'ComponentLocation' or loader.catalogue.get(type_name).is_a(
            'ComponentLocation'):
        location_column = layout.columns['location_id']
        stored = {item.key for item in items if item.row is not None
                  and item.row[location_column] == SERVER_LOCATION_ID}
    else:
        stored = _in_server_location(loader, [c for c in component_ids.values() if c])
        stored = {key for key, value in component_ids.items() if value in stored}
    return {
        key: (_url(loader, '/component/get', component_ids[key])
              if key in stored and component_ids[key] is not None else None)
        for key in component_ids
    }


def _in_server_location(loader: 'Loader', component_ids: Sequence[Any]) -> set:
    table = quote(loader.model.table('ComponentLocation').name)
    component = quote(loader.model.column('ComponentLocation', 'component_id'))
    location = quote(loader.model.column('ComponentLocation', 'location_id'))
    found = set()
    for chunk in chunks(list(dict.fromkeys(component_ids))):
        sql = 'SELECT {0} FROM {1} WHERE {2} = ? AND {0} IN ({3})'.format(
            component, table, location, placeholders(len(chunk)))
        for row in loader.tx.query(sql, [SERVER_LOCATION_ID] + list(chunk)):
            found.add(row[0])
    return found


def _descendants(loader: 'Loader', ids: Sequence[Any]) -> Dict[Tuple[Any, ...], List[Any]]:
    table, id_column, parent_column = _context_tree(loader)
    result: Dict[Tuple[Any, ...], List[Any]] = {}
    for chunk in chunks(list(dict.fromkeys(ids))):
        sql = (
            'WITH RECURSIVE _tree(start, id, depth) AS ('
            'SELECT _c.{parent}, _c.{id}, 1 FROM {table} AS _c WHERE _c.{parent} '
            'IN ({marks}) UNION ALL SELECT _tree.start, _c.{id}, _tree.depth + 1 '
            'FROM _tree JOIN {table} AS _c ON _c.{parent} = _tree.id '
            'WHERE _tree.depth < {limit}) '
            'SELECT _tree.start AS _ls_start, _c.rowid, _c.* FROM _tree JOIN {table} '
            'AS _c ON _c.{id} = _tree.id ORDER BY _tree.start, _tree.depth, _c.rowid'
        ).format(id=id_column, table=table, parent=parent_column,
                 marks=placeholders(len(chunk)), limit=MAX_DEPTH)
        for row in loader.tx.query(sql, list(chunk)):
            if _is_typed_context(loader, row):
                result.setdefault((row['_ls_start'],), []).append(row)
    return result
