"""The 'Caching' chapter and its "Configuring a session cache" recipes,
against a LocalServer."""

import functools
import os

import arrow
import pytest

import ftrack_api
import ftrack_api.cache
import ftrack_api.entity.base
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_local_server.testing import connect as new_session
from ftrack_local_server.testing import record_requests as count_requests
from ftrack_local_server.testing import unique_name

NOT_SET = ftrack_api.symbol.NOT_SET


class SelectiveCache(ftrack_api.cache.ProxyCache):
    """Proxy cache that won't cache newly created entities."""

    def set(self, key, value):
        """Set *value* for *key*."""
        if isinstance(value, ftrack_api.entity.base.Entity):
            if (
                ftrack_api.inspection.state(value)
                is ftrack_api.symbol.CREATED
            ):
                return
        super(SelectiveCache, self).set(key, value)


def serialised_file_cache_maker(cache_path):
    """Return the recipe's cache maker: a serialised file cache."""

    def cache_maker(session):
        """Return cache to use for *session*."""
        return ftrack_api.cache.SerialisedCache(
            ftrack_api.cache.FileCache(cache_path),
            encode=session.encode,
            decode=session.decode,
        )

    return cache_maker


def selective_persisted_only_cache_maker(cache_path):
    """Return the recipe's selective, persisted-only file cache maker."""

    def cache_maker(session):
        """Return cache to use for *session*."""
        return SelectiveCache(
            ftrack_api.cache.SerialisedCache(
                ftrack_api.cache.FileCache(cache_path),
                encode=functools.partial(
                    session.encode, entity_attribute_strategy='persisted_only'
                ),
                decode=session.decode,
            )
        )

    return cache_maker


@pytest.fixture
def timelog_user(ftrack_session):
    session = ftrack_session
    user = session.create('User', {'username': unique_name('cache')})
    session.create('Timelog', {
        'user': user, 'start': arrow.utcnow(), 'duration': 5, 'comment': 'Some comment',
    })
    session.commit()
    return user


def test_get_uses_cache(ftrack_server, timelog_user):
    with new_session(ftrack_server) as session:
        sent = count_requests(session)
        user = session.get('User', timelog_user['id'])
        assert len(sent) == 1
        assert session.get('User', timelog_user['id']) is user
        assert len(sent) == 1


def test_nested_data_is_merged(ftrack_server, timelog_user):
    with new_session(ftrack_server) as session:
        user = session.get('User', timelog_user['id'])
        timelog = user['timelogs'][0]
        with session.auto_populating(False):
            assert timelog['comment'] is NOT_SET
        session.query(
            'select comment from Timelog where id is "{0}"'.format(timelog['id'])
        ).all()
        with session.auto_populating(False):
            assert timelog['comment'] == 'Some comment'


def test_default_cache_layout(ftrack_session):
    assert isinstance(ftrack_session.cache, ftrack_api.cache.LayeredCache)
    assert isinstance(ftrack_session.cache.caches[0], ftrack_api.cache.MemoryCache)


def test_persistent_selective_file_cache(ftrack_server, timelog_user, tmp_path):
    cache_maker = selective_persisted_only_cache_maker(
        os.path.join(str(tmp_path), 'ftrack_session_cache.dbm')
    )

    with new_session(ftrack_server, cache=cache_maker) as session:
        user = session.get('User', timelog_user['id'])
        assert user['username'] == timelog_user['username']
        created = session.create('User', {'username': 'never_cached'})
        created_key = str(('User', [created['id']]))
        file_cache = session.cache.caches[1]
        assert created_key not in file_cache.keys()
        session.rollback()

    with new_session(ftrack_server, cache=cache_maker) as session:
        sent = count_requests(session)
        user = session.get('User', timelog_user['id'])
        assert user['username'] == timelog_user['username']
        assert sent == []


def _new_user(session):
    """Commit and return the id of a new user with a known first name."""
    user = session.create(
        'User', {'username': unique_name('cache'), 'first_name': 'Original'}
    )
    session.commit()
    return user['id']


def _rename_on_server(server, user_id, first_name):
    """Change the user's first name through a session without cache."""
    with new_session(server) as other:
        other.get('User', user_id)['first_name'] = first_name
        other.commit()


def test_serialised_file_cache_recipe(ftrack_server, ftrack_session, tmp_path):
    """A later session reads entities from the file cache."""
    cache_maker = serialised_file_cache_maker(
        os.path.join(str(tmp_path), 'ftrack_session_cache.dbm')
    )
    user_id = _new_user(ftrack_session)
    with new_session(ftrack_server, cache=cache_maker) as first:
        assert first.query(
            'select first_name from User where id is "{0}"'.format(user_id)
        ).one()['first_name'] == 'Original'

    _rename_on_server(ftrack_server, user_id, 'Renamed')

    with new_session(ftrack_server, cache=cache_maker) as second:
        assert isinstance(second.cache, ftrack_api.cache.LayeredCache)
        with second.auto_populating(False):
            # Still the cached value: the server now says "Renamed".
            assert second.get('User', user_id)['first_name'] == 'Original'


def test_selective_persisted_only_recipe(ftrack_server, ftrack_session, tmp_path):
    """Created entities and local changes stay out of the file cache."""
    cache_path = os.path.join(str(tmp_path), 'ftrack_session_cache.dbm')
    cache_maker = selective_persisted_only_cache_maker(cache_path)
    user_id = _new_user(ftrack_session)
    with new_session(ftrack_server, cache=cache_maker) as first:
        user = first.query(
            'select first_name, username from User where id is "{0}"'.format(user_id)
        ).one()
        user['first_name'] = 'Uncommitted local change'
        created = first.create('User', {'username': 'never_committed'})
        created_id = created['id']

    keys = ftrack_api.cache.FileCache(cache_path).keys()
    assert any(user_id in key for key in keys)
    assert not any(created_id in key for key in keys)

    _rename_on_server(ftrack_server, user_id, 'Renamed')

    with new_session(ftrack_server, cache=cache_maker) as second:
        with second.auto_populating(False):
            assert second.get('User', user_id)['first_name'] == 'Original'
