"""SQL forms of the attributes the server computes on read.

Computed attributes have no column (see
:attr:`ftrack_local_server.model.Layout.computed`). Those that can be
expressed in SQL are usable in criteria and ``order by`` and are loaded for
projections with the same expressions, so a filter and the value returned
always agree:

``time_logged`` (typed contexts)
    the sum of the ``duration`` of the entity's own timelogs, 0 without any.
``bid_time_logged_difference`` (typed contexts)
    ``bid`` (0 when unset) minus ``time_logged``.
``is_latest_version`` (asset versions)
    true when no other version of the same asset has a higher ``version``
    (between equal numbers, the later created one is the latest).
``latest_version`` (assets, a reference)
    the version :func:`is_latest_version` picks.
``is_open`` (review sessions)
    true while ``end_date`` is unset or in the future.
``thumbnail_id`` (review sessions)
    the thumbnail of the first version (by ``sort_order``, then creation)
    of the session that has one; ``thumbnail`` follows it.
``ancestors`` / ``descendants`` (typed contexts, projects)
    the typed contexts above / below the entity through ``parent``.

``link``, ``_link``, ``thumbnail_url`` and ``url`` are built in Python
(:mod:`.computed`) and cannot be used in criteria.
"""

from __future__ import annotations

from typing import Optional, Tuple

from ..model import Model, quote
from .sql import Fragment, column


def _table(model: Model, type_name: str) -> str:
    return quote(model.table(type_name).name)


def time_logged(model: Model, alias: str) -> Fragment:
    """Return the SQL of ``time_logged`` of the context in *alias*."""
    return Fragment(
        '(SELECT COALESCE(SUM(_tl.{duration}), 0) FROM {timelog} AS _tl '
        'WHERE _tl.{context} = {owner})'.format(
            duration=quote(model.column('Timelog', 'duration')),
            timelog=_table(model, 'Timelog'),
            context=quote(model.column('Timelog', 'context_id')),
            owner=column(alias, model.column('TypedContext', 'id')),
        ),
        [],
    )


def is_latest_version(model: Model, alias: str) -> Fragment:
    """Return the SQL (0 or 1) of ``is_latest_version`` of the version in *alias*."""
    asset_id = quote(model.column('AssetVersion', 'asset_id'))
    version = quote(model.column('AssetVersion', 'version'))
    return Fragment(
        '(NOT EXISTS (SELECT 1 FROM {table} AS _later WHERE '
        '_later.{asset_id} = {alias}.{asset_id} AND '
        '(COALESCE(_later.{version}, 0) > COALESCE({alias}.{version}, 0) OR '
        '(COALESCE(_later.{version}, 0) = COALESCE({alias}.{version}, 0) AND '
        '_later.rowid > {alias}.rowid))))'.format(
            table=_table(model, 'AssetVersion'), asset_id=asset_id,
            version=version, alias=quote(alias)),
        [],
    )


def latest_version_key(model: Model, alias: str) -> Fragment:
    """Return the SQL of the id of ``latest_version`` of the asset in *alias*."""
    return Fragment(
        '(SELECT _latest.{id} FROM {table} AS _latest WHERE '
        '_latest.{asset_id} = {owner} ORDER BY COALESCE(_latest.{version}, 0) '
        'DESC, _latest.rowid DESC LIMIT 1)'.format(
            id=quote(model.column('AssetVersion', 'id')),
            table=_table(model, 'AssetVersion'),
            asset_id=quote(model.column('AssetVersion', 'asset_id')),
            version=quote(model.column('AssetVersion', 'version')),
            owner=column(alias, model.column('Asset', 'id')),
        ),
        [],
    )


def review_session_thumbnail_id(model: Model, alias: str) -> Fragment:
    """Return the SQL of the computed ``thumbnail_id`` of the review session in *alias*."""
    return Fragment(
        '(SELECT _version.{thumbnail} FROM {objects} AS _object JOIN {versions} '
        'AS _version ON _version.{version_id} = _object.{object_version} '
        'WHERE _object.{session} = {owner} AND _version.{thumbnail} IS NOT NULL '
        'ORDER BY _object.{sort_order}, _object.rowid LIMIT 1)'.format(
            thumbnail=quote(model.column('AssetVersion', 'thumbnail_id')),
            objects=_table(model, 'ReviewSessionObject'),
            versions=_table(model, 'AssetVersion'),
            version_id=quote(model.column('AssetVersion', 'id')),
            object_version=quote(model.column('ReviewSessionObject', 'version_id')),
            session=quote(model.column('ReviewSessionObject', 'review_session_id')),
            sort_order=quote(model.column('ReviewSessionObject', 'sort_order')),
            owner=column(alias, model.column('ReviewSession', 'id')),
        ),
        [],
    )


def scalar_expression(model: Model, type_name: str, name: str, alias: str,
                      now: str) -> Optional[Tuple[Fragment, str]]:
    """Return ``(sql, data type)`` of computed scalar *name* of *type_name*.

    *alias* is the SQL alias of the entity's row and *now* the current
    naive UTC time as stored text. Return None for attributes without an
    SQL form (``link``, ``thumbnail_url``, ``url``).
    """
    entity_type = model.catalogue.get(type_name)
    if name == 'time_logged' and entity_type.is_a('TypedContext'):
        return time_logged(model, alias), 'number'
    if name == 'bid_time_logged_difference' and entity_type.is_a('TypedContext'):
        logged = time_logged(model, alias)
        return Fragment('(COALESCE({0}, 0) - {1})'.format(
            column(alias, model.column(type_name, 'bid')), logged.sql),
            logged.params), 'number'
    if name == 'is_latest_version' and entity_type.is_a('AssetVersion'):
        return is_latest_version(model, alias), 'boolean'
    if name == 'is_open' and entity_type.is_a('ReviewSession'):
        end = column(alias, model.column('ReviewSession', 'end_date'))
        return Fragment(
            '(CASE WHEN {0} IS NULL OR {0} > ? THEN 1 ELSE 0 END)'.format(end),
            [now]), 'boolean'
    if name == 'thumbnail_id' and entity_type.is_a('ReviewSession'):
        return review_session_thumbnail_id(model, alias), 'string'
    return None


def reference_key(model: Model, type_name: str, name: str, alias: str
                  ) -> Optional[Fragment]:
    """Return the SQL of the target id of computed reference *name*, or None."""
    entity_type = model.catalogue.get(type_name)
    if name == 'latest_version' and entity_type.is_a('Asset'):
        return latest_version_key(model, alias)
    if name == 'thumbnail' and entity_type.is_a('ReviewSession'):
        return review_session_thumbnail_id(model, alias)
    return None


def hierarchy_owners(model: Model, name: str, items: Fragment, cte: str
                     ) -> Optional[Fragment]:
    """Return a SELECT of the ids of contexts whose *name* collection meets *items*.

    *name* is ``ancestors`` or ``descendants``; *items* a SELECT of the
    ids of the typed contexts that satisfy the collection's condition;
    *cte* a name for the recursive table, unique in the statement.
    Return None for other names.
    """
    table = _table(model, 'Context')
    id_ = quote(model.column('Context', 'id'))
    parent = quote(model.column('Context', 'parent_id'))
    cte = quote(cte)
    if name == 'ancestors':
        # Contexts below a matching typed context.
        sql = (
            'WITH RECURSIVE {cte}(id) AS ('
            'SELECT _c.{id} FROM {table} AS _c WHERE _c.{parent} IN ({items}) '
            'UNION SELECT _c.{id} FROM {table} AS _c JOIN {cte} '
            'ON _c.{parent} = {cte}.id) SELECT id FROM {cte}'
        )
    elif name == 'descendants':
        # Contexts above a matching typed context.
        sql = (
            'WITH RECURSIVE {cte}(id) AS ('
            'SELECT _c.{parent} FROM {table} AS _c WHERE _c.{id} IN ({items}) '
            'UNION SELECT _c.{parent} FROM {table} AS _c JOIN {cte} '
            'ON _c.{id} = {cte}.id) SELECT id FROM {cte} WHERE id IS NOT NULL'
        )
    else:
        return None
    return Fragment(
        sql.format(cte=cte, id=id_, table=table, parent=parent, items=items.sql),
        list(items.params),
    )
