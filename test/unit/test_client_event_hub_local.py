"""Unit tests for the parts of EventHub that work without a connection."""

import logging
import re
import threading

import pytest

import ftrack_api.exception
from ftrack_api.event.base import Event
from ftrack_api.event.hub import EventHub, ServerDetails


@pytest.fixture
def hub():
    # Nothing listens on port 9: connection attempts fail fast.
    return EventHub('http://LocalHost:9/some/path', 'jane', 'secret-key')


def test_server_details(hub):
    assert hub.server == ServerDetails('http', 'localhost', 9)
    assert hub.get_server_url() == 'http://localhost:9'
    assert hub.get_network_location() == 'localhost:9'
    assert hub.secure is False
    assert re.match(r'^[0-9a-f]{32}$', hub.id)


def test_secure_server_without_port():
    hub = EventHub('https://ftrack.example.com/', 'jane', 'key')
    assert hub.secure is True
    assert hub.get_server_url() == 'https://ftrack.example.com'
    assert hub.get_network_location() == 'ftrack.example.com'


@pytest.mark.parametrize('url', ['ftrack.example.com', '', 'http://'])
def test_invalid_server_url(url):
    with pytest.raises(ValueError) as error:
        EventHub(url, 'jane', 'key')
    assert repr(url) in str(error.value)


def test_subscribe_returns_identifier(hub):
    identifier = hub.subscribe('topic=foo', lambda event: None)
    assert re.match(r'^[0-9a-f]{32}$', identifier)
    subscriber = hub.get_subscriber_by_identifier(identifier)
    assert subscriber.metadata == {'id': identifier}
    assert subscriber.priority == 100


def test_subscribe_with_subscriber_information(hub):
    information = {'id': 'my-unique-subscriber-id', 'applicationId': 'maya'}
    identifier = hub.subscribe('topic=foo', lambda event: None, subscriber=information)
    assert identifier == 'my-unique-subscriber-id'
    subscriber = hub.get_subscriber_by_identifier(identifier)
    assert subscriber.metadata == information


def test_subscribe_generates_missing_id(hub):
    information = {'applicationId': 'maya'}
    identifier = hub.subscribe('topic=foo', lambda event: None, subscriber=information)
    assert hub.get_subscriber_by_identifier(identifier).metadata == {
        'applicationId': 'maya',
        'id': identifier,
    }


def test_subscribe_duplicate_identifier(hub):
    hub.subscribe('topic=foo', lambda event: None, subscriber={'id': 'same'})
    with pytest.raises(ftrack_api.exception.NotUniqueError) as error:
        hub.subscribe('topic=bar', lambda event: None, subscriber={'id': 'same'})
    assert "'same'" in str(error.value)


def test_subscribe_invalid_arguments(hub):
    with pytest.raises(ftrack_api.exception.ParseError):
        hub.subscribe('topic=', lambda event: None)
    with pytest.raises(TypeError) as error:
        hub.subscribe('topic=foo', 'not callable')
    assert 'not callable' in str(error.value)
    with pytest.raises(TypeError):
        hub.subscribe('topic=foo', lambda event: None, subscriber=['id'])
    with pytest.raises(TypeError):
        hub.subscribe('topic=foo', lambda event: None, priority='high')
    # Nothing was registered by the failed calls.
    assert hub._registry.ordered == []


def test_subscribe_special_characters(hub):
    received = []
    hub.subscribe('data.user=a+b@example.com', received.append)
    hub.publish(Event(topic='x', data={'user': 'a+b@example.com'}), synchronous=True)
    assert len(received) == 1


def test_get_subscriber_by_identifier_missing(hub):
    assert hub.get_subscriber_by_identifier('missing') is None


def test_unsubscribe(hub):
    received = []
    identifier = hub.subscribe('topic=foo', received.append)
    hub.unsubscribe(identifier)
    assert hub.get_subscriber_by_identifier(identifier) is None
    hub.publish(Event(topic='foo'), synchronous=True)
    assert received == []


def test_unsubscribe_missing(hub):
    with pytest.raises(ftrack_api.exception.NotFoundError) as error:
        hub.unsubscribe('missing-id')
    assert 'missing-id' in str(error.value)


def test_synchronous_publish_returns_results_in_priority_order(hub):
    hub.subscribe('topic=test-synchronous', lambda event: 'B', priority=20)
    hub.subscribe('topic=test-synchronous', lambda event: 'A', priority=10)
    hub.subscribe('topic=other', lambda event: 'C', priority=0)
    results = hub.publish(Event(topic='test-synchronous'), synchronous=True)
    assert results == ['A', 'B']


def test_synchronous_publish_skips_none_results(hub):
    hub.subscribe('topic=t', lambda event: None)
    hub.subscribe('topic=t', lambda event: 0)
    assert hub.publish(Event(topic='t'), synchronous=True) == [0]


def test_equal_priorities_keep_subscription_order(hub):
    for letter in 'abcde':
        hub.subscribe('topic=t', lambda event, letter=letter: letter)
    assert hub.publish(Event(topic='t'), synchronous=True) == list('abcde')


def test_order_after_mixed_priorities_and_unsubscribing(hub):
    identifiers = {}
    for letter, priority in zip('abcdefg', (50, 10, 50, 100, 10, 50, 0)):
        identifiers[letter] = hub.subscribe(
            'topic=t', lambda event, letter=letter: letter, priority=priority
        )
    assert hub.publish(Event(topic='t'), synchronous=True) == list('gbeacfd')
    hub.unsubscribe(identifiers['c'])
    hub.unsubscribe(identifiers['g'])
    hub.subscribe('topic=t', lambda event: 'h', priority=50)
    assert hub.publish(Event(topic='t'), synchronous=True) == list('beafhd')
    assert hub.get_subscriber_by_identifier(identifiers['c']) is None
    # An id that was removed can be used again.
    hub.subscribe('topic=t', lambda event: 'c2', subscriber={'id': identifiers['c']})
    assert hub.get_subscriber_by_identifier(identifiers['c']) is not None


def test_subscriber_id_must_be_hashable(hub):
    with pytest.raises(TypeError) as error:
        hub.subscribe('topic=t', lambda event: None, subscriber={'id': ['a']})
    assert "['a']" in str(error.value)
    assert hub.get_subscriber_by_identifier(['a']) is None


def test_subscriber_information_must_be_json(hub):
    with pytest.raises(TypeError) as error:
        hub.subscribe('topic=t', lambda event: None, subscriber={'app': object()})
    assert 'JSON' in str(error.value)
    assert hub._registry.ordered == []


def test_stop_event(hub):
    calls = []

    def callback_a(event):
        calls.append('A')
        event.stop()

    def callback_b(event):
        calls.append('B')

    hub.subscribe('topic=test-stop-event', callback_a, priority=10)
    hub.subscribe('topic=test-stop-event', callback_b, priority=20)
    hub.publish(Event(topic='test-stop-event'), synchronous=True)
    assert calls == ['A']


def test_raising_handler_is_logged_and_others_run(hub, caplog):
    def broken(event):
        raise RuntimeError('handler failure')

    hub.subscribe('topic=t', broken, priority=1)
    hub.subscribe('topic=t', lambda event: 'ok', priority=2)
    with caplog.at_level(logging.ERROR):
        assert hub.publish(Event(topic='t'), synchronous=True) == ['ok']
    assert 'handler failure' in caplog.text


def test_source_enrichment(hub):
    received = []
    hub.subscribe('topic=t', received.append)
    hub.publish(Event(topic='t'), synchronous=True)
    source = received[0]['source']
    assert source['id'] == hub.id
    assert source['user'] == {'username': 'jane'}
    assert 'host' in source


def test_source_enrichment_keeps_given_values(hub):
    received = []
    hub.subscribe('topic=t', received.append)
    hub.publish(
        Event(topic='t', source={'applicationId': 'maya', 'id': 'mine'}),
        synchronous=True,
    )
    source = received[0]['source']
    assert source['applicationId'] == 'maya'
    assert source['id'] == 'mine'
    assert source['user'] == {'username': 'jane'}


def test_targeted_synchronous_event(hub):
    received = []
    hub.subscribe('topic=t', lambda event: received.append('one'), subscriber={'id': 'one'})
    hub.subscribe('topic=t', lambda event: received.append('two'), subscriber={'id': 'two'})
    hub.publish(Event(topic='t', target='id=two'), synchronous=True)
    assert received == ['two']


def test_invalid_target_drops_event(hub, caplog):
    received = []
    hub.subscribe('topic=t', received.append)
    with caplog.at_level(logging.WARNING):
        assert hub.publish(Event(topic='t', target='id='), synchronous=True) == []
    assert received == []
    assert 'invalid target' in caplog.text


def test_synchronous_events_may_carry_objects(hub):
    # Local events such as ftrack.api.session.ready carry the session.
    marker = object()
    hub.subscribe('topic=ftrack.api.session.ready', lambda event: event['data']['session'])
    results = hub.publish(
        Event(topic='ftrack.api.session.ready', data={'session': marker}),
        synchronous=True,
    )
    assert results == [marker]


def test_asynchronous_publish_without_connection(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.publish(Event(topic='my.topic'))
    assert str(error.value) == (
        'Cannot publish event asynchronously as not connected to server.'
    )
    assert hub.publish(Event(topic='my.topic'), on_error='ignore') is None


def test_publish_invalid_on_error(hub):
    with pytest.raises(ValueError) as error:
        hub.publish(Event(topic='t'), on_error='explode')
    assert 'explode' in str(error.value)


def test_publish_requires_event(hub):
    with pytest.raises(TypeError):
        hub.publish('topic=foo', synchronous=True)


def test_publish_queued_while_connection_initialised(hub):
    hub.init_connection()
    event = Event(topic='queued')
    assert hub.publish(event) is True
    assert hub._event_send_queue.qsize() == 1
    queued, synchronous, callback, on_reply = hub._event_send_queue.get()
    assert queued is event
    assert (synchronous, on_reply) == (False, None)
    assert callback is not None


def test_unserialisable_data_is_queued_while_connecting(hub):
    # As upstream: the data is only encoded when the event is sent (and a
    # failure then is logged, see the integration tests).
    hub.init_connection()
    assert hub.publish(Event(topic='bad', data={'value': object()})) is True
    assert hub._event_send_queue.qsize() == 1


def test_pending_limit(hub):
    hub.init_connection()
    hub.max_pending_events = 2
    hub.publish(Event(topic='a'))
    hub.publish(Event(topic='b'))
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.publish(Event(topic='c'))
    assert hub._event_send_queue.qsize() == 2


def test_connect_failure(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.connect()
    assert 'localhost:9' in str(error.value)
    assert 'secret-key' not in str(error.value)
    assert hub.connected is False
    # Not connecting any more: publishing raises again.
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.publish(Event(topic='t'))
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.wait_for_connection(timeout=1)
    assert 'failed' in str(error.value)


def test_disconnect_when_not_connected(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.disconnect()


def test_wait_without_connection(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.wait(duration=0.01)


def test_wait_for_connection_without_connection(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.wait_for_connection(timeout=0.01)


def test_wait_handles_queued_events_on_calling_thread(hub):
    threads = []
    hub.subscribe('topic=t', lambda event: threads.append(threading.current_thread()))
    hub.init_connection()
    hub._queue_event(Event(topic='t'))
    hub.wait(duration=0.2)
    assert threads == [threading.current_thread()]


@pytest.mark.timeout(10)
def test_wait_returns_on_local_disconnected_event(hub):
    received = []
    hub.subscribe('topic=ftrack.meta.disconnected', received.append)
    hub.init_connection()
    hub._queue_local_event('ftrack.meta.disconnected')
    hub.wait()  # Returns without a duration thanks to the event.
    assert received[0]['source']['id'] == hub.id


def test_event_queue_bounded(hub, caplog):
    hub.max_queued_events = 3
    with caplog.at_level(logging.WARNING):
        for index in range(5):
            hub._queue_event(Event(topic='t{0}'.format(index)))
    assert hub._event_queue.qsize() == 3
    assert 'dropped' in caplog.text


def test_reply_callback_called_for_every_reply(hub):
    replies = []
    hub._reply_callbacks['original'] = replies.append
    for index in range(2):
        hub._handle_reply(Event(topic='ftrack.meta.reply', in_reply_to_event='original'))
    assert len(replies) == 2


def test_publish_reply_needs_a_source_id(hub):
    hub.init_connection()
    with pytest.raises(KeyError) as error:
        hub.publish_reply(Event(topic='t', id='original', source={}), {'a': 1})
    assert error.value.args == ('id',)


def test_reply_target_quotes_odd_source_ids(hub):
    hub.init_connection()
    hub.publish_reply(Event(topic='t', source={'id': 'my hub: "one"'}), {'a': 1})
    reply = hub._event_send_queue.queue[-1][0]
    assert reply['target'] == 'id="my hub: \\"one\\""'
    assert hub._parser.parse(reply['target']).match({'id': 'my hub: "one"'})
