"""Key makers: turn items into cache keys.

Everything public here is re-exported by :mod:`ftrack_api.cache`, where it
is documented; import it from there. The keys match those of upstream
``ftrack-python-api`` 3.1.0 byte for byte, so that a persisted cache (for
instance a :class:`FileCache` fed by a :class:`Memoiser`) can be shared by
both clients.
"""

from __future__ import annotations

import abc
import collections.abc
import pickle
import types


class KeyMaker(abc.ABC):
    """Abstract maker of cache keys; subclasses say how one item is keyed."""

    def __init__(self):
        """Set up the joiner placed between the keys of several items."""
        super(KeyMaker, self).__init__()
        #: Joins the per-item keys of :meth:`key` (empty text by default).
        self.item_separator = ''

    def key(self, *items):
        """Key all *items* together: each one's key, joined by the separator."""
        return self.item_separator.join(self._key(item) for item in items)

    @abc.abstractmethod
    def _key(self, obj):
        """Key one object *obj* (implemented by each subclass)."""


class StringKeyMaker(KeyMaker):
    """Text keys: ``str()`` of every item, written one after the other.

    Nothing is put between the parts, so ``key('a', 'b', 1)`` gives
    ``'ab1'``. Sessions key their entities this way, one item per key.
    """

    def _key(self, obj):
        """Give the text form of *obj*."""
        return str(obj)


class ObjectKeyMaker(KeyMaker):
    """Byte keys that describe objects by their value.

    * mapping: ``key`` + :attr:`mapping_pair_separator` + ``value`` for
      each pair in sorted key order, pairs joined by
      :attr:`item_separator`, the whole between two
      :attr:`mapping_identifier` bytes (so ``{}`` gives ``b'\\x01\\x01'``);
    * other iterable except text (lists, tuples, sets, bytes, generators):
      the members' keys joined by :attr:`item_separator`, between two
      :attr:`iterable_identifier` bytes;
    * function or class: :attr:`name_identifier`, its name, the separator,
      its module; bound method: the same with the class name of its object
      between name and module; builtin: :attr:`name_identifier` and name;
    * anything else: its protocol 2 pickle, so text and numbers give keys
      by value and an object pickle refuses makes pickle's error surface.

    Several items are joined by :attr:`item_separator`. A mapping whose
    keys do not sort together (``1`` beside ``'a'``) raises
    :exc:`TypeError`.
    """

    def __init__(self):
        """Set up the marker bytes of the key format."""
        super(ObjectKeyMaker, self).__init__()
        #: Between items, mapping pairs and iterable members.
        self.item_separator = b'\x00'
        #: Opens and closes a mapping.
        self.mapping_identifier = b'\x01'
        #: Between the key and the value of one mapping pair.
        self.mapping_pair_separator = b'\x02'
        #: Opens and closes any other iterable.
        self.iterable_identifier = b'\x03'
        #: Starts a callable's name.
        self.name_identifier = b'\x04'

    def _key(self, item):
        """Give the byte key of the single *item*."""
        separator = self.item_separator
        if isinstance(item, collections.abc.Mapping):
            pair_separator = self.mapping_pair_separator
            marker = self.mapping_identifier
            return marker + separator.join(
                self._key(key) + pair_separator + self._key(value)
                for key, value in sorted(item.items())
            ) + marker

        if isinstance(item, collections.abc.Iterable) and not isinstance(item, str):
            marker = self.iterable_identifier
            return marker + separator.join(
                self._key(member) for member in item
            ) + marker

        if isinstance(item, types.MethodType):
            return self.name_identifier + separator.join((
                item.__name__.encode(),
                type(item.__self__).__name__.encode(),
                item.__module__.encode(),
            ))

        if isinstance(item, (types.FunctionType, type)):
            return self.name_identifier + separator.join((
                item.__name__.encode(), item.__module__.encode(),
            ))

        if isinstance(item, types.BuiltinFunctionType):
            return self.name_identifier + item.__name__.encode()

        return pickle.dumps(item, protocol=2)
