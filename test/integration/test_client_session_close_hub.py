"""Closing a session stops its event hub, whatever the hub is doing."""

from __future__ import annotations

from ftrack_local_server.testing import connect
from ftrack_api.event.hub import EventHub
from ftrack_local_server.events.testing import wait_until

OPTIONS = {'event_heartbeat_interval': 0.2, 'event_heartbeat_timeout': 5}


def test_disconnect_cancels_a_connection_being_made(ftrack_server_factory):
    server = ftrack_server_factory(options=OPTIONS)
    hub = EventHub(server.url, server.api_user, server.api_key)
    thread = hub.connect_in_background()
    # Either the connection is still being made (and is cancelled) or it is
    # already made (and is closed): disconnect() must not raise in both cases.
    hub.disconnect()
    thread.join(30)
    assert not thread.is_alive()
    assert not hub.connected


def test_close_stops_a_reconnection_under_way(ftrack_server_factory, tmp_path):
    server = ftrack_server_factory(options=OPTIONS)
    session = connect(
        server, schema_cache_path=str(tmp_path), auto_connect_event_hub=True
    )
    hub = session.event_hub
    hub.auto_reconnect_initial_delay = 0.05
    hub.auto_reconnect_max_delay = 0.2
    hub.auto_reconnect_attempts = 100000
    assert hub.wait_for_connection(timeout=30)

    server.stop()
    wait_until(lambda: hub._reconnect_thread is not None and hub._reconnect_thread.is_alive())
    session.close()
    wait_until(lambda: not hub._reconnect_thread.is_alive())

    server.start()
    assert not hub.connected


def test_disconnect_before_the_background_connection_starts(ftrack_server_factory):
    server = ftrack_server_factory(options=OPTIONS)
    hub = EventHub(server.url, server.api_user, server.api_key)
    # What Session(auto_connect_event_hub=True) does, with a close() coming
    # before its thread gets to run.
    hub.init_connection()
    hub.disconnect()
    hub._connect_in_background()
    assert not hub.connected
    assert not server.state.event_server.connections
    # An explicit connection afterwards still works.
    hub.connect()
    assert hub.connected
    hub.disconnect()


def test_session_closed_at_once_never_connects_its_hub(ftrack_server_factory, tmp_path):
    server = ftrack_server_factory(options=OPTIONS)
    session = connect(
        server, schema_cache_path=str(tmp_path), auto_connect_event_hub=True
    )
    thread = session._event_hub_thread
    session.close()
    thread.join(30)
    assert not thread.is_alive()
    assert not session.event_hub.connected
