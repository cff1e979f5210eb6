"""Event hub surface integrations use (no server)."""

import pytest

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
