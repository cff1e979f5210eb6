"""session.get of cached entities: one lookup, consistent with the cache."""

from ftrack_local_server.testing import record_requests


def test_cached_get_makes_no_request_and_follows_removals(ftrack_session):
    session = ftrack_session
    priority = session.query('Priority').first()
    sent = record_requests(session)
    assert session.get('Priority', priority['id']) is priority
    assert sent == []
    key = [key for key in session._local_cache.keys() if priority['id'] in str(key)][0]
    session._local_cache.remove(key)
    again = session.get('Priority', priority['id'])
    assert len(sent) == 1  # no longer cached: fetched
    assert again is not priority and again['id'] == priority['id']
    assert session.get('Priority', priority['id']) is again
    session._local_cache.clear()
    session.get('Priority', priority['id'])
    assert len(sent) == 2


def test_created_entities_are_found_and_unknown_types_still_raise(ftrack_session):
    import pytest

    import ftrack_api.exception

    session = ftrack_session
    scope = session.create('Scope', {'name': 'cached get'})
    assert session.get('Scope', scope['id']) is scope
    with pytest.raises(ftrack_api.exception.UnrecognisedEntityTypeError):
        session.get('NoSuchType', scope['id'])
    session.rollback()
    # Rolled back: no longer cached, and not on the server either.
    assert session.get('Scope', scope['id']) is None
