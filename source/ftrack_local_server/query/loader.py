"""Loading and encoding the projected attributes of query results.

:class:`Loader` turns the rows of a result page into encoded entities
(protocol §3.3, §4.7) and fills in the projection tree of
:mod:`.projection` level by level: for each attribute of a level it reads
the values of *all* entities of that level with one SQL statement (per
storage layout), never one statement per entity. References become nested
entities (or null), collections lists of entities.

Within one response each entity is fully encoded once: the first time it
is met it gets its own object, which later occurrences only refer to
(``{"__entity_type__": ..., <primary key>}``); values requested at a later
occurrence are added to that first object, so every requested value is
present somewhere in the response for the client to merge. Result rows
are encoded first, so they are always complete objects.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..encoding import from_storage
from ..model import Collection, Model, Reference, quote
from ..schema import MAPPED_COLLECTION, REFERENCE, SCALAR, EntityType
from . import computed, computed_sql
from .compiler import Compiler
from .projection import Tree
from .rows import RowCodecs
from .sql import Fragment, chunks, column, placeholders

logger = logging.getLogger(__name__)


class Item:
    """One entity met while loading: its concrete *type*, stored *row*,
    primary *key*, *table* and the *encoded* object sent for it."""

    __slots__ = ('type', 'row', 'key', 'table', 'encoded')

    def __init__(self, type_name: str, row: Any, key: Tuple[Any, ...],
                 table: str, encoded: Dict[str, Any]) -> None:
        self.type = type_name
        self.row = row
        self.key = key
        self.table = table
        self.encoded = encoded


class Loader:
    """Encodes the entities of one response.

    *tx* is the open store transaction, *base_url* the server's address
    for computed URLs (None: URLs are relative) and *now* the current
    naive UTC time as stored text. *visibility* (None: no filtering)
    leaves out related entities the user may not see.
    """

    def __init__(self, tx: Any, base_url: Optional[str], now: str,
                 visibility: Any = None) -> None:
        self.tx = tx
        self.visibility = visibility
        self.model: Model = tx.model
        self.catalogue = tx.catalogue
        self.base_url = base_url
        self.now = now
        self.codecs = RowCodecs(self.model)
        self._storages: Dict[Tuple[str, str], Tuple[Any, Any]] = {}
        self._items: Dict[Tuple[str, Tuple[Any, ...]], Item] = {}

    # -- entry point -----------------------------------------------------------

    def encode_rows(self, entity_type: EntityType, rows: Sequence[Any],
                    tree: Tree) -> List[Dict[str, Any]]:
        """Return the encoded entities of result *rows* of *entity_type*.

        Each row is encoded as its concrete type with the attributes of
        *tree* filled in.
        """
        items = []
        for row in rows:
            item, _ = self.item(entity_type.name, row)
            items.append(item)
        self.fill(items, tree)
        return [item.encoded for item in items]

    # -- items -----------------------------------------------------------------

    def item(self, declared: str, row: Any) -> Tuple[Item, Dict[str, Any]]:
        """Return ``(item, value to place)`` for stored *row* of type *declared*.

        The value to place is the item's own encoded object the first time
        the entity is met in this response, else a reference to it.
        """
        codec = self.codecs.codec(self.codecs.concrete(declared, row))
        key = codec.key(row)
        existing = self._items.get((codec.table, key))
        if existing is not None:
            return existing, self.codecs.codec(existing.type).reference(key)
        encoded = codec.encode(row)
        item = Item(codec.type_name, row, key, codec.table, encoded)
        self._items[(codec.table, key)] = item
        return item, encoded

    # -- levels ----------------------------------------------------------------

    def fill(self, items: Sequence[Item], tree: Tree) -> None:
        """Fill the attributes of *tree* into the encoded objects of *items*."""
        if not items or not tree:
            return
        for name, subtree in tree.items():
            self._fill_attribute(items, name, subtree)

    def _fill_attribute(self, items: Sequence[Item], name: str, subtree: Tree) -> None:
        groups: 'OrderedDict[Any, Tuple[Any, List[Item]]]' = OrderedDict()
        for item in items:
            found = self._storages.get((item.type, name))
            if found is None:
                attribute = self._attribute(item.type, name)
                # None: the attribute exists on other types of this level only.
                found = self._storages[(item.type, name)] = (
                    self._storage(item.type, attribute) if attribute is not None
                    else (None, None))
            signature, storage = found
            if signature is None:
                continue
            groups.setdefault(signature, (storage, []))[1].append(item)
        for signature, (storage, members) in groups.items():
            kind = signature[0]
            if kind == 'column':
                self._fill_columns(members, name)
            elif kind == 'computed_scalar':
                self._fill_computed_scalar(members, name)
            elif kind in ('reference', 'computed_reference'):
                self._fill_reference(members, name, storage, subtree)
            else:
                self._fill_collection(members, name, storage, subtree)

    def _attribute(self, type_name: str, name: str) -> Any:
        entity_type = self.catalogue.get(type_name)
        return entity_type.attributes.get(name)

    def _storage(self, type_name: str, attribute: Any) -> Tuple[Any, Any]:
        """Return ``(signature, storage)``; items sharing a signature load together."""
        if attribute.kind == SCALAR:
            layout = self.model.layout(type_name)
            if attribute.name in layout.columns:
                return ('column',), None
            return ('computed_scalar', type_name), None
        if attribute.kind == REFERENCE:
            reference = self.model.reference(type_name, attribute.name)
            if reference.computed:
                return ('computed_reference', type_name, attribute.name), reference
            return ('reference', reference.columns, reference.target), reference
        collection = self.model.collection(type_name, attribute.name)
        if collection.kind == 'computed':
            return ('computed_collection', type_name, attribute.name), collection
        signature = (
            'collection', collection.kind, collection.target,
            collection.owner_columns, collection.item_columns,
            tuple(sorted(collection.filters.items())), collection.link_table,
            collection.link_owner_columns, collection.link_item_columns,
            attribute.kind == MAPPED_COLLECTION, attribute.target,
        )
        return signature, collection

    # -- scalars ---------------------------------------------------------------

    def _fill_columns(self, items: Sequence[Item], name: str) -> None:
        codec = self.codecs.codec(items[0].type)
        for item in items:
            if name not in item.encoded:
                if item.type != codec.type_name:
                    codec = self.codecs.codec(item.type)
                item.encoded[name] = codec.value(name, item.row)

    def _fill_computed_scalar(self, items: Sequence[Item], name: str) -> None:
        pending = [item for item in items if name not in item.encoded]
        if not pending:
            return
        type_name = pending[0].type
        found = computed_sql.scalar_expression(
            self.model, type_name, name, '_owner', self.now)
        if found is not None:
            fragment, data_type = found
            values = self._select_by_key(type_name, pending, fragment)
            for item in pending:
                item.encoded[name] = from_storage(data_type, values.get(item.key))
            return
        values = computed.load_scalar(self, type_name, name, pending)
        for item in pending:
            item.encoded[name] = values.get(item.key)

    def _select_by_key(self, type_name: str, items: Sequence[Item],
                       fragment: Fragment) -> Dict[Tuple[Any, ...], Any]:
        """Return key -> value of SQL *fragment* (about alias ``_owner``) for *items*."""
        key_columns = self.model.key_columns(type_name)
        table = quote(self.model.table(type_name).name)
        result: Dict[Tuple[Any, ...], Any] = {}
        for chunk in chunks([item.key for item in items], _chunk_size(key_columns)):
            condition, params = _key_condition('_owner', key_columns, chunk)
            sql = 'SELECT {0}, {1} AS _ls_value FROM {2} AS "_owner" WHERE {3}'.format(
                ', '.join(column('_owner', c) for c in key_columns),
                fragment.sql, table, condition)
            for row in self.tx.query(sql, list(fragment.params) + params):
                result[tuple(row[c] for c in key_columns)] = row['_ls_value']
        return result

    # -- references --------------------------------------------------------------

    def _fill_reference(self, items: Sequence[Item], name: str,
                        reference: Reference, subtree: Tree) -> None:
        target = reference.target
        if reference.computed:
            fragment = computed_sql.reference_key(
                self.model, items[0].type, name, '_owner')
            if fragment is None:
                logger.warning('No way to compute reference %s.%s; returning null.',
                               items[0].type, name)
                for item in items:
                    item.encoded.setdefault(name, None)
                return
            found = self._select_by_key(items[0].type, items, fragment)
            keys = {item.key: ((found.get(item.key),) if found.get(item.key)
                               is not None else None) for item in items}
        else:
            keys = {}
            for item in items:
                value = tuple(item.row[c] for c in reference.columns)
                keys[item.key] = None if any(v is None for v in value) else value
        rows = self.load_rows(target, [k for k in keys.values() if k is not None])
        # Each target is looked at once; later owners get its reference.
        seen: Dict[Tuple[Any, ...], Dict[str, Any]] = {}
        children: 'OrderedDict[Tuple[str, Tuple[Any, ...]], Item]' = OrderedDict()
        for item in items:
            key = keys[item.key]
            if key is not None and key in seen:
                item.encoded.setdefault(name, seen[key])
                continue
            row = rows.get(key) if key is not None else None
            if row is None:
                item.encoded.setdefault(name, None)
                continue
            child, placed = self.item(target, row)
            item.encoded.setdefault(name, placed)
            seen[key] = self.codecs.codec(child.type).reference(child.key)
            children[(child.table, child.key)] = child
        self.fill(list(children.values()), subtree)

    def load_rows(self, type_name: str, keys: Iterable[Tuple[Any, ...]]
                  ) -> Dict[Tuple[Any, ...], Any]:
        """Return primary key -> stored row for the entities of *type_name* with *keys*."""
        unique = list(OrderedDict.fromkeys(keys))
        if not unique:
            return {}
        key_columns = self.model.key_columns(type_name)
        table = quote(self.model.table(type_name).name)
        type_sql, type_params = self._visible(type_name, '_row')
        result = {}
        for chunk in chunks(unique, _chunk_size(key_columns)):
            condition, params = _key_condition('_row', key_columns, chunk)
            sql = 'SELECT "_row".rowid, "_row".* FROM {0} AS "_row" WHERE {1} AND {2}'.format(
                table, condition, type_sql)
            for row in self.tx.query(sql, params + list(type_params)):
                result[tuple(row[c] for c in key_columns)] = row
        return result

    def _visible(self, type_name: str, alias: str) -> Tuple[str, List[Any]]:
        """Return SQL and parameters testing that the row in *alias* is a visible *type_name*."""
        type_sql, type_params = self.model.type_condition(type_name, alias)
        if self.visibility is None:
            return type_sql, list(type_params)
        visible = self.visibility.condition(Compiler(self.model, self.now), type_name, alias)
        if visible is None:
            return type_sql, list(type_params)
        return ('{0} AND {1}'.format(type_sql, visible.sql),
                list(type_params) + list(visible.params))

    # -- collections -------------------------------------------------------------

    def _fill_collection(self, items: Sequence[Item], name: str,
                         collection: Collection, subtree: Tree) -> None:
        owner_type = self.catalogue.get(items[0].type)
        attribute = owner_type.attributes[name]
        if collection.kind == 'computed':
            members = computed.load_collection(self, items[0].type, name, items)
        else:
            members = self._collection_rows(items, collection)
        extra: Tree = {}
        if attribute.kind == MAPPED_COLLECTION:
            # The client's key/value view reads these from each item.
            names = attribute.key_value_attributes or {'key': 'key', 'value': 'value'}
            extra = {names.get('key', 'key'): {}, names.get('value', 'value'): {}}
        children: 'OrderedDict[Tuple[str, Tuple[Any, ...]], Item]' = OrderedDict()
        placed_lists: Dict[Tuple[Any, ...], List[Any]] = {}
        for item in items:
            placed_list = []
            for row in members.get(item.key, ()):
                child, placed = self.item(collection.target, row)
                placed_list.append(placed)
                children[(child.table, child.key)] = child
            placed_lists[item.key] = placed_list
        for item in items:
            item.encoded.setdefault(name, placed_lists[item.key])
        merged = dict(extra)
        for key, value in subtree.items():
            merged[key] = value
        self.fill(list(children.values()), merged)

    def _collection_rows(self, items: Sequence[Item], collection: Collection
                         ) -> Dict[Tuple[Any, ...], List[Any]]:
        """Return owner key -> stored item rows, in creation order."""
        owners: Dict[Tuple[Any, ...], Tuple[Any, ...]] = {}
        for item in items:
            owners[tuple(item.row[c] for c in collection.owner_columns)] = item.key
        if not owners:
            return {}
        target = collection.target
        table = quote(self.model.table(target).name)
        type_sql, type_params = self._visible(target, '_item')
        result: Dict[Tuple[Any, ...], List[Any]] = {}
        owner_values = list(owners)
        if collection.kind == 'one_to_many':
            filters = ''.join(' AND {0} = ?'.format(column('_item', c))
                              for c in collection.filters)
            filter_params = list(collection.filters.values())
            for chunk in chunks(owner_values, _chunk_size(collection.item_columns)):
                condition, params = _key_condition('_item', collection.item_columns, chunk)
                sql = ('SELECT "_item".rowid, "_item".* FROM {0} AS "_item" WHERE {1} '
                       'AND {2}{3} ORDER BY "_item".rowid').format(
                    table, condition, type_sql, filters)
                for row in self.tx.query(sql, params + list(type_params) + filter_params):
                    owner = tuple(row[c] for c in collection.item_columns)
                    result.setdefault(owners[owner], []).append(row)
            return result
        owner_aliases = ['_ls_owner{0}'.format(i)
                         for i in range(len(collection.link_owner_columns))]
        selected = ', '.join('{0} AS {1}'.format(column('_link', c), quote(a))
                             for c, a in zip(collection.link_owner_columns, owner_aliases))
        join_on = ' AND '.join(
            '{0} = {1}'.format(column('_item', k), column('_link', c))
            for k, c in zip(collection.item_key_columns, collection.link_item_columns))
        for chunk in chunks(owner_values, _chunk_size(collection.link_owner_columns)):
            condition, params = _key_condition('_link', collection.link_owner_columns, chunk)
            sql = ('SELECT {0}, "_item".rowid, "_item".* FROM {1} AS "_link" JOIN {2} '
                   'AS "_item" ON {3} WHERE {4} AND {5} ORDER BY "_link".rowid').format(
                selected, quote(collection.link_table), table, join_on, condition,
                type_sql)
            for row in self.tx.query(sql, params + list(type_params)):
                owner = tuple(row[a] for a in owner_aliases)
                result.setdefault(owners[owner], []).append(row)
        return result


def _chunk_size(columns: Sequence[str]) -> int:
    from .sql import CHUNK_SIZE

    return max(1, CHUNK_SIZE // max(1, len(columns)))


def _key_condition(alias: str, columns: Sequence[str],
                   keys: Sequence[Tuple[Any, ...]]) -> Tuple[str, List[Any]]:
    """Return SQL true for rows in *alias* whose *columns* equal one of *keys*."""
    if len(columns) == 1:
        return ('{0} IN ({1})'.format(column(alias, columns[0]), placeholders(len(keys))),
                [key[0] for key in keys])
    clause = '({0})'.format(' AND '.join('{0} = ?'.format(column(alias, c))
                                         for c in columns))
    params: List[Any] = []
    for key in keys:
        params.extend(key)
    return '(' + ' OR '.join([clause] * len(keys)) + ')', params
