"""The session's identity map and the merging of entities into it.

Every entity the server sends is merged into the one instance the session
holds for its identity (type and primary key), so the same entity is the
same object everywhere in the session. Values from the server become remote
values; local (uncommitted) values are never touched by a merge.
"""

from __future__ import annotations

import logging

import ftrack_api._session.encoding as _encoding
import ftrack_api.cache
import ftrack_api.collection
import ftrack_api.entity.base
import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api._session.entity_types import EntityTypes

NOT_SET = ftrack_api.symbol.NOT_SET

logger = logging.getLogger(__name__)

_SCALAR = 0
_REFERENCE = 1
_COLLECTION = 2
_MAPPED = 3

_KINDS = {
    'scalar': _SCALAR,
    'reference': _REFERENCE,
    'collection': _COLLECTION,
    'mapped': _MAPPED,
}


class IdentityMapCache(ftrack_api.cache.MemoryCache):
    """The top, in-memory layer of a session's cache: its identity map.

    A :class:`ftrack_api.cache.MemoryCache` whose lookups are cheap enough
    to be done for every entity of every server response. Keys are the
    string form of ``(entity type, [primary key values])``.
    """

    def __init__(self):
        super(IdentityMapCache, self).__init__()
        self._entities = {}
        #: ``(entity type, primary key text)`` -> entity, for the entities
        #: with a single primary key: what ``Session.get`` looks up first.
        #: Never replaced, only changed (the session keeps its ``get``).
        self._by_id = {}
        if type(self).lookup is IdentityMapCache.lookup:
            # Called for every get and merge: the dict's own method saves
            # a Python call (the dict is never replaced, only cleared).
            self.lookup = self._entities.get

    def get(self, key):
        """Return value for *key* (raise :exc:`KeyError` if missing)."""
        return self._entities[key]

    def lookup(self, key):
        """Return value for *key*, or None if missing."""
        return self._entities.get(key)

    def set(self, key, value):
        """Set *value* for *key*."""
        self._entities[key] = value
        self._index(value)

    def _index(self, entity):
        pair = _id_pair(entity)
        if pair is not None:
            self._by_id[pair] = entity

    def _unindex(self, entity):
        pair = _id_pair(entity)
        if pair is not None and self._by_id.get(pair) is entity:
            del self._by_id[pair]

    def remove(self, key):
        """Remove *key* (raise :exc:`KeyError` if absent); return None as upstream."""
        self._unindex(self._entities.pop(key))

    def keys(self):
        """Return list of keys at this current time."""
        return list(self._entities)

    def values(self):
        """Return list of values at this current time."""
        return list(self._entities.values())

    def clear(self, pattern=None):
        """Remove all keys matching regular expression *pattern* (all if None)."""
        if pattern is None:
            self._entities.clear()
            self._by_id.clear()
            return
        import re

        matcher = re.compile(pattern)
        for key in [key for key in self._entities if matcher.search(key)]:
            self._unindex(self._entities.pop(key))

    def __len__(self):
        return len(self._entities)


def _id_pair(entity):
    """Return ``(entity type, key text)`` of a single-key entity, else None."""
    try:
        strings = entity._primary_key_strings()
    except Exception:  # an entity without its key (or not an entity)
        return None
    if len(strings) != 1:
        return None
    return (entity.entity_type, strings[0])


class _ClassInfo(object):
    """Per entity class lookup tables used while merging."""

    __slots__ = (
        'cls', 'attributes', 'version', 'primary_key', 'single_key', 'kinds',
        'scalars', 'direct', 'table', 'plain_init',
    )

    def __init__(self, cls):
        attributes = cls.attributes
        self.cls = cls
        self.attributes = attributes
        self.version = attributes._version
        self.primary_key = tuple(cls.primary_key_attributes)
        self.single_key = (
            self.primary_key[0] if len(self.primary_key) == 1 else None
        )
        # Classes keeping the base constructor can be instantiated without
        # calling it (the hot path of decoding query results).
        self.plain_init = (
            cls.__init__ is ftrack_api.entity.base.Entity.__init__
        )
        self.table = attributes._data
        self.kinds = {
            name: _KINDS.get(attribute.kind, _SCALAR)
            for name, attribute in self.table.items()
        }
        self.scalars = frozenset(
            name for name, kind in self.kinds.items() if kind == _SCALAR
        )
        #: Attributes whose decoded values are stored as they are.
        self.direct = frozenset(
            name for name, kind in self.kinds.items()
            if kind == _SCALAR or kind == _REFERENCE
        )


class Merger(object):
    """Merge values into the identity map of *session*."""

    def __init__(self, session, identity_map):
        self.session = session
        self.identity_map = identity_map
        self._infos = {}
        self._by_type = {}
        #: The session's types mapping and version ``_by_type`` is valid for.
        self._types = None
        self._types_version = None
        self._plain_keys = session._make_key is str
        #: Caches below the identity map (the user's cache), if any.
        self.lower_caches = []
        self._touched = None
        #: The last date-time text decoded and its value.
        self._last_datetime = (None, None)

    # Lookup tables.
    def _info(self, cls):
        info = self._infos.get(cls)
        if info is None or info.version != cls.attributes._version:
            info = _ClassInfo(cls)
            self._infos[cls] = info
        return info

    # Tracking entities to write to the user's cache.
    def begin(self):
        """Start collecting merged entities for the lower cache layers."""
        if self.lower_caches:
            self._touched = {}

    def end(self):
        """Write entities merged since :meth:`begin` to the lower layers."""
        self._last_datetime = (None, None)
        touched, self._touched = self._touched, None
        if not touched:
            return
        for key, entity in touched.items():
            for cache in self.lower_caches:
                cache.set(key, entity)

    def _from_lower(self, key):
        for cache in self.lower_caches:
            try:
                return cache.get(key)
            except KeyError:
                continue
        return None

    # Decoding server responses.
    def object_hook(self, data):
        """Turn a decoded JSON object into a merged entity or typed value.

        Used as ``json.loads(..., object_hook=...)``: nested objects are
        handled first, so references and collections already hold merged
        entities when their owner is merged.
        """
        if '__entity_type__' in data:
            return self.merge_data(data)
        if '__type__' in data:
            value_type = data['__type__']
            if value_type == 'datetime' or value_type == 'date':
                # Entities of one batch often share a time stamp: decode a
                # repeated text once (arrow values are immutable).
                text = data.get('value')
                last = self._last_datetime
                if text is not None and text == last[0]:
                    return last[1]
                value = _encoding.decode_typed(data)
                self._last_datetime = (text, value)
                return value
            return _encoding.decode_typed(data)
        return data

    def _info_for_type(self, entity_type):
        cls = self.session.types.get(entity_type)
        if cls is None:
            raise ftrack_api.exception.UnrecognisedEntityTypeError(entity_type)
        info = self._info(cls)
        self._by_type[entity_type] = info
        return info

    def merge_data(self, data):
        """Merge the encoded entity *data* and return the session's instance.

        *data* (a decoded JSON object) is consumed: it may become the
        entity's remote value storage. Raise
        :exc:`ftrack_api.exception.UnrecognisedEntityTypeError` when the
        entity type is not one of the session's types.
        """
        entity_type = data.pop('__entity_type__')
        types = self.session.types
        if types.__class__ is EntityTypes:
            # Its version changes whenever a class is replaced: no need to
            # look the class up for every entity.
            if types._version != self._types_version or types is not self._types:
                self._by_type.clear()
                self._types = types
                self._types_version = types._version
            info = self._by_type.get(entity_type)
            if info is None or info.version != info.attributes._version:
                info = self._info_for_type(entity_type)
        else:
            info = self._by_type.get(entity_type)
            if (
                info is None
                or info.version != info.attributes._version
                or types.get(entity_type) is not info.cls
            ):
                info = self._info_for_type(entity_type)

        single = info.single_key
        try:
            if single is not None and self._plain_keys:
                value = data[single]
                if (
                    value.__class__ is str and "'" not in value
                    and '\\' not in value and value.isprintable()
                ):
                    # Same text as str((entity_type, [value])), built faster.
                    key = "('" + entity_type + "', ['" + value + "'])"
                else:
                    key = self.session._make_key((entity_type, [str(value)]))
            else:
                key = self.session._make_key(
                    (entity_type, [str(data[name]) for name in info.primary_key])
                )
        except KeyError:
            logger.debug(
                'Entity of type %r without its primary key cannot be merged.',
                entity_type,
            )
            entity = info.cls(self.session, None, reconstructing=True)
            self._apply_remote(entity, info, data)
            return entity

        entities = self.identity_map._entities
        entity = entities.get(key)
        if entity is None:
            if info.plain_init:
                entity = object.__new__(info.cls)
                entity.session = self.session
                entity._local = {}
                entity._remote = {}
            else:
                entity = info.cls(self.session, None, reconstructing=True)
            if self.lower_caches:
                cached = self._from_lower(key)
                if cached is not None and cached is not entity:
                    entity.merge(cached)
            entities[key] = entity
            if single is not None:
                self.identity_map._by_id[(entity_type, str(data[single]))] = entity
            if not entity._remote and info.scalars.issuperset(data):
                # A new entity can own the decoded mapping as is.
                entity._remote = data
            else:
                self._apply_remote(entity, info, data)
        else:
            self._apply_remote(entity, info, data)

        if self._touched is not None:
            self._touched[key] = entity
        return entity

    def _apply_remote(self, entity, info, data):
        remote = entity._remote
        if info.direct.issuperset(data):
            # Scalars and references (already merged entities) are stored
            # as they are.
            remote.update(data)
            return
        kinds = info.kinds
        for name, value in data.items():
            kind = kinds.get(name)
            if kind is None:
                continue
            if kind == _SCALAR or kind == _REFERENCE:
                remote[name] = value
                continue
            self._merge_collection(entity, info.table[name], kind, value)

    def _merge_collection(self, entity, attribute, kind, value):
        remote = entity._remote
        name = attribute.name
        if value is None:
            value = []
        elif not isinstance(value, list):
            value = list(value)
        existing = remote.get(name, NOT_SET)
        if existing is not NOT_SET:
            collection = getattr(existing, 'collection', existing)
            collection._refresh(value)
            return
        collection = ftrack_api.collection.Collection._of_unique(
            entity, attribute, attribute.mutable, value
        )
        if kind == _MAPPED:
            remote[name] = attribute._make_proxy(collection)
        else:
            remote[name] = collection

    # Merging values built in this process.
    def attach(self, entity):
        """Put *entity* (built by this session) in the identity map.

        When another instance with the same identity is already there, the
        values of *entity* are merged into it and that instance returned.
        """
        key = entity._identity_key()
        existing = self.identity_map.lookup(key)
        if existing is None:
            self.identity_map.set(key, entity)
            if self.lower_caches:
                for cache in self.lower_caches:
                    cache.set(key, entity)
            return entity
        if existing is not entity:
            existing.merge(entity)
        return existing

    def merge(self, value, merged=None):
        """Merge *value* into the session and return the merged value.

        Entities are merged into the identity map (recursively through
        references and collections); lists, tuples and mappings are merged
        item by item; other values are returned unchanged. *merged* records
        objects already merged (by ``id()``) to stop cycles.
        """
        if merged is None:
            merged = {}
        if isinstance(value, ftrack_api.entity.base.Entity):
            return self.merge_entity(value, merged)
        if isinstance(value, ftrack_api.collection.Collection):
            return [self.merge(item, merged) for item in value]
        if isinstance(value, ftrack_api.collection.MappedCollectionProxy):
            return [self.merge(item, merged) for item in value.collection]
        if isinstance(value, list):
            return [self.merge(item, merged) for item in value]
        if isinstance(value, tuple):
            return tuple(self.merge(item, merged) for item in value)
        if isinstance(value, dict):
            return {key: self.merge(item, merged) for key, item in value.items()}
        return value

    def merge_entity(self, entity, merged):
        """Merge *entity* into the identity map; return the attached instance."""
        marker = id(entity)
        if marker in merged:
            return merged[marker]

        key = entity._identity_key()
        attached = self.identity_map.lookup(key)
        if attached is entity:
            merged[marker] = entity
            return entity
        if attached is None:
            cls = self.session.types.get(entity.entity_type, type(entity))
            attached = cls(self.session, None, reconstructing=True)
            if self.lower_caches:
                cached = self._from_lower(key)
                if cached is not None and cached is not entity:
                    merged[marker] = attached
                    attached.merge(cached, merged)
            self.identity_map.set(key, attached)
        merged[marker] = attached
        attached.merge(entity, merged)
        if self._touched is not None:
            self._touched[key] = attached
        return attached
