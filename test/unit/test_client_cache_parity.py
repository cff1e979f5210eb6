"""Cache details that follow upstream 3.1.0."""

import pytest


def test_cache_keys_raises_bare_not_implemented_error():
    import ftrack_api.cache

    class Minimal(ftrack_api.cache.Cache):
        def get(self, key):
            raise KeyError(key)

        def set(self, key, value):
            pass

        def remove(self, key):
            pass

    with pytest.raises(NotImplementedError) as raised:
        Minimal().keys()
    assert str(raised.value) == ''


def test_identity_map_cache_remove_returns_none():
    from ftrack_api._session.merge import IdentityMapCache

    cache = IdentityMapCache()
    cache.set('k', 'value')
    assert cache.remove('k') is None
    with pytest.raises(KeyError):
        cache.remove('k')
