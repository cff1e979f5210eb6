"""Named sentinel values, topics and well-known identifiers of the API.

Symbols are singletons compared by identity (``value is NOT_SET``); they
survive :func:`copy.copy`, :func:`copy.deepcopy` and pickling as the very
same object, so identity checks keep working on copied or cached data.
"""

from __future__ import annotations

import os


#: Symbols by name, so that unpickling resolves to the existing instance.
_REGISTRY = {}


class Symbol(object):
    """A named sentinel value.

    *name* is what ``str()`` shows; *value* decides truthiness (``NOT_SET``
    is created with a false value so ``if not value`` treats it as empty).
    """

    __slots__ = ('name', 'value')

    def __init__(self, name, value=True):
        """Initialise symbol called *name* whose truth value is *value*."""
        self.name = name
        self.value = value
        # The first symbol of a name is the one unpickling resolves to.
        _REGISTRY.setdefault(name, self)

    def __str__(self):
        """Return the symbol's name."""
        return self.name

    def __repr__(self):
        """Return ``Symbol(NAME)``."""
        return 'Symbol({0})'.format(self.name)

    def __bool__(self):
        """Return the truth value given at construction."""
        return bool(self.value)

    __nonzero__ = __bool__

    def __copy__(self):
        """Return this symbol: symbols are singletons."""
        return self

    def __deepcopy__(self, memo):
        """Return this symbol: symbols are singletons."""
        return self

    def __reduce__(self):
        """Pickle by name so loading yields the registered instance."""
        return (_restore, (self.name, self.value))


def _restore(name, value):
    """Return the registered symbol called *name* (used by pickle).

    A symbol unknown in this process (created by user code that has not run
    here) is recreated with *value*.
    """
    symbol = _REGISTRY.get(name)
    if symbol is None:
        symbol = Symbol(name, value)
    return symbol


#: Symbol representing that no value has been set or loaded.
NOT_SET = Symbol('NOT_SET', False)

#: Symbol representing created state.
CREATED = Symbol('CREATED')

#: Symbol representing modified state.
MODIFIED = Symbol('MODIFIED')

#: Symbol representing deleted state.
DELETED = Symbol('DELETED')

#: Topic published when component added to a location.
COMPONENT_ADDED_TO_LOCATION_TOPIC = 'ftrack.location.component-added'

#: Topic published when component removed from a location.
COMPONENT_REMOVED_FROM_LOCATION_TOPIC = 'ftrack.location.component-removed'

#: Identifier of builtin origin location.
ORIGIN_LOCATION_ID = 'ce9b348f-8809-11e3-821c-20c9d081909b'

#: Identifier of builtin unmanaged location.
UNMANAGED_LOCATION_ID = 'cb268ecc-8809-11e3-a7e2-20c9d081909b'

#: Identifier of builtin review location.
REVIEW_LOCATION_ID = 'cd41be70-8809-11e3-b98a-20c9d081909b'

#: Identifier of builtin connect location.
CONNECT_LOCATION_ID = '07b82a97-8cf9-11e3-9383-20c9d081909b'

#: Identifier of builtin server location.
SERVER_LOCATION_ID = '3a372bde-05bc-11e4-8908-20c9d081909b'

#: Environment variable overriding :data:`CHUNK_SIZE`.
CHUNK_SIZE_ENVIRONMENT_VARIABLE = 'FTRACK_API_FILE_CHUNK_SIZE'

#: Chunk size used when no valid override is configured (1 MiB).
DEFAULT_CHUNK_SIZE = 1024 * 1024


def _read_chunk_size(environ):
    """Return the data chunk size configured in mapping *environ*.

    An unset, empty or zero ``FTRACK_API_FILE_CHUNK_SIZE`` gives
    :data:`DEFAULT_CHUNK_SIZE`. Raise :exc:`ValueError` naming the variable
    and the value when it is not a non-negative integer.
    """
    raw = environ.get(CHUNK_SIZE_ENVIRONMENT_VARIABLE)
    if raw is None or not raw.strip():
        return DEFAULT_CHUNK_SIZE

    try:
        size = int(raw.strip())
    except ValueError:
        raise ValueError(
            'Environment variable {0} must be an integer number of bytes, '
            'got {1!r}.'.format(CHUNK_SIZE_ENVIRONMENT_VARIABLE, raw)
        ) from None

    if size < 0:
        raise ValueError(
            'Environment variable {0} must not be negative, got {1!r}.'.format(
                CHUNK_SIZE_ENVIRONMENT_VARIABLE, raw
            )
        )

    return size or DEFAULT_CHUNK_SIZE


#: Chunk size used when working with data, default to 1Mb.
CHUNK_SIZE = _read_chunk_size(os.environ)

#: Symbol representing syncing users with ldap.
JOB_SYNC_USERS_LDAP = Symbol('SYNC_USERS_LDAP')
