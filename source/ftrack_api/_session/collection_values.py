"""Values of collection attributes: adapting what callers assign, recording changes.

Used by the collection attributes of :mod:`ftrack_api.attribute`: what a
caller assigns (a list, a collection, a mapping proxy) becomes a
:class:`ftrack_api.collection.Collection` bound to the owning entity and
attribute, and each change of a collection is recorded as an update of that
attribute (protocol §4.6).
"""

from __future__ import annotations

import ftrack_api.collection
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET


def collection_of(value):
    """Return the collection of *value* (a collection or a mapping proxy)."""
    return getattr(value, 'collection', value)


def bound_collection(attribute, entity, value, mapped):
    """Return *value* as a collection of *attribute* bound to *entity*.

    *value* may be a collection or mapping proxy (its items are copied
    unless it is already the one bound to *entity* and *attribute*, which
    is returned as it is), a list of items, or None for no items (*mapped*
    only tells mapping attributes from plain ones). As upstream, anything
    else (tuples, sets, strings, generators...) raises
    :exc:`NotImplementedError` naming *value*.
    """
    collection_class = ftrack_api.collection.Collection
    proxy_class = ftrack_api.collection.MappedCollectionProxy
    if isinstance(value, (collection_class, proxy_class)):
        collection = collection_of(value)
        if collection.entity is entity and collection.attribute is attribute:
            return collection
        items = list(collection)
    elif value is None:
        items = []
    elif isinstance(value, list):
        items = value
    else:
        raise NotImplementedError(
            'Cannot convert {0!r} to collection.'.format(value)
        )
    return collection_class(
        entity, attribute, mutable=attribute.mutable, data=items
    )


def record_change(attribute, entity, collection, old_items):
    """Record that *collection* of *entity* changed from *old_items*.

    The changed collection becomes the local value of *attribute*; if it was
    the remote value, a snapshot of *old_items* stays behind as the remote
    value so the server state is still known. An update holding the old
    and new values is recorded.
    """
    name = attribute.name
    current = entity._local.get(name, NOT_SET)
    stored = attribute._stored_for(collection)
    if current is not stored:
        remote = entity._remote.get(name, NOT_SET)
        if remote is stored:
            entity._remote[name] = attribute._wrap(_snapshot(
                attribute, entity, collection, old_items
            ))
        entity._store_local(name, stored)
    old_value = attribute._wrap(_snapshot(attribute, entity, collection, old_items))
    entity._record_update(name, old_value, stored)


def _snapshot(attribute, entity, collection, items):
    return ftrack_api.collection.Collection._of_unique(
        entity, attribute, collection.mutable, items
    )
