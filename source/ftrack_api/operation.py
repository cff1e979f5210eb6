"""Operations recorded by a session's unit of work.

Each change made through a :class:`ftrack_api.session.Session` (creating,
updating or deleting an entity) is recorded as one operation. The session
turns the recorded operations into the batch sent by
:meth:`~ftrack_api.session.Session.commit`.
"""

from __future__ import annotations

import copy
import datetime
import decimal

import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET

#: Types whose values are immutable: recorded as they are, without copying
#: (arrow values are immutable too; see _copy).
_IMMUTABLE = frozenset([
    str, bytes, int, float, bool, type(None), tuple, frozenset, complex,
    datetime.datetime, datetime.date, datetime.time, datetime.timedelta,
    decimal.Decimal, ftrack_api.symbol.Symbol,
])


def _copy(value):
    cls = value.__class__
    if cls in _IMMUTABLE or value is NOT_SET:
        return value
    if cls.__name__ == 'Arrow' and cls.__module__ == 'arrow.arrow':
        # Arrow values never change (every change makes a new value).
        return value
    if hasattr(value, 'entity_type') and hasattr(value, 'primary_key_attributes'):
        # Entities are recorded by reference: an operation refers to the
        # entity, it does not snapshot it.
        return value
    return copy.copy(value)


def _describe(operation):
    """Return ``<Class entity_type(key values)`` for the repr of *operation*."""
    return '<{0} {1}({2})'.format(
        type(operation).__name__,
        operation.entity_type,
        ', '.join(str(value) for value in operation.entity_key.values()),
    )


class Operation(object):
    """Base class of all operations.

    Operations are plain objects with their values as instance attributes
    (``vars(operation)`` lists them), as upstream's.
    """


class CreateEntityOperation(Operation):
    """The creation of a new entity.

    *entity_type* is the schema id of the entity (``Entity.entity_type``).
    *entity_key* is its primary key in the form returned by
    :func:`ftrack_api.inspection.primary_key` (a mapping of attribute name
    to value). *entity_data* maps attribute names to the initial values;
    each value is shallow-copied so later changes to a mutable value do not
    alter what was recorded.
    """

    def __init__(self, entity_type, entity_key, entity_data):
        self.entity_type = entity_type
        self.entity_key = entity_key
        immutable = _IMMUTABLE
        self.entity_data = {
            name: value if value.__class__ in immutable else _copy(value)
            for name, value in entity_data.items()
        }

    def __repr__(self):
        return _describe(self) + '>'


class UpdateEntityOperation(Operation):
    """A change of one attribute value of an entity.

    *entity_type* and *entity_key* identify the entity as for
    :class:`CreateEntityOperation`. *attribute_name* names the attribute
    changed from *old_value* to *new_value*; both values are
    shallow-copied (so a changed collection is recorded as a snapshot).
    """

    def __init__(
        self, entity_type, entity_key, attribute_name, old_value, new_value
    ):
        self.entity_type = entity_type
        self.entity_key = entity_key
        self.attribute_name = attribute_name
        immutable = _IMMUTABLE
        self.old_value = (
            old_value if old_value.__class__ in immutable else _copy(old_value)
        )
        self.new_value = (
            new_value if new_value.__class__ in immutable else _copy(new_value)
        )

    def __repr__(self):
        return '{0}.{1}>'.format(_describe(self), self.attribute_name)


class DeleteEntityOperation(Operation):
    """The deletion of an entity identified by *entity_type* and *entity_key*."""


    def __init__(self, entity_type, entity_key):
        self.entity_type = entity_type
        self.entity_key = entity_key

    def __repr__(self):
        return _describe(self) + '>'


class Operations(object):
    """An ordered list of recorded operations.

    Iterating yields the operations in the order they were pushed.
    """

    def __init__(self):
        self._stack = []

    def clear(self):
        """Remove all operations."""
        del self._stack[:]

    def push(self, operation):
        """Append *operation*."""
        self._stack.append(operation)

    def pop(self):
        """Remove and return the most recently pushed operation.

        Raise :exc:`IndexError` when there are no operations.
        """
        return self._stack.pop()

    def __len__(self):
        return len(self._stack)

    def __iter__(self):
        return iter(list(self._stack))

    def __bool__(self):
        return bool(self._stack)

    def __repr__(self):
        return '<{0} ({1} operations)>'.format(
            type(self).__name__, len(self._stack)
        )
