"""Attributes: the named, typed values of an entity.

An attribute object describes one attribute of an entity class (it is shared
by all instances). The values live on each entity: a *local* value (set in
this session, not yet committed) and a *remote* value (last known server
value). Reading returns the local value, else the remote value, else (when
auto-population is on for the current thread and the entity exists on the
server) fetches the value through the session.
"""

from __future__ import annotations

import collections.abc
import functools
import logging

import ftrack_api._session.custom_attributes as _custom_attributes
import ftrack_api.collection
import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api._session.collection_values import (
    bound_collection, collection_of, record_change,
)

logger = logging.getLogger(__name__)

NOT_SET = ftrack_api.symbol.NOT_SET


def merge_references(function):
    """Decorate an attribute method so entity values are merged first.

    *function*, the decorated method, takes ``(self, entity, value)``. When *value* is an
    entity or a collection of entities it is merged into the session of
    *entity* before the method stores it, so that attribute values always
    hold the session's own instances.
    """

    @functools.wraps(function)
    def wrapper(self, entity, value):
        session = getattr(entity, 'session', None)
        if session is not None and value is not NOT_SET and value is not None:
            value = session._attach_value(value)
        return function(self, entity, value)

    return wrapper


def _unset_pair():
    return {'local': NOT_SET, 'remote': NOT_SET}


class Attributes(object):
    """The attributes of an entity class, looked up by name.

    *attributes* is an optional iterable of :class:`Attribute` to add.
    """

    def __init__(self, attributes=None):
        self._data = {}
        #: Bumped on every change so per-class lookup tables can be cached.
        self._version = 0
        for attribute in attributes or ():
            self.add(attribute)

    def add(self, attribute):
        """Register *attribute* under its name.

        Raise :exc:`ftrack_api.exception.NotUniqueError` when an attribute
        with the same name was already added.
        """
        existing = self._data.get(attribute.name)
        if existing is not None:
            raise ftrack_api.exception.NotUniqueError(
                'Attribute with name {0} already added as {1!r}'.format(
                    attribute.name, existing
                )
            )
        self._data[attribute.name] = attribute
        self._version += 1

    def remove(self, attribute):
        """Drop *attribute*; :exc:`KeyError` when no attribute has its name."""
        del self._data[attribute.name]
        self._version += 1

    def get(self, name):
        """Look up the attribute named *name*; None when there is none."""
        return self._data.get(name)

    def keys(self):
        """List the names of the attributes held."""
        return list(self._data.keys())

    def __contains__(self, item):
        # Membership is by name: an attribute counts when one with its name
        # was added (names and other objects are never members).
        if not isinstance(item, Attribute):
            return False
        return item.name in self._data

    def __iter__(self):
        return iter(list(self._data.values()))

    def __len__(self):
        return len(self._data)


class Attribute(object):
    """One named attribute of an entity class, stored on the server.

    *name* is the attribute name. *default_value* is what new entities get
    when created without a value; it may be a callable called once per new
    entity. When *mutable* is False a local value can only be set while the
    entity has neither a local nor a remote value (setting
    :data:`~ftrack_api.symbol.NOT_SET` is always allowed). *computed* marks
    values computed by the server that must not be cached long-term.
    """

    #: How the session merges values of this attribute (see ``_merge``).
    kind = 'scalar'

    def __init__(
        self, name, default_value=NOT_SET, mutable=True, computed=False
    ):
        self._name = name
        self._default_value = default_value
        self._mutable = mutable
        self._computed = computed
        #: Whether entities may read values without calling get_value
        #: (a scalar attribute whose class keeps the standard reading).
        self._plain_scalar = (
            self.kind == 'scalar'
            and type(self).get_value is Attribute.get_value
        )

    def __repr__(self):
        return '<{0}.{1}({2}) object at {3}>'.format(
            type(self).__module__, type(self).__name__, self._name, id(self)
        )

    #: Bumped whenever the default of any attribute changes, so the tables
    #: of defaults entity classes keep for construction are rebuilt.
    _default_changes = 0

    @property
    def name(self):
        """The attribute's name, as in the schema."""
        return self._name

    @property
    def default_value(self):
        """What a new entity starts with (a value, or a callable making one)."""
        return self._default_value

    @default_value.setter
    def default_value(self, value):
        """Replace what new entities start with."""
        self._default_value = value
        Attribute._default_changes += 1

    @property
    def mutable(self):
        """False when a value, once known, may no longer be replaced."""
        return self._mutable

    @property
    def computed(self):
        """True for values the server derives (not to be cached for long)."""
        return self._computed

    def get_entity_storage(self, entity):
        """Give a snapshot of every value held on *entity*, by attribute name.

        Each attribute with a local or remote value maps to ``{'local': ...,
        'remote': ...}`` (:data:`~ftrack_api.symbol.NOT_SET` for the missing
        side); looking up another name gives a pair of NOT_SET. Changing the
        snapshot does not change *entity*.
        """
        storage = collections.defaultdict(_unset_pair)
        local = entity._local
        remote = entity._remote
        for name in list(local) + [key for key in remote if key not in local]:
            storage[name] = {
                'local': local.get(name, NOT_SET),
                'remote': remote.get(name, NOT_SET),
            }
        return storage

    def get_value(self, entity):
        """Give the value of this attribute on *entity*.

        That is the local value if set, else the remote value; if neither is known
        and auto-population is on for this thread, fetch the remote value
        through the session first (blocking).
        """
        name = self._name
        value = entity._local.get(name, NOT_SET)
        if value is NOT_SET:
            value = entity._remote.get(name, NOT_SET)
            if value is NOT_SET and entity._can_populate():
                self.populate_remote_value(entity)
                value = entity._remote.get(name, NOT_SET)
        return value

    def get_local_value(self, entity):
        """Give the value set on *entity* in this session (or NOT_SET)."""
        return entity._local.get(self._name, NOT_SET)

    def get_remote_value(self, entity):
        """Give the last server value known on *entity*, without fetching."""
        return entity._remote.get(self._name, NOT_SET)

    def set_local_value(self, entity, value):
        """Give *entity* the local value *value* and record an update.

        Raise :exc:`ftrack_api.exception.ImmutableAttributeError` when the
        attribute is immutable and already has a value.
        """
        if not self._mutable:
            self._check_mutable(entity, value)
        name = self._name
        old_value = entity._local.get(name, NOT_SET)
        entity._store_local(name, value)
        entity._record_update(name, old_value, value)

    def set_remote_value(self, entity, value):
        """Store *value* as the server value known on *entity*; sends nothing."""
        if value is NOT_SET:
            entity._remote.pop(self._name, None)
        else:
            entity._remote[self._name] = value

    def populate_remote_value(self, entity):
        """Ask the session to load this attribute of *entity* from the server."""
        entity.session.populate([entity], self._name)

    def is_modified(self, entity):
        """Tell whether *entity* holds a local value unlike the remote one.

        The remote value is not fetched, so this may report True when the
        server already holds the same value.
        """
        local = entity._local.get(self._name, NOT_SET)
        if local is NOT_SET:
            return False
        return local != entity._remote.get(self._name, NOT_SET)

    def is_set(self, entity):
        """Tell whether *entity* has any value (local or remote) for this attribute."""
        name = self._name
        return (
            entity._local.get(name, NOT_SET) is not NOT_SET
            or entity._remote.get(name, NOT_SET) is not NOT_SET
        )

    def _check_mutable(self, entity, value):
        if self._mutable or value is NOT_SET:
            return
        if self.is_set(entity):
            raise ftrack_api.exception.ImmutableAttributeError(self)


class ScalarAttribute(Attribute):
    """A plain value (string, number, boolean, datetime, JSON object).

    *name* and the keyword arguments (*kw*) are those of
    :class:`Attribute`; *data_type* is the value type named by the schema (``string``,
    ``integer``, ``float`` for numbers, ``boolean``, ``datetime``,
    ``variable``, ``object``).
    """

    kind = 'scalar'

    def __init__(self, name, data_type, **kw):
        super(ScalarAttribute, self).__init__(name, **kw)
        self.data_type = data_type


class ReferenceAttribute(Attribute):
    """A reference to one other entity of type *entity_type* (or None).

    *name* and the keyword arguments (*kw*) are those of :class:`Attribute`.
    """

    kind = 'reference'

    def __init__(self, name, entity_type, **kw):
        super(ReferenceAttribute, self).__init__(name, **kw)
        self.entity_type = entity_type

    def populate_remote_value(self, entity):
        """Fetch the referenced entity with its type's default projections.

        The referenced type's default projections are requested through the
        reference (``parent.id, parent.name``) so the referenced entity is
        useful without a further request.
        """
        projections = [self._name]
        referenced = entity.session.types.get(self.entity_type)
        if referenced is not None and referenced.default_projections:
            projections = [
                '{0}.{1}'.format(self._name, projection)
                for projection in referenced.default_projections
            ]
        entity.session.populate([entity], ', '.join(projections))

    def is_modified(self, entity):
        """Tell whether the local reference points elsewhere than the remote one.

        References are compared by identity (entity type and primary key),
        never fetching anything.
        """
        local = entity._local.get(self._name, NOT_SET)
        if local is NOT_SET:
            return False
        remote = entity._remote.get(self._name, NOT_SET)
        return _reference_identity(local) != _reference_identity(remote)

    @merge_references
    def set_local_value(self, entity, value):
        """Point the local reference of *entity* at *value* (an entity or None).

        As upstream, the value is not checked: tests and integrations may
        set stand-ins for entities.
        """
        super(ReferenceAttribute, self).set_local_value(entity, value)

    @merge_references
    def set_remote_value(self, entity, value):
        """Store *value* as the known server reference of *entity*; sends nothing."""
        super(ReferenceAttribute, self).set_remote_value(entity, value)


def _ordered_identities(value):
    return [
        ftrack_api.collection._identity_key(item) for item in collection_of(value)
    ]


def _reference_identity(value):
    # Stand-ins without an entity type compare as themselves.
    if value is NOT_SET or value is None or not hasattr(value, 'entity_type'):
        return value
    return ftrack_api.collection._identity_key(value)


class AbstractCollectionAttribute(Attribute):
    """Common base of the attributes whose value is a collection."""

    kind = 'collection'

    #: Class of the values this attribute stores (set by each subclass).
    collection_class = None

    def get_value(self, entity):
        """Give the collection of *entity*, loading it when needed.

        A new entity (or one whose collection the server did not return)
        gets an empty collection so it can be filled before committing. It
        is a local value recording nothing, dropped by the next commit or
        rollback so the server's collection is fetched afterwards. When
        auto-population is off for an entity known to the server and
        nothing was loaded, :data:`~ftrack_api.symbol.NOT_SET` is returned.
        """
        name = self._name
        value = entity._local.get(name, NOT_SET)
        if value is not NOT_SET:
            return value
        value = entity._remote.get(name, NOT_SET)
        if value is not NOT_SET:
            return value

        if entity._is_new():
            populated = True
        else:
            populated = entity._can_populate()
            if populated:
                self.populate_remote_value(entity)
                value = entity._remote.get(name, NOT_SET)
                if value is not NOT_SET:
                    return value

        if not populated:
            return NOT_SET

        return self._placeholder(entity)

    def _placeholder(self, entity):
        """Return an empty collection stored as *entity*'s local value.

        Nothing is recorded: it only gives callers a collection to work
        with. Being local, it goes with the next commit or rollback (the
        server's value is then fetched), unlike a remote value that would
        stand for what the server holds.
        """
        value = self._adapt(entity, [])
        entity._store_local(self._name, value)
        return value

    def set_local_value(self, entity, value):
        """Give *entity* a local collection holding the items of *value*.

        The items are copied into a collection bound to *entity*; an update
        is recorded. Raise :exc:`TypeError` for values that are not
        iterables of entities.
        """
        if value is not NOT_SET:
            value = self._adapt(entity, value)
        super(AbstractCollectionAttribute, self).set_local_value(entity, value)

    def set_remote_value(self, entity, value):
        """Store *value* as the known server collection of *entity*; sends nothing."""
        if value is not NOT_SET:
            value = self._adapt(entity, value)
        super(AbstractCollectionAttribute, self).set_remote_value(
            entity, value
        )

    def is_modified(self, entity):
        """Tell whether the local items (or their order) of *entity* differ from the remote ones."""
        local = entity._local.get(self._name, NOT_SET)
        if local is NOT_SET:
            return False
        remote = entity._remote.get(self._name, NOT_SET)
        if remote is NOT_SET:
            return True
        return _ordered_identities(local) != _ordered_identities(remote)

    def _adapt(self, entity, value):
        """Return *value* as this attribute's collection bound to *entity*."""
        raise NotImplementedError()

    def _adapt_to_collection(self, entity, value):
        """Return *value* (a list, collection or mapping) as this attribute's
        collection bound to *entity* (upstream's name for the adaptation).
        """
        return self._adapt(entity, value)

    def _collection_changed(self, entity, collection, old_items):
        """Record that *collection* of *entity* changed from *old_items*."""
        record_change(self, entity, collection, old_items)

    def _stored_for(self, collection):
        """Return the stored value (collection or proxy) for *collection*."""
        return collection

    def _wrap(self, collection):
        """Return the stored form of *collection*."""
        return collection


class CollectionAttribute(AbstractCollectionAttribute):
    """A collection of other entities."""

    collection_class = ftrack_api.collection.Collection

    def _adapt(self, entity, value):
        return bound_collection(self, entity, value, mapped=False)


class KeyValueMappedCollectionAttribute(AbstractCollectionAttribute):
    """Key/value entities shown to callers as one mapping of key to value.

    *creator* is called as ``creator(proxy, {key_attribute: key,
    value_attribute: value})`` to add an entity for a new key (it must add
    the entity to ``proxy.collection``). *key_attribute* and
    *value_attribute* name the attributes of the items holding the key and
    the value (``key`` and ``value`` for metadata and custom attributes).
    *name* and the other keyword arguments (*kw*) are those of
    :class:`Attribute`.
    """

    collection_class = ftrack_api.collection.KeyValueMappedCollectionProxy

    kind = 'mapped'

    def __init__(self, name, creator, key_attribute, value_attribute, **kw):
        super(KeyValueMappedCollectionAttribute, self).__init__(name, **kw)
        self.creator = creator
        self.key_attribute = key_attribute
        self.value_attribute = value_attribute

    def _adapt(self, entity, value):
        if isinstance(value, ftrack_api.collection.MappedCollectionProxy):
            collection = value.collection
            if collection.entity is entity and collection.attribute is self:
                return value
        elif isinstance(value, collections.abc.Mapping):
            # A plain mapping: a new proxy whose items are created for it
            # (through the creator), as upstream does.
            proxy = self._make_proxy(bound_collection(self, entity, [], mapped=True))
            for key, item in value.items():
                proxy[key] = item
            return proxy
        return self._make_proxy(bound_collection(self, entity, value, mapped=True))

    def _stored_for(self, collection):
        entity = collection.entity
        for value in (
            entity._local.get(self._name, NOT_SET),
            entity._remote.get(self._name, NOT_SET),
        ):
            if value is not NOT_SET and value.collection is collection:
                return value
        return self._make_proxy(collection)

    def _wrap(self, collection):
        return self._make_proxy(collection)

    def _make_proxy(self, collection):
        return ftrack_api.collection.KeyValueMappedCollectionProxy(
            collection, self.creator, self.key_attribute, self.value_attribute
        )

    def set_local_value(self, entity, value):
        """Replace the mapping of *entity* with *value*.

        A plain mapping replaces the keys: keys absent from it are removed,
        the others set through the proxy (recording the same operations as
        individual assignments). A list or collection of entities replaces
        the underlying collection.
        """
        if isinstance(value, collections.abc.Mapping) and not hasattr(
            value, 'collection'
        ):
            proxy = self.get_value(entity)
            if proxy is NOT_SET:
                proxy = self._placeholder(entity)
            for key in list(proxy.keys()):
                if key not in value:
                    del proxy[key]
            for key, item in value.items():
                proxy[key] = item
            return
        super(KeyValueMappedCollectionAttribute, self).set_local_value(
            entity, value
        )


class CustomAttributeCollectionAttribute(KeyValueMappedCollectionAttribute):
    """Custom attribute values presented as a mapping of key to value.

    The mapping is a
    :class:`~ftrack_api.collection.CustomAttributeCollectionProxy`: dense
    values (current servers) or the legacy sparse values, chosen by the
    ``value_entity_type`` the factory sets from the schema. Takes the
    arguments of :class:`Attribute` (*name*, *default_value*, *mutable*,
    *computed*); keys and values are the ``key`` and
    ``value`` of the value entities. Assigning a mapping sets its keys
    (and removes the others), as for any key/value attribute.
    """

    collection_class = ftrack_api.collection.CustomAttributeCollectionProxy

    def __init__(
        self, name, default_value=NOT_SET, mutable=True, computed=False
    ):
        super(CustomAttributeCollectionAttribute, self).__init__(
            name, _custom_attributes.create_value, 'key', 'value',
            default_value=default_value, mutable=mutable, computed=computed,
        )

    def _make_proxy(self, collection):
        return ftrack_api.collection.CustomAttributeCollectionProxy(collection)

    def set_local_value(self, entity, value):
        """Set the custom attribute values of *entity* from *value*.

        As upstream, assigning a mapping to the dense values of an entity
        not yet committed (``create(..., {'custom_attributes': {...}})``)
        also records the change of the owner's collection of values, so the
        commit updates the owner's ``custom_attributes`` after the values.
        """
        mapping = isinstance(value, collections.abc.Mapping) and not hasattr(
            value, 'collection'
        )
        before = None
        if mapping and entity._is_new():
            proxy = self.get_value(entity)
            if proxy is not NOT_SET and not proxy._sparse:
                before = list(proxy.collection)
        super(CustomAttributeCollectionAttribute, self).set_local_value(entity, value)
        if before is not None:
            proxy = self.get_value(entity)
            if list(proxy.collection) != before:
                record_change(self, entity, proxy.collection, before)
