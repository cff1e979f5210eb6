"""Identity keys: the keys entities are stored under in a session's cache.

An entity's identity is its type and its primary key values as strings
(protocol §5.5). The key is made by the session's cache key maker; with
the default :class:`ftrack_api.cache.StringKeyMaker` it is
``str((entity type, [primary key strings]))``, which is built here without
going through ``repr`` for the common single-key case (it is computed for
every entity of every response and of every recorded change).
"""

from __future__ import annotations


def string_key(entity_type, values):
    """Return ``str((entity_type, values))``.

    *entity_type* is a string and *values* a list of strings (the primary
    key values).
    """
    if len(values) == 1:
        value = values[0]
        # ``repr`` of such text is the text itself between single quotes.
        if (
            value.__class__ is str and "'" not in value and '\\' not in value
            and value.isprintable() and "'" not in entity_type
            and '\\' not in entity_type and entity_type.isprintable()
        ):
            return "('" + entity_type + "', ['" + value + "'])"
    return str((entity_type, values))


def identity_key(make_key, entity_type, values):
    """Return the cache key of the entity *entity_type* with key *values*.

    *make_key* is the session's key function (``str`` for the default key
    maker, else the key maker's ``key`` method); *values* is the list of
    primary key values as strings.
    """
    if make_key is str:
        return string_key(entity_type, values)
    return make_key((entity_type, values))
