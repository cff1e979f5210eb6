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
