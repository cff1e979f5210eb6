"""Compilation of query criteria, values and ordering to SQL.

:class:`Compiler` turns the syntax tree of :mod:`.ast` into SQL over the
storage layout of :mod:`ftrack_local_server.model`:

* A comparison on a scalar of the queried type becomes a comparison of
  its column, the value coerced to the column's type (:mod:`.values`).
* A step through a reference becomes ``fk IN (SELECT pk FROM target WHERE
  ...)`` and a step through a collection ``pk IN (SELECT owner_fk FROM
  item WHERE ...)``, so that a selective condition at the far end drives
  the query through the foreign-key indexes (:mod:`.relations`). A path
  through a collection without ``any`` means "some item satisfies this
  condition".
  ``<reference>.<primary key>`` compares the foreign key itself
  (``parent.id is "x"`` is ``parent_id = 'x'``).
* ``has`` / ``any`` test the related entity or entities against the
  whole parenthesised criteria; ``any ()`` tests that a collection is not
  empty, ``has ()`` that a reference is set.
* Comparisons of values are in :mod:`.comparisons`.
* Relation tests never yield SQL NULL under ``not`` (``not parent has
  (name is "x")`` holds for entities without a parent), while scalar
  comparisons keep SQL semantics (``name is_not "x"`` does not hold for a
  null name; use ``is none`` for that).

Errors are :class:`~ftrack_local_server.errors.ValidationError` naming the
attribute, the type and the offending value.
"""

from __future__ import annotations

import itertools
from typing import Any, List, Optional, Sequence, Tuple

from ..encoding import now_text
from ..errors import ValidationError
from ..model import Model, quote
from ..schema import REFERENCE, SCALAR, EntityType
from . import ast, comparisons, computed_sql, relations
from .comparisons import Scalar
from .paths import Step, format_path, resolve_step, resolve_type
from .sql import TRUE, Fragment, column, conjunction, join, placeholders

#: Types that are a small share of the table they live in; their
#: discriminator index is the best way to find them.
RARE_TYPES = frozenset(['Project'])

class Compiler:
    """Compiles the parts of one query against *model*.

    Aliases handed out are unique within the compiled statement. *now* is
    the current naive UTC time as stored text (default: the real time),
    used by time-dependent computed attributes. *visibility* (a
    :class:`~ftrack_local_server.permissions.visibility.Visibility`, None
    for no filtering) limits every queried type, sub-queries included, to
    the rows the user may see.
    """

    def __init__(self, model: Model, now: Optional[str] = None,
                 visibility: Any = None) -> None:
        self.model = model
        self.catalogue = model.catalogue
        self._counter = itertools.count(1)
        self.now = now if now is not None else now_text()
        self.visibility = visibility

    def alias(self) -> str:
        """Return a new table alias."""
        return 't{0}'.format(next(self._counter))

    # -- entry points ----------------------------------------------------------

    def entity_type(self, name: str) -> EntityType:
        """Return the queried type *name* (ValidationError when unknown)."""
        return resolve_type(self.catalogue, name)

    def type_condition(self, entity_type: EntityType, alias: str) -> Fragment:
        """Return the test that the row in *alias* is of *entity_type*.

        Discriminator tests of types that usually fill most of their table
        are marked as likely true: without statistics SQLite would
        otherwise prefer the discriminator index over a selective
        foreign-key index of the criteria (``Task where parent.id is
        "x"`` must use the ``parent_id`` index, not walk every task).
        """
        parts = []
        for name, values in self.model.layout(entity_type.name).condition:
            if len(values) == 1:
                sql = '{0} = ?'.format(column(alias, name))
            else:
                sql = '{0} IN ({1})'.format(column(alias, name),
                                            placeholders(len(values)))
            if entity_type.name not in RARE_TYPES:
                sql = 'likelihood({0}, 0.9)'.format(sql)
            parts.append(Fragment(sql, list(values)))
        return conjunction(parts)

    def visible_condition(self, entity_type: EntityType, alias: str) -> Fragment:
        """Return :meth:`type_condition` and, when filtering, the visibility test.

        Used for the related rows criteria go through, so a condition
        cannot match (or reveal) an entity the user may not see.
        """
        condition = self.type_condition(entity_type, alias)
        if self.visibility is None:
            return condition
        visible = self.visibility.condition(self, entity_type.name, alias)
        return condition if visible is None else conjunction([condition, visible])

    def narrowing(self, step: Step, alias: str) -> Fragment:
        """Return the test that the row in *alias* is of a type *step* narrowed to."""
        owners = step.owners or (step.owner,)
        return join([self.type_condition(owner, alias) for owner in owners], 'OR')

    def criteria(self, node: ast.Criteria, entity_type: EntityType, alias: str,
                 negated: bool = False) -> Fragment:
        """Return the SQL of criteria *node* about the row of *entity_type* in *alias*.

        *negated* tells whether the node sits under an odd number of
        ``not`` (relation tests then avoid SQL NULL).
        """
        if isinstance(node, ast.And):
            return join([self.criteria(item, entity_type, alias, negated)
                         for item in node.items], 'AND')
        if isinstance(node, ast.Or):
            return join([self.criteria(item, entity_type, alias, negated)
                         for item in node.items], 'OR')
        if isinstance(node, ast.Not):
            inner = self.criteria(node.item, entity_type, alias, not negated)
            return Fragment('NOT ({0})'.format(inner.sql), inner.params)
        if isinstance(node, (ast.Comparison, ast.Relation)):
            return self._walk(entity_type, alias, node.path, node.path, node,
                              negated)
        raise TypeError('Unknown criteria node {0!r}.'.format(node))

    def select_query(self, query: ast.Query) -> Fragment:
        """Return the SQL of sub-query *query*, selecting its one projected value."""
        if query.group_by or not query.projections or len(query.projections) != 1 \
                or query.projections[0].function:
            raise ValidationError(
                'A sub-query must select exactly one attribute, without '
                'aggregates or grouping (found "select {0} from {1}").'.format(
                    ', '.join(_projection_text(p) for p in query.projections or ()),
                    query.entity_type))
        entity_type = self.entity_type(query.entity_type)
        alias = self.alias()
        value = self.value(entity_type, alias, query.projections[0].path)
        where = self.where(query, entity_type, alias)
        order = self.order_by(query.order_by, entity_type, alias)
        sql = 'SELECT {0} AS "_ls_value" FROM {1} AS {2} WHERE {3} ORDER BY {4}'.format(
            value.fragment.sql, quote(self.model.table(entity_type.name).name),
            quote(alias), where.sql, order.sql)
        params = list(value.fragment.params) + where.params + order.params
        if query.limit is not None or query.offset is not None:
            sql += ' LIMIT ? OFFSET ?'
            params += [-1 if query.limit is None else query.limit,
                       query.offset or 0]
        return Fragment(sql, params)

    def where(self, query: ast.Query, entity_type: EntityType, alias: str) -> Fragment:
        """Return the WHERE condition of *query* (type test, visibility and criteria)."""
        parts = [self.visible_condition(entity_type, alias)]
        if query.criteria is not None:
            parts.append(self.criteria(query.criteria, entity_type, alias))
        return conjunction(parts)

    def order_by(self, keys: Sequence[ast.OrderKey], entity_type: EntityType,
                 alias: str) -> Fragment:
        """Return the ORDER BY list for *keys*, ending with creation order."""
        return order_list(self.order_keys(keys, entity_type, alias))

    def order_keys(self, keys: Sequence[ast.OrderKey], entity_type: EntityType,
                   alias: str) -> List[Tuple[Fragment, bool]]:
        """Return ``(value, descending)`` for each of *keys*, then ``(rowid, False)``.

        The rowid (creation order) makes the order total, so a page can
        continue exactly where the previous one ended.
        """
        result: List[Tuple[Fragment, bool]] = []
        for key in keys:
            value = self.value(entity_type, alias, key.path)
            result.append((value.fragment, bool(key.descending)))
        result.append((Fragment('{0}.rowid'.format(quote(alias)), []), False))
        return result

    def value(self, entity_type: EntityType, alias: str, path: Sequence[str]) -> Scalar:
        """Return the SQL value of scalar *path* (through references) of the row in *alias*.

        Used by ``order by``, ``group by``, aggregates and sub-query
        projections. Raise ValidationError when the path ends at a
        relation, passes through a collection or names a computed
        attribute without an SQL form.
        """
        return self._value(entity_type, alias, tuple(path), tuple(path))

    # -- values ------------------------------------------------------------

    def _value(self, entity_type: EntityType, alias: str, path: Tuple[str, ...],
               whole: Tuple[str, ...]) -> Scalar:
        step = resolve_step(self.catalogue, entity_type, path[0], whole,
                            more=len(path) > 1)
        attribute = step.attribute
        if len(path) == 1:
            if attribute.kind == REFERENCE:
                result = self._reference_scalar(step, alias, whole, 'use one of its '
                                                'attributes in "{0}"')
            elif attribute.kind != SCALAR:
                raise ValidationError(
                    'Attribute "{0}" of "{1}" is a collection; "{2}" needs a '
                    'single value here.'.format(
                        attribute.name, step.owner.name, format_path(whole)))
            else:
                result = self.scalar(step, alias, whole)
        elif attribute.kind == REFERENCE:
            target = self.catalogue.get(attribute.target)
            sub = self.alias()
            inner = self._value(target, sub, path[1:], whole)
            match = relations.reference_match(self, step, alias, target, sub, whole)
            result = Scalar(
                Fragment('(SELECT {0} FROM {1} AS {2} WHERE {3})'.format(
                    inner.fragment.sql,
                    quote(self.model.table(target.name).name),
                    quote(sub), match.sql),
                    inner.fragment.params + match.params),
                inner.data_type, inner.where)
        elif attribute.kind == SCALAR:
            raise _no_attribute_of_scalar(step, path[1], whole)
        else:
            raise ValidationError(
                'Attribute "{0}" of "{1}" is a collection; "{2}" needs a single '
                'value here, so it cannot go through a collection.'.format(
                    attribute.name, step.owner.name, format_path(whole)))
        if step.narrowed:
            condition = self.narrowing(step, alias)
            result = Scalar(
                Fragment('(CASE WHEN {0} THEN {1} END)'.format(
                    condition.sql, result.fragment.sql),
                    condition.params + result.fragment.params),
                result.data_type, result.where)
        return result

    def scalar(self, step: Step, alias: str, whole: Sequence[str]) -> Scalar:
        """Return the SQL value of scalar *step* of the row in *alias*."""
        owner = step.owner
        attribute = step.attribute
        layout = self.model.layout(owner.name)
        where = _where(step, whole)
        column_name = layout.columns.get(attribute.name)
        if column_name is not None:
            data_type = layout.table.columns[column_name].data_type
            return Scalar(Fragment(column(alias, column_name), []), data_type, where)
        found = computed_sql.scalar_expression(
            self.model, owner.name, attribute.name, alias, self.now)
        if found is None:
            raise ValidationError(
                'Attribute "{0}" of "{1}" is computed when read and cannot be '
                'used in criteria or ordering (in "{2}").'.format(
                    attribute.name, owner.name, format_path(whole)))
        fragment, data_type = found
        return Scalar(fragment, data_type, where)

    # -- paths ---------------------------------------------------------------

    def _walk(self, entity_type: EntityType, alias: str, path: Tuple[str, ...],
              whole: Tuple[str, ...], node: Any, negated: bool) -> Fragment:
        last = len(path) == 1
        step = resolve_step(self.catalogue, entity_type, path[0], whole,
                            more=not last)
        attribute = step.attribute
        if last and isinstance(node, ast.Comparison):
            fragment = self._compare(step, alias, node, whole)
        elif last:
            fragment = self._relation(step, alias, node, whole, negated)
        elif attribute.kind == SCALAR:
            raise _no_attribute_of_scalar(step, path[1], whole)
        elif attribute.kind == REFERENCE and isinstance(node, ast.Comparison) \
                and len(path) == 2 and self._is_key_of_target(step, path[1]):
            fragment = self._compare_reference_key(step, alias, node, whole)
        else:
            target = self.catalogue.get(attribute.target)

            def inner(sub: str) -> Fragment:
                return self._walk(target, sub, path[1:], whole, node, False)

            fragment = relations.related(self, step, alias, inner, whole, negated)
        if step.narrowed:
            fragment = conjunction([self.narrowing(step, alias), fragment])
        return fragment

    def _is_key_of_target(self, step: Step, name: str) -> bool:
        reference = self.model.reference(step.owner.name, step.attribute.name)
        target = self.catalogue.get(step.attribute.target)
        return (not reference.computed and len(reference.columns) == 1
                and target.primary_key == (name,))

    def _relation(self, step: Step, alias: str, node: ast.Relation,
                  whole: Sequence[str], negated: bool) -> Fragment:
        attribute = step.attribute
        if attribute.kind == SCALAR:
            raise ValidationError(
                'Attribute "{0}" of "{1}" is a scalar; "{2}" needs a reference '
                'or a collection (in "{3} {2} (...)").'.format(
                    attribute.name, step.owner.name, node.kind, format_path(whole)))
        target = self.catalogue.get(attribute.target)
        if node.criteria is None:
            def inner(sub: str) -> Fragment:
                return TRUE
        else:
            def inner(sub: str) -> Fragment:
                return self.criteria(node.criteria, target, sub)
        return relations.related(self, step, alias, inner, whole, negated)

    def reference_key(self, step: Step, alias: str,
                      whole: Sequence[str]) -> Optional[Fragment]:
        """Return the SQL of the referenced key (single-column keys only)."""
        reference = self.model.reference(step.owner.name, step.attribute.name)
        if reference.computed:
            found = computed_sql.reference_key(
                self.model, step.owner.name, step.attribute.name, alias)
            if found is None:
                raise ValidationError(
                    'Reference "{0}" of "{1}" is computed when read and cannot '
                    'be used in criteria or ordering (in "{2}").'.format(
                        step.attribute.name, step.owner.name, format_path(whole)))
            return found
        if len(reference.columns) != 1:
            return None
        return Fragment(column(alias, reference.columns[0]), [])

    def _reference_scalar(self, step: Step, alias: str, whole: Sequence[str],
                          advice: str) -> Scalar:
        """Return the referenced key of *step* as a value; *advice* (with
        ``{0}`` for the path) ends the error for composite keys."""
        key = self.reference_key(step, alias, whole)
        if key is None:
            raise ValidationError(
                'Reference "{0}" of "{1}" has a composite key; {2}.'.format(
                    step.attribute.name, step.owner.name,
                    advice.format(format_path(whole))))
        return Scalar(key, 'string', _where(step, whole))

    # -- comparisons -----------------------------------------------------------

    def _compare(self, step: Step, alias: str, node: ast.Comparison,
                 whole: Sequence[str]) -> Fragment:
        attribute = step.attribute
        if attribute.kind == REFERENCE:
            scalar = self._reference_scalar(step, alias, whole, 'compare its '
                                            'attributes instead (in "{0}")')
        elif attribute.kind != SCALAR:
            raise ValidationError(
                'Attribute "{0}" of "{1}" is a collection and cannot be compared '
                'with a value; compare one of its attributes ("{2}.<attribute> '
                '...") or use "{2} any (...)".'.format(
                    attribute.name, step.owner.name, format_path(whole)))
        else:
            scalar = self.scalar(step, alias, whole)
        return self.comparison(scalar, node.operator, node.value)

    def _compare_reference_key(self, step: Step, alias: str, node: ast.Comparison,
                               whole: Sequence[str]) -> Fragment:
        key = self.reference_key(step, alias, whole)
        target = self.catalogue.get(step.attribute.target)
        layout = self.model.layout(target.name)
        key_column = layout.columns[target.primary_key[0]]
        data_type = layout.table.columns[key_column].data_type
        where = '"{0}" of "{1}" (in "{2}")'.format(
            target.primary_key[0], target.name, format_path(whole))
        return self.comparison(Scalar(key, data_type, where), node.operator,
                               node.value)

    def comparison(self, scalar: Scalar, operator: str, value: Any) -> Fragment:
        """Return the SQL of *scalar* *operator* *value* (a parsed value)."""
        return comparisons.compare(self, scalar, operator, value)


def _no_attribute_of_scalar(step: Step, name: str, whole: Sequence[str]) -> ValidationError:
    return ValidationError(
        'Attribute "{0}" of "{1}" is a scalar and has no attribute "{2}" (in "{3}").'.format(
            step.attribute.name, step.owner.name, name, format_path(whole)))


def _where(step: Step, whole: Sequence[str]) -> str:
    text = '"{0}" of "{1}"'.format(step.attribute.name, step.owner.name)
    if len(whole) > 1:
        text += ' (in "{0}")'.format(format_path(whole))
    return text


def _projection_text(projection: ast.Projection) -> str:
    path = format_path(projection.path)
    if projection.function:
        return '{0}({1})'.format(projection.function, path)
    return path


def order_list(keys: Sequence[Tuple[Fragment, bool]]) -> Fragment:
    """Return the ORDER BY list of *keys*, ``(value, descending)`` pairs."""
    return Fragment(
        ', '.join(value.sql + (' DESC' if descending else '') for value, descending in keys),
        [param for value, _ in keys for param in value.params])
