"""A server-reported error is logged at ERROR on the session's logger before it is raised."""

import logging

import pytest

import ftrack_api


def test_server_error_is_logged_on_the_session_logger(ftrack_session, caplog):
    with caplog.at_level(logging.ERROR, logger='ftrack_api.session.Session'):
        with pytest.raises(ftrack_api.exception.ServerError) as raised:
            ftrack_session.call([{'action': 'no_such_action'}])
    records = [record for record in caplog.records
               if record.name == 'ftrack_api.session.Session']
    assert [record.getMessage() for record in records] == [str(raised.value)]
    assert records[0].levelno == logging.ERROR


def test_subclass_logs_under_its_own_name(ftrack_server):
    class StudioSession(ftrack_api.Session):
        pass

    session = StudioSession(server_url=ftrack_server.url, api_key=ftrack_server.api_key,
                            api_user=ftrack_server.api_user, auto_connect_event_hub=False)
    try:
        assert session.logger.name == 'ftrack_api.session.StudioSession'
    finally:
        session.close()


def test_debug_log_of_calls_hides_api_keys(ftrack_server_factory, caplog):
    # A server of its own: the test renews its administrator's key.
    ftrack_server = ftrack_server_factory()
    session = ftrack_api.Session(server_url=ftrack_server.url, api_key=ftrack_server.api_key,
                                 api_user=ftrack_server.api_user, auto_connect_event_hub=False)
    try:
        with caplog.at_level(logging.DEBUG):
            answer = session.call([{'action': 'reset_remote', 'reset_type': 'api_key'}])
        new_key = answer[0]['data']['api_key']
        lines = [record.getMessage() for record in caplog.records]
        assert any(line.startswith('Response: ') and '"api_key": "***"' in line
                   for line in lines)
        assert all(new_key not in line and ftrack_server.api_key not in line
                   for line in lines)
    finally:
        session.close()
