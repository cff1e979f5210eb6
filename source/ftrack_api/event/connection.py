"""One socket.io connection from an event hub to the event server.

The :class:`Connection` performs the HTTP handshake, opens the websocket and
runs a receive thread. It answers heartbeats itself, so that slow event
handlers (which run elsewhere) never make the server think the client is
gone, and hands every other packet to the hub.
"""

from __future__ import annotations

import logging
import threading
import time

import requests
import websocket

import ftrack_api.exception
import ftrack_api.event.socketio as socketio

logger = logging.getLogger(__name__)

#: Seconds allowed for the handshake request and for the server's first
#: packet after the websocket opens.
CONNECT_TIMEOUT = 60

#: Seconds without any packet after which the connection is considered
#: dead when the server did not announce a heartbeat timeout.
DEFAULT_HEARTBEAT_TIMEOUT = 60

#: The answer to a server heartbeat (``2:::``, as the Python API sends it).
HEARTBEAT_REPLY = socketio.encode(socketio.HEARTBEAT, data='')


def handshake(handshake_url, headers=None, cookies=None, timeout=CONNECT_TIMEOUT):
    """Return the :class:`~ftrack_api.event.socketio.SocketIoSession` granted.

    *handshake_url* is ``<scheme>://<host>[:<port>]/socket.io/1/``;
    *headers* and *cookies* are sent with the request (credentials travel
    in the ``ftrack-user`` / ``ftrack-api-key`` headers); *timeout* is in
    seconds.

    Raise :class:`ftrack_api.exception.EventHubConnectionError` if the
    server cannot be reached or refuses the handshake.
    """
    try:
        response = requests.get(
            handshake_url, headers=headers, cookies=cookies, timeout=timeout
        )
    except requests.RequestException as error:
        raise ftrack_api.exception.EventHubConnectionError(
            'Failed to connect to server: {0}.'.format(error)
        )
    if response.status_code != 200:
        logger.debug(
            'Handshake with %s answered %d: %.200s',
            handshake_url, response.status_code, response.text,
        )
        raise ftrack_api.exception.EventHubConnectionError(
            'Received unexpected status code {0}.'.format(response.status_code)
        )
    return socketio.parse_handshake(response.text)


class Connection(object):
    """An open websocket to the event server and its receive thread."""

    def __init__(self, socket, session, on_packet, on_lost, pending_packets=()):
        """Wrap the open websocket *socket* of socket.io *session*.

        *on_packet* is called on the receive thread with each decoded
        :class:`~ftrack_api.event.socketio.Packet` other than heartbeats.
        *on_lost* is called once, with this connection and a description
        of the cause, when the connection is lost without :meth:`close`
        having been called. *pending_packets* were received before the
        receive thread started and are delivered first.

        Use :meth:`open` rather than calling this directly.
        """
        super().__init__()
        self.session = session
        self._socket = socket
        self._on_packet = on_packet
        self._on_lost = on_lost
        self._pending_packets = list(pending_packets)
        self._closed = threading.Event()
        self._thread = threading.Thread(
            target=self._receive_loop,
            name='ftrack-event-hub-receive-{0}'.format(session.id),
        )
        self._thread.daemon = True

    @classmethod
    def open(cls, server_url, session, headers, cookies, on_packet, on_lost,
             timeout=CONNECT_TIMEOUT):
        """Open the websocket of the socket.io *session* and start receiving.

        *server_url* is ``<scheme>://<host>[:<port>]``; *session* is the
        :class:`~ftrack_api.event.socketio.SocketIoSession` the handshake
        granted. *headers* and *cookies* (mappings) go with the websocket
        upgrade. *on_packet* and *on_lost* are as for :class:`Connection`.
        *timeout* (seconds) bounds the websocket opening and the wait for
        the server's connect packet.

        Return the connection once the server has sent its connect packet.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if the
        server refuses or does not confirm the connection, and whatever
        ``websocket.create_connection`` raises if the websocket cannot be
        opened.
        """
        websocket_url = '{0}/socket.io/1/websocket/{1}'.format(
            server_url.replace('https://', 'wss://', 1).replace('http://', 'ws://', 1),
            session.id,
        )
        cookie = None
        if cookies:
            cookie = ';'.join(
                '{0}={1}'.format(key, value) for key, value in cookies.items()
            )
        # Looked up on the module at call time, so that it can be patched.
        socket = websocket.create_connection(
            websocket_url,
            timeout=timeout,
            enable_multithread=True,
            header=dict(headers or {}),
            cookie=cookie,
        )
        watchdog = socketio.heartbeat_seconds(session) or DEFAULT_HEARTBEAT_TIMEOUT

        try:
            pending = cls._await_connect_packet(socket, timeout)
            socket.settimeout(watchdog)
        except Exception:
            _close_quietly(socket)
            raise

        connection = cls(socket, session, on_packet, on_lost, pending)
        connection._thread.start()
        return connection

    @staticmethod
    def _await_connect_packet(socket, timeout):
        """Read until the server's connect packet; return packets read before it.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if the
        server disconnects, reports an error or stays silent.
        """
        deadline = time.monotonic() + timeout
        early = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Event server did not confirm the connection within '
                    '{0} seconds.'.format(timeout)
                )
            socket.settimeout(remaining)
            try:
                text = socket.recv()
            except (websocket.WebSocketException, OSError) as error:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Event server closed the websocket before confirming the '
                    'connection: {0}'.format(error)
                )
            packet = _decode(text)
            if packet is None:
                continue
            if packet.type == socketio.CONNECT:
                return early
            if packet.type == socketio.HEARTBEAT:
                socket.send(HEARTBEAT_REPLY)
            elif packet.type == socketio.DISCONNECT:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Event server refused the connection (disconnect packet).'
                )
            elif packet.type == socketio.ERROR:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Event server refused the connection: {0}'.format(packet.data)
                )
            else:
                early.append(packet)

    @property
    def connected(self):
        """Return whether the websocket is still open."""
        return not self._closed.is_set()

    def send(self, text):
        """Send the packet *text*.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if the
        connection is closed or the send fails (the connection is then
        treated as lost).
        """
        if self._closed.is_set():
            raise ftrack_api.exception.EventHubConnectionError(
                'Cannot send: the event server connection is closed.'
            )
        try:
            self._socket.send(text)
        except (websocket.WebSocketException, OSError) as error:
            self._lost('send failed: {0}'.format(error))
            raise ftrack_api.exception.EventHubConnectionError(
                'Failed to send to the event server: {0}'.format(error)
            )

    def close(self):
        """Close the websocket without reporting a loss; safe to call twice."""
        if self._closed.is_set():
            return
        self._closed.set()
        _close_quietly(self._socket)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5)

    def _lost(self, cause):
        """Close and report the loss (once) to the hub."""
        if self._closed.is_set():
            return
        self._closed.set()
        _close_quietly(self._socket)
        logger.info('Lost connection to the event server: %s', cause)
        try:
            self._on_lost(self, cause)
        except Exception:
            logger.exception('Error while handling the loss of the connection.')

    def _receive_loop(self):
        """Read packets until the connection is closed or lost."""
        for packet in self._pending_packets:
            self._dispatch(packet)
        self._pending_packets = []

        while not self._closed.is_set():
            try:
                opcode, text = self._socket.recv_data()
            except websocket.WebSocketTimeoutException:
                self._lost('no heartbeat from the server within {0} seconds'.format(
                    self._socket.gettimeout()
                ))
                return
            except (websocket.WebSocketException, OSError, ValueError) as error:
                self._lost('receive failed: {0!r}'.format(error))
                return

            if self._closed.is_set():
                return
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self._lost('websocket closed by the server')
                return
            if opcode not in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY):
                continue
            packet = _decode(text)
            if packet is None:
                continue
            if packet.type == socketio.HEARTBEAT:
                try:
                    self.send(HEARTBEAT_REPLY)
                except ftrack_api.exception.EventHubConnectionError:
                    return
                continue
            if packet.type == socketio.DISCONNECT:
                self._lost('server sent a disconnect packet')
                return
            self._dispatch(packet)

    def _dispatch(self, packet):
        """Hand *packet* to the hub, never letting a failure stop receiving."""
        try:
            self._on_packet(packet)
        except Exception:
            logger.exception('Error while processing packet %r.', packet)


def _decode(text):
    """Return the packet *text* encodes, or None (logged) if it is invalid."""
    try:
        return socketio.decode(text)
    except ftrack_api.exception.EventHubPacketError as error:
        logger.warning('Ignoring invalid packet from event server: %s', error)
        return None


def _close_quietly(socket):
    """Close *socket*, ignoring errors of an already broken connection."""
    try:
        socket.close(timeout=1)
    except Exception:
        logger.debug('Error closing websocket.', exc_info=True)
