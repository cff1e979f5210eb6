"""Caches, key makers and memoisation.

A :class:`Cache` keeps values under keys; a :class:`KeyMaker` builds such
keys out of any items. A :class:`Memoiser` puts the two together to reuse
the results of function calls, and :data:`memoise` is a decorator doing so
with one in-memory cache shared by the process.

A session's :attr:`~ftrack_api.session.Session.cache` is a
:class:`LayeredCache`: its own in-memory layer first, then any cache the
caller passed in.
"""

from __future__ import annotations

import abc
import contextlib
import copy
import dbm
import functools
import os
import re
import threading

from ftrack_api._session.key_maker import KeyMaker, ObjectKeyMaker, StringKeyMaker

# The key makers are written in a module of their own but belong to this
# one's documented interface, so they carry this module's name (for the
# documentation and for pickles).
for _class in (KeyMaker, StringKeyMaker, ObjectKeyMaker):
    _class.__module__ = __name__
del _class


class Cache(abc.ABC):
    """Abstract store of values under keys.

    A subclass provides :meth:`get`, :meth:`set` and :meth:`remove`; it
    also provides :meth:`keys` if :meth:`values` and :meth:`clear` are to
    work.
    """

    @abc.abstractmethod
    def get(self, key):
        """Give back the value kept under *key*.

        A *key* that is not there raises :exc:`KeyError`.
        """

    @abc.abstractmethod
    def set(self, key, value):
        """Keep *value* under *key*, over anything kept there before."""

    @abc.abstractmethod
    def remove(self, key):
        """Drop *key* and what is kept under it.

        A *key* that is not there raises :exc:`KeyError`.
        """

    def keys(self):
        """List the keys present at this moment.

        Other threads or processes sharing the cache may change them right
        after. This base version raises :exc:`NotImplementedError` (with
        no message, as upstream).
        """
        raise NotImplementedError()

    def values(self):
        """List the values present at this moment.

        A key that disappears between listing and reading is left out.
        """
        values = []
        for key in self.keys():
            try:
                values.append(self.get(key))
            except KeyError:
                continue
        return values

    def clear(self, pattern=None):
        """Drop the keys in which the regular expression *pattern* is found.

        The search is :func:`re.search` on each key; without *pattern*
        every key goes. An invalid *pattern* raises :exc:`re.error`.
        """
        matcher = _compile_pattern(pattern)
        for key in self.keys():
            if matcher is not None and not _key_matches(matcher, key):
                continue
            try:
                self.remove(key)
            except KeyError:
                # Someone else dropped it meanwhile: nothing left to do.
                continue


def _compile_pattern(pattern):
    """Compile *pattern*; None stays None and means "every key"."""
    if pattern is None:
        return None
    return re.compile(pattern)


def _key_matches(matcher, key):
    """Tell whether the compiled *matcher* is found in *key*."""
    if isinstance(key, bytes):
        key = key.decode('utf-8', 'replace')
    elif not isinstance(key, str):
        key = str(key)
    return matcher.search(key) is not None


class ProxyCache(Cache):
    """Hand every operation to another cache.

    Meant as a base: a subclass can change what reaches the *proxied*
    cache, say to leave some values out.
    """

    def __init__(self, proxied):
        """Forward every call to the cache *proxied*."""
        self.proxied = proxied
        super(ProxyCache, self).__init__()

    def get(self, key):
        """Give back what the wrapped cache keeps under *key*.

        A *key* that is not there raises :exc:`KeyError`.
        """
        return self.proxied.get(key)

    def set(self, key, value):
        """Keep *value* under *key* in the wrapped cache."""
        return self.proxied.set(key, value)

    def remove(self, key):
        """Drop *key* from the wrapped cache.

        A *key* that is not there raises :exc:`KeyError`.
        """
        self.proxied.remove(key)

    def keys(self):
        """List the keys the wrapped cache has at this moment."""
        return self.proxied.keys()


class LayeredCache(Cache):
    """Several caches stacked: looked in from the first to the last.

    A re-entrant lock orders the operations, so copying a value found
    lower down into the layers above cannot undo a newer value set by
    another thread meanwhile.
    """

    def __init__(self, caches):
        """Stack the list *caches*; the first one is looked in first."""
        super(LayeredCache, self).__init__()
        self.caches = caches
        self._lock = threading.RLock()

    def get(self, key):
        """Give back the value under *key* from the first layer holding it.

        The value is then also set in each layer above that one. A *key*
        no layer holds raises :exc:`KeyError`.
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
        """Keep *value* under *key* in each layer."""
        with self._lock:
            for cache in self.caches:
                cache.set(key, value)

    def remove(self, key):
        """Drop *key* from each layer holding it.

        A *key* no layer holds raises :exc:`KeyError`.
        """
        found = False
        with self._lock:
            for cache in self.caches:
                try:
                    cache.remove(key)
                except KeyError:
                    continue
                found = True

        if not found:
            raise KeyError(key)

    def keys(self):
        """List the keys held by any layer, without repeats."""
        with self._lock:
            seen = {}
            for cache in self.caches:
                for key in cache.keys():
                    seen.setdefault(key, None)
        return list(seen)


class MemoryCache(Cache):
    """Values kept in a dict of this process; threads may share it."""

    def __init__(self):
        """Begin empty."""
        super(MemoryCache, self).__init__()
        self._cache = {}
        self._lock = threading.Lock()

    def get(self, key):
        """Give back the value kept under *key*.

        A *key* that is not there raises :exc:`KeyError`.
        """
        with self._lock:
            return self._cache[key]

    def set(self, key, value):
        """Keep *value* under *key*, over anything kept there before."""
        with self._lock:
            self._cache[key] = value

    def remove(self, key):
        """Drop *key* and what is kept under it.

        A *key* that is not there raises :exc:`KeyError`.
        """
        with self._lock:
            del self._cache[key]

    def keys(self):
        """List the keys present at this moment."""
        with self._lock:
            return list(self._cache)

    def values(self):
        """List the values present at this moment."""
        with self._lock:
            return list(self._cache.values())

    def clear(self, pattern=None):
        """Drop the keys in which the regular expression *pattern* is found.

        Without *pattern* every key goes.
        """
        matcher = _compile_pattern(pattern)
        with self._lock:
            if matcher is None:
                self._cache.clear()
                return
            for key in [k for k in self._cache if _key_matches(matcher, k)]:
                del self._cache[key]


#: One lock per database path for every FileCache of the process: some
#: dbm flavours refuse to open a file that is already open.
_FILE_LOCKS = {}
_FILE_LOCKS_GUARD = threading.Lock()


def _file_lock(path):
    """Give the process-wide lock of the database at *path*."""
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(path, threading.RLock())


class FileCache(Cache):
    """Values kept in a :mod:`dbm` database file at *path*.

    Values are text or bytes, written as they are (text as UTF-8) with no
    marker of their own, so upstream's client and this one read each
    other's files; they read back as text. Put a :class:`SerialisedCache`
    in front to keep other kinds of value. Each operation opens the
    database and closes it again, so several caches and sessions may use
    the same *path*; threads of this process take turns, while separate
    processes are not locked against each other.
    """

    def __init__(self, path):
        """Keep the values in the dbm file at *path*, made on first use."""
        super(FileCache, self).__init__()
        self.path = path
        self._lock = _file_lock(os.path.abspath(os.fspath(path)))

    @contextlib.contextmanager
    def _database(self):
        """Open the database under the lock for one operation, then close it."""
        with self._lock:
            database = dbm.open(os.fspath(self.path), 'c')
            try:
                yield database
            finally:
                database.close()

    @staticmethod
    def _encode_key(key):
        """Turn *key* into the bytes written to the database.

        Text is written as UTF-8, which for ASCII text (all upstream
        accepts) is the same bytes upstream writes; bytes, the keys
        :class:`ObjectKeyMaker` makes, are written unchanged.
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
        """Turn the stored key *raw* back into text when it is UTF-8."""
        try:
            return raw.decode('utf-8')
        except UnicodeDecodeError:
            return raw

    @staticmethod
    def _encode_value(key, value):
        """Turn *value* into what is written: UTF-8 for text, bytes as given."""
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
        """Turn the stored value *raw* back into text (bytes if not UTF-8)."""
        try:
            return raw.decode('utf-8')
        except UnicodeDecodeError:
            return raw

    @staticmethod
    def _read(database, encoded_key):
        """Read *encoded_key* from the open *database*.

        A missing key raises :exc:`KeyError` carrying the stored key bytes.
        """
        try:
            return database[encoded_key]
        except KeyError:
            raise KeyError(encoded_key) from None

    def get(self, key):
        """Give back the value kept under *key*.

        A *key* that is not there raises :exc:`KeyError`.
        """
        encoded_key = self._encode_key(key)
        with self._database() as database:
            raw = self._read(database, encoded_key)
        return self._decode_value(raw)

    def set(self, key, value):
        """Keep the text or bytes *value* under *key*.

        Any other kind of *value* raises :exc:`TypeError` naming it.
        """
        encoded_key = self._encode_key(key)
        encoded_value = self._encode_value(key, value)
        with self._database() as database:
            database[encoded_key] = encoded_value

    def remove(self, key):
        """Drop *key* and what is kept under it.

        A *key* that is not there raises :exc:`KeyError`.
        """
        encoded_key = self._encode_key(key)
        with self._database() as database:
            self._read(database, encoded_key)
            del database[encoded_key]

    def keys(self):
        """List the keys present at this moment."""
        with self._database() as database:
            return [self._decode_key(raw) for raw in database.keys()]

    def values(self):
        """List the values present at this moment."""
        with self._database() as database:
            return [
                self._decode_value(database[raw]) for raw in database.keys()
            ]

    def clear(self, pattern=None):
        """Drop the keys in which the regular expression *pattern* is found.

        Without *pattern* every key goes.
        """
        matcher = _compile_pattern(pattern)
        with self._database() as database:
            for raw in list(database.keys()):
                key = self._decode_key(raw)
                if matcher is None or _key_matches(matcher, key):
                    del database[raw]


class SerialisedCache(ProxyCache):
    """Run values through an encoder when kept and a decoder when read."""

    def __init__(self, proxied, encode=None, decode=None):
        """Keep values in *proxied* after *encode*, read them through *decode*.

        *encode* makes what the underlying cache *proxied* keeps out of a
        value; *decode* makes a value out of what it keeps. Leave either
        as None to pass values through as they are.
        """
        super(SerialisedCache, self).__init__(proxied)
        self.encode = encode
        self.decode = decode

    def get(self, key):
        """Give back the value under *key*, through the decoder.

        A *key* that is not there raises :exc:`KeyError`.
        """
        return self._decoded(super(SerialisedCache, self).get(key))

    def set(self, key, value):
        """Keep *value* under *key*, through the encoder."""
        if self.encode is not None:
            value = self.encode(value)
        return super(SerialisedCache, self).set(key, value)

    def values(self):
        """List the values present at this moment, through the decoder."""
        return [self._decoded(value) for value in self.proxied.values()]

    def _decoded(self, value):
        """Run the stored *value* through the decoder, if there is one."""
        if self.decode is None:
            return value
        return self.decode(value)


class Memoiser(object):
    """Reuse function results kept in a :class:`Cache` under :class:`KeyMaker` keys.

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
        """Keep results in *cache* under keys from *key_maker*.

        By default a fresh :class:`MemoryCache` and an
        :class:`ObjectKeyMaker` are used. With *return_copies* each result
        handed out is a deep copy, so callers cannot change what is kept.
        """
        self.cache = cache if cache is not None else MemoryCache()
        self.key_maker = key_maker if key_maker is not None else ObjectKeyMaker()
        self.return_copies = return_copies
        super(Memoiser, self).__init__()

    def call(self, function, args=None, kw=None):
        """Give the result of ``function(*args, **kw)``, reused when known.

        The first call with some arguments runs *function* and keeps what
        it returns; later calls with equal arguments get the kept result.
        An exception from *function* reaches the caller and nothing is
        kept.
        """
        if args is None:
            args = ()
        if kw is None:
            kw = {}

        # Key by the parameter each argument binds to, defaults included,
        # so f(1) and f(a=1) share one entry (upstream keys them so too).
        key = self.key_maker.key(
            function, _callargs(function, args, kw)
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
    """Make a decorator whose functions are called through *memoiser*.

    *memoiser* is a :class:`Memoiser`.
    """

    def outer(function):
        """Wrap *function* so its results are reused."""

        @functools.wraps(function)
        def inner(*args, **kwargs):
            """Run the wrapped function through the memoiser."""
            return memoiser.call(function, args, kwargs)

        return inner

    return outer


#: The process-wide memoiser behind :data:`memoise`.
memoiser = Memoiser()

#: Decorator reusing results through :data:`memoiser` (in memory, object keys).
memoise = memoise_decorator(memoiser)


def _callargs(function, args, kw):
    """Return the arguments of a call of *function* by parameter name."""
    import inspect  # only memoised calls need it

    return inspect.getcallargs(function, *args, **kw)
