"""Base class of all entity classes built from the server schema."""

from __future__ import annotations

import abc
import collections.abc
import logging

import ftrack_api.attribute
import ftrack_api.symbol
from ftrack_api._session.identity import identity_key
from ftrack_api.logging import LazyLogMessage as L  # noqa: F401 - upstream's name.

NOT_SET = ftrack_api.symbol.NOT_SET

logger = logging.getLogger(__name__)


class DynamicEntityTypeMetaclass(abc.ABCMeta):
    """Metaclass of entity classes, giving them a readable representation.

    Derives from the metaclass of :class:`collections.abc.MutableMapping` so
    entity classes can mix in other abstract base classes.
    """

    def __repr__(self):
        return "<dynamic ftrack class '{0}'>".format(self.__name__)


class _ConstructionPlan(object):
    """What constructing a new entity of one class needs, computed once.

    Kept on the class (rebuilt when its attributes or any attribute default
    change) so :meth:`Entity._construct` does no per-attribute lookups
    beyond the values it is given.
    """

    __slots__ = ('attributes', 'version', 'changes', 'table', 'scalars', 'defaults')

    def __init__(self, cls):
        attributes = cls.attributes
        self.attributes = attributes
        self.version = attributes._version
        self.changes = ftrack_api.attribute.Attribute._default_changes
        self.table = attributes._data
        scalars = []
        defaults = []
        for name, attribute in self.table.items():
            if attribute.kind != 'scalar':
                continue
            scalars.append(name)
            default = attribute.default_value
            if default is not NOT_SET:
                defaults.append((name, default, callable(default)))
        self.scalars = frozenset(scalars)
        #: ``(name, default, whether default is a callable)`` in attribute order.
        self.defaults = tuple(defaults)

    @classmethod
    def of(cls, entity_class):
        """Return the current plan of *entity_class*, building it if needed."""
        plan = entity_class.__dict__.get('_ftrack_construction_plan')
        attributes = entity_class.attributes
        if (
            plan is None
            or plan.attributes is not attributes
            or plan.version != attributes._version
            or plan.changes != ftrack_api.attribute.Attribute._default_changes
        ):
            plan = cls(entity_class)
            entity_class._ftrack_construction_plan = plan
        return plan


class _EntityBase(object):
    """Plain first base of :class:`Entity`.

    Gives entity instances the same memory layout as plain mixin classes,
    so :func:`ftrack_api.mixin` can swap an instance's class at run time.
    """


class _EntityLogger(object):
    """Give each entity a logger named after its type.

    The logger is ``ftrack_api.entity.base.<entity type class name>``, looked
    up once per class (entities the session rebuilds from server data skip
    ``__init__``, so it is not set there).
    """

    def __get__(self, entity, owner=None):
        if entity is None:
            return self
        # Kept on the class itself (not inherited: each class has its name).
        value = owner.__dict__.get('_class_logger')
        if value is None:
            value = logging.getLogger('{0}.{1}'.format(__name__, owner.__name__))
            owner._class_logger = value
        return value


class Entity(
    _EntityBase, collections.abc.MutableMapping,
    metaclass=DynamicEntityTypeMetaclass,
):
    """Base class for all entities: a dict-like view of one server entity.

    Keys are the attribute names of the entity type (see :attr:`attributes`).
    Each value is read and written through its attribute, which keeps a
    local (uncommitted) and a remote (server) value per entity.
    """

    #: Schema id of the entity type.
    entity_type = 'Entity'

    #: :class:`ftrack_api.attribute.Attributes` of the type.
    attributes = None

    #: Names of the attributes forming the primary key, in order.
    primary_key_attributes = None

    #: Projections used when a query names none.
    default_projections = None

    #: Logger of the entity (see :class:`_EntityLogger`).
    logger = _EntityLogger()

    def __init__(self, session, data=None, reconstructing=False):
        """Initialise entity bound to *session*.

        *data* maps attribute names to initial values. When
        *reconstructing* is False this is a new entity: defaults are applied
        for attributes missing from *data*, and a create operation followed
        by updates for reference and collection values is recorded. When
        True the entity already exists on the server and *data* holds its
        remote values (nothing is recorded). Keys that are not attributes
        are ignored (logged at debug level).
        """
        self.session = session
        self._local = {}
        self._remote = {}
        if reconstructing:
            if data:
                self._reconstruct(data)
        else:
            self._construct(data or {})

    # Construction.
    def _construct(self, data):
        """Apply *data* to this new entity and record its creation."""
        entity_logger = self.logger
        if entity_logger.isEnabledFor(logging.DEBUG):
            entity_logger.debug('Constructing entity from %r.', data)
        plan = _ConstructionPlan.of(type(self))
        scalars = plan.scalars
        local = {}
        deferred = None
        for name, value in data.items():
            if name in scalars:
                local[name] = value
                continue
            attribute = plan.table.get(name)
            if attribute is None:
                self._log_unknown(name)
                continue
            if deferred is None:
                deferred = []
            deferred.append((attribute, value))

        for name, default, generated in plan.defaults:
            if name in data:
                continue
            local[name] = default(self) if generated else default

        unit_of_work = self.session._unit_of_work
        if local:
            self._local = local
            unit_of_work.mark_dirty(self)
        unit_of_work.record_create(self, local)

        if deferred is not None:
            for attribute, value in deferred:
                attribute.set_local_value(self, value)

    def _reconstruct(self, data):
        """Apply *data* as remote values, recording nothing."""
        table = self.attributes._data
        with self.session.operation_recording(False):
            for name, value in data.items():
                attribute = table.get(name)
                if attribute is None:
                    self._log_unknown(name)
                    continue
                attribute.set_remote_value(self, value)

    def _log_unknown(self, name):
        if not name.startswith('__'):
            self.logger.debug(
                'Cannot populate %r attribute as no such attribute found on '
                'entity %r.', name, self,
            )

    # Internal state used by attributes and the session.
    def _primary_key_strings(self):
        """Return the primary key values as strings, in key order."""
        local = self._local
        remote = self._remote
        values = []
        for name in self.primary_key_attributes:
            value = local.get(name, NOT_SET)
            if value is NOT_SET:
                value = remote.get(name, NOT_SET)
            values.append(value if value.__class__ is str else str(value))
        return values

    #: ``(primary key value, key function, identity key)`` last computed.
    _identity_memo = None

    def _identity_key(self):
        """Return the key of this entity in the session's identity map.

        Made by the session's cache key maker from the entity type and the
        primary key strings (protocol §5.5).
        """
        make_key = self.session._make_key
        names = self.primary_key_attributes
        if len(names) != 1:
            return identity_key(
                make_key, self.entity_type, self._primary_key_strings()
            )
        # Computed several times for each new or changed entity: remember
        # it for as long as the primary key value stays the same object.
        name = names[0]
        value = self._local.get(name, NOT_SET)
        if value is NOT_SET:
            value = self._remote.get(name, NOT_SET)
        memo = self._identity_memo
        if memo is not None and memo[0] is value and memo[1] is make_key:
            return memo[2]
        key = identity_key(
            make_key, self.entity_type,
            [value if value.__class__ is str else str(value)],
        )
        self._identity_memo = (value, make_key, key)
        return key

    def _store_local(self, name, value):
        local = self._local
        if value is NOT_SET:
            local.pop(name, None)
            return
        if not local:
            self.session._unit_of_work.mark_dirty(self)
        local[name] = value

    def _record_update(self, name, old_value, new_value):
        self.session._unit_of_work.record_update(
            self, name, old_value, new_value
        )

    def _is_new(self):
        """Return whether this entity is created and not yet committed."""
        return self.session._unit_of_work.state_of(self) is ftrack_api.symbol.CREATED

    def _can_populate(self):
        """Return whether missing values may be fetched now."""
        session = self.session
        return bool(session.auto_populate) and not self._is_new()

    # Representation and identity.
    def __repr__(self):
        # Upstream's form (scripts and logs match it): the class and id().
        return '<dynamic ftrack {0} object {1}>'.format(type(self).__name__, id(self))

    def __str__(self):
        return '<{0}({1})>'.format(
            type(self).__name__, ', '.join(self._primary_key_strings())
        )

    def __hash__(self):
        return hash((self.entity_type, tuple(self._primary_key_strings())))

    def __eq__(self, other):
        if self is other:
            return True
        # Cheaper than an isinstance check against the abstract base class.
        other_keys = getattr(other, '_primary_key_strings', None)
        if other_keys is None or not isinstance(other, Entity):
            return False
        return (
            self.entity_type == other.entity_type
            and self._primary_key_strings() == other_keys()
        )

    def __ne__(self, other):
        return not self.__eq__(other)

    # Mapping interface.
    def _attribute(self, key):
        attribute = self.attributes._data.get(key)
        if attribute is None:
            raise KeyError(key)
        return attribute

    def __getitem__(self, key):
        attribute = self.attributes._data.get(key)
        if attribute is None:
            raise KeyError(key)
        if attribute._plain_scalar:
            # Inlined Attribute.get_value for the common case.
            value = self._local.get(key, NOT_SET)
            if value is NOT_SET:
                value = self._remote.get(key, NOT_SET)
            if value is not NOT_SET:
                return value
        return attribute.get_value(self)

    def __setitem__(self, key, value):
        self._attribute(key).set_local_value(self, value)

    def __delitem__(self, key):
        """Revert *key* to its remote value (the local value is dropped)."""
        self._attribute(key).set_local_value(self, NOT_SET)

    def __iter__(self):
        return iter(list(self.attributes._data.keys()))

    def __len__(self):
        return len(self.attributes._data)

    def __contains__(self, key):
        return key in self.attributes._data

    def _populate_unset_scalar_attributes(self):
        """Fetch every unset scalar attribute of this entity in one request.

        Nothing is fetched for an entity not yet committed, or when the
        session does not auto-populate.
        """
        self._populate_unset_scalars()

    def _populate_unset_scalars(self):
        if not self._can_populate():
            return
        names = [
            name for name, attribute in self.attributes._data.items()
            if attribute.kind == 'scalar' and not attribute.is_set(self)
        ]
        if names:
            self.session.populate([self], ', '.join(names))

    def values(self):
        """Return list of values.

        Unset scalar values are fetched in one request first (when
        auto-population is on for this thread).
        """
        self._populate_unset_scalars()
        return [self[name] for name in self.attributes._data]

    def items(self):
        """Return list of tuples of (key, value) pairs.

        Unset scalar values are fetched in one request first (when
        auto-population is on for this thread).
        """
        self._populate_unset_scalars()
        return [(name, self[name]) for name in self.attributes._data]

    def clear(self):
        """Reset all locally modified attribute values.

        Each local value is reverted (recording updates that cancel any
        pending change of those attributes).
        """
        for name in list(self._local):
            attribute = self.attributes._data.get(name)
            if attribute is None:
                self._local.pop(name, None)
            else:
                attribute.set_local_value(self, NOT_SET)

    def merge(self, entity, merged=None):
        """Merge attribute values of *entity* into this entity.

        Only values of *entity* that are not
        :data:`~ftrack_api.symbol.NOT_SET` are merged; referenced entities
        and collections are merged into the session first. *merged* maps
        already merged objects (by ``id()``) to their merged form and stops
        infinite recursion on cycles. Return the list of changes, each a
        mapping with ``type`` (``remote_attribute`` or ``local_attribute``),
        ``name``, ``old_value`` and ``new_value``.
        """
        if merged is None:
            merged = {}
        session = self.session
        changes = []
        table = self.attributes._data
        entity_logger = self.logger
        debug = entity_logger.isEnabledFor(logging.DEBUG)

        for storage, change_type in (
            ('_remote', 'remote_attribute'), ('_local', 'local_attribute')
        ):
            source = getattr(entity, storage)
            target = getattr(self, storage)
            # Scalars first, so identity is known before references that
            # may point back at this entity are merged.
            ordered = sorted(
                source.items(),
                key=lambda item: (
                    table[item[0]].kind != 'scalar' if item[0] in table else 2
                ),
            )
            for name, value in ordered:
                attribute = table.get(name)
                if attribute is None or value is NOT_SET:
                    continue
                if attribute.kind != 'scalar':
                    value = session._merge_value(value, merged)
                old_value = target.get(name, NOT_SET)
                if old_value is value:
                    continue
                if attribute.kind == 'scalar' and old_value == value:
                    continue
                if storage == '_local':
                    if attribute.kind in ('collection', 'mapped'):
                        value = attribute._adapt(self, value)
                    self._store_local(name, value)
                else:
                    attribute.set_remote_value(self, value)
                changes.append({
                    'type': change_type,
                    'name': name,
                    'old_value': old_value,
                    'new_value': value,
                })
                if debug:
                    entity_logger.debug(
                        'Merged %s "%s": %r -> %r',
                        change_type, name, old_value, value,
                    )
        return changes
