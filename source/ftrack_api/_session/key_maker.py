"""Key makers: stable cache keys for arbitrary items.

Part of :mod:`ftrack_api.cache`, which re-exports every public name here;
import them from there.
"""

from __future__ import annotations

import abc
import hashlib
import inspect
import logging
import pickle

logger = logging.getLogger('ftrack_api.cache')


class KeyMaker(abc.ABC):
    """Generate unique keys for items."""

    def __init__(self):
        """Initialise key maker."""
        super(KeyMaker, self).__init__()
        #: Text placed between the keys of several items.
        self.item_separator = ''

    def key(self, *items):
        """Return key for *items*."""
        return self.item_separator.join(self._key(item) for item in items)

    @abc.abstractmethod
    def _key(self, item):
        """Return key for a single *item*."""


class StringKeyMaker(KeyMaker):
    """Generate string key.

    The key of a single item is ``str(item)``; keys of several items are
    joined with a unit separator character (``\\x1f``), which does not
    appear in ordinary text.
    """

    def __init__(self):
        """Initialise key maker."""
        super(StringKeyMaker, self).__init__()
        self.item_separator = '\x1f'

    def _key(self, item):
        """Return ``str(item)``."""
        return str(item)


#: Scalar types whose repr is a stable, exact description of the value.
_SCALAR_TYPES = (type(None), bool, int, float, complex, str, bytes)


class ObjectKeyMaker(KeyMaker):
    """Generate unique keys for objects.

    Keys are stable across processes for plain data (numbers, strings,
    bytes, None, lists, tuples, dicts, sets in any insertion order) and for
    module-level functions and classes. Other objects are keyed by a digest
    of their pickled form; objects that cannot be pickled fall back to their
    identity, which is only meaningful while the object is alive.
    """

    def _key(self, item):
        """Return key for a single *item*."""
        return self._describe(item)

    def _describe(self, item):
        """Return canonical, self-delimiting text describing *item*."""
        if isinstance(item, _SCALAR_TYPES):
            return '{0}({1!r})'.format(type(item).__name__, item)

        if isinstance(item, (list, tuple)):
            members = ','.join(self._describe(member) for member in item)
            return '{0}[{1}]'.format(type(item).__name__, members)

        if isinstance(item, dict):
            # Sorted by described key so insertion order does not matter.
            pairs = sorted(
                (self._describe(key), self._describe(value))
                for key, value in item.items()
            )
            members = ','.join('{0}:{1}'.format(k, v) for k, v in pairs)
            return '{0}{{{1}}}'.format(type(item).__name__, members)

        if isinstance(item, (set, frozenset)):
            members = ','.join(sorted(self._describe(member) for member in item))
            return '{0}{{{1}}}'.format(type(item).__name__, members)

        if inspect.ismethod(item):
            # The instance is identified, not described: its state changes
            # as methods run, which must not change the method's key.
            owner = item.__self__
            if inspect.isclass(owner):
                owner_text = self._describe_callable(owner)
            else:
                owner_text = '{0}.{1}@{2}'.format(
                    type(owner).__module__, type(owner).__qualname__, id(owner)
                )
            return 'method({0}.{1})'.format(owner_text, item.__func__.__name__)

        if inspect.isfunction(item) or inspect.isbuiltin(item) or inspect.isclass(item):
            return self._describe_callable(item)

        return self._describe_object(item)

    @staticmethod
    def _describe_callable(item):
        """Return key text for a function, builtin or class *item*."""
        module = getattr(item, '__module__', None) or ''
        name = getattr(item, '__qualname__', None) or getattr(
            item, '__name__', repr(item)
        )
        text = 'callable({0}.{1})'.format(module, name)
        if '<locals>' in name or '<lambda>' in name:
            # Nested functions and lambdas share qualified names between
            # instances (closures over different values): add identity.
            text = '{0}@{1}'.format(text, id(item))
        return text

    @staticmethod
    def _describe_object(item):
        """Return key text for an arbitrary object *item*."""
        type_name = '{0}.{1}'.format(
            type(item).__module__, type(item).__qualname__
        )
        try:
            pickled = pickle.dumps(item, protocol=2)
        except Exception:  # noqa: BLE001 - any failure means "not picklable".
            logger.debug(
                'Cannot pickle %s for a cache key; keying by identity.',
                type_name,
            )
            return 'object({0}@{1})'.format(type_name, id(item))
        digest = hashlib.sha256(pickled).hexdigest()
        return 'object({0}:{1})'.format(type_name, digest)
