"""Unit tests for the socket.io 0.9 packet codec and the event wire form."""

import json

import pytest

import ftrack_api.exception
from ftrack_api.event import socketio, wire
from ftrack_api.event.base import Event


@pytest.mark.parametrize(
    'text, expected',
    [
        ('1::', (1, None, False, '', '')),
        ('2::', (2, None, False, '', '')),
        ('2:::', (2, None, False, '', '')),
        ('0', (0, None, False, '', '')),
        ('7:::reason: with colons', (7, None, False, '', 'reason: with colons')),
        ('5:12+::{"a":1}', (5, 12, True, '', '{"a":1}')),
        ('5:3::{"a":1}', (5, 3, False, '', '{"a":1}')),
        ('6:::4+[{"success":true}]', (6, None, False, '', '4+[{"success":true}]')),
        ('3::/chat:hello', (3, None, False, '/chat', 'hello')),
    ],
)
def test_decode(text, expected):
    assert tuple(socketio.decode(text)) == expected


def test_decode_bytes():
    assert socketio.decode(b'1::').type == socketio.CONNECT


@pytest.mark.parametrize(
    'text', ['', '2:', '8::', '9:::x', 'a::', '12::', '5:x::{}', '5:+::{}', 42, b'\xff\xfe']
)
def test_decode_invalid(text):
    with pytest.raises(ftrack_api.exception.EventHubPacketError):
        socketio.decode(text)


def test_packet_name():
    assert socketio.decode('2::').name == 'heartbeat'


@pytest.mark.parametrize(
    'arguments, expected',
    [
        ((socketio.HEARTBEAT,), '2::'),
        ((socketio.HEARTBEAT, None, False, '', ''), '2:::'),
        ((socketio.CONNECT,), '1::'),
        ((socketio.EVENT, 7, True, '', 'x'), '5:7+::x'),
        ((socketio.EVENT, 7, False, '', 'x'), '5:7::x'),
        ((socketio.ERROR, None, False, '', 'why'), '7:::why'),
    ],
)
def test_encode(arguments, expected):
    assert socketio.encode(*arguments) == expected


def test_encode_invalid_type():
    with pytest.raises(ValueError):
        socketio.encode(8)


def test_event_round_trip():
    payload = {'topic': 'ünïcode', 'data': {'a': [1, 2]}}
    text = socketio.encode_event(payload, packet_id=5)
    assert text.startswith('5:5+::')
    assert 'ünïcode' in text  # Raw UTF-8, no ASCII escaping.
    packet = socketio.decode(text)
    assert packet.ack is True
    assert socketio.decode_event(packet) == payload


def test_event_without_ack():
    assert socketio.encode_event({'topic': 't'}).startswith('5:::')


@pytest.mark.parametrize(
    'data',
    [
        'not json',
        '[]',
        '{"name":"other","args":[{}]}',
        '{"name":"ftrack.event"}',
        '{"name":"ftrack.event","args":[]}',
        '{"name":"ftrack.event","args":[{}, {}]}',
        '{"name":"ftrack.event","args":["text"]}',
    ],
)
def test_decode_invalid_event(data):
    with pytest.raises(ftrack_api.exception.EventHubPacketError):
        socketio.decode_event(socketio.Packet(5, None, False, '', data))


def test_ack_round_trip():
    text = socketio.encode_ack(3, [{'success': True}])
    assert text == '6:::3+[{"success":true}]'
    assert socketio.decode_ack(socketio.decode(text)) == (3, [{'success': True}])
    assert socketio.decode_ack(socketio.decode('6:::3')) == (3, [])


@pytest.mark.parametrize('data', ['x+[]', '3+{}', '3+nope', ''])
def test_decode_invalid_ack(data):
    with pytest.raises(ftrack_api.exception.EventHubPacketError):
        socketio.decode_ack(socketio.Packet(6, None, False, '', data))


def test_parse_handshake():
    session = socketio.parse_handshake('abc:15:25:websocket,xhr-polling')
    assert session.id == 'abc'
    # Text, as upstream keeps it; heartbeat_seconds() gives the number.
    assert session.heartbeatTimeout == '15'
    assert socketio.heartbeat_seconds(session) == 15
    assert session.supportedTransports == ['websocket', 'xhr-polling']


def test_parse_handshake_leaves_transport_check_to_the_hub():
    session = socketio.parse_handshake('abc:15:25:xhr-polling')
    assert session.supportedTransports == ['xhr-polling']
    assert socketio.heartbeat_seconds(socketio.parse_handshake('abc:2.5:25:websocket')) == 2.5


@pytest.mark.parametrize('body', ['abc:15:25', ':15:25:websocket'])
def test_parse_handshake_invalid(body):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        socketio.parse_handshake(body)


def test_parse_handshake_without_timeout():
    session = socketio.parse_handshake('abc:::websocket')
    assert session.heartbeatTimeout == ''
    assert socketio.heartbeat_seconds(session) is None
    assert socketio.heartbeat_seconds(socketio.parse_handshake('abc:x:1:websocket')) is None


def test_to_wire_renames_reply_key_and_drops_unknown_keys(caplog):
    event = Event(topic='t', in_reply_to_event='orig')
    event['extra'] = 'x'
    payload = wire.to_wire(event)
    assert payload['inReplyToEvent'] == 'orig'
    assert 'in_reply_to_event' not in payload
    assert 'extra' not in payload
    assert set(payload) == socketio.EVENT_KEYS
    assert "'extra'" in caplog.text


def test_to_wire_keeps_the_event_key_order_and_values():
    value = {1, 2}
    payload = wire.to_wire(Event(topic='bad.topic', id='i', data={'x': value}))
    assert list(payload) == [
        'id', 'data', 'topic', 'sent', 'source', 'target', 'inReplyToEvent'
    ]
    # Encoding is left to the sender.
    assert payload['data']['x'] is value


def test_from_wire():
    event = wire.from_wire(
        json.loads(
            '{"topic":"t","id":"1","data":{"nested":{"inReplyToEvent":"n"}},'
            '"source":{"id":"s"},"target":null,"sent":null,"inReplyToEvent":"r",'
            '"unknown":1}'
        )
    )
    assert isinstance(event, Event)
    assert event['in_reply_to_event'] == 'r'
    assert event['data'] == {'nested': {'in_reply_to_event': 'n'}}
    assert event['target'] == ''
    assert 'unknown' not in event


def test_from_wire_without_topic():
    assert wire.from_wire({'id': 'x'}) is None
