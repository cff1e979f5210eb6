"""Session life cycle against a LocalServer: hub connection, secrecy, reset."""

import logging

import pytest

import ftrack_api
import ftrack_api.exception
from ftrack_local_server.testing import connect as new_session
from ftrack_local_server.testing import wait_until as wait_for


def test_auto_connect_event_hub_and_close(ftrack_server):
    session = new_session(ftrack_server, auto_connect_event_hub=True)
    try:
        assert wait_for(lambda: session.event_hub.connected)
    finally:
        session.close()
    assert not session.event_hub.connected


def test_event_hub_not_connected_by_default(ftrack_server):
    with new_session(ftrack_server) as session:
        assert not session.event_hub.connected
        results = session.event_hub.publish(
            ftrack_api.event.base.Event(topic='test-synchronous'), synchronous=True
        )
        assert results == []


def test_api_key_never_logged(ftrack_server, caplog):
    caplog.set_level(logging.DEBUG)
    with new_session(ftrack_server) as session:
        user = session.query('User').first()
        user['email'] = 'logged@example.com'
        session.commit()
        with pytest.raises(ftrack_api.exception.ServerError):
            session.query('select no_such_attribute from User').all()
        assert ftrack_server.api_key not in repr(session)
    for record in caplog.records:
        assert ftrack_server.api_key not in record.getMessage()


def test_wrong_credentials(ftrack_server):
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        ftrack_api.Session(
            server_url=ftrack_server.url, api_key='wrong-key',
            api_user=ftrack_server.api_user, schema_cache_path=False,
        )
    assert str(error.value).startswith('Server reported error: ')
    assert 'wrong-key' not in str(error.value)


@pytest.mark.parametrize('strict_api', [False, True])
def test_server_errors_in_both_api_modes(ftrack_server, strict_api):
    """The same ServerError whether the server answers 200 or an error status."""
    with new_session(ftrack_server, strict_api=strict_api) as session:
        with pytest.raises(ftrack_api.exception.ServerError) as error:
            session.query('select no_such_attribute from User').all()
        assert str(error.value).startswith('Server reported error: ')
        assert 'no_such_attribute' in str(error.value)
        # The session stays usable.
        assert session.query('User').first() is not None


def test_failed_batch_changes_nothing_and_work_is_kept(ftrack_server):
    with new_session(ftrack_server) as session:
        user = session.query('User').first()
        original = user['first_name']
        user['first_name'] = 'changed in a failing batch'
        bad = session.create('Task', {'name': 'no parent'})
        with pytest.raises(ftrack_api.exception.ServerError):
            session.commit()
        assert len(session.recorded_operations) == 2
        assert user['first_name'] == 'changed in a failing batch'
        with new_session(ftrack_server) as other:
            assert other.get('User', user['id'])['first_name'] == original
        session.rollback()
        assert user['first_name'] == original
        assert session.get('Task', bad['id']) is None


def test_reset_reconfigures_locations(ftrack_server):
    with new_session(ftrack_server) as session:
        server_location = session.query(
            'Location where name is "ftrack.server"'
        ).one()
        assert server_location.priority == 150
        session.reset()
        again = session.query('Location where name is "ftrack.server"').one()
        assert again.priority == 150
        assert again is not server_location


def test_server_url_trailing_slash(ftrack_server):
    session = ftrack_api.Session(
        server_url=ftrack_server.url + '//', api_key=ftrack_server.api_key,
        api_user=ftrack_server.api_user, schema_cache_path=False,
    )
    try:
        assert session.server_url == ftrack_server.url
        assert session.query('User').first() is not None
    finally:
        session.close()


def test_schema_cache_with_real_server(ftrack_server, tmp_path):
    first = new_session(ftrack_server, schema_cache_path=str(tmp_path))
    first.close()
    assert len(list(tmp_path.iterdir())) == 1
    warm = new_session(ftrack_server, schema_cache_path=str(tmp_path))
    try:
        assert len(warm.types) == len(first.types)
    finally:
        warm.close()


def test_threads_share_one_identity_map(ftrack_server):
    import threading

    with new_session(ftrack_server) as session:
        results = []
        errors = []

        def worker():
            try:
                for _ in range(5):
                    users = session.query('select username from User').all()
                    results.append({user['id']: user for user in users})
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert len(results) == 20
        first = results[0]
        for result in results[1:]:
            assert result.keys() == first.keys()
            for key, user in result.items():
                assert user is first[key]


EXIT_SCRIPT = '''
import logging, sys, time
import ftrack_api
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
logging.getLogger('ftrack_api.session').setLevel(logging.DEBUG)
session = ftrack_api.Session(schema_cache_path=False, auto_connect_event_hub=True)
session.event_hub.subscribe('topic=test-exit', lambda event: None)
deadline = time.monotonic() + 30
while not session.event_hub.connected and time.monotonic() < deadline:
    time.sleep(0.05)
print('connected', session.event_hub.connected)
# No close(): the interpreter exit must close the session.
'''


def test_open_sessions_are_closed_at_interpreter_exit(ftrack_server):
    import os
    import subprocess
    import sys

    environment = dict(os.environ)
    environment.update({
        'FTRACK_SERVER': ftrack_server.url,
        'FTRACK_API_USER': ftrack_server.api_user,
        'FTRACK_API_KEY': ftrack_server.api_key,
    })
    environment.pop('FTRACK_EVENT_PLUGIN_PATH', None)
    process = subprocess.run(
        [sys.executable, '-c', EXIT_SCRIPT], env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=120,
    )
    assert process.returncode == 0, process.stderr
    assert 'connected True' in process.stdout
    assert 'Session closed.' in process.stderr
    assert ftrack_server.api_key not in process.stderr


def test_unknown_action_is_a_server_error_naming_it(ftrack_session):
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        ftrack_session.call([{'action': 'no_such_action'}])
    # The text the session maps to ServerCompatibilityError for the actions
    # older servers lack.
    assert "Invalid action u'no_such_action'" in str(error.value)
