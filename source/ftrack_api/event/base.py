"""The :class:`Event` mapping passed between publishers and handlers."""

from __future__ import annotations

import collections.abc
import uuid


class Event(collections.abc.MutableMapping):
    """One event: a mapping of *topic*, *id*, *data*, *source* and more.

    Handlers receive an :class:`Event` and read it like a dictionary
    (``event['data']['key']``). Calling :meth:`stop` prevents handlers of
    lower priority in the same hub from being called for this event.
    """

    def __init__(
        self,
        topic,
        id=None,
        data=None,
        sent=None,
        source=None,
        target='',
        in_reply_to_event=None,
    ):
        """Create an event for *topic*.

        *topic* is a dotted name such as ``'ftrack.update'``. *id* defaults to
        a new 32 character hexadecimal identifier. *data* is the payload
        mapping (default an empty dictionary). *sent* is the time the event
        was sent, left as given. *source* describes the sender (default an
        empty mapping; the hub fills ``id``, ``user`` and ``host`` when
        publishing). *target* is an expression tested against subscriber
        information to restrict who receives the event (``''`` for
        everyone). *in_reply_to_event* is the id of the event this one
        replies to.
        """
        super().__init__()
        if id is None:
            id = uuid.uuid4().hex
        if data is None:
            data = {}
        if source is None:
            source = {}
        # Keys in the order upstream's events have them: it shows in str()
        # and in the JSON sent to the event server.
        self._data = {
            'id': id,
            'data': data,
            'topic': topic,
            'sent': sent,
            'source': source,
            'target': target,
            'in_reply_to_event': in_reply_to_event,
        }
        self._stopped = False

    def stop(self):
        """Stop the event: no further local handlers will be called for it.

        Handlers in other processes may still receive it.
        """
        self._stopped = True

    def is_stopped(self):
        """Return whether :meth:`stop` has been called on this event."""
        return self._stopped

    def __getitem__(self, key):
        return self._data[key]

    def __setitem__(self, key, value):
        self._data[key] = value

    def __delitem__(self, key):
        del self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __str__(self):
        return '<{0} {1}>'.format(type(self).__name__, self._data)
