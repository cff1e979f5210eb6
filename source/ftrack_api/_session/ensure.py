"""``Session.ensure``: find an entity by some of its values, else create it."""

from __future__ import annotations

import ftrack_api._session.expressions as _expressions
import ftrack_api.exception


def same_value(current, target):
    """Return whether the entity value *current* already holds *target*.

    Date-times compare as the server stores them (UTC, whole seconds), so
    an entity found by a date-time is not updated to the same moment.
    """
    return _expressions.as_stored(current) == _expressions.as_stored(target)


def ensure(session, entity_type, data, identifying_keys=None):
    """Return the *entity_type* entity of *session* matching *data*.

    See :meth:`ftrack_api.session.Session.ensure`.
    """
    if not identifying_keys:
        identifying_keys = list(data.keys())
    if not identifying_keys:
        raise ValueError(
            'Could not determine any identifying data to check against '
            'when ensuring {0!r} with data {1!r}.'.format(entity_type, data)
        )
    for key in identifying_keys:
        if key not in data:
            raise KeyError(
                'Identifying key {0!r} missing from data {1!r}.'.format(key, data)
            )
    expression = _expressions.ensure_expression(
        entity_type, data, identifying_keys
    )
    try:
        entity = session.query(expression).one()
    except ftrack_api.exception.NoResultFoundError:
        entity = session.create(entity_type, data)
        session.commit()
        return entity

    changed = False
    for key, value in data.items():
        if not same_value(entity[key], value):
            entity[key] = value
            changed = True
    if changed:
        session.commit()
    return entity
