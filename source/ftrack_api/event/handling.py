"""Handling received events: one part of the event hub.

:class:`EventHandling` is a base class of
:class:`~ftrack_api.event.hub.EventHub`. Received events wait in the hub's
``_event_queue`` until a thread calls :meth:`EventHandling.wait`, which
calls the interested subscribers and sends their answers back as replies.
It uses the hub's lock, registry, parser, reply callbacks and publishing.
"""

from __future__ import annotations

import logging
import queue
import time

import ftrack_api.event.base
import ftrack_api.exception
from ftrack_api.event.lifecycle import DISCONNECTED_TOPIC

logger = logging.getLogger(__name__)


class EventHandling(object):
    """Queue received events and handle them on the thread calling wait()."""

    def _queue_event(self, event):
        """Queue *event* for :meth:`wait`, dropping the oldest when full."""
        while self._event_queue.qsize() >= self.max_queued_events:
            try:
                dropped = self._event_queue.get_nowait()
            except queue.Empty:
                break
            self._dropped_events += 1
            if self._dropped_events == 1 or self._dropped_events % 1000 == 0:
                logger.warning(
                    'Event queue full (%d events; is wait() being called?): '
                    'dropped %d events so far, latest %s.',
                    self.max_queued_events,
                    self._dropped_events,
                    dropped.get('topic'),
                )
        self._event_queue.put(event)

    def _queue_local_event(self, topic):
        """Queue a local meta event with this hub as its source."""
        event = ftrack_api.event.base.Event(topic=topic)
        self._prepare_event(event)
        self._queue_event(event)

    def wait(self, duration=None):
        """Handle received events on this thread until *duration* has passed.

        *duration* is in seconds (float allowed); None waits until
        interrupted (Ctrl-C raises :class:`KeyboardInterrupt` as usual) or
        until the hub gives up reconnecting (``ftrack.meta.disconnected``).

        Raise :class:`ftrack_api.exception.EventHubConnectionError` if no
        connection was ever made or started.
        """
        if not self._ever_initialised:
            raise ftrack_api.exception.EventHubConnectionError(
                'Cannot wait for events: the event hub was never connected. '
                'Call session.event_hub.connect() first or create the session '
                'with auto_connect_event_hub=True.'
            )
        deadline = None if duration is None else time.monotonic() + duration
        while True:
            # Short blocking slices keep Ctrl-C responsive on every platform.
            timeout = 0.5
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                timeout = min(timeout, remaining)
            try:
                event = self._event_queue.get(timeout=timeout)
            except queue.Empty:
                continue
            self._handle(event)
            if event['topic'] == DISCONNECTED_TOPIC:
                return

    def _handle(self, event, synchronous=False):
        """Call every interested, targeted subscriber with *event*.

        Return the results other than None when *synchronous*; otherwise
        send them as replies.
        """
        target = event.get('target') or ''
        target_expression = None
        if target:
            try:
                target_expression = self._parser.parse(target)
            except ftrack_api.exception.ParseError as error:
                logger.warning('Dropping event %s with invalid target: %s', event, error)
                return []

        results = []
        for subscriber in self._registry.ordered:
            if not subscriber.interested_in(event):
                continue
            if target_expression is not None and not target_expression.match(
                subscriber.metadata
            ):
                continue
            try:
                response = subscriber.callback(event)
            except Exception:
                logger.exception(
                    'Error calling subscriber %s for event %s.', subscriber, event
                )
                response = None
            if response is not None:
                if synchronous:
                    results.append(response)
                else:
                    try:
                        self.publish_reply(
                            event, response, source=dict(subscriber.metadata)
                        )
                    except Exception:
                        logger.exception(
                            'Error replying to event %s from %s.', event, subscriber
                        )
            if event.is_stopped():
                logger.debug('Event %s stopped by %s.', event['id'], subscriber)
                break
        return results

    def _handle_reply(self, event):
        """Call the ``on_reply`` callback registered for the replied event."""
        with self._lock:
            callback = self._reply_callbacks.get(event['in_reply_to_event'])
        if callback is not None:
            callback(event)
