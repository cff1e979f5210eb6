"""The seed's "Configuring a session cache" recipes with a real LocalServer."""

from __future__ import annotations

import functools
import os
import uuid

import pytest

import ftrack_api
import ftrack_api.cache
import ftrack_api.entity.base
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_api._testing import connect
from ftrack_local_server import LocalServer


@pytest.fixture(scope='module')
def server():
    with LocalServer() as running:
        yield running


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


@pytest.fixture
def open_session(server):
    sessions = []

    def factory(cache=None):
        session = connect(server, plugin_paths=[], cache=cache)
        sessions.append(session)
        return session

    yield factory
    for session in sessions:
        session.close()


def _new_user(session):
    """Commit and return a new user with a known first name."""
    user = session.create(
        'User',
        {
            'username': 'cache_{0}'.format(uuid.uuid4().hex[:8]),
            'first_name': 'Original',
        },
    )
    session.commit()
    return user['id']


def _rename_on_server(open_session, user_id, first_name):
    """Change the user's first name through a session without cache."""
    other = open_session()
    other.get('User', user_id)['first_name'] = first_name
    other.commit()


def test_serialised_file_cache_recipe(open_session, tmp_path):
    """A later session reads entities from the file cache."""
    cache_path = os.path.join(str(tmp_path), 'ftrack_session_cache.dbm')

    def cache_maker(session):
        """Return cache to use for *session*."""
        return ftrack_api.cache.SerialisedCache(
            ftrack_api.cache.FileCache(cache_path),
            encode=session.encode,
            decode=session.decode,
        )

    user_id = _new_user(open_session())
    first = open_session(cache=cache_maker)
    assert first.query(
        'select first_name from User where id is "{0}"'.format(user_id)
    ).one()['first_name'] == 'Original'
    first.close()

    _rename_on_server(open_session, user_id, 'Renamed')

    second = open_session(cache=cache_maker)
    assert isinstance(second.cache, ftrack_api.cache.LayeredCache)
    with second.auto_populating(False):
        # Still the cached value: the server now says "Renamed".
        assert second.get('User', user_id)['first_name'] == 'Original'


def test_selective_persisted_only_recipe(open_session, tmp_path):
    """Created entities and local changes stay out of the file cache."""
    cache_path = os.path.join(str(tmp_path), 'ftrack_session_cache.dbm')

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

    user_id = _new_user(open_session())
    first = open_session(cache=cache_maker)
    user = first.query(
        'select first_name, username from User where id is "{0}"'.format(user_id)
    ).one()
    user['first_name'] = 'Uncommitted local change'
    created = first.create('User', {'username': 'never_committed'})
    created_id = created['id']
    first.close()

    keys = ftrack_api.cache.FileCache(cache_path).keys()
    assert any(user_id in key for key in keys)
    assert not any(created_id in key for key in keys)

    _rename_on_server(open_session, user_id, 'Renamed')

    second = open_session(cache=cache_maker)
    with second.auto_populating(False):
        assert second.get('User', user_id)['first_name'] == 'Original'
