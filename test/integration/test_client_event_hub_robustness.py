"""EventHub under stress: races, restart storms, hostile servers, heavy use."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid

import pytest
from aiohttp import web

import ftrack_api.exception
from ftrack_api.event.base import Event
from ftrack_local_server import LocalServer
from ftrack_local_server.events.testing import (
    HubFactory,
    process_until,
    serving,
    sync_subscriptions,
    wait_until,
)

OPTIONS = {'event_heartbeat_interval': 0.2, 'event_heartbeat_timeout': 5}


def connections_of(server, hub):
    """Return the server's connections that announced *hub*'s reply subscriber."""
    return [
        connection
        for connection in server.state.event_server.connections
        if not connection.closed and hub.id in connection.subscribers
    ]


class ScriptedEventServer(object):
    """A socket.io server that misbehaves on purpose, to test the client.

    The first *drop_first* websockets are closed right after the connect
    packet. On the others, *packets* are sent after the connect packet, then
    heartbeats every 0.2 s; whatever the client sends is kept in
    :attr:`received`.
    """

    api_user = 'admin'
    api_key = 'any key'

    def __init__(self, drop_first=0, packets=()):
        self.drop_first = drop_first
        self.packets = list(packets)
        self.opened = 0
        self.kept = []
        self.received = []
        self._ready = threading.Event()
        self._stop = None
        self._socket = socket.socket()
        self._socket.bind(('127.0.0.1', 0))
        self.url = 'http://127.0.0.1:{0}'.format(self._socket.getsockname()[1])
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc_info):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self):
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self):
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_get('/socket.io/1/', self._handshake)
        app.router.add_get('/socket.io/1/websocket/{sid}', self._websocket)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.SockSite(runner, self._socket).start()
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    async def _handshake(self, request):
        return web.Response(text='{0}:5:60:websocket'.format(uuid.uuid4().hex))

    async def _websocket(self, request):
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        self.opened += 1
        await websocket.send_str('1::')
        if self.opened <= self.drop_first:
            await websocket.close()
            return websocket
        self.kept.append(websocket)
        for packet in self.packets:
            if isinstance(packet, bytes):
                await websocket.send_bytes(packet)
            else:
                await websocket.send_str(packet)
        heartbeats = asyncio.ensure_future(self._heartbeats(websocket))
        try:
            async for message in websocket:
                self.received.append(message.data)
        finally:
            heartbeats.cancel()
        return websocket

    async def _heartbeats(self, websocket):
        while not websocket.closed:
            await asyncio.sleep(0.2)
            await websocket.send_str('2::')


@pytest.fixture(scope='module')
def server():
    with LocalServer(options=OPTIONS) as running:
        yield running


@pytest.fixture
def hubs(server):
    with HubFactory(server, max_reconnect_delay=0.3) as factory:
        yield factory


# -- Connection races ------------------------------------------------------------


def test_connect_while_connecting_in_background_makes_one_connection(server, hubs):
    hub = hubs(connect=False)
    received = []
    hub.subscribe('topic=test.one-connection', received.append)
    thread = hub.connect_in_background()
    try:
        hub.connect()
    except ftrack_api.exception.EventHubConnectionError as error:
        # The background connection won: connecting again is refused.
        assert 'Already connected' in str(error)
    thread.join(30)
    assert hub.connected
    sync_subscriptions(hub)
    assert len(connections_of(server, hub)) == 1

    publisher = hubs()
    publisher.publish(Event(topic='test.one-connection'))
    process_until(hub, lambda: received)
    hub.wait(duration=0.3)
    assert len(received) == 1


def test_background_connect_after_connect_is_quiet(hubs, caplog):
    hub = hubs()
    thread = hub.connect_in_background()
    thread.join(30)
    assert hub.connected
    assert 'Could not connect' not in caplog.text


def test_reconnection_still_automatic_after_disconnect_and_reconnect(
    ftrack_server_factory, tmp_path, hubs
):
    own = ftrack_server_factory(
        database=str(tmp_path / 'events.sqlite'), options=OPTIONS
    )
    hub = hubs(connect=False, server=own)
    hub.connect()
    hub.disconnect(unsubscribe=False)
    hub.reconnect(attempts=3, delay=0.1)
    assert hub.connected
    connection = hub._connection

    own.restart()
    wait_until(
        lambda: hub.connected and hub._connection is not connection,
        description='automatic reconnection after the restart',
    )
    hub.disconnect()


def test_losses_right_after_connecting_are_noticed(hubs):
    # Every websocket but the fourth is closed as soon as it is confirmed:
    # the hub must keep trying until it holds one that stays open.
    with ScriptedEventServer(drop_first=3) as scripted:
        hub = hubs(connect=False, server=scripted)
        hub.connect()
        wait_until(
            lambda: hub.connected and len(scripted.kept) == 1,
            description='a connection that stays open',
        )
        assert scripted.opened == 4
        hub.disconnect()


def test_server_restart_storm(ftrack_server_factory, tmp_path):
    own = ftrack_server_factory(
        database=str(tmp_path / 'events.sqlite'), options=OPTIONS
    )
    with HubFactory(own, max_reconnect_delay=0.3) as make:
        hubs = [make(connect=False) for _ in range(6)]
        received = []
        hubs[0].subscribe('topic=test.storm', received.append)
        for hub in hubs:
            hub.connect()
        for _ in range(4):
            own.restart()
        wait_until(
            lambda: all(hub.connected for hub in hubs),
            timeout=60,
            description='every hub reconnected',
        )
        sync_subscriptions(hubs[0])
        hubs[-1].publish(Event(topic='test.storm'))
        process_until(hubs[0], lambda: received)
        for hub in hubs:
            wait_until(lambda: len(connections_of(own, hub)) == 1)


# -- A hostile server --------------------------------------------------------------


HOSTILE_PACKETS = [
    '8::',
    '2:',
    'garbage',
    '',
    '5:::not json',
    '5:::[1, 2]',
    '5:::{"name":"ftrack.event","args":[]}',
    '5:::{"name":"ftrack.event","args":[{"topic":"test.hostile"},{}]}',
    '5:::{"name":"ftrack.event","args":["text"]}',
    '5:::{"name":"other","args":[{"topic":"test.hostile"}]}',
    '5:::{"name":"ftrack.event","args":[{"data":{}}]}',
    '5:x::{}',
    '6:::1',
    '6:::abc',
    '6:::1+{}',
    '6:::2+[]',
    '6:::3+["not an object"]',
    '3:::a message',
    '4:::{"a": 1}',
    '7:::something went wrong',
    '1::',
    b'\xff\xfe binary',
    # Valid at last; the unknown top-level key is ignored, not fatal.
    '5:::{"name":"ftrack.event","args":[{"topic":"test.hostile","data":{"n":1},'
    '"unexpected":true}]}',
]


def test_hostile_packets_do_not_stop_the_hub(hubs, caplog):
    with ScriptedEventServer(packets=HOSTILE_PACKETS) as scripted:
        hub = hubs(connect=False, server=scripted)
        received = []
        hub.subscribe('topic=test.hostile', received.append)
        hub.connect()
        connection = hub._connection
        process_until(hub, lambda: received)
        assert [event['data'] for event in received] == [{'n': 1}]
        assert hub.connected
        assert hub._connection is connection
        assert scripted.opened == 1
        # The receive thread still answers heartbeats.
        wait_until(lambda: '2:::' in scripted.received)
        hub.disconnect()


# -- Heavy use ---------------------------------------------------------------------


def test_publish_from_many_threads_while_handlers_run(hubs):
    listener = hubs()
    publisher = hubs()
    seen = []
    lock = threading.Lock()

    def handler(event):
        with lock:
            seen.append((event['data']['thread'], event['data']['n']))

    listener.subscribe('topic=test.threads', handler)
    sync_subscriptions(listener)

    def publish(thread_index):
        for n in range(200):
            publisher.publish(Event(topic='test.threads', data={'thread': thread_index, 'n': n}))

    threads = [threading.Thread(target=publish, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    # Handlers run on this thread while the publishers are still busy.
    process_until(listener, lambda: len(seen) == 8 * 200, timeout=60)
    for thread in threads:
        thread.join()
    assert sorted(seen) == sorted((t, n) for t in range(8) for n in range(200))
    # Each thread's events arrive in the order it published them.
    for thread_index in range(8):
        numbers = [n for t, n in seen if t == thread_index]
        assert numbers == list(range(200))


def test_replies_reach_only_their_publisher_with_several_hubs(hubs):
    responder = hubs()
    publishers = [hubs() for _ in range(3)]
    responder.subscribe('topic=test.whom', lambda event: {'for': event['data']['who']})
    sync_subscriptions(responder)
    replies = dict((index, []) for index in range(3))
    with serving(responder):
        for index, publisher in enumerate(publishers):
            publisher.publish(
                Event(topic='test.whom', data={'who': index}), on_reply=replies[index].append
            )
        for index, publisher in enumerate(publishers):
            process_until(publisher, lambda index=index: replies[index])
        for publisher in publishers:
            publisher.wait(duration=0.3)
    for index in range(3):
        assert [reply['data'] for reply in replies[index]] == [{'for': index}]


def test_unicode_and_large_events(hubs):
    listener = hubs()
    publisher = hubs()
    received = []
    listener.subscribe('topic=test.unicode-ü', received.append)
    sync_subscriptions(listener)
    text = 'café ✓ 日本語 \U0001F600 " \\ \n'
    large = 'x' * (8 * 1024 * 1024)
    publisher.publish(
        Event(topic='test.unicode-ü', data={'text': text, 'large': large, 'ü': [text]})
    )
    process_until(listener, lambda: received)
    assert received[0]['data'] == {'text': text, 'large': large, 'ü': [text]}


def test_thousands_of_subscribers(server, hubs):
    listener = hubs()
    publisher = hubs()
    calls = []
    count = 2000
    for index in range(count):
        listener.subscribe(
            'topic=test.many and data.n={0}'.format(index),
            lambda event, index=index: calls.append(index),
        )
    listener.subscribe('topic=test.many', lambda event: calls.append('all'))
    sync_subscriptions(listener)
    # The hub's reply subscriber, the catch-all and the numbered ones.
    wait_until(lambda: len(connections_of(server, listener)[0].subscribers) == count + 2)

    for index in (0, 999, 1999):
        publisher.publish(Event(topic='test.many', data={'n': str(index)}))
    process_until(listener, lambda: len(calls) == 6)
    listener.wait(duration=0.3)
    # Delivered once to the connection, then to each matching subscriber.
    assert sorted(calls, key=str) == sorted([0, 'all', 999, 'all', 1999, 'all'], key=str)
