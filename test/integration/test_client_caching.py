"""The 'Caching' chapter, against a LocalServer."""

import functools
import os
import uuid

import arrow
import pytest

import ftrack_api
import ftrack_api.cache
import ftrack_api.entity.base
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_api._testing import connect as new_session
from ftrack_api._testing import record_requests as count_requests

NOT_SET = ftrack_api.symbol.NOT_SET


@pytest.fixture
def timelog_user(ftrack_session):
    session = ftrack_session
    user = session.create('User', {'username': 'cache_{0}'.format(uuid.uuid4().hex[:8])})
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


class SelectiveCache(ftrack_api.cache.ProxyCache):
    """Proxy cache that won't cache newly created entities (seed recipe)."""

    def set(self, key, value):
        if isinstance(value, ftrack_api.entity.base.Entity):
            if ftrack_api.inspection.state(value) is ftrack_api.symbol.CREATED:
                return
        super(SelectiveCache, self).set(key, value)


def test_persistent_selective_file_cache(ftrack_server, timelog_user, tmp_path):
    cache_path = os.path.join(str(tmp_path), 'ftrack_session_cache.dbm')

    def cache_maker(session):
        return SelectiveCache(
            ftrack_api.cache.SerialisedCache(
                ftrack_api.cache.FileCache(cache_path),
                encode=functools.partial(
                    session.encode, entity_attribute_strategy='persisted_only'
                ),
                decode=session.decode,
            )
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
