"""One client websocket connected to the event server.

A :class:`ClientConnection` owns the client's subscribers and an outgoing
queue drained by its own writer task, so that a slow or stalled client only
ever delays itself. It runs entirely on the server's event loop.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import socket
import struct
import time
from typing import Any, Deque, Dict, Optional, Tuple

from aiohttp import WSMsgType, web

import ftrack_api.exception
from ftrack_api.event import socketio

logger = logging.getLogger(__name__)

#: Most subscribers one connection may register.
MAX_SUBSCRIBERS = 10000

#: Seconds a closing websocket may take (sending the close frame, waiting
#: for the client's answer) before its transport is aborted: a client that
#: stopped reading never lets the close frame through.
CLOSE_GRACE = 2.0


class ClientConnection(object):
    """The server side of one websocket: subscribers, queue and packets."""

    def __init__(
        self,
        server: Any,
        websocket: web.WebSocketResponse,
        session_id: str,
        user: Dict[str, Any],
        queue_limit: int,
        transport: Optional[asyncio.BaseTransport] = None,
    ) -> None:
        """Serve *websocket*, opened for socket.io *session_id* by *user*.

        *server* is the :class:`~ftrack_local_server.events.server.EventServer`
        (asked to route the events this client publishes); *queue_limit* is
        the most packets kept waiting for the client; *transport* is the
        request's transport, aborted when a close does not finish in time.
        """
        self.server = server
        self.websocket = websocket
        self.transport = transport
        self.session_id = session_id
        self.user = user
        self.queue_limit = queue_limit
        #: Subscriber id -> (metadata, parsed subscription).
        self.subscribers: Dict[str, Tuple[Dict[str, Any], Any]] = {}
        self.last_received = time.monotonic()
        self.dropped = 0
        self._queue: Deque[str] = collections.deque()
        self._wake = asyncio.Event()
        self._closed = False

    def __repr__(self) -> str:
        return '<ClientConnection {0} user={1!r}>'.format(
            self.session_id, self.user.get('username')
        )

    # -- Sending ------------------------------------------------------------

    def enqueue(self, text: str, control: bool = False) -> None:
        """Queue the packet *text* for the client.

        Events beyond the queue limit push out the oldest waiting packets
        (logged); *control* packets (heartbeats, acks, errors) are always
        queued.
        """
        if self._closed:
            return
        if not control:
            while len(self._queue) >= self.queue_limit:
                self._queue.popleft()
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    logger.warning(
                        'Client %r is not keeping up: dropped %d packets so far '
                        '(queue limit %d).',
                        self,
                        self.dropped,
                        self.queue_limit,
                    )
        self._queue.append(text)
        self._wake.set()

    async def write_loop(self) -> None:
        """Send queued packets until the connection closes."""
        try:
            while not self._closed:
                await self._wake.wait()
                self._wake.clear()
                while self._queue and not self._closed:
                    await self.websocket.send_str(self._queue.popleft())
        except (ConnectionError, RuntimeError) as error:
            logger.debug('Stopped writing to %r: %s', self, error)
            await self.close()
        except Exception:
            logger.exception('Unexpected error writing to %r; closing it.', self)
            await self.close()

    async def close(self, reason: Optional[str] = None) -> None:
        """Close the websocket, first telling the client why when *reason*.

        What was still queued for the client is dropped. A client that does
        not let the close through within :data:`CLOSE_GRACE` seconds (it
        stopped reading) has its connection aborted.
        """
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        self._wake.set()
        try:
            await asyncio.wait_for(self._close_websocket(reason), CLOSE_GRACE)
        except asyncio.TimeoutError:
            logger.info('%r did not take the close in time; aborting it.', self)
            self._abort()

    def _abort(self) -> None:
        """Drop the connection at once, with whatever the kernel still holds."""
        if self.transport is None:
            return
        sock = self.transport.get_extra_info('socket')
        if sock is not None:
            try:
                # Linger 0: reset the connection and discard unsent data,
                # instead of the kernel trickling it to a stalled client.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            except OSError:
                logger.debug('Could not set SO_LINGER for %r.', self, exc_info=True)
        self.transport.abort()

    async def _close_websocket(self, reason: Optional[str]) -> None:
        if reason is not None:
            try:
                await self.websocket.send_str(socketio.encode(socketio.DISCONNECT))
            except Exception:
                logger.debug('Could not send disconnect to %r.', self)
        try:
            await self.websocket.close()
        except Exception:
            logger.debug('Error closing %r.', self, exc_info=True)

    @property
    def closed(self) -> bool:
        """Whether the connection is closed."""
        return self._closed

    # -- Receiving ----------------------------------------------------------

    async def read_loop(self) -> None:
        """Handle packets from the client until it disconnects."""
        async for message in self.websocket:
            self.last_received = time.monotonic()
            if message.type == WSMsgType.TEXT:
                self.handle_text(message.data)
            elif message.type == WSMsgType.BINARY:
                self._error('binary frames are not supported; send text packets')
            elif message.type == WSMsgType.ERROR:
                logger.debug('Websocket error on %r: %s', self, self.websocket.exception())
                break

    def handle_text(self, text: str) -> None:
        """Handle one text packet from the client."""
        try:
            packet = socketio.decode(text)
        except ftrack_api.exception.EventHubPacketError as error:
            logger.debug('Invalid packet from %r: %s', self, error)
            self._error(str(error))
            return

        if packet.type == socketio.EVENT:
            self._handle_event_packet(packet)
        elif packet.type == socketio.HEARTBEAT:
            pass  # Receiving it already proved the client alive.
        elif packet.type == socketio.DISCONNECT:
            asyncio.ensure_future(self.close())
        elif packet.type == socketio.CONNECT:
            pass  # Clients may confirm the (only) endpoint; nothing to do.
        elif packet.type in (socketio.MESSAGE, socketio.JSON):
            self._error(
                '{0} packets are not supported; publish ftrack.event events '
                'instead'.format(packet.name)
            )
        elif packet.type == socketio.ACK:
            pass  # The server never asks for acknowledgements.
        elif packet.type == socketio.ERROR:
            logger.info('Client %r reported an error: %s', self, packet.data[:200])

    def _error(self, reason: str) -> None:
        # Error packets carry no newlines or framing; keep them one line.
        self.enqueue(
            socketio.encode(socketio.ERROR, data=' '.join(reason.split())), control=True
        )

    def _acknowledge(self, packet: Any, success: bool, message: Optional[str] = None) -> None:
        if packet.id is None:
            if not success:
                self._error(message or 'event rejected')
            return
        if not packet.ack:
            self.enqueue(socketio.encode(socketio.ACK, data=str(packet.id)), control=True)
            return
        result: Dict[str, Any] = {'success': success}
        if message is not None:
            result['message'] = message
        self.enqueue(socketio.encode_ack(packet.id, [result]), control=True)

    def _handle_event_packet(self, packet: Any) -> None:
        try:
            event = socketio.decode_event(packet)
        except ftrack_api.exception.EventHubPacketError as error:
            self._acknowledge(packet, False, str(error))
            return

        topic = event.get('topic')
        if not isinstance(topic, str) or not topic:
            self._acknowledge(
                packet, False, 'Event has no topic: {0!r}'.format(_excerpt(event))
            )
            return

        if topic == socketio.SUBSCRIBE_TOPIC:
            success, message = self._subscribe(event.get('data'))
        elif topic == socketio.UNSUBSCRIBE_TOPIC:
            success, message = self._unsubscribe(event.get('data'))
        else:
            success, message = self.server.route(event, origin=self)
        self._acknowledge(packet, success, message)

    # -- Subscribers --------------------------------------------------------

    def _subscribe(self, data: Any) -> Tuple[bool, Optional[str]]:
        if not isinstance(data, dict):
            return False, 'Subscribe event data must be an object, got {0!r}.'.format(
                _excerpt(data)
            )
        subscriber = data.get('subscriber')
        subscription = data.get('subscription')
        if not isinstance(subscriber, dict) or not subscriber.get('id'):
            return False, 'Subscriber must be an object with an id, got {0!r}.'.format(
                _excerpt(subscriber)
            )
        if not isinstance(subscription, str):
            return False, 'Subscription must be a string, got {0!r}.'.format(
                _excerpt(subscription)
            )
        try:
            expression = self.server.parser.parse(subscription)
        except ftrack_api.exception.ParseError as error:
            return False, str(error)
        identifier = str(subscriber['id'])
        if identifier not in self.subscribers and len(self.subscribers) >= MAX_SUBSCRIBERS:
            return False, 'Too many subscribers on one connection (limit {0}).'.format(
                MAX_SUBSCRIBERS
            )
        # Re-announcing a known subscriber replaces it: clients do so after
        # every reconnection, and some announce twice.
        self.subscribers[identifier] = (subscriber, expression)
        logger.debug('%r subscribed %s to %r.', self, identifier, subscription)
        return True, None

    def _unsubscribe(self, data: Any) -> Tuple[bool, Optional[str]]:
        subscriber = data.get('subscriber') if isinstance(data, dict) else None
        if not isinstance(subscriber, dict) or not subscriber.get('id'):
            return False, 'Subscriber must be an object with an id, got {0!r}.'.format(
                _excerpt(subscriber)
            )
        identifier = str(subscriber['id'])
        if self.subscribers.pop(identifier, None) is None:
            # Idempotent like subscribing: the wanted state holds already.
            return True, 'Subscriber {0!r} was not subscribed on this connection.'.format(
                identifier
            )
        logger.debug('%r unsubscribed %s.', self, identifier)
        return True, None

    def wants(self, event: Dict[str, Any], target: Optional[Any]) -> bool:
        """Return whether any subscriber matches *event* and the *target*.

        *target* is the parsed target expression, or None for an
        untargeted event.
        """
        for metadata, expression in self.subscribers.values():
            if expression.match(event) and (target is None or target.match(metadata)):
                return True
        return False


def _excerpt(value: Any, limit: int = 200) -> str:
    text = repr(value)
    if len(text) > limit:
        return text[:limit] + '...'
    return text


