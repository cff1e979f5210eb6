"""Sending and receiving socket.io packets: one part of the event hub.

:class:`PacketProtocol` is a base class of
:class:`~ftrack_api.event.hub.EventHub`. It writes packets the way the
upstream client does (``<code>:<id>[+]:<path>:<data>``, event JSON written
by the hub's ``_encode``) and turns received packets into queued events,
acknowledgement callbacks and log records. It uses the hub's connection,
lock, queues and ``_encode`` / ``_decode``.
"""

from __future__ import annotations

import logging

import ftrack_api.exception
import ftrack_api.event.socketio as socketio
import ftrack_api.event.wire
from ftrack_api.event.lifecycle import CONNECTED_TOPIC

logger = logging.getLogger(__name__)


class PacketProtocol(object):
    """Write packets to the event server and handle those it sends."""

    #: Most acknowledgement callbacks remembered; the oldest are forgotten
    #: first (a server may legitimately never acknowledge).
    max_packet_callbacks = 10000

    def _init_packets(self):
        """Set up the packet state; called by the hub's constructor."""
        #: Callbacks waiting for the server's acknowledgement, by packet id.
        self._packet_callbacks = {}
        #: The id of the last packet sent with a callback.
        self._unique_packet_id = 0

    def _send_packet(self, code, data='', callback=None):
        """Send the packet of type *code* (``'0'``-``'7'``) carrying *data*.

        With a *callback* the packet gets a new id and asks for an
        acknowledgement; *callback* is called with the acknowledgement's
        arguments when it arrives.

        Raise :class:`AttributeError` when there is no connection and
        :class:`ftrack_api.exception.EventHubConnectionError` when sending
        fails.
        """
        packet_id = ''
        if callback is not None:
            packet_id = self._add_packet_callback(callback)
        packet = '{0}:{1}::{2}'.format(code, packet_id, data)
        logger.debug('Sent packet: %s', packet)
        try:
            self._connection.send(packet)
        except ftrack_api.exception.EventHubConnectionError:
            if callback is not None:
                with self._lock:
                    self._packet_callbacks.pop(int(packet_id[:-1]), None)
            raise

    def _add_packet_callback(self, callback):
        """Remember *callback* under a new packet id; return ``'<id>+'``.

        The returned text is the id field of a packet asking for an
        acknowledgement with data.
        """
        with self._lock:
            self._unique_packet_id += 1
            identifier = self._unique_packet_id
            self._packet_callbacks[identifier] = callback
            while len(self._packet_callbacks) > self.max_packet_callbacks:
                del self._packet_callbacks[next(iter(self._packet_callbacks))]
        return '{0}+'.format(identifier)

    def _pop_packet_callback(self, packet_identifier):
        """Return and forget the callback of packet *packet_identifier* (int).

        Raise :class:`KeyError` if none waits for that packet.
        """
        with self._lock:
            return self._packet_callbacks.pop(packet_identifier)

    def _acknowledge_packet(self, packet_identifier, *args):
        """Acknowledge the received packet *packet_identifier*, with *args*.

        Sends ``6:::<id>`` or, with arguments, ``6:::<id>+<JSON list>``
        (upstream fails with :class:`IndexError` when given arguments).
        """
        data = str(packet_identifier)
        if args:
            data += '+' + self._encode(list(args))
        self._send_packet(str(socketio.ACK), data)

    def _emit_event_packet(self, namespace, event, callback):
        """Send *event* as an event packet named *namespace*.

        *callback* (or None) is called with the server's acknowledgement.
        """
        self._send_packet(
            str(socketio.EVENT),
            self._encode({'name': namespace, 'args': [event]}),
            callback=callback,
        )

    # -- Receiving ------------------------------------------------------

    def _on_packet(self, packet):
        """Handle a :class:`~ftrack_api.event.socketio.Packet` received."""
        packet_id = ''
        if packet.id is not None:
            packet_id = str(packet.id) + ('+' if packet.ack else '')
        self._handle_packet(str(packet.type), packet_id, packet.endpoint, packet.data)

    def _handle_packet(self, code, packet_identifier, path, data):
        """Handle a received packet given by its fields, all text.

        Raise :class:`KeyError` for a *code* that is not a socket.io packet
        type this client handles.
        """
        handler = {
            '0': self._handle_disconnect_packet,
            '1': self._handle_connect_packet,
            '2': self._handle_heartbeat_packet,
            '3': self._handle_message_packet,
            '4': self._handle_message_packet,
            '5': self._handle_event_packet,
            '6': self._handle_acknowledge_packet,
            '7': self._handle_error_packet,
        }[code]
        handler(code, packet_identifier, path, data)

    def _handle_disconnect_packet(self, code, packet_identifier, path, data):
        """The server closes the connection: treat it as lost (reconnect)."""
        logger.debug('Disconnected from event server.')
        connection = self._connection
        if connection is not None:
            connection.close()
            self._on_connection_lost(connection, 'server sent a disconnect packet')

    def _handle_connect_packet(self, code, packet_identifier, path, data):
        """The server confirms the connection."""
        logger.debug('Connected to event server.')
        self._queue_local_event(CONNECTED_TOPIC)

    def _handle_heartbeat_packet(self, code, packet_identifier, path, data):
        """Answer a heartbeat (the receive thread normally does this itself)."""
        self._send_packet(str(socketio.HEARTBEAT))

    def _handle_message_packet(self, code, packet_identifier, path, data):
        """Plain and JSON messages carry nothing for ftrack clients."""
        logger.debug('Ignoring message packet %s: %.200s', code, data)

    def _handle_event_packet(self, code, packet_identifier, path, data):
        """Queue the events carried by an event packet for :meth:`wait`."""
        packet = socketio.Packet(socketio.EVENT, None, False, path, data)
        try:
            payload = socketio.decode_event(packet)
        except ftrack_api.exception.EventHubPacketError as error:
            logger.warning('Ignoring event packet: %s', error)
            return
        event = ftrack_api.event.wire.from_wire(payload)
        if event is not None:
            self._queue_event(event)

    def _handle_acknowledge_packet(self, code, packet_identifier, path, data):
        """Call the callback waiting for this acknowledgement, if any."""
        packet = socketio.Packet(socketio.ACK, None, False, path, data)
        try:
            identifier, args = socketio.decode_ack(packet)
        except ftrack_api.exception.EventHubPacketError as error:
            logger.warning('Ignoring ack packet: %s', error)
            return
        try:
            callback = self._pop_packet_callback(identifier)
        except KeyError:
            logger.debug('No callback waits for packet %s.', identifier)
            return
        callback(*args)

    def _handle_error_packet(self, code, packet_identifier, path, data):
        """Log the error the server reports."""
        logger.error('Event server reported error: {0}.'.format(data))
