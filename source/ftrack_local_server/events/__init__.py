"""The event server: socket.io 0.9 over a websocket, as ftrack serves it.

Clients shake hands with ``GET /socket.io/1/`` (credentials in the
``ftrack-user`` / ``ftrack-api-key`` headers or the ``api_user`` /
``api_key`` query parameters), then open the websocket
``/socket.io/1/websocket/<session id>``. Events travel as ``ftrack.event``
socket.io events; subscriptions and replies are events with the
``ftrack.meta.*`` topics. After every committed ``/api`` batch that changed
data, an ``ftrack.update`` event is published.

Options (``ServerConfig.options``):

``event_heartbeat_interval``
    Seconds between heartbeats sent to every client (default 10).
``event_heartbeat_timeout``
    Seconds of silence after which a client is considered gone; announced
    to clients in the handshake (default ``max(2.5 * interval, interval + 5)``).
``event_queue_limit``
    Most packets (events, acks, error replies, heartbeats) waiting to be
    sent to one client; a client past it is not reading and is disconnected,
    logged once (default 10000).

Subscription and target expressions longer than 16384 characters are
refused with a failed acknowledgement (or an error packet); long ones and
large packets are parsed and decoded in a worker thread.
"""

from __future__ import annotations

from typing import Any

from .server import EventServer

__all__ = ['EventServer', 'setup']


def setup(app: Any, state: Any) -> EventServer:
    """Add the event server's routes to the aiohttp *app*; return the server.

    *state* is the :class:`~ftrack_local_server.state.ServerState`; its
    ``config.options`` configure the server (see the module documentation).
    """
    server = EventServer(state, state.config.options)
    server.add_routes(app)
    return server
