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
