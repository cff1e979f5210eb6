"""EventHub connection behaviour against a real LocalServer."""

from __future__ import annotations

import logging
import threading
import time

import pytest

import ftrack_api.exception
from ftrack_api.event.base import Event
from ftrack_api.event.hub import EventHub
from ftrack_local_server import LocalServer
from ftrack_local_server.events.testing import (
    HubFactory,
    process_until,
    sync_subscriptions,
    wait_until,
)

OPTIONS = {'event_heartbeat_interval': 0.2, 'event_heartbeat_timeout': 5}


@pytest.fixture(scope='module')
def server():
    with LocalServer(options=OPTIONS) as running:
        yield running


@pytest.fixture
def hubs(server):
    with HubFactory(server) as factory:
        yield factory


def test_connect_and_disconnect(hubs):
    hub = hubs(connect=False)
    assert hub.connected is False
    connected = []
    hub.subscribe('topic=ftrack.meta.connected', connected.append)
    hub.connect()
    assert hub.connected is True
    process_until(hub, lambda: connected)
    assert connected[0]['source']['id'] == hub.id
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.connect()
    hub.disconnect()
    assert hub.connected is False
    # disconnect() unsubscribed everything by default.
    assert hub._registry.ordered == []
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.disconnect()


def test_disconnect_keeping_subscribers(hubs):
    hub = hubs()
    identifier = hub.subscribe('topic=keep', lambda event: None)
    hub.disconnect(unsubscribe=False)
    assert hub.get_subscriber_by_identifier(identifier) is not None


def test_refused_credentials(server):
    hub = EventHub(server.url, server.api_user, 'not-the-key')
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.connect()
    assert '401' in str(error.value)
    assert 'not-the-key' not in str(error.value)


def test_wait_for_connection_after_background_connect(hubs):
    hub = hubs(connect=False)
    hub.connect_in_background()
    assert hub.wait_for_connection(timeout=20) is True
    assert hub.connected


def test_wait_for_connection_reports_failure(server):
    hub = EventHub(server.url, server.api_user, 'not-the-key')
    hub.connect_in_background()
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.wait_for_connection(timeout=20)
    assert '401' in str(error.value)


def test_publish_queued_while_connecting(hubs):
    listener = hubs()
    received = []
    listener.subscribe('topic=test.queued', received.append)
    sync_subscriptions(listener)

    publisher = hubs(connect=False)
    publisher.init_connection()
    publisher.publish(Event(topic='test.queued', data={'n': 1}))
    publisher.publish(Event(topic='test.queued', data={'n': 2}))
    assert publisher.connected is False
    publisher.connect()
    process_until(listener, lambda: len(received) == 2)
    assert [event['data']['n'] for event in received] == [1, 2]


def test_reconnect_after_server_restart_restores_subscriptions(
    ftrack_server_factory, tmp_path, hubs
):
    own = ftrack_server_factory(
        database=str(tmp_path / 'events.sqlite'), options=OPTIONS
    )
    listener = hubs(connect=False, server=own)
    publisher = hubs(connect=False, server=own)
    received = []
    connected = []
    listener.subscribe('topic=test.after-restart', received.append)
    listener.subscribe('topic=ftrack.meta.connected', connected.append)
    listener.connect()
    publisher.connect()
    process_until(listener, lambda: len(connected) == 1)
    first_port = own.port

    own.restart()
    assert own.port == first_port

    # Both hubs notice the restart and reconnect on their own.
    process_until(listener, lambda: len(connected) == 2)
    wait_until(lambda: publisher.connected)
    sync_subscriptions(listener)
    publisher.publish(Event(topic='test.after-restart'))
    process_until(listener, lambda: received)
    assert received[0]['topic'] == 'test.after-restart'
    listener.disconnect()
    publisher.disconnect()


def test_publish_while_server_is_down_is_sent_after_reconnection(
    ftrack_server_factory, tmp_path, hubs
):
    own = ftrack_server_factory(
        database=str(tmp_path / 'events.sqlite'), options=OPTIONS
    )
    hub = hubs(connect=False, server=own)
    received = []
    # The hub listens to its own topic: after reconnecting it announces
    # its subscribers before sending queued events, on one connection,
    # so the queued event is certain to come back.
    hub.subscribe('topic=test.while-down', received.append)
    hub.connect()
    own.stop()
    wait_until(lambda: not hub.connected)
    # Reconnecting: the event waits for the connection.
    hub.publish(Event(topic='test.while-down'))
    own.start()
    process_until(hub, lambda: received)
    assert hub.connected
    hub.disconnect()


def test_giving_up_reconnecting_ends_wait(ftrack_server_factory, hubs):
    own = ftrack_server_factory(options=OPTIONS)
    hub = hubs(connect=False, server=own)
    hub.auto_reconnect_attempts = 2
    disconnected = []
    hub.subscribe('topic=ftrack.meta.disconnected', disconnected.append)
    hub.connect()
    own.stop()
    # wait() without a duration returns once the hub gave up.
    thread = threading.Thread(target=hub.wait)
    thread.daemon = True
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    assert disconnected and disconnected[0]['source']['id'] == hub.id
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.publish(Event(topic='after.giving.up'))


def test_missed_heartbeats_are_detected(hubs, caplog):
    # Heartbeats every 5 s but a 1 s timeout announced: the client must
    # notice the silence and reconnect.
    with LocalServer(
        options={'event_heartbeat_interval': 5, 'event_heartbeat_timeout': 1}
    ) as own:
        hub = hubs(connect=False, server=own)
        connected = []
        hub.subscribe('topic=ftrack.meta.connected', connected.append)
        with caplog.at_level(logging.INFO, logger='ftrack_api.event'):
            hub.connect()
            process_until(hub, lambda: len(connected) >= 2)
        assert 'no heartbeat' in caplog.text
        hub.disconnect()


def test_manual_reconnect(hubs):
    hub = hubs()
    publisher = hubs()
    received = []
    hub.subscribe('topic=test.manual-reconnect', received.append)
    hub.reconnect(attempts=3, delay=0.1)
    assert hub.connected
    sync_subscriptions(hub)
    publisher.publish(Event(topic='test.manual-reconnect'))
    process_until(hub, lambda: received)


def test_long_running_handler_does_not_stop_heartbeats(hubs):
    with LocalServer(
        options={'event_heartbeat_interval': 0.1, 'event_heartbeat_timeout': 2}
    ) as own:
        hub = hubs(connect=False, server=own)
        publisher = hubs(connect=False, server=own)
        done = []

        def slow(event):
            # Busy for longer than the heartbeat timeout.
            time.sleep(3.5)
            done.append(event)

        hub.subscribe('topic=test.slow', slow)
        hub.connect()
        publisher.connect()
        sync_subscriptions(hub)
        connection = hub._connection
        publisher.publish(Event(topic='test.slow'))
        process_until(hub, lambda: done)
        assert hub._connection is connection
        assert hub.connected
        hub.disconnect()
        publisher.disconnect()


def test_raising_handler_does_not_stop_the_hub(hubs, caplog):
    hub = hubs()
    publisher = hubs()
    received = []

    def broken(event):
        raise RuntimeError('broken handler')

    hub.subscribe('topic=test.raise', broken, priority=1)
    hub.subscribe('topic=test.raise', received.append, priority=2)
    sync_subscriptions(hub)
    with caplog.at_level(logging.ERROR):
        publisher.publish(Event(topic='test.raise'))
        publisher.publish(Event(topic='test.raise'))
        process_until(hub, lambda: len(received) == 2)
    assert 'broken handler' in caplog.text
