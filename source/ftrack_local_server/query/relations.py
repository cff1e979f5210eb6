"""SQL of the tests that follow a relation: references and collections.

``related(compiler, step, alias, inner, ...)`` is "some entity related to
the row *alias* through *step* satisfies ``inner(sub)``", where ``sub`` is
the alias of the related row. A reference with a single-column key becomes
``fk IN (SELECT pk FROM target WHERE ...)``; a one-to-many collection
``pk IN (SELECT owner_fk FROM item WHERE ...)``; a many-to-many collection
goes through its link table; composite keys use ``EXISTS``. Computed
collections (ancestors, descendants) use the hierarchy queries of
:mod:`.computed_sql`. *compiler* is the :class:`~.compiler.Compiler` of the
statement (aliases, type conditions, referenced keys).
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import ValidationError
from ..model import quote
from ..schema import COLLECTION, MAPPED_COLLECTION, REFERENCE, EntityType
from . import computed_sql
from .paths import Step, format_path
from .sql import Fragment, column, conjunction


def related(compiler: Any, step: Step, alias: str, inner: Any,
            whole: Sequence[str], negated: bool) -> Fragment:
    """Return "some related entity of *step* satisfies ``inner(alias)``"."""
    attribute = step.attribute
    target = compiler.catalogue.get(attribute.target)
    sub = compiler.alias()
    if attribute.kind == REFERENCE:
        fragment = _reference_test(compiler, step, alias, target, sub, inner, whole)
    elif attribute.kind in (COLLECTION, MAPPED_COLLECTION):
        fragment = _collection_test(compiler, step, alias, target, sub, inner, whole)
    else:  # pragma: no cover - scalars are rejected by the callers
        raise AssertionError(attribute)
    if negated:
        # x IN (...) is NULL for a null x; under NOT that must read as
        # "no related entity satisfies it", i.e. true.
        fragment = Fragment('COALESCE({0}, 0)'.format(fragment.sql),
                            fragment.params)
    return fragment


def _target_rows(compiler: Any, target: EntityType, sub: str, inner: Fragment,
                 selected: str) -> Fragment:
    condition = conjunction([compiler.visible_condition(target, sub), inner])
    return Fragment('SELECT {0} FROM {1} AS {2} WHERE {3}'.format(
        selected, quote(compiler.model.table(target.name).name), quote(sub),
        condition.sql), condition.params)


def reference_match(compiler: Any, step: Step, alias: str, target: EntityType,
                    sub: str, whole: Sequence[str]) -> Fragment:
    """Return the test that the row in *sub* is the one *step* references."""
    reference = compiler.model.reference(step.owner.name, step.attribute.name)
    type_test = compiler.type_condition(target, sub)
    if reference.computed:
        key = compiler.reference_key(step, alias, whole)
        return conjunction([
            Fragment('{0} = {1}'.format(
                column(sub, reference.target_columns[0]), key.sql), key.params),
            type_test,
        ])
    parts = [Fragment('{0} = {1}'.format(column(sub, target_column),
                                         column(alias, own_column)), [])
             for own_column, target_column in zip(reference.columns,
                                                   reference.target_columns)]
    return conjunction(parts + [type_test])


def _reference_test(compiler: Any, step: Step, alias: str, target: EntityType,
                    sub: str, inner: Any, whole: Sequence[str]) -> Fragment:
    reference = compiler.model.reference(step.owner.name, step.attribute.name)
    key = compiler.reference_key(step, alias, whole)
    if key is not None:
        rows = _target_rows(compiler, target, sub, inner(sub),
                            column(sub, reference.target_columns[0]))
        return Fragment('{0} IN ({1})'.format(key.sql, rows.sql),
                        key.params + rows.params)
    match = reference_match(compiler, step, alias, target, sub, whole)
    rows = _target_rows(compiler, target, sub, conjunction([match, inner(sub)]), '1')
    return Fragment('EXISTS ({0})'.format(rows.sql), rows.params)


def _collection_test(compiler: Any, step: Step, alias: str, target: EntityType,
                     sub: str, inner: Any, whole: Sequence[str]) -> Fragment:
    collection = compiler.model.collection(step.owner.name, step.attribute.name)
    if collection.kind == 'computed':
        return _computed_collection_test(compiler, step, alias, target, sub,
                                         inner, whole)
    if collection.kind == 'one_to_many':
        filters = [Fragment('{0} = ?'.format(column(sub, name)), [value])
                   for name, value in collection.filters.items()]
        if len(collection.owner_columns) == 1:
            rows = _target_rows(compiler, target, sub,
                                conjunction(filters + [inner(sub)]),
                                column(sub, collection.item_columns[0]))
            return Fragment('{0} IN ({1})'.format(
                column(alias, collection.owner_columns[0]), rows.sql),
                rows.params)
        match = [Fragment('{0} = {1}'.format(column(sub, item_column),
                                             column(alias, owner_column)), [])
                 for owner_column, item_column in zip(collection.owner_columns,
                                                      collection.item_columns)]
        rows = _target_rows(compiler, target, sub,
                            conjunction(match + filters + [inner(sub)]), '1')
        return Fragment('EXISTS ({0})'.format(rows.sql), rows.params)
    # Many to many through a link table.
    link = compiler.alias()
    item_match = ' AND '.join(
        '{0} = {1}'.format(column(sub, key), column(link, link_column))
        for key, link_column in zip(collection.item_key_columns,
                                    collection.link_item_columns))
    condition = conjunction([compiler.visible_condition(target, sub), inner(sub)])
    if len(collection.owner_columns) == 1:
        return Fragment(
            '{0} IN (SELECT {1} FROM {2} AS {3} JOIN {4} AS {5} ON {6} '
            'WHERE {7})'.format(
                column(alias, collection.owner_columns[0]),
                column(link, collection.link_owner_columns[0]),
                quote(collection.link_table), quote(link),
                quote(compiler.model.table(target.name).name), quote(sub),
                item_match, condition.sql),
            condition.params)
    owner_match = ' AND '.join(
        '{0} = {1}'.format(column(link, link_column), column(alias, owner_column))
        for owner_column, link_column in zip(collection.owner_columns,
                                             collection.link_owner_columns))
    return Fragment(
        'EXISTS (SELECT 1 FROM {0} AS {1} JOIN {2} AS {3} ON {4} WHERE {5} '
        'AND {6})'.format(
            quote(collection.link_table), quote(link),
            quote(compiler.model.table(target.name).name), quote(sub),
            item_match, owner_match, condition.sql),
        condition.params)


def _computed_collection_test(compiler: Any, step: Step, alias: str,
                              target: EntityType, sub: str, inner: Any,
                              whole: Sequence[str]) -> Fragment:
    items = _target_rows(compiler, target, sub, inner(sub),
                         column(sub, compiler.model.column(target.name, 'id')))
    owners = computed_sql.hierarchy_owners(
        compiler.model, step.attribute.name, items, '_h' + compiler.alias())
    if owners is None:
        raise ValidationError(
            'Collection "{0}" of "{1}" is computed when read and cannot be '
            'used in criteria (in "{2}").'.format(
                step.attribute.name, step.owner.name, format_path(whole)))
    return Fragment('{0} IN ({1})'.format(
        column(alias, compiler.model.column(step.owner.name, 'id')), owners.sql),
        owners.params)
