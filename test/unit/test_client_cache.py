"""Tests for :mod:`ftrack_api.cache`."""

import json
import os
import subprocess
import sys
import threading

import pytest

import ftrack_api.cache as cache_module
import ftrack_api.symbol
from ftrack_api.cache import (
    Cache,
    FileCache,
    LayeredCache,
    Memoiser,
    MemoryCache,
    ObjectKeyMaker,
    ProxyCache,
    SerialisedCache,
    StringKeyMaker,
)


@pytest.fixture(params=['memory', 'file', 'proxy', 'layered', 'serialised'])
def any_cache(request, tmp_path):
    """Return each kind of cache, storing string values."""
    kind = request.param
    if kind == 'memory':
        return MemoryCache()
    if kind == 'file':
        return FileCache(str(tmp_path / 'cache.dbm'))
    if kind == 'proxy':
        return ProxyCache(MemoryCache())
    if kind == 'layered':
        return LayeredCache([MemoryCache(), MemoryCache()])
    return SerialisedCache(
        FileCache(str(tmp_path / 'serialised.dbm')),
        encode=json.dumps,
        decode=json.loads,
    )


def test_get_missing_raises_key_error(any_cache):
    """A miss raises KeyError naming the key (a file cache: as stored)."""
    with pytest.raises(KeyError) as error:
        any_cache.get('missing')
    assert error.value.args in (('missing',), (b'missing',))


def test_set_get_remove(any_cache):
    """Values set are returned until removed; remove returns None."""
    any_cache.set('a', 'value a')
    assert any_cache.get('a') == 'value a'
    any_cache.set('a', 'replaced')
    assert any_cache.get('a') == 'replaced'
    assert any_cache.remove('a') is None
    with pytest.raises(KeyError):
        any_cache.get('a')
    with pytest.raises(KeyError):
        any_cache.remove('a')


def test_keys_values_and_clear(any_cache):
    """keys() and values() list content; clear(pattern) removes matches."""
    any_cache.set('task:1', 'one')
    any_cache.set('task:2', 'two')
    any_cache.set('shot:1', 'three')
    assert sorted(any_cache.keys()) == ['shot:1', 'task:1', 'task:2']
    assert sorted(any_cache.values()) == ['one', 'three', 'two']

    any_cache.clear(pattern=r'^task:')
    assert any_cache.keys() == ['shot:1']

    any_cache.clear()
    assert any_cache.keys() == []


def test_clear_with_invalid_pattern_raises(any_cache):
    """An invalid regular expression is reported, nothing is removed."""
    import re

    any_cache.set('a', 'b')
    with pytest.raises(re.error):
        any_cache.clear('(')
    assert any_cache.get('a') == 'b'


def test_cache_interface_is_abstract():
    """Cache cannot be instantiated without get, set and remove."""
    with pytest.raises(TypeError):
        Cache()


class _DictCache(Cache):
    """Minimal custom cache implementing only the documented methods."""

    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data[key]

    def set(self, key, value):
        self.data[key] = value

    def remove(self, key):
        return self.data.pop(key)


def test_custom_cache_without_keys():
    """A custom cache works for get/set; keys() reports it is missing."""
    custom = _DictCache()
    custom.set('a', 1)
    assert custom.get('a') == 1
    with pytest.raises(NotImplementedError) as error:
        custom.keys()
    assert str(error.value) == ''  # upstream's bare NotImplementedError


def test_layered_get_back_fills_upper_layers():
    """A value found deep is copied into every shallower layer."""
    top, middle, bottom = MemoryCache(), MemoryCache(), MemoryCache()
    layered = LayeredCache([top, middle, bottom])
    bottom.set('key', 'deep')
    assert layered.get('key') == 'deep'
    assert top.get('key') == 'deep'
    assert middle.get('key') == 'deep'


def test_layered_get_prefers_shallowest():
    """The shallowest layer holding the key wins."""
    top, bottom = MemoryCache(), MemoryCache()
    layered = LayeredCache([top, bottom])
    top.set('key', 'top')
    bottom.set('key', 'bottom')
    assert layered.get('key') == 'top'
    assert bottom.get('key') == 'bottom'


def test_layered_set_and_remove_apply_to_all_layers():
    """set() writes every layer; remove() clears the key everywhere."""
    top, bottom = MemoryCache(), MemoryCache()
    layered = LayeredCache([top, bottom])
    layered.set('key', 'value')
    assert top.get('key') == bottom.get('key') == 'value'
    bottom.set('only-bottom', 'x')
    assert sorted(layered.keys()) == ['key', 'only-bottom']
    assert layered.remove('key') is None
    assert top.keys() == []
    assert bottom.keys() == ['only-bottom']
    assert layered.remove('only-bottom') is None
    assert bottom.keys() == []
    with pytest.raises(KeyError) as error:
        layered.remove('only-bottom')
    assert error.value.args == ('only-bottom',)


def test_proxy_cache_exposes_proxied():
    """ProxyCache forwards to and exposes the proxied cache."""
    proxied = MemoryCache()
    proxy = ProxyCache(proxied)
    proxy.set('a', 1)
    assert proxy.proxied is proxied
    assert proxied.get('a') == 1


def test_file_cache_round_trips_text_and_bytes(tmp_path):
    """Strings come back as strings and bytes as bytes."""
    file_cache = FileCache(str(tmp_path / 'types.dbm'))
    file_cache.set('text', 'héllo')
    file_cache.set('raw', b'\x00\xffdata')
    assert file_cache.get('text') == 'héllo'
    assert file_cache.get('raw') == b'\x00\xffdata'


def test_file_cache_rejects_other_values(tmp_path):
    """A non-string value raises a TypeError naming type and key."""
    file_cache = FileCache(str(tmp_path / 'reject.dbm'))
    with pytest.raises(TypeError) as error:
        file_cache.set('number', 42)
    assert 'int' in str(error.value)
    assert "'number'" in str(error.value)
    assert file_cache.keys() == []


def test_file_cache_persists_between_instances(tmp_path):
    """Data written by one FileCache is read by another on the same path."""
    path = str(tmp_path / 'shared.dbm')
    FileCache(path).set('key', 'persisted')
    other = FileCache(path)
    assert other.get('key') == 'persisted'
    # Both instances may be used alternately in one process.
    first = FileCache(path)
    first.set('second', 'x')
    assert other.get('second') == 'x'


def test_file_cache_is_thread_safe(tmp_path):
    """Concurrent writers from several threads lose nothing."""
    file_cache = FileCache(str(tmp_path / 'threads.dbm'))
    errors = []

    def write(thread_index):
        try:
            for index in range(25):
                key = '{0}-{1}'.format(thread_index, index)
                file_cache.set(key, key)
                assert file_cache.get(key) == key
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(file_cache.keys()) == 100


def test_memory_cache_is_thread_safe():
    """Listing keys while other threads write never fails."""
    memory = MemoryCache()
    errors = []
    done = threading.Event()

    def write(thread_index):
        try:
            for index in range(1000):
                memory.set((thread_index, index), index)
                if index % 3 == 0:
                    memory.remove((thread_index, index))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    def read():
        try:
            while not done.is_set():
                memory.keys()
                memory.values()
                memory.clear('no-such-key')
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(2)]
    writers = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    for thread in readers:
        thread.join()

    assert errors == []
    assert len(memory.keys()) == 3 * (1000 - 334)


class _PausingCache(MemoryCache):
    """Cache whose get() waits for permission after reading."""

    def __init__(self):
        super(_PausingCache, self).__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def get(self, key):
        value = super(_PausingCache, self).get(key)
        self.entered.set()
        assert self.release.wait(30), 'test never released the cache'
        return value


def test_layered_back_fill_does_not_overwrite_concurrent_set():
    """A back-fill racing a set cannot leave a stale value on top."""
    top, bottom = MemoryCache(), _PausingCache()
    layered = LayeredCache([top, bottom])
    bottom.set('key', 'old')
    results = {}

    reader = threading.Thread(
        target=lambda: results.setdefault('read', layered.get('key'))
    )
    writer = threading.Thread(target=lambda: layered.set('key', 'new'))
    reader.start()
    assert bottom.entered.wait(30)
    writer.start()
    # The writer must not complete while the reader is mid-get; give it a
    # bounded chance to (wrongly) do so before releasing the reader.
    writer.join(0.2)
    writer_finished_early = not writer.is_alive()
    bottom.release.set()
    reader.join()
    writer.join()

    assert not writer_finished_early
    assert results['read'] == 'old'
    assert top.get('key') == 'new'
    assert MemoryCache.get(bottom, 'key') == 'new'


def test_serialised_cache_encodes_and_decodes(tmp_path):
    """Values are stored encoded and returned decoded."""
    storage = MemoryCache()
    serialised = SerialisedCache(storage, encode=json.dumps, decode=json.loads)
    serialised.set('key', {'a': [1, 2]})
    assert storage.get('key') == '{"a": [1, 2]}'
    assert serialised.get('key') == {'a': [1, 2]}
    assert serialised.values() == [{'a': [1, 2]}]
    assert serialised.remove('key') is None
    assert storage.keys() == []


def test_serialised_cache_without_callables_passes_through():
    """Without encode/decode values are stored as given."""
    storage = MemoryCache()
    serialised = SerialisedCache(storage)
    value = object()
    serialised.set('key', value)
    assert storage.get('key') is value
    assert serialised.get('key') is value


def test_string_key_maker():
    """Keys are str() of each item, joined with nothing between (as upstream)."""
    key_maker = StringKeyMaker()
    assert key_maker.key('abc') == 'abc'
    assert key_maker.key(('Task', ['1'])) == "('Task', ['1'])"
    assert key_maker.key('a', 'b', 1) == 'ab1'
    assert key_maker.key() == ''


def test_object_key_maker_distinguishes_types_and_values():
    """Equal-looking values of different types get different keys."""
    key_maker = ObjectKeyMaker()
    keys = set(
        key_maker.key(value)
        for value in [1, '1', 1.0, True, None, (1, 2), {'a': 1}]
    )
    assert len(keys) == 7
    assert key_maker.key('a', 'bc') != key_maker.key('ab', 'c')
    assert key_maker.key(['a', 'b']) != key_maker.key(['a,b'])


def test_object_key_maker_bytes_layout():
    """Mappings, iterables and scalars make upstream's byte keys."""
    key_maker = ObjectKeyMaker()
    assert key_maker.key({}) == b'\x01\x01'
    assert key_maker.key([]) == b'\x03\x03'
    assert key_maker.key(1) == b'\x80\x02K\x01.'
    assert key_maker.key({'a': 1}) == (
        b'\x01\x80\x02X\x01\x00\x00\x00aq\x00.\x02\x80\x02K\x01.\x01')
    assert key_maker.key([1, 2]) == b'\x03\x80\x02K\x01.\x00\x80\x02K\x02.\x03'
    assert key_maker.key(1, 2) == b'\x80\x02K\x01.\x00\x80\x02K\x02.'
    assert key_maker.key(len) == b'\x04len'


def test_object_key_maker_handles_unhashable_values_stably():
    """Dicts and sets key the same regardless of insertion order."""
    key_maker = ObjectKeyMaker()
    assert key_maker.key({'a': 1, 'b': [1, {'c': 2}]}) == key_maker.key(
        {'b': [1, {'c': 2}], 'a': 1}
    )
    assert key_maker.key({3, 1, 2}) == key_maker.key({2, 3, 1})
    assert key_maker.key({'a': 1}) != key_maker.key({'a': 2})


def test_object_key_maker_mapping_keys_must_sort():
    """A mapping whose keys cannot be ordered raises TypeError."""
    with pytest.raises(TypeError):
        ObjectKeyMaker().key({1: 'x', 'a': 'y'})


def _module_function():
    """Return nothing; used as a key item."""


class _Owner(object):
    """Class whose method is keyed."""

    def method(self):
        """Return nothing."""


def test_object_key_maker_functions():
    """Functions, classes and methods key by name, class and module."""
    key_maker = ObjectKeyMaker()
    module = __name__.encode()
    assert key_maker.key(_module_function) == b'\x04_module_function\x00' + module
    assert key_maker.key(_Owner) == b'\x04_Owner\x00' + module
    assert key_maker.key(_Owner().method) == b'\x04method\x00_Owner\x00' + module


class _Picklable(object):
    """Picklable object compared by content."""

    def __init__(self, value):
        self.value = value


def test_object_key_maker_objects():
    """Objects key by pickled content; unpicklable ones raise."""
    key_maker = ObjectKeyMaker()
    assert key_maker.key(_Picklable(1)) == key_maker.key(_Picklable(1))
    assert key_maker.key(_Picklable(1)) != key_maker.key(_Picklable(2))
    with pytest.raises(TypeError):
        key_maker.key(threading.Lock())
    assert key_maker.key(ftrack_api.symbol.NOT_SET) == key_maker.key(
        ftrack_api.symbol.NOT_SET
    )


def test_object_key_maker_is_stable_across_processes():
    """Plain data gets the same key in a new interpreter."""
    code = (
        'import ftrack_api.cache as c;'
        "print(repr(c.ObjectKeyMaker().key({'b': [1, 2.5], 'a': {'x'}}, None)))"
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(ObjectKeyMaker().key(
        {'a': {'x'}, 'b': [1, 2.5]}, None
    ))


_CALLS = []


def _add(x, y):
    """Return [x + y], counting the call."""
    _CALLS.append((x, y))
    return [x + y]


def test_memoiser_caches_results_per_arguments():
    """Calls binding the same arguments run the function once."""
    del _CALLS[:]
    memoiser = Memoiser(MemoryCache(), ObjectKeyMaker())
    assert memoiser.call(_add, (1, 2), {}) == [3]
    assert memoiser.call(_add, (1, 2), {}) == [3]
    assert len(_CALLS) == 1
    assert memoiser.call(_add, (1, 3), {}) == [4]
    assert len(_CALLS) == 2
    # Positional and keyword forms bind alike, so they share the entry.
    assert memoiser.call(_add, (), {'x': 1, 'y': 2}) == [3]
    assert memoiser.call(_add, (1,), kw={'y': 2}) == [3]
    assert len(_CALLS) == 2


def test_memoiser_defaults():
    """Defaults are a MemoryCache, an ObjectKeyMaker and copies."""
    memoiser = Memoiser()
    assert isinstance(memoiser.cache, MemoryCache)
    assert isinstance(memoiser.key_maker, ObjectKeyMaker)
    assert memoiser.return_copies is True
    assert memoiser.call(len, (['a', 'b'],)) == 2


def test_memoiser_returns_copies():
    """Mutating a returned value does not alter the cached result."""
    memoiser = Memoiser()
    first = memoiser.call(_add, (1, 1))
    first.append('mutated')
    assert memoiser.call(_add, (1, 1)) == [2]


def test_memoiser_without_copies_returns_cached_object():
    """return_copies=False returns the cached object itself."""
    memoiser = Memoiser(return_copies=False)
    first = memoiser.call(_add, (1, 1))
    assert memoiser.call(_add, (1, 1)) is first


def test_memoiser_unhashable_arguments():
    """Unhashable arguments are memoised by content."""
    calls = []

    def total(values, options):
        calls.append(1)
        return sum(values) * options['factor']

    memoiser = Memoiser()
    assert memoiser.call(total, ([1, 2], {'factor': 2})) == 6
    assert memoiser.call(total, ([1, 2], {'factor': 2})) == 6
    assert len(calls) == 1


def test_memoiser_does_not_cache_errors():
    """A raising function is called again next time."""
    calls = []

    def fail():
        calls.append(1)
        raise ValueError('nope')

    memoiser = Memoiser()
    for _ in range(2):
        with pytest.raises(ValueError):
            memoiser.call(fail)
    assert len(calls) == 2


def test_memoise_decorator_with_custom_memoiser():
    """memoise_decorator routes calls through the given memoiser."""
    memoiser = Memoiser()
    calls = []

    @cache_module.memoise_decorator(memoiser)
    def square(value):
        """Return value squared."""
        calls.append(value)
        return value * value

    assert square(3) == 9
    assert square(3) == 9
    assert square(value=4) == 16
    assert calls == [3, 4]
    assert square.__name__ == 'square'
    assert square.__doc__ == 'Return value squared.'
    assert len(memoiser.cache.keys()) == 2


def test_default_memoise():
    """The module memoise decorator uses the default memoiser."""
    calls = []

    @cache_module.memoise
    def double(value):
        calls.append(value)
        return value * 2

    assert double(21) == 42
    assert double(21) == 42
    assert calls == [21]
    assert isinstance(cache_module.memoiser, Memoiser)


# The seed's "Managing what gets cached" recipe, with plain objects standing
# in for entities (encode/decode are JSON functions of our own).


class _StandInEntity(dict):
    """Entity stand-in carrying a state."""

    def __init__(self, state, **data):
        super(_StandInEntity, self).__init__(**data)
        self.state = state


class SelectiveCache(ProxyCache):
    """Proxy cache that won't cache newly created entities."""

    def set(self, key, value):
        """Set *value* for *key*."""
        if isinstance(value, _StandInEntity):
            if value.state is ftrack_api.symbol.CREATED:
                return
        super(SelectiveCache, self).set(key, value)


def _encode(value):
    return json.dumps(dict(value))


def _decode(text):
    return _StandInEntity(None, **json.loads(text))


def test_selective_serialised_file_cache_recipe(tmp_path):
    """The recipe's cache stack persists only non-created values."""
    cache_path = os.path.join(str(tmp_path), 'ftrack_session_cache.dbm')

    def cache_maker():
        return SelectiveCache(
            SerialisedCache(FileCache(cache_path), encode=_encode, decode=_decode)
        )

    session_cache = LayeredCache([MemoryCache(), cache_maker()])
    created = _StandInEntity(ftrack_api.symbol.CREATED, id='new')
    persisted = _StandInEntity(None, id='old', name='shot')
    session_cache.set('new', created)
    session_cache.set('old', persisted)
    assert session_cache.get('new') is created

    # A later "session" sees only what reached the file.
    later = LayeredCache([MemoryCache(), cache_maker()])
    with pytest.raises(KeyError):
        later.get('new')
    assert later.get('old') == {'id': 'old', 'name': 'shot'}
    assert later.caches[0].get('old') == {'id': 'old', 'name': 'shot'}


# The same recipe with a real session (offline transport, real schema) and
# the seed's ``persisted_only`` encoding, exactly as documented.


def _query_answer(*records):
    return [
        {
            'action': 'query',
            'data': list(records),
            'metadata': {'next': {'offset': None}},
        }
    ]


class EntitySelectiveCache(ProxyCache):
    """Proxy cache that won't cache newly created entities (seed recipe)."""

    def set(self, key, value):
        """Set *value* for *key*."""
        import ftrack_api.entity.base
        import ftrack_api.inspection

        if isinstance(value, ftrack_api.entity.base.Entity):
            if (
                ftrack_api.inspection.state(value)
                is ftrack_api.symbol.CREATED
            ):
                return
        super(EntitySelectiveCache, self).set(key, value)


def test_session_layers_memory_cache_over_user_cache():
    """The session's cache is a LayeredCache: memory first, then the user's."""
    from ftrack_local_server.testing import OfflineSession

    user_cache = MemoryCache()
    session = OfflineSession(cache=user_cache)
    try:
        assert isinstance(session.cache, LayeredCache)
        assert isinstance(session.cache.caches[0], MemoryCache)
        assert session.cache.caches[0] is not user_cache
        assert session.cache.caches[1] is user_cache
    finally:
        session.close()


def test_seed_persisted_only_recipe_with_sessions(tmp_path):
    """Persisted values survive into a new session; local ones do not."""
    import functools
    import uuid

    from ftrack_local_server.testing import OfflineSession

    cache_path = os.path.join(str(tmp_path), 'ftrack_session_cache.dbm')

    def cache_maker(session):
        """Return cache to use for *session*."""
        return EntitySelectiveCache(
            SerialisedCache(
                FileCache(cache_path),
                encode=functools.partial(
                    session.encode, entity_attribute_strategy='persisted_only'
                ),
                decode=session.decode,
            )
        )

    user_id = str(uuid.uuid4())
    first = OfflineSession(cache=cache_maker)
    try:
        first.transport.echo = True
        first.transport.responses.append(
            _query_answer(
                {
                    '__entity_type__': 'User',
                    'id': user_id,
                    'username': 'jane',
                    'first_name': 'Jane',
                }
            )
        )
        user = first.query('User').one()
        user['first_name'] = 'Locally changed'
        with first.auto_populating(False):
            created = first.create('User', {'username': 'new'})
        created_id = created['id']
    finally:
        first.close()

    stored = FileCache(cache_path)
    assert not [key for key in stored.keys() if created_id in key]

    second = OfflineSession(cache=cache_maker)
    try:
        with second.auto_populating(False):
            restored = second.get('User', user_id)
            assert restored['username'] == 'jane'
            assert restored['first_name'] == 'Jane'
        # Served from the file cache: no request reached the server.
        assert second.transport.requests == []
    finally:
        second.close()
