"""Event hub surface and messages against upstream 3.1.0 (no connection)."""

import pytest

HUB = ('import ftrack_api.event.hub\n'
       'hub = ftrack_api.event.hub.EventHub("http://127.0.0.1:9", "user", "key")\n')


@pytest.mark.parametrize('method', [
    'disconnect', 'subscribe', 'subscription', 'unsubscribe', 'wait', 'connect',
    'publish', 'get_subscriber_by_identifier', 'publish_reply'])
def test_signatures(compat, method):
    compat.compare(
        'import inspect\n' + HUB
        + 'result = str(inspect.signature(hub.{0}))'.format(method))


def test_disconnect_when_not_connected(compat):
    compat.compare(HUB + 'hub.disconnect()', fields=('raised',))


def test_unsubscribe_unknown(compat):
    compat.compare(HUB + 'hub.unsubscribe("abc")', fields=('raised',))


def test_subscription_context_manager(compat):
    compat.compare(
        HUB + 'with hub.subscription("topic=foo", lambda event: None) as value:\n'
        '    inside = [value, len(hub._subscribers), type(hub._subscribers).__name__]\n'
        'result = [inside, len(hub._subscribers)]')


def test_subscriber_lookup(compat):
    compat.compare(
        HUB + 'identifier = hub.subscribe("topic=bar", lambda event: None, '
        'subscriber={"id": "fixed"}, priority=5)\n'
        'found = hub.get_subscriber_by_identifier(identifier)\n'
        'result = [identifier, found.priority, found.metadata["id"], '
        'str(found.subscription), hub.get_subscriber_by_identifier("none")]')


def test_encode_and_decode(compat):
    compat.compare(
        HUB + 'import ftrack_api.event.base\n'
        'event = ftrack_api.event.base.Event("t", data={"k": 1})\n'
        'event["in_reply_to_event"] = "r"\n'
        'import json\n'
        'encoded = json.loads(hub._encode({"name": "ftrack.event", "args": [event]}))\n'
        'encoded["args"][0].pop("id")\n'
        'result = [\n'
        '    hub._encode({"name": "ftrack.event", "args": [{"in_reply_to_event": "x"}]}),\n'
        '    encoded,\n'
        '    hub._encode({"z": 1, "a": [1, 2]}),\n'
        '    hub._decode(\'{"name": "e", "args": [{"inReplyToEvent": "1", "topic": "t"}]}\'),\n'
        '    list(hub._decode(\'{"inReplyToEvent": "1", "b": 2}\').items()),\n'
        ']')


def test_server_url_namespace_and_parser(compat):
    compat.compare(
        HUB + 'result = [hub._server_url, hub._event_namespace, '
        'type(hub._expression_parser).__name__, '
        'str(hub._expression_parser.parse("topic=foo and data.x=1"))]')


def test_subscribe_with_none_callback(compat):
    compat.compare(
        HUB + 'import ftrack_api.event.base\n'
        'identifier = hub.subscribe("topic=foo", None)\n'
        'replies = hub.publish(ftrack_api.event.base.Event("foo"), synchronous=True)\n'
        'result = [type(identifier).__name__, replies]', fields=('result',))


# -- Internals and messages of a hub without a server ----------------------

def test_internal_signatures_and_state(compat):
    compat.compare(
        'import inspect\n' + HUB
        + 'result = {name: str(inspect.signature(getattr(hub, name))) for name in [\n'
        '    "_prepare_reply_event", "_send_packet", "_get_socket_io_session",\n'
        '    "_prepare_event", "_handle_packet", "_publish", "init_connection",\n'
        '    "_handle_reply", "_handle", "_add_subscriber"]}\n'
        'result["state"] = [type(hub._event_send_queue).__name__,\n'
        '    hub._event_send_queue.qsize(), hub._intentional_disconnect,\n'
        '    hub._connection, hub._connection_initialised, hub._unique_packet_id,\n'
        '    hub._packet_callbacks, hub._auto_reconnect_attempts,\n'
        '    hub._auto_reconnect_delay, hub._headers, hub._cookies]\n')


def test_socket_io_session_tuple(compat):
    compat.compare(
        HUB + 'session = ftrack_api.event.hub.SocketIoSession("a", 5, ["websocket"])\n'
        'result = [str(session), session._fields, session.heartbeatTimeout]')


def test_publish_without_connection_message(compat):
    compat.compare(
        HUB + 'import ftrack_api.event.base\n'
        'hub.publish(ftrack_api.event.base.Event("x.y"))', fields=('raised',))


def test_publish_while_connecting_is_queued(compat):
    compat.compare(
        HUB + 'import ftrack_api.event.base\n'
        'hub.init_connection()\n'
        'event = ftrack_api.event.base.Event("x.y", data={"a": object()})\n'
        'returned = hub.publish(event)\n'
        'queued = hub._event_send_queue.get()\n'
        'result = [returned, len(queued), queued[0] is event, queued[1], queued[3],\n'
        '    hub._event_send_queue.qsize()]')


def test_prepare_reply_event(compat):
    compat.compare(
        HUB + 'import ftrack_api.event.base\n'
        'source = ftrack_api.event.base.Event("t", id="SRC", source={"id": "S"})\n'
        'with_source = ftrack_api.event.base.Event("ftrack.meta.reply", data={"r": 1})\n'
        'without = ftrack_api.event.base.Event("ftrack.meta.reply", data={"r": 2})\n'
        'returned = [hub._prepare_reply_event(with_source, source, source={"id": "me"}),\n'
        '    hub._prepare_reply_event(without, source)]\n'
        'result = [returned, list(with_source.items()), list(without.items())]')


def test_publish_reply_without_source_id(compat):
    compat.compare(
        HUB + 'import ftrack_api.event.base\n'
        'hub.publish_reply(ftrack_api.event.base.Event("t", source={}), {"a": 1})',
        fields=('raised',))


def test_send_packet_formats(compat):
    compat.compare(
        HUB + 'class Fake(object):\n'
        '    connected = True\n'
        '    def __init__(self):\n'
        '        self.sent = []\n'
        '    def send(self, packet):\n'
        '        self.sent.append(packet)\n'
        'hub._connection = Fake()\n'
        'callback = lambda *args: None\n'
        'returned = [hub._send_packet("5", "x"), hub._send_packet("5", "x", callback),\n'
        '    hub._send_packet("2"), hub._send_packet("6", \'{"a": 1}\')]\n'
        'result = [returned, hub._connection.sent, hub._unique_packet_id,\n'
        '    list(hub._packet_callbacks)]')


def test_send_packet_without_connection(compat):
    compat.compare(HUB + 'hub._send_packet("5", "x")', fields=('raised',))


def test_handle_packet(compat):
    compat.compare(
        HUB + 'import json\n'
        'class Fake(object):\n'
        '    connected = True\n'
        '    def __init__(self):\n'
        '        self.sent = []\n'
        '    def send(self, packet):\n'
        '        self.sent.append(packet)\n'
        'hub._connection = Fake()\n'
        'acks = []\n'
        'hub._send_packet("5", "x", lambda *args: acks.append(args))\n'
        'event = json.dumps({"name": "ftrack.event", "args": [{"topic": "zz", "data": {"k": 1},\n'
        '    "id": "E1", "source": {}, "target": "", "inReplyToEvent": "R"}]})\n'
        'returned = [hub._handle_packet(code, pid, "", data) for code, pid, data in [\n'
        '    ("2", "", ""), ("1", "", ""), ("3", "", "m"), ("4", "", "{}"),\n'
        '    ("6", "", \'1+[{"success": true}]\'), ("5", "", event), ("7", "", "oops")]]\n'
        'queued = []\n'
        'while hub._event_queue.qsize():\n'
        '    queued.append(hub._event_queue.get())\n'
        'result = [returned, hub._connection.sent, acks, [e["topic"] for e in queued],\n'
        '    dict(queued[-1]), hub._packet_callbacks]')


def test_handle_unknown_packet_code(compat):
    compat.compare(HUB + 'hub._handle_packet("8", "", "", "")', fields=('raised',))


def test_reconnect_failure_message(compat):
    compat.compare(
        HUB + 'hub.reconnect(attempts=2, delay=0)', fields=('raised', 'logs'))


def test_connect_failure_message(compat):
    compat.compare(HUB + 'hub.connect()', fields=('raised', 'logs'))


def test_handshake_failure_message(compat):
    compat.compare(HUB + 'hub._get_socket_io_session()', fields=('raised',))


def test_wait_returns_on_disconnected_event(compat):
    compat.compare(
        HUB + 'import threading, time, ftrack_api.event.base\n'
        'hub.init_connection()\n'
        'def later():\n'
        '    time.sleep(0.3)\n'
        '    hub._event_queue.put(ftrack_api.event.base.Event("ftrack.meta.disconnected"))\n'
        'threading.Thread(target=later).start()\n'
        'started = time.time()\n'
        'hub.wait(20)\n'
        'result = time.time() - started < 10')


# -- Against a server: the wire, the headers, failures ----------------------

RECORD = (
    'import re, time, websocket, requests\n'
    'sent, handshakes, upgrades = [], [], []\n'
    'original_send = websocket.WebSocket.send\n'
    'def send(self, data, *args, **kwargs):\n'
    '    if isinstance(data, str):\n'
    '        sent.append(re.sub(r\'"sent": [0-9.]+\', \'"sent": <t>\', data))\n'
    '    return original_send(self, data, *args, **kwargs)\n'
    'websocket.WebSocket.send = send\n'
    'original_request = requests.Session.request\n'
    'def request(self, method, url, *args, **kwargs):\n'
    '    if "/socket.io/" in url:\n'
    '        headers = dict(self.headers)\n'
    '        headers.update(kwargs.get("headers") or {})\n'
    '        headers.pop("User-Agent", None)\n'
    '        if "ftrack-api-key" in headers:\n'
    '            headers["ftrack-api-key"] = "<key>"\n'
    '        handshakes.append([url.split("/socket.io/")[1], list(headers.items()),\n'
    '            sorted(kwargs), kwargs.get("cookies")])\n'
    '    return original_request(self, method, url, *args, **kwargs)\n'
    'requests.Session.request = request\n'
    'original_create = websocket.create_connection\n'
    'def create_connection(url, **kwargs):\n'
    '    upgrades.append([url.split("/socket.io/")[1][:12], sorted(kwargs),\n'
    '        kwargs.get("header"), kwargs.get("cookie"), kwargs.get("timeout")])\n'
    '    return original_create(url, **kwargs)\n'
    'websocket.create_connection = create_connection\n'
    'def connected(hub):\n'
    '    deadline = time.time() + 20\n'
    '    while not hub.connected and time.time() < deadline:\n'
    '        time.sleep(0.02)\n'
    '    return hub.connected\n'
)


def test_session_hub_wire_and_headers(compat, ftrack_server):
    compat.compare(
        RECORD + 'import ftrack_api.event.base\n'
        'session = ftrack_api.Session(auto_connect_event_hub=True, strict_api=True,\n'
        '    headers={"X-Studio": "compat"}, cookies={"c1": "v1"})\n'
        'hub = session.event_hub\n'
        'is_connected = connected(hub)\n'
        'got = []\n'
        'hub.subscribe("topic=compat.wire", lambda event: got.append(event["data"]))\n'
        'hub.publish(ftrack_api.event.base.Event("compat.wire", data={"z": 1, "a": [1, "é"]}))\n'
        'hub.wait(1)\n'
        'state = [hub._event_send_queue.qsize(), hub._intentional_disconnect,\n'
        '    hub._headers, hub._cookies, [s.metadata["id"] == hub.id for s in hub._subscribers],\n'
        '    type(hub._get_socket_io_session()).__name__]\n'
        'session.close()\n'
        'result = [is_connected, got, state, hub._intentional_disconnect, sent,\n'
        '    handshakes, upgrades, dict(session._request.headers)]',
        server=ftrack_server)


def test_hub_subscribed_while_connecting(compat, ftrack_server):
    compat.compare(
        RECORD + 'import os, ftrack_api.event.hub, ftrack_api.event.base\n'
        'hub = ftrack_api.event.hub.EventHub(os.environ["FTRACK_SERVER"],\n'
        '    os.environ["FTRACK_API_USER"], os.environ["FTRACK_API_KEY"])\n'
        'hub.subscribe("topic=before", lambda event: None, subscriber={"id": "before"})\n'
        'hub.init_connection()\n'
        'hub.subscribe("topic=during", lambda event: None, subscriber={"id": "during"})\n'
        'queued = hub.publish(ftrack_api.event.base.Event("queued.event"))\n'
        'hub.connect()\n'
        'hub.disconnect(unsubscribe=False)\n'
        'result = [queued, sent, [s.metadata["id"] for s in hub._subscribers][:2]]',
        server=ftrack_server)


def test_failing_create_connection(compat, ftrack_server):
    compat.compare(
        'import os, websocket, ftrack_api.event.hub\n'
        'def boom(*args, **kwargs):\n'
        '    raise ValueError("boom")\n'
        'websocket.create_connection = boom\n'
        'hub = ftrack_api.event.hub.EventHub(os.environ["FTRACK_SERVER"],\n'
        '    os.environ["FTRACK_API_USER"], os.environ["FTRACK_API_KEY"])\n'
        'hub.connect()', server=ftrack_server, fields=('raised', 'logs'))


def test_refused_handshake(compat, ftrack_server):
    compat.compare(
        'import os, ftrack_api.event.hub\n'
        'hub = ftrack_api.event.hub.EventHub(os.environ["FTRACK_SERVER"],\n'
        '    os.environ["FTRACK_API_USER"], "wrong-key")\n'
        'try:\n'
        '    hub._get_socket_io_session()\n'
        'except Exception as error:\n'
        '    first = [type(error).__name__, str(error)]\n'
        'hub.connect()', server=ftrack_server, fields=('raised', 'logs'))


def test_server_without_websocket(compat, tmp_path):
    # A handshake offering only long polling: both refuse to connect.
    compat.compare(
        'import http.server, threading, ftrack_api.event.hub\n'
        'class Handler(http.server.BaseHTTPRequestHandler):\n'
        '    def do_GET(self):\n'
        '        body = b"abc:60:60:xhr-polling,flashsocket"\n'
        '        self.send_response(200)\n'
        '        self.send_header("Content-Length", str(len(body)))\n'
        '        self.end_headers()\n'
        '        self.wfile.write(body)\n'
        '    def log_message(self, *args):\n'
        '        pass\n'
        'server = http.server.HTTPServer(("127.0.0.1", 0), Handler)\n'
        'threading.Thread(target=server.serve_forever, daemon=True).start()\n'
        'hub = ftrack_api.event.hub.EventHub("http://127.0.0.1:%d" % server.server_port, "u", "k")\n'
        'session = hub._get_socket_io_session()\n'
        'try:\n'
        '    hub.connect()\n'
        'except Exception as error:\n'
        '    failure = [type(error).__name__, str(error).replace(str(server.server_port), "<port>")]\n'
        'server.shutdown()\n'
        'result = [list(session), failure]', fields=('result', 'raised'))


def test_failing_send_is_logged(compat, ftrack_server):
    compat.compare(
        'import os, ftrack_api.event.hub, ftrack_api.event.base\n'
        'hub = ftrack_api.event.hub.EventHub(os.environ["FTRACK_SERVER"],\n'
        '    os.environ["FTRACK_API_USER"], os.environ["FTRACK_API_KEY"])\n'
        'hub.connect()\n'
        'real = hub._connection.send\n'
        'def broken(packet):\n'
        '    raise RuntimeError("send failed")\n'
        'hub._connection.send = broken\n'
        'returned = [hub.publish(ftrack_api.event.base.Event("x.y", data={"a": 1})),\n'
        '    hub.publish(ftrack_api.event.base.Event("x.z", data={"b": b"bytes"}))]\n'
        'hub._connection.send = real\n'
        'hub.disconnect()\n'
        'result = [returned, hub._intentional_disconnect]\n'
        'hub.publish(ftrack_api.event.base.Event("after"))', server=ftrack_server)


def test_connect_twice(compat, ftrack_server):
    compat.compare(
        'import os, ftrack_api.event.hub\n'
        'hub = ftrack_api.event.hub.EventHub(os.environ["FTRACK_SERVER"],\n'
        '    os.environ["FTRACK_API_USER"], os.environ["FTRACK_API_KEY"])\n'
        'hub.connect()\n'
        'try:\n'
        '    hub.connect()\n'
        'finally:\n'
        '    hub.disconnect()', server=ftrack_server, fields=('raised',))


FAKE = (
    'class Fake(object):\n'
    '    connected = True\n'
    '    def __init__(self):\n'
    '        self.sent = []\n'
    '    def send(self, packet):\n'
    '        self.sent.append(packet)\n'
    'hub._connection = Fake()\n'
)


def test_packet_callbacks_and_acknowledgement(compat):
    compat.compare(
        HUB + FAKE + 'callback = lambda *args: None\n'
        'added = [hub._add_packet_callback(callback), hub._add_packet_callback(callback)]\n'
        'popped = hub._pop_packet_callback(1) is callback\n'
        'missing = []\n'
        'for key in (99, "2"):\n'
        '    try:\n'
        '        hub._pop_packet_callback(key)\n'
        '    except KeyError as error:\n'
        '        missing.append(repr(error))\n'
        'acknowledged = hub._acknowledge_packet("8")\n'
        'result = [added, popped, missing, acknowledged, hub._connection.sent,\n'
        '    hub._unique_packet_id, list(hub._packet_callbacks)]')


def test_acknowledgement_with_arguments_kept(compat):
    compat.compare(
        HUB + FAKE + 'hub._acknowledge_packet("7", {"a": 1}, 2)\n'
        'result = hub._connection.sent', fields=('result', 'raised'),
        kept='upstream raises IndexError when acknowledging with arguments; ours '
             'sends 6:::<id>+<JSON list>')


def test_object_hooks(compat):
    compat.compare(
        HUB + 'import ftrack_api.event.base\n'
        'class Odd(object):\n'
        '    def __str__(self):\n'
        '        return "STR"\n'
        '    def __repr__(self):\n'
        '        return "REPR"\n'
        'event = ftrack_api.event.base.Event("t", id="E", data={"x": 1}, in_reply_to_event="r")\n'
        'encoded = hub._encode_object_hook(event)\n'
        'try:\n'
        '    hub._encode({"odd": Odd()})\n'
        'except TypeError as error:\n'
        '    refused = str(error)\n'
        'result = [list(encoded.items()), refused, hub._encode({"a": (1, 2)}),\n'
        '    hub._decode_object_hook({"inReplyToEvent": "x", "a": 1}),\n'
        '    hub._decode_object_hook({"b": 2})]')


def test_acknowledgement_handlers_log(compat):
    compat.compare(
        HUB + FAKE + 'import ftrack_api.event.base\n'
        'event = ftrack_api.event.base.Event("t", id="E", data={"x": 1})\n'
        'hub.subscribe("topic=a", lambda event: None, subscriber={"id": "S1"})\n'
        'subscriber = hub.get_subscriber_by_identifier("S1")\n'
        'result = [hub._on_published(event, {"success": True}),\n'
        '    hub._on_published(event, {"success": False, "message": "bad"}),\n'
        '    hub._on_subscribed(subscriber, {"success": True}),\n'
        '    hub._on_subscribed(subscriber, {"success": False, "message": "no"}),\n'
        '    hub._on_unsubscribed(subscriber, {"success": False, "message": "gone"})]',
        fields=('result', 'raised', 'logs'))


def test_subscription_context_class_and_subscriber_repr(compat):
    compat.compare(
        'import inspect\n' + HUB
        + 'context = hub.subscription("topic=b", lambda event: None)\n'
        'before = len(hub._subscribers)\n'
        'with context as value:\n'
        '    inside = len(hub._subscribers)\n'
        'hub.subscribe("topic=a", lambda event: None, subscriber={"id": "S1"})\n'
        'subscriber = hub.get_subscriber_by_identifier("S1")\n'
        'result = [type(context).__name__, str(inspect.signature(type(context).__init__)),\n'
        '    before, value, inside, len(hub._subscribers), str(subscriber),\n'
        '    repr(subscriber).startswith("<ftrack_api.event.subscriber.Subscriber object at"),\n'
        '    ftrack_api.event.hub.L.__name__]')
