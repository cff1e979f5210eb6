"""Key makers: cache keys for arbitrary items.

Part of :mod:`ftrack_api.cache`, which re-exports every public name here;
import them from there. The keys are those upstream ``ftrack-python-api``
3.1.0 makes, byte for byte, so a persisted cache (a :class:`FileCache`
filled through a :class:`Memoiser`, say) can be shared by both clients.
"""

from __future__ import annotations

import abc
import collections.abc
import inspect
import pickle

class KeyMaker(abc.ABC):
    """Base of the objects that turn items into cache keys."""

    def __init__(self):
        """Make a key maker; subclasses set :attr:`item_separator`."""
        super(KeyMaker, self).__init__()
        #: What is placed between the keys of several items.
        self.item_separator = ''

    def key(self, *items):
        """Return one key for all *items*: their keys joined by the separator."""
        return self.item_separator.join(self._key(item) for item in items)

    @abc.abstractmethod
    def _key(self, item):
        """Return the key of the single *item*."""


class StringKeyMaker(KeyMaker):
    """Keys are ``str()`` of each item, put side by side with nothing between.

    ``key('a', 'b', 1)`` is ``'ab1'``. Sessions key their entities with it
    (one item per key, so nothing can run together).
    """

    def _key(self, item):
        """Return ``str(item)``."""
        return str(item)


# Markers of the byte keys of :class:`ObjectKeyMaker`.
_MAPPING = b'\x01'
_PAIR = b'\x02'
_SEQUENCE = b'\x03'
_CALLABLE = b'\x04'
_SEPARATOR = b'\x00'


class ObjectKeyMaker(KeyMaker):
    """Byte keys describing objects by value.

    * a mapping: its ``key\\x02value`` pairs, sorted by key, joined by
      ``\\x00`` and enclosed in ``\\x01``;
    * any other iterable but text (lists, tuples, sets, bytes, generators):
      its items' keys joined by ``\\x00`` and enclosed in ``\\x03``;
    * a function or class: ``\\x04``, its name, ``\\x00``, its module; a
      bound method: ``\\x04``, its name, ``\\x00``, the class name of the
      object it is bound to, ``\\x00``, its module; a builtin: ``\\x04``
      and its name;
    * anything else: its pickle (protocol 2), so text and numbers key by
      value and an object that cannot be pickled raises the pickling error.

    Several items are joined by ``\\x00``. A mapping whose keys cannot be
    sorted (``1`` and ``'a'``) raises :exc:`TypeError`.
    """

    def __init__(self):
        """Make a key maker joining the keys of several items with NUL."""
        super(ObjectKeyMaker, self).__init__()
        self.item_separator = _SEPARATOR

    def _key(self, item):
        """Return the byte key of the single *item*."""
        if isinstance(item, collections.abc.Mapping):
            pairs = (
                self._key(key) + _PAIR + self._key(value)
                for key, value in sorted(item.items())
            )
            return _MAPPING + _SEPARATOR.join(pairs) + _MAPPING

        if isinstance(item, collections.abc.Iterable) and not isinstance(item, str):
            members = (self._key(member) for member in item)
            return _SEQUENCE + _SEPARATOR.join(members) + _SEQUENCE

        if inspect.ismethod(item):
            return _CALLABLE + _SEPARATOR.join((
                item.__name__.encode(), type(item.__self__).__name__.encode(),
                item.__module__.encode(),
            ))

        if inspect.isfunction(item) or inspect.isclass(item):
            return _CALLABLE + item.__name__.encode() + _SEPARATOR + (
                item.__module__.encode())

        if inspect.isbuiltin(item):
            return _CALLABLE + item.__name__.encode()

        return pickle.dumps(item, protocol=2)
