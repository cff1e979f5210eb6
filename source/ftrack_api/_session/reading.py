"""Reading from the server: ``get``, ``query``, ``ensure`` and ``populate``.

:class:`ReadingMixin` holds these methods of
:class:`ftrack_api.session.Session`; they use the session's identity map,
caches, merger and transport.
"""

from __future__ import annotations

import collections.abc

import ftrack_api._session.ensure as _ensure
import ftrack_api._session.expressions as _expressions
import ftrack_api._session.populate as _populate
import ftrack_api.query
from ftrack_api._session.identity import identity_key


class ReadingMixin(object):
    """``get``, ``query``, ``ensure`` and ``populate`` of a session."""

    def get(self, entity_type, entity_key):
        """Return the *entity_type* entity with *entity_key*, or None.

        *entity_key* is the primary key value, or for composite keys any
        iterable of the values in key order (or a mapping by key name). The
        cache is checked first; otherwise the server is queried.
        """
        if entity_key.__class__ is str:
            # Cached entities with a single primary key: one dict lookup,
            # without upstream's three debug lines (the one place where the
            # debug log is quieter than upstream's, for speed).
            entity = self._get_cached((entity_type, entity_key))
            if entity is not None:
                return entity
        self.logger.debug('Get {0} with key {1}'.format(entity_type, entity_key))
        entity_class = self._class_for(entity_type)
        primary_key = entity_class.primary_key_attributes
        if entity_key.__class__ is str and len(primary_key) == 1:
            # The common case, without the checks below.
            values = [entity_key]
            key = identity_key(self._make_key, entity_type, values)
        else:
            if isinstance(entity_key, collections.abc.Mapping):
                values = [entity_key[name] for name in primary_key]
            elif isinstance(entity_key, (str, bytes)) or not isinstance(
                entity_key, collections.abc.Iterable
            ):
                values = [entity_key]
            else:
                # Any iterable of key values (a list, dict.values(), ...).
                values = list(entity_key)
            if len(values) != len(primary_key):
                raise ValueError(
                    'Entity key {0!r} does not match the primary key {1!r} of '
                    '{2!r}.'.format(entity_key, primary_key, entity_type)
                )
            key = identity_key(
                self._make_key, entity_type, [str(value) for value in values]
            )
        self.logger.debug('Checking cache for entity with key {0}'.format(key))
        entity = self._cached_entity(key)
        if entity is not None:
            self.logger.debug('Retrieved existing entity from cache: {0} at {1}'.format(
                entity, id(entity)))
            return entity
        self.logger.debug('Entity not present in cache. Issuing new query.')
        # Paged like any query (``offset 0 limit 500``), as the reference
        # client sends it.
        results = self.query(
            _expressions.get_expression(entity_type, primary_key, values)
        ).all()
        if results:
            return results[0]
        return None

    def _cached_entity(self, key):
        """Return the entity cached under identity *key* (any layer), or None.

        One found in a lower cache layer is merged into the session first.
        """
        entity = self._identity_map.lookup(key)
        if entity is not None:
            return entity
        if self._merger.lower_caches:
            with self._lock:
                cached = self._merger._from_lower(key)
                if cached is not None:
                    return self._merger.merge(cached)
        return None

    def query(self, expression, page_size=500):
        """Return a lazy :class:`ftrack_api.query.QueryResult` for *expression*.

        An expression not starting with ``select`` gets the default
        projections of its entity type. *page_size* is the number of records
        fetched per request.
        """
        self.logger.debug('Query %r', expression)
        if not expression.startswith('select'):
            entity_type = expression.split(' ', 1)[0]
            entity_class = self._class_for(entity_type)
            expression = 'select {0} from {1}'.format(
                ', '.join(entity_class.default_projections), expression
            )
        return ftrack_api.query.QueryResult(self, expression, page_size=page_size)

    def _query(self, expression):
        """Run *expression* once; return ``(records, metadata)``."""
        result = self.call([{'action': 'query', 'expression': expression}])[0]
        return result['data'], result.get('metadata') or {}

    def ensure(self, entity_type, data, identifying_keys=None):
        """Return the *entity_type* entity matching *data*, creating it if needed.

        Only the *identifying_keys* of *data* (default: all its keys) are
        used to find an existing entity; other differing values are updated
        (date-times compare as the server stores them: UTC, whole seconds).
        A create or update is committed at once. Raise :exc:`KeyError` when
        *data* misses an identifying key, :exc:`ValueError` when there are
        no identifying keys and
        :exc:`ftrack_api.exception.MultipleResultsFoundError` when several
        entities match.
        """
        return _ensure.ensure(self, entity_type, data, identifying_keys)

    def populate(self, entities, projections):
        """Fetch *projections* (comma separated) of *entities* in bulk.

        Entities created and not yet committed are skipped. Locally set
        values are kept. All entities must be of one entity type. The keys
        are sent in chunks, each request carrying only its own chunk.
        """
        _populate.populate(self, entities, projections)
