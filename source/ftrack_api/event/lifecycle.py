"""Connection lifecycle of the :class:`~ftrack_api.event.hub.EventHub`.

Connecting, disconnecting, manual and automatic reconnection, and waiting
for a connection. This is one part of the hub (a base class of it): it uses
the hub's lock, subscribers and queue of pending events, and calls back into
the hub to announce subscribers once connected.
"""

from __future__ import annotations

import logging
import random
import threading
import time

import ftrack_api.exception

logger = logging.getLogger(__name__)

#: Topic of the local event published once the hub is connected.
CONNECTED_TOPIC = 'ftrack.meta.connected'
#: Topic of the local event published when the hub has lost the server
#: (and, with reconnection, given up trying again).
DISCONNECTED_TOPIC = 'ftrack.meta.disconnected'
#: Topic of reply events, sent back to the publisher of an event.
REPLY_TOPIC = 'ftrack.meta.reply'


class ConnectionLifecycle(object):
    """Connect the hub to the event server and keep it connected."""

    #: Automatic reconnection after an unexpected loss: number of attempts,
    #: first delay and longest delay in seconds (the delay doubles each time).
    auto_reconnect_attempts = 30
    auto_reconnect_initial_delay = 0.25
    auto_reconnect_max_delay = 10

    #: Seconds allowed for the handshake, the websocket opening and the
    #: server's connect packet. A session sets it to its request timeout.
    connect_timeout = 60

    def _init_lifecycle(self):
        """Set up the connection state; called by the hub's constructor."""
        # Guards the connection state, the pending events and packet ids;
        # the condition wakes wait_for_connection().
        self._lock = threading.RLock()
        self._state_changed = threading.Condition(self._lock)
        # One connection attempt at a time (connect(), the background
        # connection, reconnections): two attempts at once would leave two
        # websockets delivering every event twice. Never taken while holding
        # self._lock, so that disconnect() can always cancel an attempt.
        self._attempt_lock = threading.Lock()
        self._connection = None
        self._connection_initialised = False
        self._ever_initialised = False
        self._last_connection_error = None
        self._reconnect_thread = None
        # True from the start of an automatic reconnection until its thread
        # has decided, with the lock held, that it is done; a loss reported
        # meanwhile is left to that thread.
        self._reconnecting = False
        self._stop_reconnect = threading.Event()
        #: True once :meth:`disconnect` was called, until the next connection.
        self._intentional_disconnect = False

    # Upstream's names for the automatic reconnection settings: the number
    # of attempts and the longest delay between two of them (seconds).
    @property
    def _auto_reconnect_attempts(self):
        return self.auto_reconnect_attempts

    @_auto_reconnect_attempts.setter
    def _auto_reconnect_attempts(self, value):
        self.auto_reconnect_attempts = value

    @property
    def _auto_reconnect_delay(self):
        return self.auto_reconnect_max_delay

    @_auto_reconnect_delay.setter
    def _auto_reconnect_delay(self, value):
        self.auto_reconnect_max_delay = value

    @property
    def connected(self):
        """Return whether the hub is connected to the event server."""
        connection = self._connection
        return connection is not None and connection.connected

    def init_connection(self):
        """Declare that a connection is being made.

        Until it succeeds or fails, :meth:`publish` queues events instead of
        raising; they are sent once connected.
        """
        with self._lock:
            self._connection_initialised = True
            self._ever_initialised = True
            self._state_changed.notify_all()

    def connect(self):
        """Connect to the event server and announce every subscriber.

        Queued events are sent after the subscribers have been announced.
        A connection already being made (in the background, or a
        reconnection) is waited for first.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if
        already connected or if the connection fails.
        """
        self._connect(if_connected='raise')

    def _connect(self, if_connected, background=False):
        """Connect as :meth:`connect` does.

        *if_connected* is ``'raise'`` to raise when the hub is (or becomes,
        through another attempt) connected, or ``'return'`` to accept that
        connection instead. A *background* connection declared with
        :meth:`init_connection` and cancelled by :meth:`disconnect` before
        this runs is not made (return at once).
        """
        if self.connected:
            if if_connected == 'return':
                return
            raise self._already_connected_error()
        with self._lock:
            if background and not self._connection_initialised:
                logger.debug('Background connection cancelled before it started.')
                return
            self._stop_reconnect.clear()
            self.init_connection()
        try:
            self._open(if_connected=if_connected)
        except ftrack_api.exception.EventHubConnectionError as error:
            with self._lock:
                if self.connected:
                    # Another attempt connected meanwhile: nothing failed.
                    raise
                if not self._reconnecting:
                    self._connection_initialised = False
                self._last_connection_error = error
                self._state_changed.notify_all()
            raise

    def _already_connected_error(self):
        return ftrack_api.exception.EventHubConnectionError('Already connected.')

    def connect_in_background(self):
        """Start connecting on a background thread and return at once.

        Events published meanwhile are queued and sent once connected. Use
        :meth:`wait_for_connection` to block until the connection is made;
        a failure is logged and re-raised by :meth:`wait_for_connection`.
        """
        self.init_connection()
        thread = threading.Thread(
            target=self._connect_in_background, name='ftrack-event-hub-connect'
        )
        thread.daemon = True
        thread.start()
        return thread

    def _connect_in_background(self):
        """Make the connection declared by :meth:`init_connection`; log failures.

        Does nothing if :meth:`disconnect` cancelled it meanwhile, and
        accepts a connection made meanwhile by another attempt.
        """
        try:
            self._connect(if_connected='return', background=True)
        except ftrack_api.exception.EventHubConnectionError as error:
            logger.error('Could not connect to the event server: %s', error)

    def wait_for_connection(self, timeout=None):
        """Block until connected; return whether the hub is connected.

        *timeout* is the longest time to wait in seconds (None waits as long
        as a connection is being made). Return False if *timeout* passes.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if no
        connection is being made, or the attempt being made failed.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while True:
                if self.connected:
                    return True
                if not self._connection_initialised:
                    if self._last_connection_error is not None:
                        raise ftrack_api.exception.EventHubConnectionError(
                            'Connecting to the event server failed: {0}'.format(
                                self._last_connection_error
                            )
                        )
                    raise ftrack_api.exception.EventHubConnectionError(
                        'No connection to the event server is being made; call '
                        'connect() or create the session with '
                        'auto_connect_event_hub=True.'
                    )
                if deadline is None:
                    self._state_changed.wait(1.0)
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._state_changed.wait(min(remaining, 1.0))

    def disconnect(self, unsubscribe=True, reconnect=False):
        """Disconnect from the event server.

        If *unsubscribe* is True every subscriber is first unsubscribed
        (locally and on the server). Any automatic reconnection under way is
        stopped. With *reconnect* the hub connects again straight away (see
        :meth:`reconnect`), as after a dropped connection.

        A connection being made (:meth:`connect` running on another thread,
        e.g. for ``Session(auto_connect_event_hub=True)``) is cancelled: it
        is closed as soon as it is established and its :meth:`connect`
        raises.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if not
        connected, reconnecting or connecting.
        """
        with self._lock:
            connecting = self._connection_initialised
            if not self.connected and not self._reconnecting and not connecting:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Not currently connected.'
                )
            self._stop_reconnect.set()
            self._intentional_disconnect = True

        if unsubscribe:
            for subscriber in self._registry.ordered:
                try:
                    self.unsubscribe(subscriber.metadata['id'])
                except ftrack_api.exception.NotFoundError:
                    pass

        with self._lock:
            connection = self._connection
            self._connection = None
            self._connection_initialised = False
            self._state_changed.notify_all()
        if connection is not None:
            connection.close()
        logger.debug('Disconnected from the event server.')
        if reconnect:
            self.reconnect()

    def reconnect(self, attempts=10, delay=5):
        """Reconnect to the event server, then re-announce every subscriber.

        Make up to *attempts* attempts, *delay* seconds apart.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if every
        attempt fails.
        """
        # Losses after this reconnection are reconnected automatically again,
        # even if disconnect() had stopped that before.
        self._stop_reconnect.clear()
        with self._lock:
            connection = self._connection
            self._connection = None
            self._connection_initialised = True
            self._ever_initialised = True
        if connection is not None:
            connection.close()

        error = None
        for attempt in range(max(1, int(attempts))):
            if attempt:
                time.sleep(delay)
            logger.debug('Reconnect attempt {0} of {1}'.format(attempt, attempts))
            try:
                self._open(if_connected='return')
                return
            except ftrack_api.exception.EventHubConnectionError as caught:
                error = caught
                logger.debug('Reconnection attempt %d failed: %s', attempt + 1, caught)

        with self._lock:
            self._connection_initialised = False
            self._last_connection_error = error
            self._state_changed.notify_all()
        raise ftrack_api.exception.EventHubConnectionError(
            'Failed to reconnect to event server at {0} after {1} '
            'attempts.'.format(self.get_server_url(), attempts)
        )

    def _open(self, if_connected):
        """Open a connection, then let the hub announce itself on it.

        Waits for any other attempt under way. *if_connected* says what to
        do when the hub is connected by then: ``'raise'`` or ``'return'``.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if the
        connection fails or is cancelled by :meth:`disconnect`.
        """
        with self._attempt_lock:
            if self.connected:
                if if_connected == 'return':
                    return
                raise self._already_connected_error()
            if self._stop_reconnect.is_set() and not self._connection_initialised:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Connection cancelled by disconnect().'
                )
            self._open_connection()

    def _get_socket_io_session(self):
        """Handshake with the event server; return the session it grants.

        Return a :class:`~ftrack_api.event.socketio.SocketIoSession`. The
        credentials travel in the ``ftrack-user`` and ``ftrack-api-key``
        headers, followed by the hub's own headers, with its cookies.

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if the
        server cannot be reached or refuses the handshake.
        """
        headers = {'ftrack-user': self._api_user, 'ftrack-api-key': self._api_key}
        headers.update(self._headers)
        # Imported when first connecting: scripts that never connect do not
        # pay for websocket-client.
        import ftrack_api.event.connection as connection_module

        return connection_module.handshake(
            self.get_server_url() + '/socket.io/1/',
            headers=headers,
            cookies=self._cookies,
            timeout=self.connect_timeout,
        )

    def _open_connection(self):
        """Open and install a connection (attempt lock held).

        Any failure is logged (at debug level, with its traceback) and
        raised as :class:`ftrack_api.exception.EventHubConnectionError`
        with upstream's message.
        """
        server_url = self.get_server_url()
        try:
            session = self._get_socket_io_session()
            if 'websocket' not in session.supportedTransports:
                raise ValueError('Server does not support websocket sessions.')
            import ftrack_api.event.connection as connection_module

            connection = connection_module.Connection.open(
                server_url,
                session,
                self._headers,
                self._cookies,
                self._on_packet,
                self._on_connection_lost,
                timeout=self.connect_timeout,
            )
        except Exception as error:
            logger.debug(
                'Failed to connect to event server at {0} with error: '
                '"{1}".'.format(server_url, error),
                exc_info=True,
            )
            # Upstream writes both as bytes literals; scripts match the text.
            raise ftrack_api.exception.EventHubConnectionError(
                'Failed to connect to event server at {0!r} with error: '
                '"{1!r}".'.format(server_url.encode('utf-8'), str(error).encode('utf-8'))
            ) from error

        with self._lock:
            cancelled = (
                self._stop_reconnect.is_set() and not self._connection_initialised
            )
            self._last_connection_error = None
            if not cancelled:
                self._intentional_disconnect = False
                self._connection = connection
                self._on_connected()
                if not connection.connected:
                    # Lost before it was installed: the loss report was
                    # ignored as stale, so handle it now.
                    self._on_connection_lost(connection, 'closed while connecting')
            self._state_changed.notify_all()

        if cancelled:
            # Closed outside the lock: closing joins the receive thread,
            # which may itself be waiting for the lock.
            connection.close()
            raise ftrack_api.exception.EventHubConnectionError(
                'Connection cancelled by disconnect().'
            )
        logger.debug('Connected to event server.')
        self._queue_local_event(CONNECTED_TOPIC)

    def _on_connection_lost(self, connection, cause):
        """Start reconnecting after *connection* was lost because of *cause*."""
        with self._lock:
            if connection is not self._connection:
                return
            self._connection = None
            if self._stop_reconnect.is_set():
                return
            self._connection_initialised = True
            self._state_changed.notify_all()
            if self._reconnecting:
                return
            self._reconnecting = True
            self._reconnect_thread = threading.Thread(
                target=self._auto_reconnect, name='ftrack-event-hub-reconnect'
            )
            self._reconnect_thread.daemon = True
            self._reconnect_thread.start()
        logger.warning(
            'Lost connection to the event server (%s); reconnecting.', cause
        )

    def _auto_reconnect(self):
        """Reconnect with exponential back-off until success or giving up.

        Runs on its own thread. A loss reported while this thread runs is
        left to it, so success only counts once the hub is seen connected
        with the lock held; otherwise the attempts go on.
        """
        try:
            error = self._reconnect_attempts()
        except BaseException:
            with self._lock:
                self._reconnecting = False
            raise
        if error is None:
            return
        logger.error(
            'Could not reconnect to the event server after %d attempts: %s',
            self.auto_reconnect_attempts,
            error,
        )
        self._queue_local_event(DISCONNECTED_TOPIC)

    def _reconnect_attempts(self):
        """Make the reconnection attempts; return the last error if all failed.

        Return None when connected or stopped. Clears ``_reconnecting``
        with the lock held whenever it returns.
        """
        delay = self.auto_reconnect_initial_delay
        error = None
        for attempt in range(self.auto_reconnect_attempts):
            # Jitter spreads the reconnections of many clients after a restart.
            if self._stop_reconnect.wait(delay * random.uniform(1.0, 1.5)):
                break
            try:
                self._open(if_connected='return')
            except ftrack_api.exception.EventHubConnectionError as caught:
                error = caught
                logger.debug('Reconnection attempt %d failed: %s', attempt + 1, caught)
                delay = min(delay * 2, self.auto_reconnect_max_delay)
                continue
            with self._lock:
                if self.connected or self._stop_reconnect.is_set():
                    self._reconnecting = False
                    logger.info('Reconnected to the event server.')
                    return None
            logger.debug('Connection lost again right after reconnecting.')

        with self._lock:
            self._reconnecting = False
            if self.connected or self._stop_reconnect.is_set():
                return None
            self._connection_initialised = False
            self._last_connection_error = error
            self._state_changed.notify_all()
        return error or ftrack_api.exception.EventHubConnectionError(
            'No attempt was made.'
        )
