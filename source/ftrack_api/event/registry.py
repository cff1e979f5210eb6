"""The subscribers of an event hub: validated, ordered by priority, by id."""

from __future__ import annotations

import bisect
import collections.abc
import json
import uuid

import ftrack_api.exception
import ftrack_api.event.subscriber


def make_subscriber(subscription, callback, subscriber=None, priority=100):
    """Return a checked :class:`~ftrack_api.event.subscriber.Subscriber`.

    Arguments are those of :meth:`ftrack_api.event.hub.EventHub.subscribe`;
    a copy of *subscriber* gets a new ``id`` when it has none.

    Raise :class:`ftrack_api.exception.ParseError` for an invalid
    *subscription*, and :class:`TypeError` for a *callback* that is
    neither callable nor None, a *subscriber* that is not a JSON serialisable mapping with a
    hashable id, or a *priority* that is not a number.
    """
    # None is accepted as upstream accepts it (some tools register a
    # subscriber only to be seen by others); calling it later fails and is
    # logged like any failing callback.
    if callback is not None and not callable(callback):
        raise TypeError(
            'Callback for subscription {0!r} must be callable, not '
            '{1!r}.'.format(subscription, callback)
        )
    if subscriber is None:
        subscriber = {}
    if not isinstance(subscriber, collections.abc.Mapping):
        raise TypeError(
            'Subscriber information must be a mapping, not {0!r}.'.format(subscriber)
        )
    if isinstance(priority, bool) or not isinstance(priority, (int, float)):
        raise TypeError('Priority must be a number, not {0!r}.'.format(priority))
    metadata = dict(subscriber)
    metadata.setdefault('id', uuid.uuid4().hex)
    try:
        hash(metadata['id'])
    except TypeError:
        raise TypeError(
            'Subscriber id must be a string (or another hashable value), not '
            '{0!r}.'.format(metadata['id'])
        )
    try:
        # Sent to the server with every (re)connection: check it now.
        json.dumps(metadata)
    except (TypeError, ValueError) as error:
        raise TypeError(
            'Subscriber information must be JSON serialisable ({0}): {1!r}.'.format(
                error, metadata
            )
        )
    return ftrack_api.event.subscriber.Subscriber(
        subscription, callback, metadata, priority
    )


class SubscriberRegistry(object):
    """Subscribers in the order they are called, found by id.

    Not thread-safe for changes (the hub changes it with its lock held),
    but :attr:`ordered` may be read and iterated at any time: it is
    replaced, never changed in place.
    """

    def __init__(self):
        """Create an empty registry."""
        super().__init__()
        #: Subscribers sorted by priority; equal priorities in the order added.
        self.ordered = []
        self._priorities = []
        self._index = {}

    def get(self, identifier):
        """Return the subscriber whose id is *identifier*, or None."""
        try:
            return self._index.get(identifier)
        except TypeError:
            # Not hashable, so no subscriber has it.
            return None

    def add(self, subscriber):
        """Add *subscriber* after those of lower or equal priority.

        Raise :class:`ftrack_api.exception.NotUniqueError` if a subscriber
        with the same id exists.
        """
        identifier = subscriber.metadata['id']
        if identifier in self._index:
            raise ftrack_api.exception.NotUniqueError(
                'Subscriber with identifier {0!r} already exists.'.format(identifier)
            )
        position = bisect.bisect_right(self._priorities, subscriber.priority)
        ordered = list(self.ordered)
        ordered.insert(position, subscriber)
        self._priorities.insert(position, subscriber.priority)
        self.ordered = ordered
        self._index[identifier] = subscriber

    def remove(self, identifier):
        """Remove and return the subscriber whose id is *identifier*.

        Raise :class:`ftrack_api.exception.NotFoundError` if there is none.
        """
        subscriber = self.get(identifier)
        if subscriber is None:
            raise ftrack_api.exception.NotFoundError(
                # Upstream's wording, unquoted and without a full stop.
                'Cannot unsubscribe missing subscriber with identifier {0}'.format(
                    identifier
                )
            )
        position = self.ordered.index(subscriber)
        ordered = list(self.ordered)
        del ordered[position]
        del self._priorities[position]
        self.ordered = ordered
        del self._index[subscriber.metadata['id']]
        return subscriber
