"""Private session methods that integrations written for upstream call.

Upstream's :class:`~ftrack_api.session.Session` has these underscore
methods and code in the wild calls or overrides them (custom sessions,
location plugins, test helpers). :class:`PrivateApiMixin` gives them
upstream's signatures and behaviour on top of this client's own parts.
"""

from __future__ import annotations

import logging

import ftrack_api._session.availability as _availability
import ftrack_api._session.components as _components
import ftrack_api._session.encoding as _encoding
import ftrack_api.entity.base
import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api._session.identity import identity_key

logger = logging.getLogger('ftrack_api.session')


class PrivateApiMixin(object):
    """Upstream's private session methods, for :class:`~ftrack_api.session.Session`."""

    def _get(self, entity_type, entity_key):
        """Return the cached *entity_type* entity with primary key *entity_key*.

        *entity_key* is the list of primary key values. Only the caches are
        looked at (the server is never asked).

        Raise :class:`KeyError` (naming the cache key) when it is not cached.
        """
        values = [str(value) for value in entity_key]
        entity = self._cached_entity(identity_key(self._make_key, entity_type, values))
        if entity is None:
            raise KeyError(str((entity_type, list(entity_key))))
        return entity

    def _encode(self, item, entity_attribute_strategy='set_only'):
        """Return the JSON-able form of *item* (the ``default`` of json.dumps).

        Entities become their attribute mapping under
        *entity_attribute_strategy* (see :meth:`encode`; an unknown strategy
        writes the reference only), date-times the ``{"__type__":
        "datetime", "value": ...}`` mapping and collections lists.

        Raise :class:`TypeError` for anything else (plain lists and dicts
        included: json.dumps handles those itself).
        """
        if isinstance(item, ftrack_api.entity.base.Entity):
            if entity_attribute_strategy not in _encoding.ENTITY_ATTRIBUTE_STRATEGIES:
                return self.entity_reference(item)
            return _encoding.encode_entity(item, entity_attribute_strategy)
        if isinstance(item, (list, dict)):
            raise TypeError('{0!r} is not JSON serializable'.format(item))
        try:
            return _encoding._default(entity_attribute_strategy, item)
        except TypeError:
            raise TypeError('{0!r} is not JSON serializable'.format(item)) from None

    def _decode(self, item):
        """Return the decoded form of the JSON object *item* (an object hook).

        An entity mapping (``__entity_type__``) becomes a reconstructed
        entity, not merged into the session; a typed value (``__type__``)
        its Python value; anything else is returned unchanged.
        """
        return self._decode_object(item)

    def _merge_entity(self, entity, merged=None):
        """Merge *entity* into the session; return the session's entity."""
        if merged is None:
            merged = {}
        return self.merge(entity, merged)

    def _merge_recursive(self, entity, merged=None):
        """Merge *entity* and the entities its values refer to; return it."""
        if merged is None:
            merged = {}
        return self.merge(entity, merged)

    def _raise_server_error(self, error_message):
        """Log *error_message* and raise it as a server error.

        Raise :class:`ftrack_api.exception.ServerError`.
        """
        logger.exception(error_message)
        raise ftrack_api.exception.ServerError(error_message)

    def _get_filesystem_size(self, path):
        """Return the size in bytes of the file at *path* (0 if unreadable)."""
        return _components.filesystem_size(path)

    def _get_locations(self, filter_inaccessible=True):
        """Return the server's locations by priority (lowest number first).

        With *filter_inaccessible* only locations with an accessor are
        returned.
        """
        if filter_inaccessible:
            return _availability.accessible_locations(self)
        locations = self.query('Location').all()
        locations.sort(key=lambda location: location.priority)
        return locations

    def _create_component(self, entity_type, path, data, location):
        """Create an *entity_type* component from *data* for the file at *path*.

        The component is registered in the origin location at *path* and,
        if *location* is given, added to it. Nothing is computed from the
        file (see :meth:`create_component` for that). Return the component.
        """
        component = self.create(entity_type, data)
        origin = self.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
        origin.add_component(component, path, recursive=False)
        if location:
            location.add_component(component, origin, recursive=False)
        return component
