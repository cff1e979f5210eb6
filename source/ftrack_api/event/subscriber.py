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

    __repr__ = __str__
