"""The :class:`EventServer`: handshakes, websockets, routing and heartbeats."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple

from aiohttp import web

import ftrack_api.exception
from ftrack_api.event import socketio
from ftrack_api.event.expression import Parser

from .. import auth, errors
from .client import MAX_EXPRESSION_LENGTH, ClientConnection
from .updates import build_update_event

logger = logging.getLogger(__name__)

DEFAULT_HEARTBEAT_INTERVAL = 10.0
DEFAULT_QUEUE_LIMIT = 10000

#: Seconds a handshake's session id stays valid for opening the websocket.
SESSION_LIFETIME = 60.0

#: Seconds the server gives a closing client before dropping it.
CLOSE_TIMEOUT = 60


class EventServer(object):
    """Route ftrack events between websocket clients.

    Runs on the aiohttp event loop; :meth:`publish` and
    :meth:`publish_update` may be called from any thread.
    """

    #: Most handshakes kept waiting for their websocket; beyond it the
    #: oldest are forgotten (their websocket is then refused).
    max_pending_sessions = 10000

    def __init__(self, state: Any, options: Optional[Mapping[str, Any]] = None) -> None:
        """Serve events for the server *state*, configured by *options*.

        *options* may hold ``event_heartbeat_interval``,
        ``event_heartbeat_timeout`` and ``event_queue_limit`` (see
        :mod:`ftrack_local_server.events`).

        Raise :class:`ValueError` for an option that is not a positive number.
        """
        options = options or {}
        self.state = state
        self.heartbeat_interval = _positive(
            options, 'event_heartbeat_interval', DEFAULT_HEARTBEAT_INTERVAL
        )
        self.heartbeat_timeout = _positive(
            options,
            'event_heartbeat_timeout',
            max(self.heartbeat_interval * 2.5, self.heartbeat_interval + 5),
        )
        self.queue_limit = int(
            _positive(options, 'event_queue_limit', DEFAULT_QUEUE_LIMIT)
        )
        self.parser = Parser()
        self.connections: List[ClientConnection] = []
        #: Session id -> (user, expiry) of handshakes not yet opened.
        self._sessions: Dict[str, Tuple[Dict[str, Any], float]] = {}
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._heartbeat_task: Optional[asyncio.Task] = None
        self._closed = False

    def add_routes(self, app: web.Application) -> None:
        """Add the handshake and websocket routes and start-up hook to *app*."""
        app.router.add_get('/socket.io/1/', self.handle_handshake)
        app.router.add_get('/socket.io/1', self.handle_handshake)
        app.router.add_get('/socket.io/1/websocket/{session_id}', self.handle_websocket)
        app.on_startup.append(self._on_startup)

    async def _on_startup(self, app: web.Application) -> None:
        self._loop = asyncio.get_running_loop()
        self._heartbeat_task = asyncio.ensure_future(self._heartbeat_loop())

    # -- Handshake and websocket -------------------------------------------

    async def handle_handshake(self, request: web.Request) -> web.Response:
        """Serve ``GET /socket.io/1/``: check credentials, grant a session id."""
        username = request.headers.get(auth.USER_HEADER) or request.query.get('api_user')
        api_key = request.headers.get(auth.API_KEY_HEADER) or request.query.get('api_key')
        loop = asyncio.get_running_loop()
        try:
            # May read the database after a failed check: off the loop.
            user = await loop.run_in_executor(
                None, auth.check_credentials, self.state, username, api_key
            )
        except errors.ApiError as error:
            logger.info('Refused event server handshake: %s', error.content)
            return web.json_response(error.to_json(), status=401)

        now = time.monotonic()
        self._sessions = dict(
            (key, value) for key, value in self._sessions.items() if value[1] > now
        )
        session_id = uuid.uuid4().hex
        self._sessions[session_id] = (user, now + SESSION_LIFETIME)
        excess = len(self._sessions) - self.max_pending_sessions
        if excess > 0:
            # Oldest first: the dictionary keeps insertion order.
            for key in list(self._sessions)[:excess]:
                del self._sessions[key]
            logger.warning(
                'More than %d event server handshakes wait for their websocket; '
                'forgot the %d oldest.',
                self.max_pending_sessions,
                excess,
            )
        body = '{0}:{1}:{2}:websocket'.format(
            session_id, _format_seconds(self.heartbeat_timeout), CLOSE_TIMEOUT
        )
        return web.Response(text=body, content_type='text/plain')

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """Serve the websocket of a session granted by the handshake."""
        session_id = request.match_info['session_id']
        granted = self._sessions.pop(session_id, None)
        if granted is None or granted[1] < time.monotonic():
            return web.json_response(
                errors.InvalidCredentialsError(
                    'Unknown or expired event server session {0!r}: shake hands '
                    'with GET /socket.io/1/ first.'.format(session_id)
                ).to_json(),
                status=403,
            )
        if self._closed:
            return web.Response(status=503, text='Event server is shutting down.')

        websocket = web.WebSocketResponse(autoping=True, max_msg_size=64 * 1024 ** 2)
        await websocket.prepare(request)
        connection = ClientConnection(
            self, websocket, session_id, granted[0], self.queue_limit, request.transport
        )
        self.connections.append(connection)
        logger.debug('%r connected.', connection)
        connection.enqueue(socketio.encode(socketio.CONNECT), control=True)
        writer = asyncio.ensure_future(connection.write_loop())
        try:
            await connection.read_loop()
        finally:
            if connection in self.connections:
                self.connections.remove(connection)
            await connection.close()
            writer.cancel()
            logger.debug('%r disconnected.', connection)
        return websocket

    # -- Routing -------------------------------------------------------------

    def parse_expression(self, text: str) -> Tuple[Any, Optional[str]]:
        """Return ``(parsed, None)`` for the subscription or target *text*, or ``(None, problem)``.

        Expressions longer than
        :data:`~ftrack_local_server.events.client.MAX_EXPRESSION_LENGTH`
        characters are refused unparsed. Safe to call from a worker thread.
        """
        if len(text) > MAX_EXPRESSION_LENGTH:
            return None, (
                'The expression has {0} characters; at most {1} are accepted: '
                '{2}...'.format(len(text), MAX_EXPRESSION_LENGTH, text[:80]))
        try:
            return self.parser.parse(text), None
        except ftrack_api.exception.ParseError as error:
            return None, str(error)
        except RecursionError:
            return None, 'The expression nests too deeply: {0}...'.format(text[:80])

    def route(
        self, event: Dict[str, Any], origin: Optional[ClientConnection] = None,
        parsed_target: Optional[Tuple[Any, Optional[str]]] = None,
    ) -> Tuple[bool, Optional[str]]:
        """Deliver *event* (wire form) to every interested connection, once each.

        Must run on the event loop. Keys other clients cannot read are
        removed; a missing id is generated. *parsed_target* is the result
        of :meth:`parse_expression` for the event's target when the caller
        parsed it already (off the loop). Return ``(success, message)`` for
        the publisher's acknowledgement.
        """
        prepared = self.prepare(event, parsed_target)
        if not prepared[0]:
            return False, prepared[1]
        return self.deliver(*prepared[2:]), prepared[1]

    def prepare(
        self, event: Dict[str, Any],
        parsed_target: Optional[Tuple[Any, Optional[str]]] = None,
    ) -> Tuple[Any, ...]:
        """Ready *event* for :meth:`deliver`; safe in any thread (it may take long).

        Return ``(True, message, event, target, text)`` with the parsed
        target and the packet text, or ``(False, problem)``.
        """
        unknown = [key for key in event if key not in socketio.EVENT_KEYS]
        for key in unknown:
            del event[key]
        event.setdefault('id', uuid.uuid4().hex)
        for key, default in (
            ('data', {}),
            ('source', {}),
            ('target', ''),
            ('sent', None),
            ('inReplyToEvent', None),
        ):
            event.setdefault(key, default)

        target = None
        target_text = event.get('target') or ''
        if target_text:
            if not isinstance(target_text, str):
                return False, 'Event target must be a string, got {0!r}.'.format(
                    target_text
                )
            target, problem = parsed_target or self.parse_expression(target_text)
            if problem is not None:
                return False, '{0}'.format(problem)

        try:
            text = socketio.encode_event(event)
        except (TypeError, ValueError) as error:
            return False, 'Event cannot be encoded: {0}'.format(error)
        message = None
        if unknown:
            message = 'Removed unsupported event keys: {0}.'.format(', '.join(sorted(unknown)))
        return True, message, event, target, text

    def deliver(self, event: Dict[str, Any], target: Any, text: str) -> bool:
        """Queue the packet *text* of the prepared *event* for every interested connection.

        Must run on the event loop; *target* is the parsed target or None.
        """
        for connection in list(self.connections):
            if connection.closed:
                continue
            try:
                wanted = connection.wants(event, target)
            except Exception:
                logger.exception('Error matching %s for %r.', event.get('topic'), connection)
                continue
            if wanted:
                connection.enqueue(text)
        return True

    def publish(self, event: Dict[str, Any], copy: bool = True) -> None:
        """Route the wire-form *event* from any thread (e.g. a batch worker).

        With *copy* (the default) the event is copied through JSON first
        (values JSON cannot hold become text), so later changes by the
        caller cannot leak in; without it the caller hands the event over.
        Events published before the server started, or after it closed, are
        logged and dropped.
        """
        loop = self._loop
        if loop is None or self._closed or loop.is_closed():
            logger.debug('Event server not running; dropped %s.', event.get('topic'))
            return
        # Serialise here, in the caller's thread, so that later changes by
        # the caller cannot leak in and the event loop only matches and
        # queues (a large update event takes long to encode).
        prepared = None
        if not copy:
            prepared = self.prepare(event)
            if not prepared[0]:
                prepared = None  # e.g. a value JSON cannot hold: copy it as text
        if prepared is None:
            event = json.loads(json.dumps(event, default=str))
            prepared = self.prepare(event)
        if not prepared[0]:
            logger.error('Could not publish %s: %s', event.get('topic'), prepared[1])
            return
        try:
            loop.call_soon_threadsafe(self.deliver, *prepared[2:])
        except RuntimeError:
            logger.debug('Event loop closed; dropped %s.', event.get('topic'))

    def publish_update(self, context: Any) -> None:
        """Publish ``ftrack.update`` for the committed batch *context*.

        Called from the batch worker thread once the batch is committed.
        """
        if not context.changes:
            return
        # A new event nobody else holds: no copy needed.
        self.publish(build_update_event(context), copy=False)

    # -- Heartbeats and shutdown ---------------------------------------------

    async def _heartbeat_loop(self) -> None:
        heartbeat = socketio.encode(socketio.HEARTBEAT)
        while not self._closed:
            await asyncio.sleep(self.heartbeat_interval)
            now = time.monotonic()
            for connection in list(self.connections):
                if connection.closed:
                    continue
                if now - connection.last_received > self.heartbeat_timeout:
                    logger.info(
                        'No packet from %r for %.1f seconds; closing it.',
                        connection,
                        now - connection.last_received,
                    )
                    asyncio.ensure_future(connection.close())
                else:
                    connection.enqueue(heartbeat, control=True)

    async def close(self) -> None:
        """Disconnect every client cleanly and stop sending heartbeats."""
        self._closed = True
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
        connections, self.connections = list(self.connections), []
        await asyncio.gather(
            *(connection.close('server shutting down') for connection in connections),
            return_exceptions=True,
        )


def _positive(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name)
    if value is None:
        return float(default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(
            'Option {0} must be a positive number of seconds or packets, got '
            '{1!r}.'.format(name, value)
        )
    return float(value)


def _format_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
