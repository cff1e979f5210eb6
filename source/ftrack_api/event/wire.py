"""Convert events between :class:`~ftrack_api.event.base.Event` and wire form.

On the wire the reply key is ``inReplyToEvent`` (``in_reply_to_event``
locally) and only the keys of :data:`ftrack_api.event.socketio.EVENT_KEYS`
may appear at the top level.
"""

from __future__ import annotations

import logging

import ftrack_api.event.base
import ftrack_api.event.socketio as socketio

logger = logging.getLogger(__name__)

_LOCAL_TO_WIRE = {'in_reply_to_event': 'inReplyToEvent'}
_LOCAL_KEYS = ('id', 'data', 'sent', 'source', 'target', 'in_reply_to_event')


def to_wire(event):
    """Return the wire mapping of *event*: a new dict, in the event's key order.

    Keys the event server cannot carry are left out (with a warning), since
    other clients would drop the whole event because of them. Values are
    not checked: encoding them is the sender's job.
    """
    payload = {}
    for key, value in event.items():
        wire_key = _LOCAL_TO_WIRE.get(key, key)
        if wire_key not in socketio.EVENT_KEYS:
            logger.warning(
                'Not sending key %r of event %r: the event server only carries %s.',
                key,
                event.get('topic'),
                ', '.join(sorted(socketio.EVENT_KEYS)),
            )
            continue
        payload[wire_key] = value
    return payload


def from_wire(payload):
    """Return the :class:`~ftrack_api.event.base.Event` of a wire mapping.

    Return None (and log) when *payload* has no topic. Unknown top-level
    keys are ignored.
    """
    payload = _rename_reply_keys(payload)
    if 'topic' not in payload:
        logger.warning('Ignoring event without a topic: %r', payload)
        return None
    unknown = set(payload) - set(_LOCAL_KEYS) - {'topic'}
    if unknown:
        logger.debug('Ignoring unknown event keys %s.', sorted(unknown))
    arguments = dict((key, payload[key]) for key in _LOCAL_KEYS if key in payload)
    if arguments.get('target') is None:
        arguments['target'] = ''
    return ftrack_api.event.base.Event(payload['topic'], **arguments)


def _rename_reply_keys(value):
    """Return *value* with every ``inReplyToEvent`` key renamed, at any depth."""
    if isinstance(value, dict):
        return dict(
            (
                'in_reply_to_event' if key == 'inReplyToEvent' else key,
                _rename_reply_keys(item),
            )
            for key, item in value.items()
        )
    if isinstance(value, list):
        return [_rename_reply_keys(item) for item in value]
    return value
