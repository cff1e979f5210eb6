"""Encode and decode the socket.io 0.9 packets spoken with the event server.

A packet is text of the form ``<type>:<id>:<endpoint>:<data>``. The type is
a digit from 0 to 7; the id is a number, followed by ``+`` when the sender
wants the data acknowledged; trailing empty fields may be left out, and the
data may itself contain ``:``.
"""

from __future__ import annotations

import collections
import json

import ftrack_api.exception

#: Packet type code: close the connection (or an endpoint).
DISCONNECT = 0
#: Packet type code: connection (or endpoint) accepted.
CONNECT = 1
#: Packet type code: heartbeat, answered in kind to keep the link alive.
HEARTBEAT = 2
#: Packet type code: a plain text message.
MESSAGE = 3
#: Packet type code: a JSON message.
JSON = 4
#: Packet type code: a named event with arguments (ftrack events use it).
EVENT = 5
#: Packet type code: acknowledgement of a packet that asked for one.
ACK = 6
#: Packet type code: an error reported by the other side.
ERROR = 7

#: Names of the packet types, by type code.
PACKET_TYPES = {
    DISCONNECT: 'disconnect',
    CONNECT: 'connect',
    HEARTBEAT: 'heartbeat',
    MESSAGE: 'message',
    JSON: 'json',
    EVENT: 'event',
    ACK: 'ack',
    ERROR: 'error',
}

#: The socket.io event name carrying ftrack events.
FTRACK_EVENT = 'ftrack.event'

#: Topics of the events announcing a subscriber to the event server and
#: withdrawing it; their data carries the ``subscriber`` (and, to subscribe,
#: the ``subscription``).
SUBSCRIBE_TOPIC = 'ftrack.meta.subscribe'
#: Topic of the event telling the server that a subscription was removed.
UNSUBSCRIBE_TOPIC = 'ftrack.meta.unsubscribe'

#: Top-level keys of an ftrack event on the wire. Python clients drop
#: events carrying any other key.
EVENT_KEYS = frozenset(
    ['id', 'topic', 'data', 'source', 'target', 'sent', 'inReplyToEvent']
)

#: The handshake answer: session id, heartbeat timeout (text, as sent) and
#: the list of transports the server supports.
SocketIoSession = collections.namedtuple(
    'SocketIoSession', ['id', 'heartbeatTimeout', 'supportedTransports']
)


class Packet(
    collections.namedtuple('Packet', ['type', 'id', 'ack', 'endpoint', 'data'])
):
    """A decoded packet.

    *type* is the integer type code, *id* the packet id (int or None),
    *ack* whether the sender asked for an acknowledgement carrying data
    (``+`` after the id), *endpoint* the endpoint text and *data* the
    data text (``''`` when absent).
    """

    @property
    def name(self):
        """Return the name of the packet type, e.g. ``'heartbeat'``."""
        return PACKET_TYPES[self.type]


def decode(text):
    """Return the :class:`Packet` that *text* encodes.

    Raise :class:`ftrack_api.exception.EventHubPacketError` if *text* is
    not a socket.io 0.9 packet: not text, an unknown type code, exactly two
    fields (``'2:'``) or an id that is not a number.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError:
            raise ftrack_api.exception.EventHubPacketError(
                'Packet is not UTF-8 text: {0!r}'.format(text[:80])
            )
    if not isinstance(text, str):
        raise ftrack_api.exception.EventHubPacketError(
            'Packet must be text, not {0!r}'.format(type(text).__name__)
        )

    parts = text.split(':', 3)
    if len(parts) == 2:
        raise ftrack_api.exception.EventHubPacketError(
            'Invalid packet {0!r}: a packet has one, three or four fields.'.format(
                _excerpt(text)
            )
        )
    type_text = parts[0]
    if len(type_text) != 1 or type_text not in '01234567':
        raise ftrack_api.exception.EventHubPacketError(
            'Invalid packet type {0!r} in packet {1!r}.'.format(
                type_text, _excerpt(text)
            )
        )

    while len(parts) < 4:
        parts.append('')
    _, id_text, endpoint, data = parts

    ack = id_text.endswith('+')
    if ack:
        id_text = id_text[:-1]
    packet_id = None
    if id_text:
        if not id_text.isdigit():
            raise ftrack_api.exception.EventHubPacketError(
                'Invalid packet id {0!r} in packet {1!r}.'.format(
                    parts[1], _excerpt(text)
                )
            )
        packet_id = int(id_text)
    elif ack:
        raise ftrack_api.exception.EventHubPacketError(
            'Acknowledgement requested without a packet id in {0!r}.'.format(
                _excerpt(text)
            )
        )

    return Packet(int(type_text), packet_id, ack, endpoint, data)


def encode(packet_type, packet_id=None, ack=False, endpoint='', data=None):
    """Return the text of a packet.

    *packet_type* is the type code (0-7), *packet_id* an optional number,
    *ack* whether to ask for an acknowledgement with data, *endpoint* the
    endpoint text and *data* the data text (``None`` leaves the data field
    out, ``''`` keeps an empty one as in ``'2:::'``).

    Raise :class:`ValueError` for a type outside 0-7.
    """
    if packet_type not in PACKET_TYPES:
        raise ValueError('Unknown packet type {0!r}.'.format(packet_type))
    id_text = ''
    if packet_id is not None:
        id_text = str(int(packet_id))
        if ack:
            id_text += '+'
    text = '{0}:{1}:{2}'.format(packet_type, id_text, endpoint)
    if data is not None:
        text += ':' + data
    return text


def encode_event(payload, packet_id=None):
    """Return an event packet carrying the ftrack event mapping *payload*.

    With a *packet_id* the packet asks for an acknowledgement.

    Raise :class:`TypeError` if *payload* is not JSON serialisable.
    """
    data = json.dumps(
        {'name': FTRACK_EVENT, 'args': [payload]},
        ensure_ascii=False,
        separators=(',', ':'),
    )
    return encode(EVENT, packet_id=packet_id, ack=packet_id is not None, data=data)


def decode_event(packet):
    """Return the ftrack event mapping carried by the event *packet*.

    Raise :class:`ftrack_api.exception.EventHubPacketError` unless the data
    is a JSON object named ``ftrack.event`` with exactly one argument that
    is an object.
    """
    try:
        message = json.loads(packet.data)
    except ValueError as error:
        raise ftrack_api.exception.EventHubPacketError(
            'Event packet data is not JSON ({0}): {1!r}'.format(
                error, _excerpt(packet.data)
            )
        )
    if not isinstance(message, dict):
        raise ftrack_api.exception.EventHubPacketError(
            'Event packet data must be an object: {0!r}'.format(_excerpt(packet.data))
        )
    if message.get('name') != FTRACK_EVENT:
        raise ftrack_api.exception.EventHubPacketError(
            'Unsupported event name {0!r}; expected {1!r}.'.format(
                message.get('name'), FTRACK_EVENT
            )
        )
    args = message.get('args')
    if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
        raise ftrack_api.exception.EventHubPacketError(
            'Event packet must have exactly one object argument: {0!r}'.format(
                _excerpt(packet.data)
            )
        )
    return args[0]


def encode_ack(packet_id, args):
    """Return an ack packet answering *packet_id* with the list *args*."""
    data = '{0}+{1}'.format(
        int(packet_id), json.dumps(list(args), separators=(',', ':'))
    )
    return encode(ACK, data=data)


def decode_ack(packet):
    """Return ``(packet_id, args)`` of the ack *packet*.

    *args* is the list of acknowledgement arguments (empty if none).

    Raise :class:`ftrack_api.exception.EventHubPacketError` if the data is
    not ``<id>`` or ``<id>+<JSON array>``.
    """
    id_text, _, args_text = packet.data.partition('+')
    if not id_text.isdigit():
        raise ftrack_api.exception.EventHubPacketError(
            'Invalid ack data {0!r}.'.format(_excerpt(packet.data))
        )
    args = []
    if args_text:
        try:
            args = json.loads(args_text)
        except ValueError:
            args = None
        if not isinstance(args, list):
            raise ftrack_api.exception.EventHubPacketError(
                'Ack arguments must be a JSON array: {0!r}'.format(
                    _excerpt(packet.data)
                )
            )
    return int(id_text), args


def parse_handshake(body):
    """Return the :class:`SocketIoSession` described by a handshake *body*.

    The body is ``<session id>:<heartbeat timeout>:<close timeout>:<transports>``.
    The fields are kept as text, as upstream does (use
    :func:`heartbeat_seconds` for the timeout as a number). Whether the
    websocket transport is offered is left to the caller.

    Raise :class:`ftrack_api.exception.EventHubConnectionError` if it has
    fewer than four fields or no session id.
    """
    parts = body.strip().split(':')
    if len(parts) < 4 or not parts[0]:
        raise ftrack_api.exception.EventHubConnectionError(
            'Unexpected handshake response from event server: {0!r}'.format(
                _excerpt(body)
            )
        )
    transports = [transport.strip() for transport in parts[3].split(',')]
    return SocketIoSession(parts[0], parts[1], transports)


def heartbeat_seconds(session):
    """Return the heartbeat timeout of *session* in seconds, or None.

    None when the server gave none, or not a positive number.
    """
    try:
        seconds = float(session.heartbeatTimeout)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def _excerpt(text, limit=200):
    """Return *text* cut to *limit* characters for messages."""
    if len(text) > limit:
        return text[:limit] + '...'
    return text
