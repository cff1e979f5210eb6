"""The mapping of entity type names to entity classes of a session.

A session offers every schema to plugins through the synchronous
``ftrack.api.session.construct-entity-type`` event while it starts, exactly
as before: each plugin is asked about every schema, in schema order,
before ``ftrack.api.session.ready`` and before any entity exists. Classes
a plugin returns are stored as they are. Only the schemas no plugin
answered, which the standard factory would build, are built on first use
instead of at start-up: most sessions touch a handful of the server's
entity types, and building all of them was most of the cost of starting a
session.

The mapping still holds every type: ``len``, iteration, ``in`` and
``keys()`` never build anything, while reading a class (``[]``, ``get``,
``values()``, ``items()``, ``repr``) builds it once, under a lock, so every
thread sees the same class for a type. ``keys()``, ``values()``,
``items()`` and ``repr`` give what the plain dict of upstream's
``session.types`` gives (``dict_keys([...])`` and so on).
"""

from __future__ import annotations

import collections.abc
import logging
import threading

logger = logging.getLogger(__name__)

_MISSING = object()


class _Deferred(object):
    """A schema whose class is built on first use."""

    __slots__ = ('schema',)

    def __init__(self, schema):
        self.schema = schema

    def __repr__(self):
        return '<not yet built {0!r}>'.format(self.schema.get('id'))


class EntityTypes(collections.abc.MutableMapping):
    """Entity classes by entity type name, in schema order.

    *factory* (an :class:`ftrack_api.entity.factory.Factory`) builds the
    classes of schemas added with :meth:`defer` when they are first read.
    Classes can be added, replaced and removed as in a dict.
    """

    def __init__(self, factory):
        self._factory = factory
        self._entries = {}
        self._lock = threading.RLock()
        #: Bumped whenever the class stored for a name changes (not when a
        #: deferred class is built), so callers can cache lookups.
        self._version = 0

    def defer(self, name, schema):
        """Add the type *name* whose class the factory builds from *schema*."""
        self._entries[name] = _Deferred(schema)
        self._version += 1

    def is_built(self, name):
        """Return whether the class of *name* exists (raise :exc:`KeyError`)."""
        return self._entries[name].__class__ is not _Deferred

    def _build(self, name, deferred):
        with self._lock:
            current = self._entries.get(name, _MISSING)
            if current is not deferred:
                # Built (or replaced) by another thread meanwhile.
                if current is _MISSING:
                    raise KeyError(name)
                return current
            logger.debug('Building entity class for %r on first use.', name)
            entity_class = self._factory.create(deferred.schema)
            self._entries[name] = entity_class
            return entity_class

    def __getitem__(self, name):
        value = self._entries[name]
        if value.__class__ is _Deferred:
            return self._build(name, value)
        return value

    def get(self, name, default=None):
        """Return the class of *name*, or *default* when there is none."""
        value = self._entries.get(name, _MISSING)
        if value is _MISSING:
            return default
        if value.__class__ is _Deferred:
            return self._build(name, value)
        return value

    def __setitem__(self, name, entity_class):
        self._entries[name] = entity_class
        self._version += 1

    def __delitem__(self, name):
        del self._entries[name]
        self._version += 1

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def __contains__(self, name):
        return name in self._entries

    def _build_all(self):
        for name, value in list(self._entries.items()):
            if value.__class__ is _Deferred:
                self._build(name, value)
        return self._entries

    def keys(self):
        """Return a live view of the type names, as ``dict.keys()`` does.

        Builds nothing; prints as ``dict_keys([...names...])``, as the
        plain dict upstream keeps in ``session.types`` does.
        """
        return self._entries.keys()

    def values(self):
        """Return a live view of the classes (building every class first)."""
        return self._build_all().values()

    def items(self):
        """Return a live view of (name, class) pairs (building every class first)."""
        return self._build_all().items()

    def copy(self):
        """Return a dict of every type name and its class (building all)."""
        return dict(self._build_all())

    def __repr__(self):
        # Printed as upstream's plain dict of classes: building what is
        # missing is the price of showing it.
        return repr(self._build_all())
