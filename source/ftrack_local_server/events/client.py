"""One client websocket connected to the event server.

A :class:`ClientConnection` owns the client's subscribers and an outgoing
queue drained by its own writer task, so that a slow or stalled client only
ever delays itself. Every packet waiting for the client (events, acks,
error replies, heartbeats) counts against one limit; a client past it is
disconnected (logged once). It runs on the server's event loop; decoding a
large packet and parsing a long subscription or target expression run in
a worker thread, so that one client cannot stall the others.
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

#: Longest subscription or event target expression accepted (characters).
MAX_EXPRESSION_LENGTH = 16384

#: Deepest nesting of lists and objects accepted in an event.
MAX_EVENT_DEPTH = 64

#: Packets longer than this (characters) are decoded in a worker thread.
LARGE_PACKET = 16384

#: Expressions longer than this (characters) are parsed in a worker thread.
LONG_EXPRESSION = 256

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
        #: Whether the connection was dropped for exceeding the queue limit.
        self.overflowed = False
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

        Every packet counts against the queue limit, *control* ones
        (heartbeats, acks, errors) too: a client with as many packets
        waiting as the limit is not reading, and is disconnected (logged
        once); its waiting packets are dropped.
        """
        if self._closed:
            return
        if len(self._queue) >= self.queue_limit:
            self._overflow()
            return
        self._queue.append(text)
        self._wake.set()

    def _overflow(self) -> None:
        self.overflowed = True
        self.dropped = len(self._queue) + 1
        logger.warning(
            'Client %r is not keeping up: %d packets wait to be sent (queue limit '
            '%d); disconnecting it.', self, len(self._queue), self.queue_limit)
        self._closed = True
        self._queue.clear()
        self._wake.set()
        # It does not read, so a close frame would never get through.
        self._abort()

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
            if self._closed:
                break
            if message.type == WSMsgType.TEXT:
                # Awaited, so the client's packets are handled in order.
                await self.handle_message(message.data)
            elif message.type == WSMsgType.BINARY:
                self._error('binary frames are not supported; send text packets')
            elif message.type == WSMsgType.ERROR:
                logger.debug('Websocket error on %r: %s', self, self.websocket.exception())
                break

    def handle_text(self, text: str) -> None:
        """Handle one text packet from the client (the slow parts are scheduled)."""
        asyncio.ensure_future(self.handle_message(text))

    async def handle_message(self, text: str) -> None:
        """Handle one text packet from the client.

        A packet longer than :data:`LARGE_PACKET` is decoded, and an
        expression longer than :data:`LONG_EXPRESSION` parsed, in a worker
        thread.
        """
        packet = self._decode_packet(text)
        if packet is None:
            return
        if packet.type != socketio.EVENT:
            self._handle_other_packet(packet)
            return
        large = len(text) > LARGE_PACKET
        if large:
            loop = asyncio.get_running_loop()
            decoded = await loop.run_in_executor(None, _decode_event, packet)
        else:
            decoded = _decode_event(packet)
        if self._closed:
            return
        work = self._handle_decoded_event(packet, decoded, large)
        if work is not None:
            await work

    def _decode_packet(self, text: str) -> Any:
        try:
            return socketio.decode(text)
        except ftrack_api.exception.EventHubPacketError as error:
            logger.debug('Invalid packet from %r: %s', self, error)
            self._error(str(error))
            return None

    def _handle_other_packet(self, packet: Any) -> None:
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
        work = self._handle_decoded_event(packet, _decode_event(packet))
        if work is not None:
            asyncio.ensure_future(work)

    def _handle_decoded_event(self, packet: Any, decoded: Tuple[Any, Optional[str]],
                              large: bool = False) -> Any:
        """Handle the decoded event; return a coroutine finishing the work, or None.

        A *large* event, or one with a long target, is encoded and its
        target parsed in a worker thread.
        """
        event, problem = decoded
        if problem is not None:
            self._acknowledge(packet, False, problem)
            return None
        topic = event.get('topic')
        if not isinstance(topic, str) or not topic:
            self._handle_event(packet, event)
            return None
        if topic == socketio.SUBSCRIBE_TOPIC:
            data = event.get('data')
            subscription = data.get('subscription') if isinstance(data, dict) else None
            if _long_expression(subscription):
                return self._subscribe_parsed(packet, data)
        elif topic != socketio.UNSUBSCRIBE_TOPIC and (
                large or _long_expression(event.get('target'))):
            return self._route_off_loop(packet, event)
        self._handle_event(packet, event)
        return None

    async def _route_off_loop(self, packet: Any, event: Dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        prepared = await loop.run_in_executor(None, self.server.prepare, event)
        if self._closed:
            return
        if prepared[0]:
            self.server.deliver(*prepared[2:])
        self._acknowledge(packet, prepared[0], prepared[1])

    async def _subscribe_parsed(self, packet: Any, data: Dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        parsed = await loop.run_in_executor(
            None, self.server.parse_expression, data['subscription'])
        if self._closed:
            return
        success, message = self._subscribe(data, parsed)
        self._acknowledge(packet, success, message)

    def _handle_event(self, packet: Any, event: Dict[str, Any]) -> None:
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

    def _subscribe(self, data: Any, parsed: Any = None) -> Tuple[bool, Optional[str]]:
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
        if parsed is None:
            parsed = self.server.parse_expression(subscription)
        expression, problem = parsed
        if problem is not None:
            return False, problem
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


def _long_expression(value: Any) -> bool:
    return isinstance(value, str) and len(value) > LONG_EXPRESSION


def _decode_event(packet: Any) -> Tuple[Any, Optional[str]]:
    """Return ``(event, None)`` for the event *packet*, or ``(None, problem)``.

    Safe to run in a worker thread; refuses events nested deeper than
    :data:`MAX_EVENT_DEPTH`.
    """
    from .. import limits

    try:
        event = socketio.decode_event(packet)
    except ftrack_api.exception.EventHubPacketError as error:
        return None, str(error)
    except RecursionError:
        return None, 'Event packet nests lists or objects too deeply (at most {0} levels).'.format(
            MAX_EVENT_DEPTH)
    depth = limits.json_depth(event, MAX_EVENT_DEPTH)
    if depth > MAX_EVENT_DEPTH:
        return None, 'Event nests lists or objects {0} levels deep; at most {1} are accepted.'.format(
            depth, MAX_EVENT_DEPTH)
    return event, None


def _excerpt(value: Any, limit: int = 200) -> str:
    text = repr(value)
    if len(text) > limit:
        return text[:limit] + '...'
    return text


