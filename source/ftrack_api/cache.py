"""Caching framework.

A :class:`Cache` stores values against unique string keys; a
:class:`KeyMaker` turns arbitrary items into such keys. Together they
memoise function calls (:class:`Memoiser`); :func:`memoise` is a ready-made
decorator using a shared in-memory cache.

Sessions always use a :class:`LayeredCache` whose top layer is a
:class:`MemoryCache` and whose next layer is the cache the user configured.
"""

from __future__ import annotations

import abc
import contextlib
import copy
import dbm
import functools
import inspect
import os
import re
import threading

from ftrack_api._session.key_maker import KeyMaker, ObjectKeyMaker, StringKeyMaker

# Key makers live in their own module; they are documented as part of this
# one, so they present themselves as such (documentation, pickling).
for _class in (KeyMaker, StringKeyMaker, ObjectKeyMaker):
    _class.__module__ = __name__
del _class


class Cache(abc.ABC):
    """Cache interface: values stored against unique keys.

    Subclasses implement :meth:`get`, :meth:`set` and :meth:`remove`, and
    :meth:`keys` for :meth:`values` and :meth:`clear` to work.
    """

    @abc.abstractmethod
    def get(self, key):
        """Return what is stored under *key*.

        Raise :exc:`KeyError` if *key* not found.
        """

    @abc.abstractmethod
    def set(self, key, value):
        """Store *value* under *key*, replacing what was there."""

    @abc.abstractmethod
    def remove(self, key):
        """Delete *key* and return what was stored under it.

        Raise :exc:`KeyError` if *key* not found.
        """

    def keys(self):
        """Return the keys stored now, as a list.

        Keys may change as soon as the list is returned when other threads
        or processes use the cache.
        """
        raise NotImplementedError(
            '{0} does not support listing keys.'.format(type(self).__name__)
        )

    def values(self):
        """Return the values stored now, as a list.

        Keys removed between listing and reading are skipped.
        """
        values = []
        for key in self.keys():
            try:
                values.append(self.get(key))
            except KeyError:
                continue
        return values

    def clear(self, pattern=None):
        """Delete every key *pattern* finds (all keys without a pattern).

        *pattern* is a regular expression string searched for in each key
        (:func:`re.search`); if None, all keys are removed. Raise
        :exc:`re.error` if *pattern* is not a valid expression.
        """
        matcher = _compile_pattern(pattern)
        for key in self.keys():
            if matcher is not None and not _key_matches(matcher, key):
                continue
            try:
                self.remove(key)
            except KeyError:
                # Removed meanwhile by someone else: the goal is reached.
                continue


def _compile_pattern(pattern):
    """Return compiled *pattern*, or None for "match everything"."""
    if pattern is None:
        return None
    return re.compile(pattern)


def _key_matches(matcher, key):
    """Return whether compiled *matcher* is found in *key*."""
    if isinstance(key, bytes):
        key = key.decode('utf-8', 'replace')
    elif not isinstance(key, str):
        key = str(key)
    return matcher.search(key) is not None


class ProxyCache(Cache):
    """Pass every call on to another cache.

    Subclass to alter what reaches the *proxied* cache, for instance to
    skip storing some values.
    """

    def __init__(self, proxied):
        """Wrap the cache *proxied*; every call is passed on to it."""
        self.proxied = proxied
        super(ProxyCache, self).__init__()

    def get(self, key):
        """Return what the wrapped cache stores under *key*.

        Raise :exc:`KeyError` if *key* not found.
        """
        return self.proxied.get(key)

    def set(self, key, value):
        """Store *value* under *key* in the wrapped cache."""
        return self.proxied.set(key, value)

    def remove(self, key):
        """Delete *key* from the wrapped cache; return what was there.

        Raise :exc:`KeyError` if *key* not found.
        """
        return self.proxied.remove(key)

    def keys(self):
        """Return the keys stored now, as a list."""
        return self.proxied.keys()


class LayeredCache(Cache):
    """Layered cache: several caches consulted from shallowest to deepest.

    Operations are serialised with a re-entrant lock so that back-filling
    an upper layer cannot overwrite a newer value set concurrently.
    """

    def __init__(self, caches):
        """Stack *caches*: the first is looked in first, the last last."""
        super(LayeredCache, self).__init__()
        self.caches = caches
        self._lock = threading.RLock()

    def get(self, key):
        """Return what is stored under *key*.

        Layers are tried in turn, starting with the shallowest; a value
        found in a deeper layer is also set in every layer above it. Raise
        :exc:`KeyError` if no layer has *key*.
        """
        with self._lock:
            for index, cache in enumerate(self.caches):
                try:
                    value = cache.get(key)
                except KeyError:
                    continue

                for upper in self.caches[:index]:
                    upper.set(key, value)
                return value

        raise KeyError(key)

    def set(self, key, value):
        """Set *value* for *key* in every layer."""
        with self._lock:
            for cache in self.caches:
                cache.set(key, value)

    def remove(self, key):
        """Remove *key* from every layer and return the shallowest value.

        Raise :exc:`KeyError` if no layer has *key*.
        """
        found = False
        removed = None
        with self._lock:
            for cache in self.caches:
                try:
                    value = cache.remove(key)
                except KeyError:
                    continue
                if not found:
                    removed = value
                    found = True

        if not found:
            raise KeyError(key)
        return removed

    def keys(self):
        """Return the keys present in any layer, each once."""
        with self._lock:
            seen = {}
            for cache in self.caches:
                for key in cache.keys():
                    seen.setdefault(key, None)
        return list(seen)


class MemoryCache(Cache):
    """A cache held in a dict of this process, safe to share between threads."""

    def __init__(self):
        """Start with nothing stored."""
        super(MemoryCache, self).__init__()
        self._cache = {}
        self._lock = threading.Lock()

    def get(self, key):
        """Return what is stored under *key*.

        Raise :exc:`KeyError` if *key* not found.
        """
        with self._lock:
            return self._cache[key]

    def set(self, key, value):
        """Store *value* under *key*, replacing what was there."""
        with self._lock:
            self._cache[key] = value

    def remove(self, key):
        """Delete *key* and return what was stored under it.

        Raise :exc:`KeyError` if *key* not found.
        """
        with self._lock:
            return self._cache.pop(key)

    def keys(self):
        """Return the keys stored now, as a list."""
        with self._lock:
            return list(self._cache)

    def values(self):
        """Return the values stored now, as a list."""
        with self._lock:
            return list(self._cache.values())

    def clear(self, pattern=None):
        """Delete every key the regular expression *pattern* finds.

        If *pattern* is None all keys are removed.
        """
        matcher = _compile_pattern(pattern)
        with self._lock:
            if matcher is None:
                self._cache.clear()
                return
            for key in [k for k in self._cache if _key_matches(matcher, k)]:
                del self._cache[key]


#: Locks per database path, shared by every FileCache in the process: some
#: dbm implementations refuse a second concurrent open of the same file.
_FILE_LOCKS = {}
_FILE_LOCKS_GUARD = threading.Lock()


def _file_lock(path):
    """Return the process-wide lock for database *path*."""
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(path, threading.RLock())


class FileCache(Cache):
    """A cache kept in a :mod:`dbm` database file at *path*.

    Keys are text (or bytes); values are text or bytes and are stored as
    they are (text as UTF-8), so a file written by upstream's client reads
    here and the other way round. Values always read back as text. Wrap it
    in a :class:`SerialisedCache` to keep other values. The database is opened for each operation, so several caches
    and sessions may share one *path*. Access is serialised between threads
    of this process; no locking is done between processes.
    """

    def __init__(self, path):
        """Keep the cache in the dbm file *path*.

        The database is created on first use if it does not exist.
        """
        super(FileCache, self).__init__()
        self.path = path
        self._lock = _file_lock(os.path.abspath(os.fspath(path)))

    @contextlib.contextmanager
    def _database(self):
        """Yield the open database, holding the lock and closing after."""
        with self._lock:
            database = dbm.open(os.fspath(self.path), 'c')
            try:
                yield database
            finally:
                database.close()

    @staticmethod
    def _encode_key(key):
        """Return *key* as the bytes stored in the database.

        Text is stored as UTF-8 (ASCII keys, as every key maker of this
        module makes for text, are stored exactly as upstream stores them);
        bytes keys, as :class:`ObjectKeyMaker` makes, are stored as they are.
        """
        if isinstance(key, str):
            return key.encode('utf-8')
        if isinstance(key, bytes):
            return key
        raise TypeError(
            'FileCache keys must be str or bytes, got {0} {1!r}.'.format(
                type(key).__name__, key
            )
        )

    @staticmethod
    def _decode_key(raw):
        """Return stored key *raw* as text where possible."""
        try:
            return raw.decode('utf-8')
        except UnicodeDecodeError:
            return raw

    @staticmethod
    def _encode_value(key, value):
        """Return *value* as stored: text as UTF-8, bytes unchanged."""
        if isinstance(value, str):
            return value.encode('utf-8')
        if isinstance(value, bytes):
            return value
        raise TypeError(
            'FileCache values must be str or bytes, got {0} for key {1!r}; '
            'wrap the cache in a SerialisedCache to store other values.'.format(
                type(value).__name__, key
            )
        )

    @staticmethod
    def _decode_value(raw):
        """Return stored *raw* value as text (bytes if it is not UTF-8)."""
        try:
            return raw.decode('utf-8')
        except UnicodeDecodeError:
            return raw

    @staticmethod
    def _read(database, encoded_key):
        """Return the value stored at *encoded_key* in the open *database*.

        Raise :exc:`KeyError` naming the stored key if it is not there.
        """
        try:
            return database[encoded_key]
        except KeyError:
            raise KeyError(encoded_key) from None

    def get(self, key):
        """Return what is stored under *key*.

        Raise :exc:`KeyError` if *key* not found.
        """
        encoded_key = self._encode_key(key)
        with self._database() as database:
            raw = self._read(database, encoded_key)
        return self._decode_value(raw)

    def set(self, key, value):
        """Store the text or bytes *value* under *key*.

        Raise :exc:`TypeError` naming the type if *value* is neither.
        """
        encoded_key = self._encode_key(key)
        encoded_value = self._encode_value(key, value)
        with self._database() as database:
            database[encoded_key] = encoded_value

    def remove(self, key):
        """Delete *key* and return what was stored under it.

        Raise :exc:`KeyError` if *key* not found.
        """
        encoded_key = self._encode_key(key)
        with self._database() as database:
            raw = self._read(database, encoded_key)
            del database[encoded_key]
        return self._decode_value(raw)

    def keys(self):
        """Return the keys stored now, as a list."""
        with self._database() as database:
            return [self._decode_key(raw) for raw in database.keys()]

    def values(self):
        """Return the values stored now, as a list."""
        with self._database() as database:
            return [
                self._decode_value(database[raw]) for raw in database.keys()
            ]

    def clear(self, pattern=None):
        """Delete every key the regular expression *pattern* finds.

        If *pattern* is None all keys are removed.
        """
        matcher = _compile_pattern(pattern)
        with self._database() as database:
            for raw in list(database.keys()):
                key = self._decode_key(raw)
                if matcher is None or _key_matches(matcher, key):
                    del database[raw]


class SerialisedCache(ProxyCache):
    """A wrapper that encodes values on the way in and decodes them on the way out."""

    def __init__(self, proxied, encode=None, decode=None):
        """Wrap *proxied*, encoding values with *encode* and decoding with *decode*.

        *proxied* is the underlying cache used for storage. *encode* turns
        a value into what is stored and *decode* turns stored data back
        into a value; either may be None to pass values through unchanged.
        """
        super(SerialisedCache, self).__init__(proxied)
        self.encode = encode
        self.decode = decode

    def get(self, key):
        """Return what is stored under *key*, decoded.

        Raise :exc:`KeyError` if *key* not found.
        """
        return self._decoded(super(SerialisedCache, self).get(key))

    def set(self, key, value):
        """Encode *value* and store it for *key*."""
        if self.encode is not None:
            value = self.encode(value)
        return super(SerialisedCache, self).set(key, value)

    def remove(self, key):
        """Delete *key*; return what was stored there, decoded.

        Raise :exc:`KeyError` if *key* not found.
        """
        return self._decoded(super(SerialisedCache, self).remove(key))

    def values(self):
        """Return the stored values, each decoded."""
        return [self._decoded(value) for value in self.proxied.values()]

    def _decoded(self, value):
        """Return stored *value* decoded (unchanged without a decoder)."""
        if self.decode is None:
            return value
        return self.decode(value)


class Memoiser(object):
    """Remember results of function calls in a :class:`Cache`, by :class:`KeyMaker` keys.

    Example::

        >>> memoiser = Memoiser(MemoryCache(), ObjectKeyMaker())
        >>> def add(x, y):
        ...     print('Called')
        ...     return x + y
        >>> memoiser.call(add, (1, 2), {})
        Called
        3
        >>> memoiser.call(add, (1, 2), {})
        3
    """

    def __init__(self, cache=None, key_maker=None, return_copies=True):
        """Remember results in *cache*, keyed by *key_maker*.

        If *cache* is not specified a new :class:`MemoryCache` is used;
        if *key_maker* is not specified an :class:`ObjectKeyMaker` is used.
        If *return_copies* is True, results are deep copies so that callers
        cannot mutate cached values.
        """
        self.cache = cache if cache is not None else MemoryCache()
        self.key_maker = key_maker if key_maker is not None else ObjectKeyMaker()
        self.return_copies = return_copies
        super(Memoiser, self).__init__()

    def call(self, function, args=None, kw=None):
        """Return the result of ``function(*args, **kw)``, memoised.

        The first call with given arguments runs *function* and caches the
        result; later calls with equal arguments return the cached result.
        Exceptions raised by *function* propagate and are not cached.
        """
        if args is None:
            args = ()
        if kw is None:
            kw = {}

        # The arguments are keyed by the parameter they bind to, defaults
        # included, so f(1) and f(a=1) share one entry (as upstream keys them).
        key = self.key_maker.key(
            function, inspect.getcallargs(function, *args, **kw)
        )
        try:
            value = self.cache.get(key)
        except KeyError:
            value = function(*args, **kw)
            self.cache.set(key, value)

        if self.return_copies:
            value = copy.deepcopy(value)
        return value


def memoise_decorator(memoiser):
    """Return a decorator memoising calls of the decorated function.

    Calls go through *memoiser* (a :class:`Memoiser`).
    """

    def outer(function):
        """Return *function* wrapped with memoisation."""

        @functools.wraps(function)
        def inner(*args, **kwargs):
            """Call the wrapped function through the memoiser."""
            return memoiser.call(function, args, kwargs)

        return inner

    return outer


#: Default memoiser.
memoiser = Memoiser()

#: Default memoise decorator using standard cache and key maker.
memoise = memoise_decorator(memoiser)
