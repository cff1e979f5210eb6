"""Collections of entities and mapping views over them."""

from __future__ import annotations

import collections.abc
import copy
import functools

import ftrack_api._session.custom_attributes as _custom_attributes
import ftrack_api.cache
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_api.logging import LazyLogMessage as L  # noqa: F401 - upstream's name.

NOT_SET = ftrack_api.symbol.NOT_SET


def _identity_key(item):
    # Looked up on the module at call time so tests and integrations can
    # swap the identity function (and put plain values in collections).
    return str(ftrack_api.inspection.identity(item))


class Collection(collections.abc.MutableSequence):
    """An ordered list of items held by one attribute of one entity.

    *entity* owns the collection through *attribute*. When *mutable* is
    False every change raises
    :exc:`ftrack_api.exception.ImmutableCollectionError`. *data* is the
    initial list of items (entities, or anything
    :func:`ftrack_api.inspection.identity` can describe). Each change
    records an update of the owning attribute (with a snapshot of the
    collection) in the session; an item may appear only once
    (:exc:`ftrack_api.exception.DuplicateItemInCollectionError`).
    Two collections are equal when they hold the same identities.
    """

    def __init__(self, entity, attribute, mutable=True, data=None):
        self.entity = entity
        self.attribute = attribute
        self.mutable = mutable
        self._identities = None
        self._data = []
        if data is not None:
            items = list(data)
            self._identities = self._unique_identities(items)
            self._data = items

    @classmethod
    def _of_unique(cls, entity, attribute, mutable, items):
        """Return a collection of *items* known to be unique, unchecked.

        For values decoded from the server or copied from another
        collection, which cannot repeat an item.
        """
        collection = cls.__new__(cls)
        collection.entity = entity
        collection.attribute = attribute
        collection.mutable = mutable
        collection._identities = None
        collection._data = list(items)
        return collection

    def __copy__(self):
        return Collection._of_unique(
            self.entity, self.attribute, self.mutable, self._data
        )

    # Reading.
    def __getitem__(self, index):
        return self._data[index]

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        return iter(self._data)

    def __contains__(self, value):
        return _identity_key(value) in self._get_identities()

    def __eq__(self, other):
        if not isinstance(other, Collection):
            return False
        return self._get_identities() == other._get_identities()

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None

    # Changing.
    def __setitem__(self, index, item):
        self._check_mutable()
        if isinstance(index, slice):
            new_data = list(self._data)
            new_data[index] = list(item)
            self._replace(new_data)
            return
        old_item = self._data[index]
        key = _identity_key(item)
        if key != _identity_key(old_item) and key in self._get_identities():
            raise ftrack_api.exception.DuplicateItemInCollectionError(item, self)
        old_items = list(self._data)
        self._data[index] = item
        self._identities = None
        self._notify(old_items)

    def __delitem__(self, index):
        self._check_mutable()
        old_items = list(self._data)
        del self._data[index]
        self._identities = None
        self._notify(old_items)

    def insert(self, index, item):
        """Put *item* before position *index*."""
        self._check_mutable()
        identities = self._get_identities()
        key = _identity_key(item)
        if key in identities:
            raise ftrack_api.exception.DuplicateItemInCollectionError(item, self)
        old_items = list(self._data)
        self._data.insert(index, item)
        identities.add(key)
        self._notify(old_items)

    def extend(self, values):
        """Append every item of *values*, recording a single update."""
        self._check_mutable()
        values = list(values)
        identities = set(self._get_identities())
        for item in values:
            key = _identity_key(item)
            if key in identities:
                raise ftrack_api.exception.DuplicateItemInCollectionError(
                    item, self
                )
            identities.add(key)
        if not values:
            return
        old_items = list(self._data)
        self._data.extend(values)
        self._identities = identities
        self._notify(old_items)

    def reverse(self):
        """Reverse the items in place, recording a single update."""
        # The generic swap of MutableSequence puts an item in two places
        # at once on the way, which uniqueness refuses.
        self._check_mutable()
        if len(self._data) > 1:
            self._replace(self._data[::-1])

    def clear(self):
        """Remove all items, recording a single update."""
        self._check_mutable()
        if not self._data:
            return
        old_items = list(self._data)
        del self._data[:]
        self._identities = None
        self._notify(old_items)

    def _identity_key(self, entity):
        """Return the hashable identity of *entity* used for uniqueness."""
        return _identity_key(entity)

    def _unique_identities(self, items):
        """Return the identities of *items*; raise if an item repeats.

        Raise :exc:`ftrack_api.exception.DuplicateItemInCollectionError`
        naming the repeated item.
        """
        identities = set()
        for item in items:
            key = _identity_key(item)
            if key in identities:
                raise ftrack_api.exception.DuplicateItemInCollectionError(
                    item, self
                )
            identities.add(key)
        return identities

    def _replace(self, items):
        identities = self._unique_identities(items)
        old_items = list(self._data)
        self._data[:] = items
        self._identities = identities
        self._notify(old_items)

    def _refresh(self, items):
        """Replace the items with *items* from the server, recording nothing."""
        self._data[:] = items
        self._identities = None

    # Helpers.
    def _get_identities(self):
        if self._identities is None:
            self._identities = set(_identity_key(item) for item in self._data)
        return self._identities

    def _check_mutable(self):
        if not self.mutable:
            raise ftrack_api.exception.ImmutableCollectionError(self)

    def _notify(self, old_value):
        """Tell the owning attribute that this collection changed from *old_value*.

        *old_value* is the list of items before the change.
        """
        attribute = self.attribute
        entity = self.entity
        if attribute is None or entity is None:
            return
        changed = getattr(attribute, '_collection_changed', None)
        if changed is not None:
            changed(entity, self, old_value)


class MappedCollectionProxy(collections.abc.MutableMapping):
    """Common base class of mapping views over a :class:`Collection`.

    *collection* is the proxied collection; the proxy has no storage of its
    own, so changes through the mapping are changes of the collection.
    """

    def __init__(self, collection):
        self.collection = collection

    def __copy__(self):
        """Return a proxy of the same kind over a copy of the collection."""
        duplicate = type(self).__new__(type(self))
        duplicate.__dict__.update(self.__dict__)
        duplicate.collection = copy.copy(self.collection)
        return duplicate

    @property
    def mutable(self):
        """Whether the proxied collection accepts changes."""
        return self.collection.mutable

    @mutable.setter
    def mutable(self, value):
        """Make the proxied collection accept changes or refuse them."""
        self.collection.mutable = value

    @property
    def attribute(self):
        """The attribute the proxied collection belongs to."""
        return self.collection.attribute

    @attribute.setter
    def attribute(self, value):
        self.collection.attribute = value

    # Equality is the mapping's (same keys and values), whatever the owner,
    # as upstream.
    __hash__ = None


class KeyValueMappedCollectionProxy(MappedCollectionProxy):
    """A mapping of key to value over a collection of key/value entities.

    *collection* holds the entities, *creator* is called as
    ``creator(proxy, {key_attribute: key, value_attribute: value})`` to add
    an entity for a new key (it must put the entity in the collection).
    *key_attribute* and *value_attribute* name the item attributes holding
    the key and the value.
    """

    def __init__(self, collection, creator, key_attribute, value_attribute):
        super(KeyValueMappedCollectionProxy, self).__init__(collection)
        self.creator = creator
        self.key_attribute = key_attribute
        self.value_attribute = value_attribute

    @property
    def _item_key(self):
        """Name of the item attribute holding the mapping's keys."""
        return self.key_attribute

    def __copy__(self):
        return KeyValueMappedCollectionProxy(
            copy.copy(self.collection), self.creator, self.key_attribute,
            self.value_attribute,
        )

    def _get_entity_by_key(self, key):
        for entity in self.collection:
            if entity[self._item_key] == key:
                return entity
        raise KeyError(key)

    def __getitem__(self, key):
        return self._get_entity_by_key(key)[self.value_attribute]

    def __setitem__(self, key, value):
        try:
            entity = self._get_entity_by_key(key)
        except KeyError:
            self.collection._check_mutable()
            self.creator(self, {self._item_key: key, self.value_attribute: value})
        else:
            entity[self.value_attribute] = value

    def __delitem__(self, key):
        entity = self._get_entity_by_key(key)
        self.collection.remove(entity)
        session = getattr(entity, 'session', None)
        if session is not None:
            session.delete(entity)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.collection)

    def keys(self):
        """Return the list of keys, in collection order."""
        return [entity[self._item_key] for entity in self.collection]

    def items(self):
        """Return the list of ``(key, value)`` pairs, in collection order."""
        return [
            (entity[self._item_key], entity[self.value_attribute])
            for entity in self.collection
        ]

    def values(self):
        """Return the list of values, in collection order."""
        return [entity[self.value_attribute] for entity in self.collection]


class PerSessionDefaultKeyMaker(ftrack_api.cache.KeyMaker):
    """Key maker for defaults computed per session.

    As upstream, the key of each item is its ``str`` (a session's names the
    session object) and the keys of several items are joined without a
    separator.
    """

    def _key(self, obj):
        """Return the key of the single item *obj*."""
        return str(obj)


#: Results of :func:`memoise_session` functions called without a session.
_PROCESS_MEMO = {}


def memoise_session(function):
    """Memoise *function* per session.

    *function* must take the session (or an entity of it) as its first
    argument; its result is computed once per session and the same object
    returned afterwards (no copies). The memo is kept on the session, so it
    goes away with it and :meth:`Session.reset` clears it; when the first
    argument is no session, results are kept for the process.
    """
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        first = args[0]
        session = getattr(first, 'session', first)
        memo = getattr(session, '_memo', None)
        if memo is None:
            # Not a session: remember the result for the process instead.
            memo = _PROCESS_MEMO
        key = (
            (function.__module__, function.__qualname__, id(session))
            + tuple(repr(item) for item in args[1:])
            + tuple(sorted((name, repr(value)) for name, value in kwargs.items()))
        )
        try:
            return memo[key]
        except KeyError:
            value = function(*args, **kwargs)
            memo[key] = value
            return value

    return wrapper


class CustomAttributeCollectionProxy(KeyValueMappedCollectionProxy):
    """A mapping of custom attribute key to value over a collection.

    *collection* holds the custom attribute value entities of the owner.
    With current servers (dense values, value type ending in
    ``CustomAttributeValue``) it is the key/value mapping of the values in
    the collection (as :class:`KeyValueMappedCollectionProxy`): setting a
    key that is not there raises :exc:`KeyError` on an entity known to the
    server, and on a new entity adds a value for the configuration with
    that key (looked up once per session), recording an update of the value
    that the server upserts; deleting a key deletes its value (the server
    restores the configuration default). With the legacy sparse value type
    ``CustomAttributeValue`` the keys are those of the applicable
    configurations, missing values fall back to the configuration default,
    new keys create value entities and deleting a key deletes its value.
    """

    def __init__(self, collection):
        # As upstream, the proxy names the configuration id as its key
        # attribute; the keys of the mapping are the values' ``key``.
        super(CustomAttributeCollectionProxy, self).__init__(
            collection, _custom_attributes.create_value, 'configuration_id',
            'value'
        )

    #: The value entities hold the mapping's keys in ``key``.
    _item_key = 'key'

    def __copy__(self):
        return CustomAttributeCollectionProxy(copy.copy(self.collection))

    @property
    def _sparse(self):
        attribute = self.collection.attribute
        return getattr(attribute, 'value_entity_type', None) == 'CustomAttributeValue'

    def _configurations(self):
        return _custom_attributes.applicable_configurations(
            self.collection.entity, include_hierarchical=not self._sparse
        )

    def _get_entity_configurations(self):
        """Return the custom attribute configurations that apply to the owner."""
        return self._configurations()

    def _get_keys(self):
        """Return the keys of the configurations that apply to the owner."""
        return [configuration['key'] for configuration in self._configurations()]

    def _configuration(self, key):
        """Return the applicable configuration with *key*, or None."""
        for configuration in self._configurations():
            if configuration['key'] == key:
                return configuration
        return None

    def get_configuration_id_from_key(self, key):
        """Return id of the configuration with *key* for the owner entity.

        Raise :exc:`KeyError` naming *key* when no applicable configuration
        has it.
        """
        configuration = self._configuration(key)
        if configuration is None:
            raise KeyError(key)
        return configuration['id']

    def _get_entity_by_key(self, key):
        if not self._sparse:
            return super(CustomAttributeCollectionProxy, self)._get_entity_by_key(key)
        configuration_id = self.get_configuration_id_from_key(key)
        for entity in self.collection:
            if entity['configuration_id'] == configuration_id:
                return entity
        raise KeyError(key)

    def __getitem__(self, key):
        try:
            return super(CustomAttributeCollectionProxy, self).__getitem__(key)
        except KeyError:
            if self._sparse:
                configuration = self._configuration(key)
                if configuration is not None:
                    return configuration['default']
            raise

    def keys(self):
        """Return the list of keys."""
        if self._sparse:
            return [configuration['key'] for configuration in self._configurations()]
        return super(CustomAttributeCollectionProxy, self).keys()

    def __len__(self):
        return len(self.keys())

    def items(self):
        """Return the list of ``(key, value)`` pairs."""
        return [(key, self[key]) for key in self.keys()]

    def values(self):
        """Return the list of values."""
        return [self[key] for key in self.keys()]


def _get_custom_attribute_configurations(session):
    """Return the custom attribute configurations of *session*'s server.

    Fetched once per session and remembered (``Session.reset`` forgets
    them).
    """
    return _custom_attributes._configurations(session, True)
