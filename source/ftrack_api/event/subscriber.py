"""A subscriber: a callback, what it is interested in, and who it is."""

from __future__ import annotations

import ftrack_api.event.subscription


class Subscriber(object):
    """A callback registered with an event hub for a subscription."""

    def __init__(self, subscription, callback, metadata, priority):
        """Register *callback* for events matching *subscription*.

        *subscription* is an expression string (see
        :mod:`ftrack_api.event.expression`). *callback* is called with each
        matching :class:`ftrack_api.event.base.Event`. *metadata* is the
        subscriber information that event targets are tested against; it
        includes at least an ``id``. *priority* orders callbacks within one
        hub: lower numbers are called first.

        Raise :class:`ftrack_api.exception.ParseError` if *subscription*
        cannot be parsed.
        """
        super().__init__()
        self.subscription = ftrack_api.event.subscription.Subscription(subscription)
        self.callback = callback
        self.metadata = metadata
        self.priority = priority

    def interested_in(self, event):
        """Return whether this subscriber wants *event*."""
        return self.subscription.includes(event)

    def __str__(self):
        return '<{0} metadata={1} subscription="{2}">'.format(
            type(self).__name__, self.metadata, self.subscription
        )


class _SubscriptionContext(object):
    """Context manager subscribing a callback to a hub for a ``with`` block.

    Made by :meth:`ftrack_api.event.hub.EventHub.subscription`: entering
    subscribes *callback* to *subscription* on *hub* (with *subscriber* and
    *priority* as :meth:`~ftrack_api.event.hub.EventHub.subscribe` takes
    them); leaving unsubscribes it, however the block ends.
    """

    def __init__(self, hub, subscription, callback, subscriber, priority):
        self._hub = hub
        self._subscription = subscription
        self._callback = callback
        self._subscriber = subscriber
        self._priority = priority
        self._identifier = None

    def __enter__(self):
        self._identifier = self._hub.subscribe(
            self._subscription, self._callback, subscriber=self._subscriber,
            priority=self._priority,
        )

    def __exit__(self, exception_type, exception_value, traceback):
        self._hub.unsubscribe(self._identifier)
