"""What the event hub puts on the wire and how it fails, against a LocalServer."""

from __future__ import annotations

import http.server
import json
import logging
import threading

import pytest
import requests
import websocket

import ftrack_api
import ftrack_api.exception
from ftrack_api.event.base import Event
from ftrack_api.event.hub import EventHub
from ftrack_local_server.events.testing import wait_until


@pytest.fixture
def recorded(monkeypatch):
    """Record text frames, handshake headers and websocket options."""
    records = {'sent': [], 'handshakes': [], 'upgrades': []}
    original_send = websocket.WebSocket.send

    def send(self, data, *args, **kwargs):
        if isinstance(data, str):
            records['sent'].append(data)
        return original_send(self, data, *args, **kwargs)

    original_request = requests.Session.request

    def request(self, method, url, *args, **kwargs):
        if '/socket.io/' in url:
            headers = dict(self.headers)
            headers.update(kwargs.get('headers') or {})
            records['handshakes'].append(headers)
        return original_request(self, method, url, *args, **kwargs)

    original_create = websocket.create_connection

    def create_connection(url, **kwargs):
        records['upgrades'].append(kwargs)
        return original_create(url, **kwargs)

    monkeypatch.setattr(websocket.WebSocket, 'send', send)
    monkeypatch.setattr(requests.Session, 'request', request)
    monkeypatch.setattr(websocket, 'create_connection', create_connection)
    return records


def _hub(server, **kwargs):
    return EventHub(server.url, server.api_user, server.api_key, **kwargs)


def test_session_hub_sends_strict_header_and_credentials(ftrack_server, recorded):
    session = ftrack_api.Session(
        server_url=ftrack_server.url, api_user=ftrack_server.api_user,
        api_key=ftrack_server.api_key, auto_connect_event_hub=True,
        strict_api=True, headers={'X-Studio': 'one'}, cookies={'c1': 'v1'},
    )
    try:
        assert session.event_hub.wait_for_connection(timeout=20)
        assert session.event_hub._headers == {
            'X-Studio': 'one', 'ftrack-strict-api': 'true'}
        handshake = recorded['handshakes'][0]
        names = list(handshake)
        # Credentials first, then the hub's own headers.
        assert names.index('ftrack-user') < names.index('X-Studio')
        assert handshake['ftrack-strict-api'] == 'true'
        assert handshake['ftrack-api-key'] == ftrack_server.api_key
        upgrade = recorded['upgrades'][0]
        assert upgrade['header'] == {'X-Studio': 'one', 'ftrack-strict-api': 'true'}
        assert upgrade['cookie'] == 'c1=v1'
        assert upgrade['timeout'] == 60
        # The session's own subscribers come before the hub's reply one.
        identifiers = [s.metadata['id'] for s in session.event_hub._subscribers]
        assert identifiers[-1] == session.event_hub.id
        # /api headers: the requests defaults, the caller's, then strict.
        assert list(session._request.headers)[-2:] == ['X-Studio', 'ftrack-strict-api']
        assert session._request.headers['Accept'] == '*/*'
    finally:
        session.close()


def test_packets_are_written_like_upstream(ftrack_server, recorded):
    hub = _hub(ftrack_server)
    hub.subscribe('topic=before', lambda event: None, subscriber={'id': 'before'})
    hub.init_connection()
    hub.subscribe('topic=during', lambda event: None, subscriber={'id': 'during'})
    assert hub.publish(Event('queued.event', data={'text': 'é'})) is True
    hub.connect()
    try:
        sent = recorded['sent']
        summary = []
        for packet in sent:
            prefix, _, body = packet.partition('::')
            event = json.loads(body)['args'][0]
            summary.append((prefix, event['data'].get('subscription', event['topic'])))
        # Announcements first, then what was queued while connecting.
        assert summary == [
            ('5:1+', 'topic=before'), ('5:2+', 'topic=during'),
            ('5:3+', 'topic=ftrack.meta.reply'), ('5:4+', 'topic=during'),
            ('5:5+', 'queued.event'),
        ]
        last = sent[-1]
        assert '"text": "\\u00e9"' in last  # json.dumps defaults: ASCII, ", " and ": "
        assert list(json.loads(last.partition('::')[2])['args'][0]) == [
            'id', 'data', 'topic', 'sent', 'source', 'target', 'inReplyToEvent']
    finally:
        hub.disconnect()
    assert hub._intentional_disconnect is True


def test_any_create_connection_error_becomes_a_connection_error(
    ftrack_server, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise ValueError('refused by test')

    monkeypatch.setattr(websocket, 'create_connection', refuse)
    hub = _hub(ftrack_server)
    with caplog.at_level(logging.DEBUG, logger='ftrack_api'):
        with pytest.raises(ftrack_api.exception.EventHubConnectionError) as raised:
            hub.connect()
    assert str(raised.value) == (
        "Failed to connect to event server at {0!r} with error: "
        "\"b'refused by test'\".".format(ftrack_server.url.encode()))
    assert isinstance(raised.value.__cause__, ValueError)
    assert 'with error: "refused by test".' in caplog.text
    assert hub.connected is False


def test_refused_handshake_names_the_status(ftrack_server):
    hub = EventHub(ftrack_server.url, ftrack_server.api_user, 'wrong-key')
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as raised:
        hub._get_socket_io_session()
    assert str(raised.value) == 'Received unexpected status code 401.'


@pytest.fixture
def polling_only_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'abc:60:60:xhr-polling'
            self.send_response(200)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:{0}'.format(server.server_port)
    server.shutdown()


def test_server_without_websocket_transport(polling_only_server):
    hub = EventHub(polling_only_server, 'user', 'key')
    session = hub._get_socket_io_session()
    assert tuple(session) == ('abc', '60', ['xhr-polling'])
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as raised:
        hub.connect()
    assert "Server does not support websocket sessions." in str(raised.value)


def test_failure_while_sending_is_logged_not_raised(ftrack_server, caplog):
    hub = _hub(ftrack_server)
    hub.connect()
    try:
        with caplog.at_level(logging.ERROR, logger='ftrack_api'):
            assert hub.publish(Event('x.y', data={'value': object()})) is None
        assert "Error sending event <Event {'id': " in caplog.text
        # The connection is still usable.
        received = []
        hub.subscribe('topic=after.failure', received.append)
        hub.publish(Event('after.failure'))
        wait_until(lambda: (hub.wait(0.1), received)[1])
    finally:
        hub.disconnect()


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers."""
    import socket

    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:{0}'.format(listener.getsockname()[1])
    stop.set()
    thread.join(5)
    for connection in accepted:
        connection.close()
    listener.close()


def test_connect_timeout_bounds_the_handshake(silent_server):
    hub = EventHub(silent_server, 'user', 'key')
    hub.connect_timeout = 0.5
    failures = []

    def attempt():
        try:
            hub.connect()
        except ftrack_api.exception.EventHubConnectionError as error:
            failures.append(str(error))

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    # Far below the default of 60 seconds: the hub's own timeout was used.
    thread.join(20)
    assert not thread.is_alive()
    assert failures and 'Failed to connect to server' in failures[0]


def test_session_timeout_reaches_the_event_hub(ftrack_server):
    session = ftrack_api.Session(
        server_url=ftrack_server.url, api_user=ftrack_server.api_user,
        api_key=ftrack_server.api_key, auto_connect_event_hub=False, timeout=3,
    )
    try:
        assert session.event_hub.connect_timeout == 3
    finally:
        session.close()
    default = EventHub(ftrack_server.url, 'user', 'key')
    assert default.connect_timeout == 60
