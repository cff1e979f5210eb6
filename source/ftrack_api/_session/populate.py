"""Bulk population of entity attributes (``Session.populate``)."""

from __future__ import annotations

import ftrack_api._session.expressions as _expressions
import ftrack_api.entity.base
import ftrack_api.symbol

#: Entities whose keys go in one query (and rows fetched per page).
CHUNK_SIZE = 500

#: Chunk queries sent together in one request.
QUERIES_PER_REQUEST = 8


def populate(session, entities, projections):
    """Fetch *projections* of *entities* through *session*.

    *entities* is an entity or an iterable of entities of one type;
    *projections* a comma separated string (or a list of projections).
    Entities created and not yet committed are skipped. The keys are split
    in chunks; several chunk queries travel in one request and each carries
    only its own keys. Raise :exc:`ValueError` when the entities are of
    different types.
    """
    if isinstance(entities, ftrack_api.entity.base.Entity):
        entities = [entities]
    else:
        entities = list(entities)
    if not entities:
        return
    if not isinstance(projections, str):
        projections = ', '.join(projections)

    entity_type = entities[0].entity_type
    unit_of_work = session._unit_of_work
    keys = []
    seen = set()
    for entity in entities:
        if entity.entity_type != entity_type:
            raise ValueError(
                'Cannot populate entities of different types together: '
                '{0!r} and {1!r}.'.format(entity_type, entity.entity_type)
            )
        if unit_of_work.state_of(entity) is ftrack_api.symbol.CREATED:
            continue
        values = entity._primary_key_strings()
        marker = tuple(values)
        if marker in seen:
            continue
        seen.add(marker)
        keys.append(values)
    if not keys:
        return

    primary_key = session.types[entity_type].primary_key_attributes
    expressions = _expressions.populate_expressions(
        entity_type, primary_key, keys, projections, CHUNK_SIZE
    )
    for start in range(0, len(expressions), QUERIES_PER_REQUEST):
        batch = expressions[start:start + QUERIES_PER_REQUEST]
        results = session.call([
            {
                'action': 'query',
                'expression': '{0} offset 0 limit {1}'.format(expression, CHUNK_SIZE),
            }
            for expression in batch
        ])
        for expression, result in zip(batch, results):
            next_offset = ((result.get('metadata') or {}).get('next') or {}).get(
                'offset'
            )
            while next_offset is not None:
                records, metadata = session._query(
                    '{0} offset {1} limit {2}'.format(
                        expression, next_offset, CHUNK_SIZE
                    )
                )
                next_offset = (metadata.get('next') or {}).get('offset')
                if not records:
                    break
