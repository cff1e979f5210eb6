"""Unit tests for ftrack_api.event.base, subscription and subscriber."""

import re

import pytest

import ftrack_api.exception
from ftrack_api.event.base import Event
from ftrack_api.event.subscriber import Subscriber
from ftrack_api.event.subscription import Subscription


def test_event_defaults():
    event = Event(topic='test')
    assert event['topic'] == 'test'
    assert re.match(r'^[0-9a-f]{32}$', event['id'])
    assert event['data'] == {}
    assert event['source'] == {}
    assert event['target'] == ''
    assert event['sent'] is None
    assert event['in_reply_to_event'] is None
    assert sorted(event.keys()) == sorted(
        ['topic', 'id', 'data', 'source', 'target', 'sent', 'in_reply_to_event']
    )


def test_event_unique_ids():
    assert Event(topic='a')['id'] != Event(topic='a')['id']


def test_event_values():
    event = Event(
        topic='t',
        id='custom',
        data={'k': 'v'},
        sent='now',
        source={'id': 's'},
        target='id=x',
        in_reply_to_event='other',
    )
    assert dict(event) == {
        'topic': 't',
        'id': 'custom',
        'data': {'k': 'v'},
        'sent': 'now',
        'source': {'id': 's'},
        'target': 'id=x',
        'in_reply_to_event': 'other',
    }


def test_event_is_a_mutable_mapping():
    event = Event(topic='t')
    event['extra'] = 1
    assert event['extra'] == 1
    assert len(event) == 8
    del event['extra']
    assert 'extra' not in event
    assert event.get('missing', 'default') == 'default'
    event.update(topic='changed')
    assert event['topic'] == 'changed'


def test_event_stop():
    event = Event(topic='t')
    assert event.is_stopped() is False
    event.stop()
    assert event.is_stopped() is True


def test_event_str():
    event = Event(topic='my.topic', id='abc')
    assert str(event).startswith('<Event ')
    assert "'my.topic'" in str(event)
    # As upstream: the keys in upstream's order, repr() the default one.
    assert list(event) == [
        'id', 'data', 'topic', 'sent', 'source', 'target', 'in_reply_to_event'
    ]
    assert repr(event).startswith('<ftrack_api.event.base.Event object at 0x')


def test_subscription_includes():
    subscription = Subscription('topic=foo and data.kind=shot')
    assert subscription.includes(Event(topic='foo', data={'kind': 'shot'}))
    assert not subscription.includes(Event(topic='foo', data={'kind': 'task'}))
    assert not subscription.includes(Event(topic='bar', data={'kind': 'shot'}))
    assert str(subscription) == 'topic=foo and data.kind=shot'
    assert 'topic=foo' in repr(subscription)


def test_subscription_parse_error():
    with pytest.raises(ftrack_api.exception.ParseError):
        Subscription('topic=')


def test_subscriber():
    def callback(event):
        return None

    subscriber = Subscriber('topic=foo', callback, {'id': 'x'}, 10)
    assert subscriber.callback is callback
    assert subscriber.metadata == {'id': 'x'}
    assert subscriber.priority == 10
    assert str(subscriber.subscription) == 'topic=foo'
    assert subscriber.interested_in(Event(topic='foo'))
    assert not subscriber.interested_in(Event(topic='bar'))
    assert "'id': 'x'" in str(subscriber)
    assert 'topic=foo' in str(subscriber)
