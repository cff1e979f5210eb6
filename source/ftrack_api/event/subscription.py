"""A subscription: an expression string deciding which events are wanted."""

from __future__ import annotations

import ftrack_api.event.expression

#: Parser shared by every subscription (thread-safe, caches results).
_parser = ftrack_api.event.expression.Parser()


class Subscription(object):
    """An expression that events are tested against."""

    #: The :class:`~ftrack_api.event.expression.Parser` subscriptions are
    #: parsed with, shared by all of them (a class attribute, as upstream's;
    #: replace it on a subclass to parse differently).
    parser = _parser

    def __init__(self, subscription):
        """Parse *subscription*, an expression string such as ``'topic=foo'``.

        Raise :class:`ftrack_api.exception.ParseError` if it cannot be parsed.
        """
        super().__init__()
        self._subscription = subscription
        self._expression = self.parser.parse(subscription)

    def includes(self, event):
        """Return whether *event* (a mapping) matches this subscription."""
        return self._expression.match(event)

    def __str__(self):
        return self._subscription

    def __repr__(self):
        return '<{0} {1!r}>'.format(type(self).__name__, self._subscription)
