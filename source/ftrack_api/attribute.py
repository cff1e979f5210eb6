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

import ftrack_api._session.custom_attributes as _custom_attributes
import ftrack_api.collection
import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api._session.collection_values import (
    bound_collection, collection_of, record_change,
)

NOT_SET = ftrack_api.symbol.NOT_SET


def merge_references(function):
    """Decorate an attribute method so entity values are merged first.

    The decorated method takes ``(self, entity, value)``. When *value* is an
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


class Attributes(object):
    """Collection of attributes accessible by name.

    *attributes* is an optional iterable of :class:`Attribute` to add.
    """

    def __init__(self, attributes=None):
        self._data = {}
        #: Bumped on every change so per-class lookup tables can be cached.
        self._version = 0
        for attribute in attributes or ():
            self.add(attribute)

    def add(self, attribute):
        """Add *attribute*.

        Raise :exc:`ftrack_api.exception.NotUniqueError` when an attribute
        with the same name was already added.
        """
        existing = self._data.get(attribute.name)
        if existing is not None:
            raise ftrack_api.exception.NotUniqueError(
                'Attribute with name {0!r} already added as {1!r}.'.format(
                    attribute.name, existing
                )
            )
        self._data[attribute.name] = attribute
        self._version += 1

    def remove(self, attribute):
        """Remove *attribute* (raise :exc:`KeyError` if not present)."""
        del self._data[attribute.name]
        self._version += 1

    def get(self, name):
        """Return the attribute called *name*, or None."""
        return self._data.get(name)

    def keys(self):
        """Return the list of attribute names."""
        return list(self._data.keys())

    def __contains__(self, item):
        if isinstance(item, Attribute):
            return self._data.get(item.name) is item
        return item in self._data

    def __iter__(self):
        return iter(list(self._data.values()))

    def __len__(self):
        return len(self._data)


class Attribute(object):
    """A named value of an entity, persisted remotely.

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
        """Return name."""
        return self._name

    @property
    def default_value(self):
        """Return the default value (or callable) for new entities."""
        return self._default_value

    @default_value.setter
    def default_value(self, value):
        """Set the default value (or callable) for new entities."""
        self._default_value = value
        Attribute._default_changes += 1

    @property
    def mutable(self):
        """Return whether attribute is mutable."""
        return self._mutable

    @property
    def computed(self):
        """Return whether attribute is computed."""
        return self._computed

    def get_entity_storage(self, entity):
        """Return a snapshot ``{'local': value, 'remote': value}`` for *entity*."""
        return {
            'local': entity._local.get(self._name, NOT_SET),
            'remote': entity._remote.get(self._name, NOT_SET),
        }

    def get_value(self, entity):
        """Return current value for *entity*.

        The local value if set, else the remote value; if neither is known
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
        """Return locally set value for *entity*."""
        return entity._local.get(self._name, NOT_SET)

    def get_remote_value(self, entity):
        """Return the remote value stored on *entity*; never fetches."""
        return entity._remote.get(self._name, NOT_SET)

    def set_local_value(self, entity, value):
        """Set local value of *entity* to *value*, recording an update.

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
        """Set the remote value stored on *entity*; nothing is sent."""
        if value is NOT_SET:
            entity._remote.pop(self._name, None)
        else:
            entity._remote[self._name] = value

    def populate_remote_value(self, entity):
        """Fetch the remote value of *entity* through its session."""
        entity.session.populate([entity], self._name)

    def is_modified(self, entity):
        """Return whether a local value is set and differs from the remote.

        The remote value is not fetched, so this may report True when the
        server already holds the same value.
        """
        local = entity._local.get(self._name, NOT_SET)
        if local is NOT_SET:
            return False
        return local != entity._remote.get(self._name, NOT_SET)

    def is_set(self, entity):
        """Return whether a local or remote value is set for *entity*."""
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

    *data_type* is the value type named by the schema (``string``,
    ``integer``, ``float`` for numbers, ``boolean``, ``datetime``,
    ``variable``, ``object``).
    """

    kind = 'scalar'

    def __init__(self, name, data_type, **kw):
        super(ScalarAttribute, self).__init__(name, **kw)
        self.data_type = data_type


class ReferenceAttribute(Attribute):
    """A reference to one other entity of type *entity_type* (or None)."""

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
        """Return whether the local reference differs from the remote one.

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
        """Set the local reference of *entity* to *value* (an entity or None).

        Raise :exc:`TypeError` naming the attribute when *value* is neither
        an entity, None nor :data:`~ftrack_api.symbol.NOT_SET`.
        """
        self._check_reference(entity, value)
        super(ReferenceAttribute, self).set_local_value(entity, value)

    @merge_references
    def set_remote_value(self, entity, value):
        """Set the remote reference stored on *entity*; nothing is sent."""
        super(ReferenceAttribute, self).set_remote_value(entity, value)

    def _check_reference(self, entity, value):
        if value is NOT_SET or value is None:
            return
        if not isinstance(value, _entity_class_cache or _entity_class()):
            raise TypeError(
                'Cannot set reference attribute {0!r} of {1!r} to {2!r}: '
                'the value must be an entity (or None).'.format(
                    self._name, entity, value
                )
            )


def _entity_class():
    # Imported late: the entity module builds on this one.
    import ftrack_api.entity.base

    global _entity_class_cache
    _entity_class_cache = ftrack_api.entity.base.Entity
    return _entity_class_cache


_entity_class_cache = None


def _reference_identity(value):
    if value is NOT_SET or value is None:
        return value
    return (value.entity_type, value._primary_key_strings())


class AbstractCollectionAttribute(Attribute):
    """Base class of attributes holding a collection of entities."""

    kind = 'collection'

    #: Collection class used by attribute.
    collection_class = None

    def get_value(self, entity):
        """Return the collection of *entity*, fetching it when needed.

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
        """Set the collection of *entity* to *value* (a list or collection).

        The items are copied into a collection bound to *entity*; an update
        is recorded. Raise :exc:`TypeError` for values that are not
        iterables of entities.
        """
        if value is not NOT_SET:
            value = self._adapt(entity, value)
        super(AbstractCollectionAttribute, self).set_local_value(entity, value)

    def set_remote_value(self, entity, value):
        """Set the remote collection stored on *entity*; nothing is sent."""
        if value is not NOT_SET:
            value = self._adapt(entity, value)
        super(AbstractCollectionAttribute, self).set_remote_value(
            entity, value
        )

    def is_modified(self, entity):
        """Return whether the local collection differs from the remote one."""
        local = entity._local.get(self._name, NOT_SET)
        if local is NOT_SET:
            return False
        remote = entity._remote.get(self._name, NOT_SET)
        if remote is NOT_SET:
            return True
        return collection_of(local) != collection_of(remote)

    def _adapt(self, entity, value):
        """Return *value* as this attribute's collection bound to *entity*."""
        raise NotImplementedError()

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

    @property
    def collection_class(self):
        return ftrack_api.collection.Collection

    def _adapt(self, entity, value):
        return bound_collection(self, entity, value, mapped=False)


class MappedCollectionAttribute(AbstractCollectionAttribute):
    """Base class of collections presented as mappings (proxies)."""

    kind = 'mapped'

    def _make_proxy(self, collection):
        raise NotImplementedError()

    def _adapt(self, entity, value):
        if isinstance(value, ftrack_api.collection.MappedCollectionProxy):
            collection = value.collection
            if collection.entity is entity and collection.attribute is self:
                return value
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


class KeyValueMappedCollectionAttribute(MappedCollectionAttribute):
    """A collection of key/value entities presented as a mapping.

    *creator* is called as ``creator(proxy, {key_attribute: key,
    value_attribute: value})`` to add an entity for a new key (it must add
    the entity to ``proxy.collection``). *key_attribute* and
    *value_attribute* name the attributes of the items holding the key and
    the value (``key`` and ``value`` for metadata and custom attributes).
    """

    def __init__(self, name, creator, key_attribute, value_attribute, **kw):
        super(KeyValueMappedCollectionAttribute, self).__init__(name, **kw)
        self.creator = creator
        self.key_attribute = key_attribute
        self.value_attribute = value_attribute

    @property
    def collection_class(self):
        return ftrack_api.collection.KeyValueMappedCollectionProxy

    def _make_proxy(self, collection):
        return ftrack_api.collection.KeyValueMappedCollectionProxy(
            collection, self.creator, self.key_attribute, self.value_attribute
        )

    def set_local_value(self, entity, value):
        """Set the mapping of *entity*.

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
    arguments of :class:`Attribute`; keys and values are the ``key`` and
    ``value`` of the value entities.
    """

    def __init__(self, name, **kw):
        super(CustomAttributeCollectionAttribute, self).__init__(
            name, _custom_attributes.create_value, 'key', 'value', **kw
        )

    @property
    def collection_class(self):
        return ftrack_api.collection.CustomAttributeCollectionProxy

    def _make_proxy(self, collection):
        return ftrack_api.collection.CustomAttributeCollectionProxy(collection)

    def set_local_value(self, entity, value):
        """Refuse to replace the whole mapping of custom attributes.

        Raise :exc:`ftrack_api.exception.ImmutableAttributeError`: set
        individual keys instead (``entity['custom_attributes']['k'] = v``).
        Setting :data:`~ftrack_api.symbol.NOT_SET` reverts local changes.
        """
        if value is NOT_SET:
            return super(CustomAttributeCollectionAttribute, self).set_local_value(
                entity, value
            )
        raise ftrack_api.exception.ImmutableAttributeError(
            self,
            message=(
                'Cannot replace the whole {attribute.name!r} mapping; set '
                'individual keys instead.'
            ),
        )
