"""The local event server through raw HTTP and a raw websocket client."""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests
import websocket

from ftrack_local_server import LocalServer
from ftrack_local_server.events.testing import RawEventClient

HEARTBEAT_INTERVAL = 0.2


@pytest.fixture(scope='module')
def server():
    with LocalServer(
        options={
            'event_heartbeat_interval': HEARTBEAT_INTERVAL,
            'event_heartbeat_timeout': 3,
            'event_queue_limit': 50,
        }
    ) as running:
        yield running


def handshake(server, **kwargs):
    return requests.get(server.url + '/socket.io/1/', timeout=10, **kwargs)


def auth_headers(server):
    return {'ftrack-user': server.api_user, 'ftrack-api-key': server.api_key}


def RawClient(server, **kwargs):
    """Return a raw socket.io client connected to *server*'s event server."""
    return RawEventClient(server.url, server.api_user, server.api_key, **kwargs)


@pytest.fixture
def clients(server):
    opened = []

    def factory(**kwargs):
        client = RawClient(server, **kwargs)
        opened.append(client)
        return client

    yield factory
    for client in opened:
        client.close()


def event(topic, **extra):
    result = {'topic': topic, 'id': extra.pop('id', topic + '-id'), 'data': {}, 'source': {}}
    result.update(extra)
    return result


# -- Handshake ---------------------------------------------------------------


def test_handshake_with_header_credentials(server):
    response = handshake(server, headers=auth_headers(server))
    assert response.status_code == 200
    parts = response.text.split(':')
    assert len(parts) == 4
    assert len(parts[0]) >= 16
    assert float(parts[1]) > HEARTBEAT_INTERVAL
    assert 'websocket' in parts[3].split(',')


def test_handshake_with_query_credentials(server):
    response = handshake(
        server, params={'api_user': server.api_user, 'api_key': server.api_key}
    )
    assert response.status_code == 200
    assert len(response.text.split(':')) == 4


@pytest.mark.parametrize(
    'headers, expected',
    [
        ({}, 'ftrack-user'),
        ({'ftrack-user': 'nobody-at-all', 'ftrack-api-key': 'x'}, 'nobody-at-all'),
        (None, 'ftrack-api-key'),
    ],
)
def test_handshake_refuses_bad_credentials(server, headers, expected):
    if headers is None:
        headers = {'ftrack-user': server.api_user, 'ftrack-api-key': 'wrong-key'}
    response = handshake(server, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert expected in body['content']
    assert 'wrong-key' not in response.text


def test_websocket_with_unknown_session_is_refused(server):
    with pytest.raises(websocket.WebSocketBadStatusException) as error:
        websocket.create_connection(
            server.url.replace('http://', 'ws://') + '/socket.io/1/websocket/unknown',
            timeout=10,
        )
    assert error.value.status_code == 403


def test_session_id_is_single_use(server, clients):
    client = clients()
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(
            server.url.replace('http://', 'ws://')
            + '/socket.io/1/websocket/'
            + client.session_id,
            timeout=10,
        )


# -- Packets -------------------------------------------------------------------


def test_connect_packet_then_heartbeats(clients):
    client = clients()
    # Heartbeats keep coming while the client answers them.
    for _ in range(3):
        assert client.recv(skip_heartbeats=False) == '2::'
        client.send('2:::')


def test_silent_client_is_disconnected(server, clients):
    client = clients()
    # Never answer heartbeats: the server closes the websocket after its
    # heartbeat timeout (3 s here).
    deadline = time.monotonic() + 30
    closed = False
    while time.monotonic() < deadline:
        client.socket.settimeout(deadline - time.monotonic())
        try:
            text = client.socket.recv()
        except websocket.WebSocketConnectionClosedException:
            closed = True
            break
        if text in ('', '0::'):
            closed = True
            break
        assert text == '2::'
    assert closed


def test_subscribe_is_acknowledged(clients):
    client = clients()
    assert client.subscribe('topic=foo', 'ack-subscriber') == {'success': True}


def test_invalid_subscription_is_refused(clients):
    client = clients()
    result = client.subscribe('topic=', 'bad-subscriber')
    assert result['success'] is False
    assert 'topic=' in result['message']


def test_publish_is_acknowledged(clients):
    client = clients()
    assert client.emit_and_ack(event('nobody.listens')) == {'success': True}


def test_event_without_packet_id_is_accepted(clients):
    subscriber = clients()
    publisher = clients()
    subscriber.subscribe('topic=no-ack', 'no-ack-subscriber')
    publisher.emit(event('no-ack'), ack=False)
    assert subscriber.recv_event()['topic'] == 'no-ack'


@pytest.mark.parametrize(
    'packet',
    [
        '2:',
        '8::',
        'garbage',
        '5:::not json',
        '5:::{"name":"other","args":[{}]}',
        '5:::{"name":"ftrack.event","args":[{},{}]}',
        '5:::{"name":"ftrack.event","args":[{"data":{}}]}',
        '3:::hello',
        '4:::{"a":1}',
    ],
)
def test_malformed_packets_get_an_error_and_the_connection_survives(clients, packet):
    client = clients()
    client.send(packet)
    answer = client.recv()
    assert answer.startswith('7:::'), answer
    # Still usable afterwards.
    assert client.subscribe('topic=after-error', 'after-error') == {'success': True}


def test_malformed_event_with_ack_is_refused_in_the_ack(clients):
    client = clients()
    client.send('5:9+::{"name":"ftrack.event","args":[]}')
    text = client.recv()
    assert text.startswith('6:::9+')
    result = json.loads(text[len('6:::9+'):])[0]
    assert result['success'] is False
    assert 'one object argument' in result['message']


def test_binary_frame_gets_an_error(clients):
    client = clients()
    client.socket.send_binary(b'\x00\x01')
    assert client.recv().startswith('7:::')


def test_other_packet_types_are_accepted(clients):
    client = clients()
    for packet in ('1::', '2::', '6:::1+[]', '7:::client error'):
        client.send(packet)
    assert client.subscribe('topic=x', 'still-alive') == {'success': True}


def test_abrupt_disconnects_do_not_harm_the_server(server, clients):
    for _ in range(5):
        client = RawClient(server)
        client.subscribe('topic=abrupt', 'abrupt')
        client.socket.sock.close()  # No close frame.
    listener = clients()
    publisher = clients()
    listener.subscribe('topic=abrupt', 'abrupt-listener')
    publisher.emit_and_ack(event('abrupt'))
    assert listener.recv_event()['topic'] == 'abrupt'


# -- Routing -------------------------------------------------------------------


def test_routing_by_subscription(clients):
    listener = clients()
    other = clients()
    publisher = clients()
    listener.subscribe('topic=route.a', 'route-a')
    other.subscribe('topic=route.b', 'route-b')
    publisher.emit_and_ack(event('route.a', data={'key': 'value'}))
    publisher.emit_and_ack(event('route.b'))
    received = listener.recv_event()
    assert received['topic'] == 'route.a'
    assert received['data'] == {'key': 'value'}
    assert set(received) == {
        'id', 'topic', 'data', 'source', 'target', 'sent', 'inReplyToEvent'
    }
    assert other.recv_event()['topic'] == 'route.b'


def test_event_delivered_once_per_connection(clients):
    listener = clients()
    publisher = clients()
    listener.subscribe('topic=once', 'once-1')
    listener.subscribe('topic=once or topic=other', 'once-2')
    publisher.emit_and_ack(event('once', id='first'))
    publisher.emit_and_ack(event('once-sentinel', id='sentinel'))
    listener.subscribe('topic=once-sentinel', 'sentinel-subscriber')
    publisher.emit_and_ack(event('once-sentinel', id='sentinel-2'))
    assert listener.recv_event()['id'] == 'first'
    assert listener.recv_event()['id'] == 'sentinel-2'


def test_publisher_receives_its_own_event_when_subscribed(clients):
    client = clients()
    client.subscribe('topic=self', 'self-subscriber')
    client.emit(event('self'))
    assert client.recv_event()['topic'] == 'self'


def test_wildcard_and_nested_subscriptions(clients):
    listener = clients()
    publisher = clients()
    listener.subscribe('topic=my-company.* and data.kind=shot', 'wildcard')
    publisher.emit_and_ack(event('my-company.render', id='no', data={'kind': 'task'}))
    publisher.emit_and_ack(event('other.topic', id='no-2', data={'kind': 'shot'}))
    publisher.emit_and_ack(event('my-company.render', id='yes', data={'kind': 'shot'}))
    assert listener.recv_event()['id'] == 'yes'


def test_targets_match_subscriber_metadata(clients):
    listener = clients()
    publisher = clients()
    listener.subscribe('topic=targeted', 'target-a', applicationId='maya')
    publisher.emit_and_ack(event('targeted', id='to-nobody', target='id=somebody-else'))
    publisher.emit_and_ack(event('targeted', id='to-maya', target='applicationId=maya'))
    publisher.emit_and_ack(event('targeted', id='to-a', target='id=target-a'))
    assert listener.recv_event()['id'] == 'to-maya'
    assert listener.recv_event()['id'] == 'to-a'


def test_invalid_target_is_refused(clients):
    client = clients()
    result = client.emit_and_ack(event('t', target='id='))
    assert result['success'] is False
    assert 'id=' in result['message']


def test_reply_is_routed_back_to_publisher(clients):
    publisher = clients()
    responder = clients()
    publisher.subscribe('topic=ftrack.meta.reply', 'publisher-hub')
    responder.subscribe('topic=ftrack.meta.reply', 'responder-hub')
    responder.subscribe('topic=question', 'responder')
    publisher.emit_and_ack(event('question', id='q1', source={'id': 'publisher-hub'}))
    question = responder.recv_event()
    responder.emit_and_ack(
        {
            'topic': 'ftrack.meta.reply',
            'id': 'r1',
            'data': {'answer': 42},
            'source': {'id': 'responder'},
            'target': 'id={0}'.format(question['source']['id']),
            'inReplyToEvent': question['id'],
        }
    )
    reply = publisher.recv_event()
    assert reply['inReplyToEvent'] == 'q1'
    assert reply['data'] == {'answer': 42}


def test_duplicate_subscribe_is_idempotent(clients):
    listener = clients()
    publisher = clients()
    assert listener.subscribe('topic=dup', 'dup') == {'success': True}
    assert listener.subscribe('topic=dup', 'dup') == {'success': True}
    publisher.emit_and_ack(event('dup', id='dup-1'))
    assert listener.recv_event()['id'] == 'dup-1'
    assert listener.unsubscribe('dup') == {'success': True}
    listener.subscribe('topic=dup-sentinel', 'dup-sentinel')
    publisher.emit_and_ack(event('dup', id='dup-2'))
    publisher.emit_and_ack(event('dup-sentinel', id='sentinel'))
    assert listener.recv_event()['id'] == 'sentinel'


def test_unknown_event_keys_are_removed(clients):
    listener = clients()
    publisher = clients()
    listener.subscribe('topic=extra-keys', 'extra-keys')
    result = publisher.emit_and_ack(event('extra-keys', bogus=1))
    assert result['success'] is True
    assert 'bogus' in result['message']
    received = listener.recv_event()
    assert 'bogus' not in received


def test_missing_event_fields_are_filled(clients):
    listener = clients()
    publisher = clients()
    listener.subscribe('topic=minimal', 'minimal')
    publisher.emit_and_ack({'topic': 'minimal'})
    received = listener.recv_event()
    assert len(received['id']) == 32
    assert received['data'] == {}
    assert received['target'] == ''
    assert received['inReplyToEvent'] is None


def test_slow_client_does_not_block_others(caplog):
    # A server of its own with a long heartbeat timeout, so the silent slow
    # client is not closed for missing heartbeats while the test runs.
    own = LocalServer(
        options={
            'event_heartbeat_interval': 5,
            'event_heartbeat_timeout': 600,
            'event_queue_limit': 50,
        }
    )
    with own:
        slow = RawClient(own)
        fast = RawClient(own)
        publisher = RawClient(own)
        _flood(own, slow, fast, publisher, caplog)


def _flood(server, slow, fast, publisher, caplog):
    slow.subscribe('topic=flood', 'slow')
    fast.subscribe('topic=flood', 'fast')
    payload = 'x' * 100000
    # ~30 MB in all: far more than the socket buffers of a client that
    # never reads, so the server must queue (and then drop) for it.
    count = 300
    received = []
    with caplog.at_level(logging.WARNING, logger='ftrack_local_server.events'):
        for index in range(count):
            # In lockstep with the fast client, which must never wait for
            # the slow one.
            publisher.emit(event('flood', id=str(index), data={'payload': payload}), ack=False)
            received.append(fast.recv_event()['id'])
    assert received == [str(index) for index in range(count)]
    event_server = server.state.event_server
    # Past the queue limit the client that does not read is disconnected
    # (issue 9), logged once.
    assert not [
        connection
        for connection in event_server.connections
        if 'slow' in connection.subscribers
    ]
    assert caplog.text.count('not keeping up') == 1


def test_server_stop_closes_websockets():
    with LocalServer(options={'event_heartbeat_interval': HEARTBEAT_INTERVAL}) as own:
        client = RawClient(own)
        own.stop()
        seen = []
        client.socket.settimeout(10)
        try:
            while True:
                text = client.socket.recv()
                seen.append(text)
                if text in ('', '0::'):
                    break
        except websocket.WebSocketConnectionClosedException:
            seen.append('closed')
        assert seen and seen[-1] in ('0::', '', 'closed')


def api_call(api, operations, **headers):
    """Post *operations* with *api* (a RawApi); check they succeeded, return the results."""
    response = api.post(operations, **headers)
    assert response.status_code == 200
    result = response.json()
    assert isinstance(result, list), result
    return result


def test_ftrack_update_after_api_batch(server, clients, make_raw_api):
    api = make_raw_api(server)
    listener = clients()
    listener.subscribe('topic=ftrack.update', 'update-listener')
    schema_id = api_call(
        api, [{'action': 'query', 'expression': 'select id from ProjectSchema limit 1'}]
    )[0]['data'][0]['id']
    name = 'raw_update_test'
    created = api_call(
        api,
        [
            {
                'action': 'create',
                'entity_type': 'Project',
                'entity_data': {
                    'name': name,
                    'full_name': name,
                    'project_schema_id': schema_id,
                },
            }
        ],
        ftrack_clienttoken='client-token-1',
        ftrack_pushtoken='push-token-1',
    )
    project_id = created[0]['data']['id']

    received = listener.recv_event()
    assert set(received) == {
        'id', 'topic', 'data', 'source', 'target', 'sent', 'inReplyToEvent'
    }
    assert received['topic'] == 'ftrack.update'
    assert len(received['id']) == 32
    assert received['target'] == ''
    assert received['sent'] is None
    assert received['inReplyToEvent'] is None
    data = received['data']
    assert data['clientToken'] == 'client-token-1'
    assert data['pushToken'] == 'push-token-1'
    assert data['user']['userid']
    assert data['user']['name']
    assert received['source']['clientToken'] == 'client-token-1'
    assert received['source']['applicationId'] == 'ftrack.client.web'
    assert received['source']['user']['username'] == server.api_user
    assert received['source']['user']['id'] == data['user']['userid']
    entity = [item for item in data['entities'] if item['entityId'] == project_id][0]
    assert entity['action'] == 'add'
    assert entity['entity_type'] == 'Project'
    assert entity['entityType'] == 'show'
    assert project_id in data['parents']
    assert len(data['parents']) == len(set(data['parents']))

    # A batch that changes nothing publishes nothing; a failed batch neither.
    api_call(api, [{'action': 'query', 'expression': 'select id from Project'}])
    failed = api.call(
        [{'action': 'create', 'entity_type': 'NoSuchType', 'entity_data': {}}]
    )
    assert 'exception' in failed
    api_call(
        api,
        [{'action': 'delete', 'entity_type': 'Project', 'entity_key': [project_id]}],
    )
    removed = listener.recv_event()
    assert [item['action'] for item in removed['data']['entities']
            if item['entityId'] == project_id] == ['remove']
