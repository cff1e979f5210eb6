"""ftrack_api.cache against upstream 3.1.0: key bytes, memoiser, caches."""

import os

import pytest

VALUES = (
    "[{}, {'a': 1}, {'b': [1, 2], 'a': 'x'}, {'b': 1, 'aa': 2}, [], [1, 'a'], "
    "(1, 2), 1, 1.5, 2 ** 70, 1j, 'x', 'é', None, True, b'raw', bytearray(b'a'), "
    "{3}, frozenset([1]), range(2), [{'a': (1,)}], "
    "__import__('collections').OrderedDict([('b', 1), ('a', 2)])]"
)


def test_object_key_maker_bytes(compat):
    compat.compare(
        'k = ftrack_api.cache.ObjectKeyMaker()\n'
        'result = [k.key(value) for value in {0}]\n'
        'result.append(k.key(1, "a", {{"z": 2}}))\n'
        'result.append(k.key())'.format(VALUES))


@pytest.mark.parametrize('expression', [
    'f', 'A', 'A().m', 'A.cm', 'A.sm', 'len', '[].append', 'type', 'outer()',
    'lambda: 1', 'Obj()',
])
def test_object_key_maker_callables_and_objects(compat, expression):
    compat.compare(
        'class A(object):\n'
        '    def m(self): pass\n'
        '    @classmethod\n'
        '    def cm(cls): pass\n'
        '    @staticmethod\n'
        '    def sm(): pass\n'
        'class Obj(object):\n'
        '    def __init__(self): self.x = 1\n'
        'def f(): pass\n'
        'def outer():\n'
        '    def nested(): pass\n'
        '    return nested\n'
        'result = ftrack_api.cache.ObjectKeyMaker().key({0})'.format(expression))


def test_object_key_maker_errors(compat):
    compat.compare(
        'k = ftrack_api.cache.ObjectKeyMaker()\n'
        'try:\n'
        '    k.key({1: "x", "a": "y"})\n'
        'except TypeError as error:\n'
        '    result = str(error)')


def test_string_key_maker(compat):
    compat.compare(
        'k = ftrack_api.cache.StringKeyMaker()\n'
        'result = [k.key("a", "b", 1), k.key(), k.key(None, [1]), '
        'k.key(("Task", ["1"]))]')


def test_abstract_key_maker(compat):
    compat.compare('ftrack_api.cache.KeyMaker()', fields=('raised',))


def test_memoiser_keys_and_results(compat):
    compat.compare(
        'm = ftrack_api.cache.Memoiser()\n'
        'calls = []\n'
        'def f(a, b=2, *rest, **extra):\n'
        '    calls.append(1)\n'
        '    return [a, b, rest, extra]\n'
        'out = [m.call(f, (1,)), m.call(f, (1,), kw={"b": 2}), '
        'm.call(f, (1, 5, 6), {"z": 1})]\n'
        'result = [out, len(calls), sorted(m.cache.keys())]')


def test_memoiser_signature_and_missing_argument(compat):
    compat.compare(
        'import inspect\n'
        'sig = str(inspect.signature(ftrack_api.cache.Memoiser.call))\n'
        'try:\n'
        '    ftrack_api.cache.Memoiser().call(lambda a: a)\n'
        'except TypeError as error:\n'
        '    result = [sig, str(error)]')


def test_memoise_decorator(compat):
    compat.compare(
        'calls = []\n'
        '@ftrack_api.cache.memoise\n'
        'def double(x):\n'
        '    calls.append(x)\n'
        '    return x * 2\n'
        'result = [double(2), double(2), double(x=2), len(calls)]')


@pytest.mark.parametrize('cache', [
    'ftrack_api.cache.MemoryCache()',
    'ftrack_api.cache.LayeredCache([ftrack_api.cache.MemoryCache(), '
    'ftrack_api.cache.MemoryCache()])',
    'ftrack_api.cache.ProxyCache(ftrack_api.cache.MemoryCache())',
    'ftrack_api.cache.SerialisedCache(ftrack_api.cache.MemoryCache(), '
    'encode=lambda v: "E" + v, decode=lambda v: v[1:])',
    'ftrack_api.cache.FileCache(workdir + "/cache.dbm")',
])
def test_cache_behaviour(compat, cache):
    compat.compare(
        'c = {0}\n'
        'out = []\n'
        'c.set("a", "one")\n'
        'c.set("b", "two")\n'
        'c.set("k1", "x")\n'
        'out.append(c.get("a"))\n'
        'out.append(sorted(c.keys()))\n'
        'out.append(sorted(c.values()))\n'
        'try:\n'
        '    c.get("missing")\n'
        'except KeyError as error:\n'
        '    out.append(["get missing", error.args])\n'
        'c.clear(pattern="k.*")\n'
        'out.append(sorted(c.keys()))\n'
        'try:\n'
        '    c.remove("missing")\n'
        'except KeyError as error:\n'
        '    out.append(["remove missing", error.args])\n'
        'c.clear()\n'
        'out.append(list(c.keys()))\n'
        'result = out'.format(cache))


@pytest.mark.parametrize('cache', [
    'ftrack_api.cache.MemoryCache()',
    'ftrack_api.cache.ProxyCache(ftrack_api.cache.MemoryCache())',
    'ftrack_api.cache.LayeredCache([ftrack_api.cache.MemoryCache()])',
    'ftrack_api.cache.SerialisedCache(ftrack_api.cache.MemoryCache(), '
    'encode=str, decode=int)',
    'ftrack_api.cache.FileCache(workdir + "/cache.dbm")',
])
def test_cache_remove_returns_none(compat, cache):
    compat.compare(
        'c = {0}\n'
        'c.set("a", "1")\n'
        'result = [c.remove("a"), c.keys()]'.format(cache))


def test_object_key_maker_marker_attributes(compat):
    compat.compare(
        'k = ftrack_api.cache.ObjectKeyMaker()\n'
        'before = sorted(vars(k).items())\n'
        'k.mapping_identifier, k.iterable_identifier = b"M", b"I"\n'
        'k.mapping_pair_separator, k.name_identifier = b"P", b"N"\n'
        'k.item_separator = b"S"\n'
        'def f(): pass\n'
        'class A(object):\n'
        '    def m(self): pass\n'
        'result = [before, k.key({"a": [1, 2]}, f, A, A().m, len)]')


def test_layered_cache_fills_upper_layers(compat):
    compat.compare(
        'top, bottom = ftrack_api.cache.MemoryCache(), ftrack_api.cache.MemoryCache()\n'
        'c = ftrack_api.cache.LayeredCache([top, bottom])\n'
        'bottom.set("z", 1)\n'
        'result = [c.get("z"), top.get("z"), c.keys()]')


def test_file_cache_refuses_other_values(compat):
    compat.compare(
        'c = ftrack_api.cache.FileCache(workdir + "/cache.dbm")\n'
        'c.set("x", 1)', fields=('raised',),
        kept="ours names the type and key and suggests SerialisedCache; "
             "upstream passes on dbm's bare 'values must be bytes or strings'")


def test_signatures(compat):
    compat.compare(
        'import inspect\n'
        'c = ftrack_api.cache\n'
        'result = {name: str(inspect.signature(getattr(c, name)))\n'
        '          for name in ["ProxyCache", "LayeredCache", "MemoryCache", '
        '"FileCache", "SerialisedCache", "StringKeyMaker", "ObjectKeyMaker", '
        '"Memoiser", "memoise_decorator"]}')


@pytest.mark.parametrize('writer, reader', [(0, 1), (1, 0)])
def test_file_cache_is_shared_between_clients(compat, tmp_path, writer, reader):
    """A FileCache file written by one client reads the same in the other."""
    path = os.path.join(str(tmp_path), 'shared.dbm')
    workers = [compat.upstream, compat.ours]
    written = workers[writer].run(
        'c = ftrack_api.cache.FileCache({0!r})\n'
        'c.set("text", "é value")\n'
        'c.set("raw", b"bytes")\n'
        'c.set("gone", "x")\n'
        'c.remove("gone")\n'.format(path))
    assert 'raised' not in written, written.get('traceback')
    read = workers[reader].run(
        'c = ftrack_api.cache.FileCache({0!r})\n'
        'result = [c.get("text"), c.get("raw"), sorted(c.keys()), sorted(c.values())]\n'
        .format(path))
    assert 'raised' not in read, read.get('traceback')
    assert read['result'] == [
        'é value', 'bytes', ['raw', 'text'], ['bytes', 'é value']]


FILE_CACHE = (
    'import os, ftrack_api.cache\n'
    'cache = ftrack_api.cache.FileCache(os.path.join(workdir, "cache.dbm"))\n'
)


@pytest.mark.parametrize('key, value, why', [
    ('b"bytes key"', '"v"', 'ours takes bytes keys; upstream fails (bytes has no encode)'),
    ('"k\\u00e9"', '"v"', 'ours takes non-ASCII text keys; upstream fails to encode them'),
    ('5', '"v"', 'an int key raises TypeError naming it; upstream an AttributeError about encode'),
    ('"k"', 'b"\\xff\\xfe"', "ours stores and returns non-UTF-8 bytes; upstream stores them, "
     'then fails to decode'),
])
def test_file_cache_wider_keys_and_values_kept(compat, key, value, why):
    compat.compare(
        FILE_CACHE + 'cache.set({0}, {1})\n'
        'result = [cache.get({0}), sorted(cache.keys())]'.format(key, value),
        fields=('result', 'raised'), kept=why)


def test_cache_keys_not_implemented(compat):
    compat.compare(
        'import ftrack_api.cache\n'
        'class Minimal(ftrack_api.cache.Cache):\n'
        '    def get(self, key):\n'
        '        raise KeyError(key)\n'
        '    def set(self, key, value):\n'
        '        pass\n'
        '    def remove(self, key):\n'
        '        pass\n'
        'Minimal().keys()', fields=('raised',))


def test_local_cache_remove_returns_none(compat, ftrack_server):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'priority = session.query("Priority").first()\n'
        'key = [key for key in session._local_cache.keys() if priority["id"] in str(key)][0]\n'
        'returned = session._local_cache.remove(key)\n'
        'try:\n'
        '    session._local_cache.remove(key)\n'
        'except KeyError:\n'
        '    again = "KeyError"\n'
        'session.close()\n'
        'result = [returned, again]', server=ftrack_server)
