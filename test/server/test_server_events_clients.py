"""The event server with clients that misbehave or speak the JavaScript variant."""

from __future__ import annotations

import socket
import time

import pytest
import requests
import websocket

from ftrack_api.event.base import Event
from ftrack_api.event.hub import EventHub
from ftrack_local_server import LocalServer
from ftrack_local_server.events.testing import (
    RawEventClient,
    process_until,
    sync_subscriptions,
    wait_until,
)


@pytest.fixture(scope='module')
def server():
    with LocalServer(
        options={'event_heartbeat_interval': 0.2, 'event_heartbeat_timeout': 1.5}
    ) as running:
        yield running


def raw_client(server, **kwargs):
    return RawEventClient(server.url, server.api_user, server.api_key, **kwargs)


def connections_with(server, subscriber_id):
    return [
        connection
        for connection in server.state.event_server.connections
        if subscriber_id in connection.subscribers
    ]


def test_javascript_style_client(server):
    """Credentials in query strings, events without ack ids, ``2::`` heartbeats."""
    client = raw_client(server, credentials_in_query=True, heartbeat_reply='2::')
    hub = EventHub(server.url, server.api_user, server.api_key)
    hub.connect()
    try:
        # The JavaScript API announces its reply subscriber twice.
        for _ in range(2):
            client.subscribe('topic=ftrack.meta.reply', 'js-hub', ack=False)
        client.subscribe('topic=js.question', 'js-subscriber', ack=False)
        wait_until(lambda: len(connections_with(server, 'js-subscriber')) == 1)

        # Answering heartbeats with ``2::`` keeps it connected for longer
        # than the heartbeat timeout.
        deadline = time.monotonic() + 3
        seen = []
        while time.monotonic() < deadline:
            try:
                seen.append(client.recv(timeout=0.5))
            except AssertionError:
                pass
        assert seen == []  # Heartbeats only; and never an ack.
        assert len(connections_with(server, 'js-subscriber')) == 1

        replies = []
        hub.publish(
            Event(topic='js.question', data={'q': 1}), on_reply=replies.append
        )
        question = client.recv_event()
        assert question['data'] == {'q': 1}
        # A JavaScript reply: dashed ids, no ``sent``, no packet id.
        client.emit(
            {
                'topic': 'ftrack.meta.reply',
                'id': '0b5ab4b5-7a8c-4b5a-9e5d-1f3c6e1b2a3c',
                'data': {'answer': 'from js'},
                'source': {'id': 'js-subscriber', 'applicationId': 'ftrack.api.javascript'},
                'target': 'id={0}'.format(question['source']['id']),
                'inReplyToEvent': question['id'],
            },
            ack=False,
        )
        process_until(hub, lambda: replies)
        assert replies[0]['data'] == {'answer': 'from js'}
        assert replies[0]['source']['applicationId'] == 'ftrack.api.javascript'
    finally:
        hub.disconnect()
        client.close()


def test_unsubscribing_an_unknown_subscriber_is_harmless(server):
    client = raw_client(server)
    try:
        result = client.unsubscribe('never-subscribed')
        assert result['success'] is True
        assert 'never-subscribed' in result['message']
        # Without an ack id (JavaScript) nothing at all is answered: an
        # error packet would make that client close and reconnect.
        client.emit(
            {'topic': 'ftrack.meta.unsubscribe', 'data': {'subscriber': {'id': 'nope'}}},
            ack=False,
        )
        assert client.subscribe('topic=x', 'alive') == {'success': True}
    finally:
        client.close()


def test_client_that_stops_reading_is_closed_and_released(server):
    silent = raw_client(server)
    # A small receive buffer fills up fast once the client stops reading.
    silent.socket.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    silent.subscribe('topic=test.never-read', 'never-reads')
    publisher = EventHub(server.url, server.api_user, server.api_key)
    publisher.connect()
    try:
        payload = 'x' * 100000
        for index in range(200):
            publisher.publish(Event(topic='test.never-read', data={'n': index, 'p': payload}))
        # Not answering heartbeats, the client is dropped after the timeout
        # although the server cannot write to it any more.
        wait_until(
            lambda: not connections_with(server, 'never-reads'),
            description='the stalled connection removed',
        )
        # And its socket really is closed: reading ends (no endless stream).
        silent.socket.sock.settimeout(10)
        with pytest.raises((OSError, websocket.WebSocketException)):
            while silent.socket.sock.recv(1 << 20):
                pass
            raise OSError('connection closed by the server')
    finally:
        publisher.disconnect()
        silent.socket.sock.close()


def test_pending_handshakes_are_bounded(server):
    event_server = server.state.event_server
    event_server.max_pending_sessions = 5
    try:
        session_ids = []
        for _ in range(8):
            response = requests.get(
                server.url + '/socket.io/1/',
                headers={'ftrack-user': server.api_user, 'ftrack-api-key': server.api_key},
                timeout=10,
            )
            session_ids.append(response.text.split(':')[0])
        assert len(event_server._sessions) <= 5
        ws_url = server.url.replace('http://', 'ws://') + '/socket.io/1/websocket/'
        # The oldest unused handshakes were forgotten, the newest still work.
        with pytest.raises(websocket.WebSocketBadStatusException):
            websocket.create_connection(ws_url + session_ids[0], timeout=10)
        newest = websocket.create_connection(ws_url + session_ids[-1], timeout=10)
        assert newest.recv() == '1::'
        newest.close()
    finally:
        event_server.max_pending_sessions = type(event_server).max_pending_sessions


def test_python_hub_and_raw_client_share_events(server):
    hub = EventHub(server.url, server.api_user, server.api_key)
    hub.connect()
    client = raw_client(server)
    try:
        received = []
        hub.subscribe('topic=test.from-raw', received.append)
        sync_subscriptions(hub)
        assert client.emit_and_ack(
            {'topic': 'test.from-raw', 'data': {'ü': 'ß'}}
        ) == {'success': True}
        process_until(hub, lambda: received)
        assert received[0]['data'] == {'ü': 'ß'}
    finally:
        hub.disconnect()
        client.close()


def test_packet_id_without_data_ack_gets_a_plain_ack(server):
    client = raw_client(server)
    try:
        client.send('5:7::{"name":"ftrack.event","args":[{"topic":"test.plain-ack"}]}')
        # socket.io 0.9: an id without "+" asks for an ack carrying no data.
        assert client.recv() == '6:::7'
    finally:
        client.close()
