"""Helpers for testing event code against a local server.

Events travel between threads and processes, so a test has to wait for
them. These helpers wait for a condition with a deadline instead of
sleeping for a fixed time::

    from ftrack_local_server.events import testing

    received = []
    session.event_hub.subscribe('topic=my-company.done', received.append)
    testing.sync_subscriptions(session.event_hub)
    other_session.event_hub.publish(Event(topic='my-company.done'))
    testing.process_until(session.event_hub, lambda: received)

:func:`serving` handles hubs' events on background threads while a block
runs, as services do. :class:`RawEventClient` speaks the socket.io packets
by hand, to test the event server itself.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
import uuid
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

#: Seconds the helpers wait by default before failing.
DEFAULT_TIMEOUT = 20.0


def wait_until(
    predicate: Callable[[], Any],
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = 0.02,
    description: Optional[str] = None,
) -> None:
    """Poll *predicate* every *interval* seconds until it returns true.

    Raise :class:`AssertionError` naming *description* (or the predicate)
    if it is still false after *timeout* seconds.
    """
    _poll(predicate, lambda: time.sleep(interval), timeout, description, '')


def process_until(
    hub: Any,
    predicate: Callable[[], Any],
    timeout: float = DEFAULT_TIMEOUT,
    description: Optional[str] = None,
) -> None:
    """Handle *hub*'s events (on this thread) until *predicate* returns true.

    *hub* is an :class:`ftrack_api.event.hub.EventHub` that has been
    connected. Raise :class:`AssertionError` if *predicate* is still false
    after *timeout* seconds; its message names *description* (default: the
    predicate's name).
    """
    _poll(
        predicate,
        lambda: hub.wait(duration=0.05),
        timeout,
        description,
        ' of handling events',
    )


def _poll(
    predicate: Callable[[], Any],
    step: Callable[[], Any],
    timeout: float,
    description: Optional[str],
    doing: str,
) -> None:
    """Call *step* until *predicate* returns true; AssertionError after *timeout*.

    *doing* ends the failure message (what the waiting consisted of).
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(
                'Condition {0} not met within {1} seconds{2}.'.format(
                    description or getattr(predicate, '__name__', repr(predicate)),
                    timeout,
                    doing,
                )
            )
        step()


def sync_subscriptions(hub: Any, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Return once the event server knows every subscription *hub* announced.

    Subscribing only tells the server, without waiting for it. The server
    handles one connection's packets in order, so once an event the hub
    sends to itself comes back, every earlier subscription is in place.
    Events *hub* received meanwhile are handled on this thread.

    Raise :class:`AssertionError` if the probe does not come back within
    *timeout* seconds.
    """
    # Imported here: the server side of this package does not need the client.
    from ftrack_api.event.base import Event

    seen: List[Any] = []
    identifier = hub.subscribe('topic=ftrack-local-server.sync-probe', seen.append, priority=-1)
    try:
        hub.publish(
            Event(
                topic='ftrack-local-server.sync-probe',
                target='id={0}'.format(identifier),
            )
        )
        process_until(hub, lambda: seen, timeout, 'subscriptions known to the server')
    finally:
        hub.unsubscribe(identifier)


@contextlib.contextmanager
def serving(*hubs: Any, interval: float = 0.1) -> Iterator[None]:
    """Handle the events of *hubs* on background threads while in the block.

    Each hub gets a thread calling its ``wait`` for *interval* seconds at a
    time, as a service handling events does; the threads are stopped and
    joined when the block ends.
    """
    stop = threading.Event()

    def serve(hub: Any) -> None:
        while not stop.is_set():
            hub.wait(duration=interval)

    threads = [threading.Thread(target=serve, args=(hub,)) for hub in hubs]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join()


class HubFactory(object):
    """Make event hubs connected to a local server, and disconnect them all.

    Use it as a context manager (e.g. in a pytest fixture)::

        with HubFactory(server) as make_hub:
            listener = make_hub()
            publisher = make_hub()

    Hubs reconnect after a short delay (at most *max_reconnect_delay*
    seconds) instead of the production back-off, so tests that restart the
    server stay quick.
    """

    def __init__(self, server: Any, max_reconnect_delay: float = 0.5) -> None:
        """Make hubs for *server* (anything with ``url``, ``api_user``, ``api_key``)."""
        self.server = server
        self.max_reconnect_delay = max_reconnect_delay
        self.hubs: List[Any] = []

    def __call__(self, connect: bool = True, server: Any = None) -> Any:
        """Return a new :class:`ftrack_api.event.hub.EventHub`.

        It is connected unless *connect* is False; *server* overrides the
        factory's server for this hub.
        """
        from ftrack_api.event.hub import EventHub

        server = server or self.server
        hub = EventHub(server.url, server.api_user, server.api_key)
        hub.auto_reconnect_initial_delay = 0.05
        hub.auto_reconnect_max_delay = self.max_reconnect_delay
        self.hubs.append(hub)
        if connect:
            hub.connect()
        return hub

    def __enter__(self) -> 'HubFactory':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect every hub made that is connected or connecting."""
        from ftrack_api.exception import EventHubConnectionError

        for hub in self.hubs:
            try:
                hub.disconnect()
            except EventHubConnectionError:
                pass  # Never connected, or already disconnected.
        self.hubs = []


class RawEventClient(object):
    """A minimal socket.io 0.9 client of the event server, packets by hand.

    Performs the handshake, opens the websocket and expects the ``1::``
    packet. :meth:`recv` answers heartbeats on the way (with ``2:::`` as
    the Python API does, or ``2::`` as the JavaScript API does).
    """

    def __init__(
        self,
        url: str,
        api_user: str,
        api_key: str,
        credentials_in_query: bool = False,
        heartbeat_reply: str = '2:::',
        expect_connect: bool = True,
        timeout: float = 10.0,
    ) -> None:
        """Connect to the event server of the local server at *url*.

        *api_user* and *api_key* authenticate; they travel in headers, or
        in the query string of the handshake and of the websocket URL when
        *credentials_in_query* (the JavaScript API's way).
        *heartbeat_reply* is the packet answered to each heartbeat. With
        *expect_connect* (the default) the server's ``1::`` packet is
        awaited. *timeout* (seconds) applies to the handshake and to each
        socket operation.

        Raise :class:`AssertionError` if the handshake is refused or the
        server does not confirm the connection.
        """
        # Imported here so that importing this module stays cheap.
        import requests
        import websocket

        self.heartbeat_reply = heartbeat_reply
        self._websocket_module = websocket
        self.buffered: List[str] = []
        self.next_id = 0
        query = ''
        headers = {'ftrack-user': api_user, 'ftrack-api-key': api_key}
        if credentials_in_query:
            query = '?' + urllib.parse.urlencode(
                {'api_user': api_user, 'api_key': api_key}
            )
            headers = {}
        response = requests.get(
            url + '/socket.io/1/' + query, headers=headers, timeout=timeout
        )
        if response.status_code != 200:
            raise AssertionError(
                'Handshake refused with status {0}: {1}'.format(
                    response.status_code, response.text[:200]
                )
            )
        self.handshake = response.text
        self.session_id = response.text.split(':')[0]
        self.socket = websocket.create_connection(
            url.replace('http://', 'ws://', 1).replace('https://', 'wss://', 1)
            + '/socket.io/1/websocket/'
            + self.session_id
            + query,
            timeout=timeout,
        )
        if expect_connect:
            first = self.socket.recv()
            if first != '1::':
                raise AssertionError('Expected the connect packet, got {0!r}.'.format(first))

    def send(self, text: str) -> None:
        """Send the packet *text* as it is."""
        self.socket.send(text)

    def recv(self, timeout: float = 10.0, skip_heartbeats: bool = True) -> str:
        """Return the next packet text, answering heartbeats on the way.

        With *skip_heartbeats* False a heartbeat is returned like any other
        packet (and not answered). Raise :class:`AssertionError` if none
        arrives within *timeout* seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError('No packet within {0} seconds.'.format(timeout))
            self.socket.settimeout(remaining)
            try:
                text = self.socket.recv()
            except self._websocket_module.WebSocketTimeoutException:
                continue
            if skip_heartbeats and text == '2::':
                self.socket.send(self.heartbeat_reply)
                continue
            return text

    def emit(self, event: Mapping[str, Any], ack: bool = True) -> Optional[int]:
        """Send an ftrack *event*; return the packet id asked to acknowledge.

        With *ack* False the packet has no id (``5:::``), as the JavaScript
        API sends them, and None is returned.
        """
        payload = json.dumps({'name': 'ftrack.event', 'args': [event]})
        if not ack:
            self.send('5:::' + payload)
            return None
        self.next_id += 1
        self.send('5:{0}+::{1}'.format(self.next_id, payload))
        return self.next_id

    def emit_and_ack(self, event: Mapping[str, Any]) -> Dict[str, Any]:
        """Send *event* and return the argument of its acknowledgement.

        Events delivered before the acknowledgement are kept for
        :meth:`recv_event`.
        """
        packet_id = self.emit(event)
        prefix = '6:::{0}+'.format(packet_id)
        text = self.recv()
        while text.startswith('5:::'):
            self.buffered.append(text)
            text = self.recv()
        if not text.startswith(prefix):
            raise AssertionError('Expected the ack {0!r}, got {1!r}.'.format(prefix, text))
        arguments = json.loads(text[len(prefix):])
        if not isinstance(arguments, list) or len(arguments) != 1:
            raise AssertionError('Ack must carry one argument: {0!r}'.format(text))
        return arguments[0]

    def subscribe(
        self, subscription: str, subscriber_id: str, ack: bool = True, **metadata: Any
    ) -> Optional[Dict[str, Any]]:
        """Subscribe *subscriber_id* (with *metadata*) to *subscription*.

        Return the acknowledgement argument, or None when *ack* is False.
        """
        metadata['id'] = subscriber_id
        event = {
            'topic': 'ftrack.meta.subscribe',
            'id': uuid.uuid4().hex,
            'data': {'subscriber': metadata, 'subscription': subscription},
            'source': {},
            'target': '',
            'sent': None,
            'inReplyToEvent': None,
        }
        if not ack:
            self.emit(event, ack=False)
            return None
        return self.emit_and_ack(event)

    def unsubscribe(self, subscriber_id: str) -> Dict[str, Any]:
        """Unsubscribe *subscriber_id*; return the acknowledgement argument."""
        return self.emit_and_ack(
            {'topic': 'ftrack.meta.unsubscribe', 'data': {'subscriber': {'id': subscriber_id}}}
        )

    def recv_event(self, timeout: float = 10.0) -> Dict[str, Any]:
        """Return the next ftrack event delivered, skipping acknowledgements.

        Raise :class:`AssertionError` for any other packet, or if no event
        arrives within *timeout* seconds.
        """
        while True:
            if self.buffered:
                text = self.buffered.pop(0)
            else:
                text = self.recv(timeout=timeout)
            if text.startswith('6:::'):
                continue
            if not text.startswith('5:::'):
                raise AssertionError('Expected an event packet, got {0!r}.'.format(text[:200]))
            message = json.loads(text[4:])
            if message.get('name') != 'ftrack.event' or len(message.get('args', [])) != 1:
                raise AssertionError('Not an ftrack event: {0!r}'.format(text[:200]))
            return message['args'][0]

    def close(self) -> None:
        """Close the websocket."""
        self.socket.close()
