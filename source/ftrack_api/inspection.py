"""Inspect entities: identity, primary key and unit-of-work state."""

from __future__ import annotations

import collections

import ftrack_api.operation
import ftrack_api.symbol


def identity(entity):
    """Return the identity of *entity*.

    The identity is a tuple ``(entity_type, [primary key values])`` with
    every primary key value converted to a string, so the same entity has
    the same identity whatever the type of its key values.
    """
    return (entity.entity_type, entity._primary_key_strings())


def primary_key(entity):
    """Return the primary key of *entity* as an ordered mapping.

    The mapping is ``{attribute name: value as string}`` in the order of
    the schema's primary key. Only local and remote values already known
    are used (nothing is fetched). To get just the values use
    ``primary_key(entity).values()``.
    """
    return collections.OrderedDict(
        zip(entity.primary_key_attributes, entity._primary_key_strings())
    )


def _state(operation, state):
    """Return the state of an entity in *state* once *operation* applies.

    A delete gives :data:`~ftrack_api.symbol.DELETED`. A create or an
    update only changes an entity with no state yet (to
    :data:`~ftrack_api.symbol.CREATED` or
    :data:`~ftrack_api.symbol.MODIFIED`); otherwise the state is kept, as
    upstream's transitions do.
    """
    if isinstance(operation, ftrack_api.operation.DeleteEntityOperation):
        return ftrack_api.symbol.DELETED
    if state is ftrack_api.symbol.NOT_SET:
        if isinstance(operation, ftrack_api.operation.CreateEntityOperation):
            return ftrack_api.symbol.CREATED
        if isinstance(operation, ftrack_api.operation.UpdateEntityOperation):
            return ftrack_api.symbol.MODIFIED
    return state


#: The name this client used for :func:`_state`.
next_state = _state


def state(entity):
    """Return the state of *entity* from the operations recorded for it.

    The result is :data:`ftrack_api.symbol.CREATED`,
    :data:`~ftrack_api.symbol.MODIFIED`, :data:`~ftrack_api.symbol.DELETED`
    or :data:`~ftrack_api.symbol.NOT_SET` when no operation is pending.

    Raise :exc:`AttributeError` for an object that is not an entity (it
    has no ``session``), as upstream.
    """
    return entity.session._unit_of_work.state_of(entity)


def states(entities):
    """Return the state of each entity of *entities*, in the same order."""
    return [state(entity) for entity in entities]
