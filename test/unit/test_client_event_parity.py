"""Event hub surface integrations use (no server)."""

import pytest

import ftrack_api.event.base
import ftrack_api.event.hub
import ftrack_api.exception


@pytest.fixture
def hub():
    return ftrack_api.event.hub.EventHub('http://127.0.0.1:9', 'user', 'key')


def test_disconnect_when_not_connected(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as raised:
        hub.disconnect()
    assert str(raised.value) == 'Not currently connected.'


def test_unsubscribe_unknown(hub):
    with pytest.raises(ftrack_api.exception.NotFoundError) as raised:
        hub.unsubscribe('abc')
    assert str(raised.value) == 'Cannot unsubscribe missing subscriber with identifier abc'


def test_subscription_context_manager(hub):
    with hub.subscription('topic=foo', lambda event: None) as value:
        assert value is None
        assert len(hub._subscribers) == 1
        assert str(hub._subscribers[0].subscription) == 'topic=foo'
    assert hub._subscribers == []


def test_subscription_context_manager_unsubscribes_on_error(hub):
    with pytest.raises(RuntimeError):
        with hub.subscription('topic=foo', lambda event: None):
            raise RuntimeError('boom')
    assert hub._subscribers == []


def test_subscribers_are_a_list_in_call_order(hub):
    hub.subscribe('topic=late', lambda event: None, priority=200)
    hub.subscribe('topic=early', lambda event: None, priority=1)
    assert isinstance(hub._subscribers, list)
    assert [s.priority for s in hub._subscribers] == [1, 200]


def test_subscribe_accepts_none_callback_and_logs_at_call(hub, caplog):
    import logging

    import ftrack_api.event.base

    hub.subscribe('topic=foo', None)
    with caplog.at_level(logging.ERROR, logger='ftrack_api'):
        assert hub.publish(ftrack_api.event.base.Event('foo'), synchronous=True) == []
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    with pytest.raises(TypeError):
        hub.subscribe('topic=foo', 5)


def test_subscription_parser_is_a_shared_class_attribute():
    import ftrack_api.event.expression
    import ftrack_api.event.subscription as subscription

    first = subscription.Subscription('topic=a')
    assert isinstance(first.parser, ftrack_api.event.expression.Parser)
    assert first.parser is subscription.Subscription('topic=b').parser
    assert 'parser' not in vars(first)


class RecordingConnection(object):
    """Stands for the websocket connection: records the packets sent."""

    connected = True

    def __init__(self):
        self.sent = []

    def send(self, packet):
        self.sent.append(packet)

    def close(self):
        self.connected = False


def test_send_packet_formats(hub):
    hub._connection = RecordingConnection()
    acks = []
    hub._send_packet('5', 'x')
    hub._send_packet('5', 'y', callback=acks.append)
    hub._send_packet('2')
    assert hub._connection.sent == ['5:::x', '5:1+::y', '2:::']
    assert hub._unique_packet_id == 1
    assert list(hub._packet_callbacks) == [1]
    # The acknowledgement calls the callback once.
    hub._handle_packet('6', '', '', '1+[{"success": true}]')
    assert acks == [{'success': True}]
    assert hub._packet_callbacks == {}


def test_send_packet_without_connection_raises_attribute_error(hub):
    with pytest.raises(AttributeError):
        hub._send_packet('5', 'x')


def test_handle_packet_dispatch(hub, caplog):
    hub._connection = RecordingConnection()
    hub._handle_packet('2', '', '', '')
    assert hub._connection.sent == ['2:::']
    hub._handle_packet('1', '', '', '')
    hub._handle_packet('5', '', '', (
        '{"name": "ftrack.event", "args": [{"topic": "zz", "id": "E1", '
        '"data": {"k": 1}, "inReplyToEvent": "R"}]}'))
    connected, received = hub._event_queue.get(), hub._event_queue.get()
    assert connected['topic'] == 'ftrack.meta.connected'
    assert (received['topic'], received['data'], received['in_reply_to_event']) == (
        'zz', {'k': 1}, 'R')
    with caplog.at_level('ERROR'):
        hub._handle_packet('7', '', '', 'oops')
    assert 'Event server reported error: oops.' in caplog.text
    with pytest.raises(KeyError):
        hub._handle_packet('8', '', '', '')


def test_disconnect_packet_treats_the_connection_as_lost(hub):
    connection = hub._connection = RecordingConnection()
    hub.auto_reconnect_attempts = 0
    hub._handle_packet('0', '', '', '')
    assert connection.connected is False
    assert hub._connection is None


def test_prepare_reply_event(hub):
    source = ftrack_api.event.base.Event('t', id='SRC', source={'id': 'S'})
    reply = ftrack_api.event.base.Event('ftrack.meta.reply', data={'r': 1})
    assert hub._prepare_reply_event(reply, source, source={'id': 'me'}) is None
    assert (reply['source'], reply['target'], reply['in_reply_to_event']) == (
        {'id': 'me'}, 'id=S', 'SRC')
    bare = ftrack_api.event.base.Event('ftrack.meta.reply')
    hub._prepare_reply_event(bare, source)
    assert bare['source'] == {}


def test_publish_while_connecting_returns_true_and_queues(hub):
    hub.init_connection()
    event = ftrack_api.event.base.Event('x.y')
    assert hub.publish(event) is True
    assert hub._event_send_queue.get()[0] is event


def test_auto_reconnect_aliases(hub):
    assert (hub._auto_reconnect_attempts, hub._auto_reconnect_delay) == (30, 10)
    hub._auto_reconnect_attempts = 3
    hub._auto_reconnect_delay = 1
    assert (hub.auto_reconnect_attempts, hub.auto_reconnect_max_delay) == (3, 1)


def test_wait_returns_on_any_disconnected_event(hub):
    import threading
    import time

    hub.init_connection()

    def later():
        time.sleep(0.2)
        hub._event_queue.put(ftrack_api.event.base.Event('ftrack.meta.disconnected'))

    threading.Thread(target=later).start()
    started = time.monotonic()
    hub.wait(30)
    assert time.monotonic() - started < 20


def test_reconnect_failure_message(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as raised:
        hub.reconnect(attempts=2, delay=0)
    assert str(raised.value) == (
        'Failed to reconnect to event server at http://127.0.0.1:9 after 2 attempts.'
    )


def test_connect_failure_message_names_url_and_cause(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as raised:
        hub.connect()
    message = str(raised.value)
    assert message.startswith(
        "Failed to connect to event server at b'http://127.0.0.1:9' with error: "
        "\"b'Failed to connect to server: ")
    assert 'key' not in message


def test_packet_callback_helpers(hub):
    hub._connection = RecordingConnection()
    callback = lambda *args: None  # noqa: E731
    assert hub._add_packet_callback(callback) == '1+'
    assert hub._pop_packet_callback(1) is callback
    with pytest.raises(KeyError):
        hub._pop_packet_callback(1)
    hub._acknowledge_packet('8')
    hub._acknowledge_packet('9', {'a': 1}, 2)
    assert hub._connection.sent == ['6:::8', '6:::9+[{"a": 1}, 2]']


def test_object_hooks_rename_the_reply_key(hub):
    event = ftrack_api.event.base.Event('t', id='E', in_reply_to_event='r')
    assert hub._encode_object_hook(event)['inReplyToEvent'] == 'r'
    with pytest.raises(TypeError) as raised:
        hub._encode_object_hook({1, 2})
    assert str(raised.value) == '{1, 2} is not JSON serializable'
    assert hub._decode_object_hook({'inReplyToEvent': 'x'}) == {'in_reply_to_event': 'x'}


def test_acknowledgement_handlers_log_refusals(hub, caplog):
    event = ftrack_api.event.base.Event('t', id='E')
    hub.subscribe('topic=a', lambda event: None, subscriber={'id': 'S1'})
    subscriber = hub.get_subscriber_by_identifier('S1')
    hub._on_published(event, {'success': True})
    assert caplog.records == []
    hub._on_published(event, {'success': False, 'message': 'bad'})
    hub._on_subscribed(subscriber, {'success': False, 'message': 'no'})
    hub._on_unsubscribed(subscriber, None)
    messages = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert messages[0][0] == 'ERROR'
    assert messages[0][1].startswith('Server responded with error while publishing event <Event')
    assert messages[0][1].endswith('. Error was: bad')
    assert messages[1:] == [
        ('WARNING', 'Server failed to subscribe subscriber S1: no'),
        ('WARNING', 'Server failed to unsubscribe subscriber S1: None'),
    ]


def test_subscription_returns_a_context_object(hub):
    context = hub.subscription('topic=b', lambda event: None, priority=5)
    assert type(context).__name__ == '_SubscriptionContext'
    assert hub._subscribers == []
    with context as value:
        assert value is None
        assert hub._subscribers[0].priority == 5
    assert hub._subscribers == []
