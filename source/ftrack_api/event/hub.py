"""The :class:`EventHub`: subscribe to, publish and handle events.

Local (synchronous) publishing works without a server. Publishing to other
processes needs a connection to the ftrack event server (socket.io 0.9 over
a websocket, see :mod:`ftrack_api.event.connection`). Received events are
queued and handled on whichever thread calls :meth:`EventHub.wait`.
"""

from __future__ import annotations

import collections
import collections.abc
import functools
import json
import logging
import os
import queue
import urllib.parse
import uuid

import ftrack_api.exception
import ftrack_api.event.base
import ftrack_api.event.expression
import ftrack_api.event.socketio as socketio
import ftrack_api.event.registry
import ftrack_api.event.wire
from ftrack_api.event.lifecycle import REPLY_TOPIC, ConnectionLifecycle
from ftrack_api.event.handling import EventHandling
from ftrack_api.event.packets import PacketProtocol
from ftrack_api.event.subscriber import _SubscriptionContext  # noqa: F401
from ftrack_api.logging import LazyLogMessage as L  # noqa: F401 - upstream's name.
from ftrack_api.event.socketio import SocketIoSession  # noqa: F401 - public name.

logger = logging.getLogger(__name__)

#: Scheme, lower-cased host name and port (or None) of the event server.
ServerDetails = collections.namedtuple('ServerDetails', ['scheme', 'hostname', 'port'])


class EventHub(ConnectionLifecycle, PacketProtocol, EventHandling):
    """Route events between local subscribers and the ftrack event server."""

    #: Most events kept while a connection is being made; publishing more
    #: raises :class:`~ftrack_api.exception.EventHubConnectionError`.
    max_pending_events = 10000

    #: Most received events waiting for :meth:`wait`; beyond it the oldest
    #: are dropped (and logged).
    max_queued_events = 100000

    #: Most ``on_reply`` callbacks remembered; the oldest are forgotten first.
    max_reply_callbacks = 10000

    #: The message of the error raised when publishing without a connection
    #: (upstream's text, which scripts match).
    _not_connected_message = (
        'Cannot publish event asynchronously as not connected to server.'
    )

    def __init__(self, server_url, api_user, api_key, headers=None, cookies=None):
        """Create a hub for the ftrack server at *server_url*.

        *api_user* and *api_key* authenticate the connection. *headers*
        (mapping) are sent with the handshake and the websocket upgrade and
        *cookies* (mapping) with both. No connection is made until
        :meth:`connect` is called.

        Raise :class:`ValueError` if *server_url* has no scheme or host name.
        """
        super().__init__()
        self.id = uuid.uuid4().hex
        self.logger = logger

        parsed = urllib.parse.urlparse(server_url or '')
        if not parsed.scheme:
            raise ValueError(
                'Could not determine scheme from server url {0!r}.'.format(server_url)
            )
        if not parsed.hostname:
            raise ValueError(
                'Could not determine hostname from server url {0!r}.'.format(
                    server_url
                )
            )
        self.server = ServerDetails(parsed.scheme, parsed.hostname.lower(), parsed.port)

        self._api_user = api_user
        self._api_key = api_key
        self._headers = dict(headers or {})
        self._cookies = dict(cookies or {})
        self._host = _host_name()

        self._parser = ftrack_api.event.expression.Parser()
        #: The socket.io namespace events travel in.
        self._event_namespace = 'ftrack.event'
        self._registry = ftrack_api.event.registry.SubscriberRegistry()
        self._reply_callbacks = collections.OrderedDict()
        self._event_queue = queue.Queue()
        self._dropped_events = 0
        #: Events published while a connection is being made, as
        #: ``(event, synchronous, callback, on_reply)``; sent once connected.
        self._event_send_queue = queue.Queue()
        self._init_packets()
        self._init_lifecycle()

    # -- Names integrations written for upstream use ---------------------

    @property
    def _server_url(self):
        """The event server's URL (as :meth:`get_server_url` gives it)."""
        return self.get_server_url()

    @property
    def _expression_parser(self):
        """The :class:`~ftrack_api.event.expression.Parser` of subscriptions."""
        return self._parser

    def _encode(self, data):
        """Return *data* as JSON text, events with their wire reply key.

        An :class:`~ftrack_api.event.base.Event` anywhere in *data* is
        written as its mapping with ``in_reply_to_event`` named
        ``inReplyToEvent``; everything else as :func:`json.dumps` writes it.
        """
        return json.dumps(data, default=self._encode_object_hook)

    def _decode(self, string):
        """Return the JSON text *string* decoded, reply keys named locally.

        Every ``inReplyToEvent`` key, at any depth, becomes
        ``in_reply_to_event``.
        """
        return json.loads(string, object_hook=self._decode_object_hook)

    def _encode_object_hook(self, item):
        """Return the JSON-able form of *item* (the ``default`` of json.dumps).

        An :class:`~ftrack_api.event.base.Event` becomes a dict with
        ``in_reply_to_event`` named ``inReplyToEvent``.

        Raise :class:`TypeError` for anything else.
        """
        if isinstance(item, ftrack_api.event.base.Event):
            mapping = dict(item)
            if 'in_reply_to_event' in mapping:
                mapping['inReplyToEvent'] = mapping.pop('in_reply_to_event')
            return mapping
        raise TypeError('{0!r} is not JSON serializable'.format(item))

    def _decode_object_hook(self, item):
        """Return the decoded mapping *item* with its reply key named locally.

        (The ``object_hook`` of json.loads: ``inReplyToEvent`` becomes
        ``in_reply_to_event``.)
        """
        if 'inReplyToEvent' in item:
            item['in_reply_to_event'] = item.pop('inReplyToEvent')
        return item

    # -- Server details -------------------------------------------------

    def get_server_url(self):
        """Return the event server URL: scheme, host and port, no path."""
        return '{0}://{1}'.format(self.server.scheme, self.get_network_location())

    def get_network_location(self):
        """Return the host name, followed by ``:port`` when one was given."""
        if self.server.port is not None:
            return '{0}:{1}'.format(self.server.hostname, self.server.port)
        return self.server.hostname

    @property
    def secure(self):
        """Return whether the connection is encrypted (an ``https`` server)."""
        return self.server.scheme == 'https'

    def _on_connected(self):
        """Announce this hub on the new connection (called with the lock held).

        Adds the reply subscriber if needed and announces every subscriber,
        then sends the events queued while connecting, in that order (as
        upstream does; a subscriber added while connecting is thus announced
        twice, which servers accept).
        """
        if self.get_subscriber_by_identifier(self.id) is None:
            self._add_subscriber(
                'topic={0}'.format(REPLY_TOPIC),
                self._handle_reply,
                {'id': self.id},
                priority=100,
            )
        for subscriber in self._registry.ordered:
            self._notify_server_about_subscriber(subscriber)

        queued = []
        while True:
            try:
                queued.append(self._event_send_queue.get_nowait())
            except queue.Empty:
                break
        # A connection lost meanwhile queues the rest again.
        for item in queued:
            self._publish(*item)

    # -- Subscribers ----------------------------------------------------

    def get_subscriber_by_identifier(self, identifier):
        """Return the subscriber whose metadata ``id`` is *identifier*, or None."""
        return self._registry.get(identifier)

    @property
    def _subscribers(self):
        """The subscribers, in the order they are called (a new list each time)."""
        return list(self._registry.ordered)

    def subscription(self, subscription, callback, subscriber=None, priority=100):
        """Return a context manager subscribing *callback* for a ``with`` block.

        The arguments (*subscription*, *callback*, *subscriber*,
        *priority*) are those of :meth:`subscribe`; the subscriber is
        added when the block starts and removed when it ends, however it
        ends. The block gets None (``as`` binds nothing useful), as upstream.
        """
        return _SubscriptionContext(self, subscription, callback, subscriber, priority)

    def subscribe(self, subscription, callback, subscriber=None, priority=100):
        """Call *callback* with every event matching *subscription*.

        *subscription* is an expression string such as
        ``'topic=ftrack.update and data.foo=bar'``. *callback* receives the
        :class:`~ftrack_api.event.base.Event`; whatever it returns (other
        than None) is sent back to the publisher as a reply, and it may call
        ``event.stop()`` to prevent lower priority callbacks of this hub
        from being called. *subscriber* is a mapping of information about
        the subscriber that event targets are tested against; an ``id`` is
        generated if missing. Callbacks run in order of *priority*, lowest
        first (default 100).

        The server is told about the subscription if connected, and again
        after every (re)connection.

        Return the subscriber id.

        Raise :class:`ftrack_api.exception.ParseError` for an invalid
        *subscription*, :class:`TypeError` for a *callback* that is not
        callable, a *subscriber* that is not a JSON serialisable mapping or
        a *priority* that is not a number, and
        :class:`ftrack_api.exception.NotUniqueError` if a subscriber with the
        same id exists.
        """
        added = self._add_subscriber(subscription, callback, subscriber, priority)
        with self._lock:
            if self.connected or self._connection_initialised:
                # While connecting the announcement is queued.
                self._notify_server_about_subscriber(added)
        return added.metadata['id']

    def _add_subscriber(self, subscription, callback, subscriber=None, priority=100):
        """Validate and store a subscriber locally; return it."""
        created = ftrack_api.event.registry.make_subscriber(
            subscription, callback, subscriber, priority
        )
        with self._lock:
            self._registry.add(created)
        return created

    def unsubscribe(self, subscriber_identifier):
        """Remove the subscriber with id *subscriber_identifier*.

        It is removed locally even when the server cannot be told.

        Raise :class:`ftrack_api.exception.NotFoundError` if no subscriber
        has that id.
        """
        with self._lock:
            subscriber = self._registry.remove(subscriber_identifier)
            if self.connected or self._connection_initialised:
                self._send_meta_event(
                    socketio.UNSUBSCRIBE_TOPIC,
                    {'subscriber': subscriber.metadata},
                    'Unsubscribing',
                    subscriber,
                )

    def _notify_server_about_subscriber(self, subscriber):
        """Send the subscribe meta event for *subscriber* (lock held)."""
        self._send_meta_event(
            socketio.SUBSCRIBE_TOPIC,
            {
                'subscriber': subscriber.metadata,
                'subscription': str(subscriber.subscription),
            },
            'Subscribing',
            subscriber,
        )

    def _send_meta_event(self, topic, data, action, subscriber):
        """Publish the meta event *topic* with *data* about *subscriber*.

        Failures are logged: *action* (e.g. ``'Subscribing'``) names what was
        being done. A subscriber is announced again after a reconnection.
        """
        event = ftrack_api.event.base.Event(topic=topic, data=data)
        if topic == socketio.SUBSCRIBE_TOPIC:
            callback = functools.partial(self._on_subscribed, subscriber)
        else:
            callback = functools.partial(self._on_unsubscribed, subscriber)
        try:
            self._publish(event, callback=callback)
        except ftrack_api.exception.EventHubConnectionError as error:
            logger.debug('%s %s: server not told (%s).', action, subscriber, error)

    def _on_subscribed(self, subscriber, response):
        """Log the server's refusal to subscribe *subscriber*, if it refused."""
        if not _succeeded(response):
            logger.warning(
                'Server failed to subscribe subscriber {0}: {1}'.format(
                    subscriber.metadata['id'], _failure_message(response)
                )
            )

    def _on_unsubscribed(self, subscriber, response):
        """Log the server's refusal to unsubscribe *subscriber*, if it refused."""
        if not _succeeded(response):
            logger.warning(
                'Server failed to unsubscribe subscriber {0}: {1}'.format(
                    subscriber.metadata['id'], _failure_message(response)
                )
            )

    def _on_published(self, event, response):
        """Log the server's refusal to publish *event*, if it refused."""
        if not _succeeded(response):
            logger.error(
                'Server responded with error while publishing event {0}. '
                'Error was: {1}'.format(event, _failure_message(response))
            )

    # -- Publishing -----------------------------------------------------

    def publish(self, event, synchronous=False, on_reply=None, on_error='raise'):
        """Publish *event* (an :class:`~ftrack_api.event.base.Event`).

        Missing ``source`` information (``id``, ``user``, ``host``) is
        filled in first.

        If *synchronous* is True only local subscribers are called, at once,
        and the list of their results other than None is returned; nothing
        is sent to the server. Otherwise the event is sent to the server and
        None is returned; while a connection is being made it is queued
        instead and True is returned (as upstream).

        *on_reply* is called with every reply event received in response
        (from the thread calling :meth:`wait`); not used when synchronous.

        *on_error* is ``'raise'`` (default) or ``'ignore'`` to swallow (and
        log) errors.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` when not
        connected nor connecting, :class:`TypeError` if the event's data
        cannot be sent as JSON, and :class:`ValueError` for an unknown
        *on_error*.
        """
        if on_error not in ('raise', 'ignore'):
            raise ValueError(
                "on_error must be 'raise' or 'ignore', not {0!r}.".format(on_error)
            )
        try:
            return self._publish(
                event,
                synchronous=synchronous,
                callback=functools.partial(self._on_published, event),
                on_reply=on_reply,
            )
        except Exception as error:
            if on_error == 'ignore':
                logger.debug('Ignored error publishing %s: %s', event, error)
                return None
            raise

    def _publish(self, event, synchronous=False, callback=None, on_reply=None):
        """Publish *event*; see :meth:`publish`.

        *callback* is called with the server's acknowledgement of the
        packet. Without a connection, but with one being made, the event
        is queued in ``_event_send_queue`` and True is returned (None once
        sent). A failure while sending is
        logged ("Error sending event ...") rather than raised; an event
        whose connection was lost while sending it is queued again for the
        reconnection.
        """
        if not isinstance(event, collections.abc.MutableMapping) or 'topic' not in event:
            raise TypeError(
                'Can only publish an ftrack_api.event.base.Event, not '
                '{0!r}.'.format(event)
            )
        self._prepare_event(event)
        if synchronous:
            return self._handle(event, synchronous=True)

        with self._lock:
            if not self.connected:
                if not self._connection_initialised:
                    raise ftrack_api.exception.EventHubConnectionError(
                        self._not_connected_message
                    )
                self._queue_for_connection(event, synchronous, callback, on_reply)
                return True

            if on_reply is not None:
                self._reply_callbacks[event['id']] = on_reply
                while len(self._reply_callbacks) > self.max_reply_callbacks:
                    self._reply_callbacks.popitem(last=False)
            try:
                self._emit_event_packet(
                    self._event_namespace,
                    ftrack_api.event.wire.to_wire(event),
                    callback=callback,
                )
            except Exception as error:
                logger.exception('Error sending event {0}.'.format(event))
                if (
                    isinstance(error, ftrack_api.exception.EventHubConnectionError)
                    and self._connection_initialised
                ):
                    # Lost while sending: the reconnection sends it.
                    self._queue_for_connection(event, synchronous, callback, on_reply)
        return None

    def _queue_for_connection(self, event, synchronous, callback, on_reply):
        """Keep *event* until connected (lock held).

        Raise :class:`ftrack_api.exception.EventHubConnectionError` when
        :attr:`max_pending_events` events already wait.
        """
        waiting = self._event_send_queue.qsize()
        if waiting >= self.max_pending_events:
            raise ftrack_api.exception.EventHubConnectionError(
                'Cannot queue event {0!r}: {1} events already wait for '
                'the connection.'.format(event['topic'], waiting)
            )
        self._event_send_queue.put((event, synchronous, callback, on_reply))

    def publish_reply(self, source_event, data, source=None):
        """Publish a reply to *source_event* carrying *data*.

        *source* describes the replier (default: this hub). The reply is
        targeted at the publisher of *source_event* (``id=<its source id>``).

        Raise :class:`KeyError` if *source_event* has no ``source.id`` to
        reply to, and whatever :meth:`publish` raises.
        """
        reply = ftrack_api.event.base.Event(topic=REPLY_TOPIC, data=data)
        self._prepare_reply_event(reply, source_event, source=source)
        return self.publish(reply)

    def _prepare_reply_event(self, event, source_event, source=None):
        """Make *event* a reply to *source_event*, in place.

        Sets its ``source`` (to *source*, if given), targets it at the
        publisher of *source_event* and records which event it answers.

        Raise :class:`KeyError` if *source_event* has no ``source.id``.
        """
        if source is not None:
            event['source'] = source
        # Ids that need quoting (never uuids) are quoted, so that the target
        # still parses; upstream leaves them bare.
        event['target'] = 'id={0}'.format(
            ftrack_api.event.expression.format_value(
                str(source_event['source']['id'])
            )
        )
        event['in_reply_to_event'] = source_event['id']

    def _prepare_event(self, event):
        """Fill in the event's missing source information."""
        source = event.get('source')
        if not isinstance(source, collections.abc.MutableMapping):
            source = {}
            event['source'] = source
        source.setdefault('id', self.id)
        source.setdefault('user', {'username': self._api_user})
        source.setdefault('host', self._host)


def _host_name():
    """Return the machine's network name, as :func:`platform.node` gives it."""
    uname = getattr(os, 'uname', None)
    if uname is not None:
        return uname().nodename
    import platform

    return platform.node()


def _succeeded(response):
    """Return whether the acknowledgement *response* reports success."""
    return isinstance(response, collections.abc.Mapping) and bool(
        response.get('success')
    )


def _failure_message(response):
    """Return the message of a failed acknowledgement *response*."""
    if isinstance(response, collections.abc.Mapping):
        return response.get('message')
    return response
