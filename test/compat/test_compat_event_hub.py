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
