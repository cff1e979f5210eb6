"""Helpers of :mod:`ftrack_api.entity.location` for moving component data.

They normalise the arguments of ``add_components``, order containers and
their members for a transfer, copy data between accessors in chunks and
publish the location events.
"""

from __future__ import annotations

import collections.abc
import contextlib
import logging
import os
import threading

import ftrack_api.event.base
import ftrack_api.exception
import ftrack_api.symbol

logger = logging.getLogger(__name__)

#: Resource identifiers looked up in bulk for the operation running on this
#: thread, so per-component hooks do not query them one by one.
_known = threading.local()


def as_component(value):
    """Return the component *value* stands for.

    A component is returned as it is; a link entity without an ``id`` of its
    own but with a ``component`` (``JobComponent``, ``NoteComponent``...)
    gives its component, so attachments can be passed to location methods
    directly. Raise :exc:`TypeError` naming *value* for anything else.
    """
    import ftrack_api.entity.base

    if not isinstance(value, ftrack_api.entity.base.Entity):
        raise TypeError(
            'Expected a component entity, got {0!r} ({1}).'.format(
                value, type(value).__name__
            )
        )
    if 'id' not in value.keys() and 'component' in value.keys():
        component = value['component']
        if component is None or component is ftrack_api.symbol.NOT_SET:
            raise TypeError(
                '{0!r} does not reference a component.'.format(value)
            )
        return component
    return value


def as_components(values):
    """Return the list of components *values* stand for (see :func:`as_component`).

    Raise :exc:`TypeError` when *values* is a single entity or string rather
    than a list of them.
    """
    import ftrack_api.entity.base

    if isinstance(values, (str, bytes, ftrack_api.entity.base.Entity)) or not (
        isinstance(values, collections.abc.Iterable)
    ):
        raise TypeError(
            'Expected a list of components, got {0!r}.'.format(values)
        )
    return [as_component(value) for value in values]


def is_container(component):
    """Return whether *component* holds members (sequence or container)."""
    return 'members' in component.keys()


def normalise_sources(components, sources):
    """Return one source per component of *components*.

    *sources* is a single source (a location, or a path for the origin
    location) or a sequence with one source per component. Raise
    :exc:`ValueError` naming both counts when they do not match.
    """
    if isinstance(sources, (str, bytes, os.PathLike)) or not isinstance(
        sources, collections.abc.Sequence
    ):
        sources = [sources]
    else:
        sources = list(sources)
    if len(sources) == 1:
        return sources * len(components)
    if len(sources) != len(components):
        raise ValueError(
            'sources must be a single source or one source per component: got '
            '{0} sources for {1} components.'.format(len(sources), len(components))
        )
    return sources


def picked_sources(location, components, sources):
    """Return *sources* with each None replaced by the location picked for it.

    *location* is the target (named in errors). Raise
    :exc:`ftrack_api.exception.ComponentNotInAnyLocationError` naming the
    components no accessible location holds.
    """
    unknown = [index for index, source in enumerate(sources) if source is None]
    if not unknown:
        return sources
    picked = location.session.pick_locations([components[index] for index in unknown])
    missing = [
        components[index] for index, source in zip(unknown, picked) if source is None
    ]
    if missing:
        raise ftrack_api.exception.ComponentNotInAnyLocationError(
            'Cannot add {components} to location {location}: no source given '
            'and not available in any accessible location.',
            details={
                'components': ', '.join(component['id'] for component in missing),
                'location': location,
            },
        )
    sources = list(sources)
    for index, source in zip(unknown, picked):
        sources[index] = source
    return sources


def transfer_order(components, sources, recursive):
    """Return ``[(component, source, depth)]`` in the order data moves.

    With *recursive*, members of containers come before their container
    (depth first) and share its source. A component listed twice (directly
    and as a member, say) is kept once, at its first place.
    """
    ordered = []
    seen = set()

    def visit(component, source, depth):
        key = id(component)
        if key in seen:
            return
        seen.add(key)
        if recursive and is_container(component):
            for member in component['members']:
                visit(member, source, depth + 1)
        ordered.append((component, source, depth))

    for component, source in zip(components, sources):
        visit(component, source, 0)
    return ordered


def copy_data(source_data, target_data):
    """Copy everything from *source_data* to *target_data* in chunks.

    Chunks are :data:`ftrack_api.symbol.CHUNK_SIZE` bytes, so large files
    are never held in memory at once.
    """
    chunk_size = ftrack_api.symbol.CHUNK_SIZE
    while True:
        chunk = source_data.read(chunk_size)
        if not chunk:
            break
        target_data.write(chunk)


def discard_partial(accessor, target_data, resource_identifier):
    """Drop data partly written to *resource_identifier* after a failed copy.

    Data objects offering ``_discard`` (which close without sending
    anything) use it; others are closed and the partial resource removed
    with *accessor*, so a retry does not find it in the way. Failures are
    logged: the copy's own error is what the caller reports.
    """
    discard = getattr(target_data, '_discard', None)
    if discard is not None:
        discard()
        return
    try:
        target_data.close()
        if accessor.exists(resource_identifier):
            accessor.remove(resource_identifier)
    except Exception as error:
        logger.warning(
            'Partial data may be left at %r: %s', resource_identifier, error
        )


def discard_created(session, entity):
    """Forget what *session* recorded for the new *entity*.

    Its operations are dropped and it leaves the session's cache, but its
    values stay readable (an error may still name it by id).
    """
    values = dict(entity._local)
    session._unit_of_work.discard_entity(entity)
    entity._local.update(values)


def publish_component_event(session, topic, component, location):
    """Publish *topic* about *component* and *location* on the session's hub.

    The data holds ``component_id`` and ``location_id``. Errors (such as a
    hub that is not connected) are ignored: the events are notifications.
    """
    event = ftrack_api.event.base.Event(
        topic=topic,
        data={'component_id': component['id'], 'location_id': location['id']},
    )
    session.event_hub.publish(event, on_error='ignore')


@contextlib.contextmanager
def known_identifiers(location, identifiers, components):
    """Make *identifiers* of *components* in *location* known on this thread.

    *identifiers* maps component ids to decoded resource identifiers; the
    *components* missing from it are known to be absent from *location*.
    Nested uses add to what outer ones made known.
    """
    previous = getattr(_known, 'table', None)
    table = dict(previous or {})
    for component in components:
        table[(id(location), component['id'])] = identifiers.get(component['id'])
    _known.table = table
    try:
        yield
    finally:
        _known.table = previous


def known_identifier(location, component):
    """Return the identifier of *component* in *location* known on this thread.

    None means known to be absent; :data:`~ftrack_api.symbol.NOT_SET` that
    nothing is known.
    """
    table = getattr(_known, 'table', None)
    if not table:
        return ftrack_api.symbol.NOT_SET
    return table.get((id(location), component['id']), ftrack_api.symbol.NOT_SET)
