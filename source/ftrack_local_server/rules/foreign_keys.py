"""Foreign keys given as plain values must name entities that exist.

A client may set a relation through its reference (``"status": {...}``,
resolved when the operation is read) or through the key itself
(``"status_id": "..."``). Keys given the second way are noted with
:func:`note` and checked by :func:`verify` when the batch ends, so that an
operation may name an entity created later in the same batch. A key is
valid when any reference stored in its column (``Recipient.resource_id``
serves both ``user`` and ``recipient``) finds its entity.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, List, Mapping, Tuple

from .. import errors
from ..model import Model, Reference
from ..schema import REFERENCE
from .common import Entity, describe_key, load

#: Key in ``tx.state`` of the keys noted in this batch.
_PENDING = 'foreign_keys_to_check'

ByColumn = Dict[str, List[Tuple[str, Reference]]]

#: Per model (weakly held: a model's id may be reused once it is gone),
#: type name -> what :func:`references_by_column` answers.
_BY_COLUMN: 'weakref.WeakKeyDictionary[Model, Dict[str, ByColumn]]' = weakref.WeakKeyDictionary()


def references_by_column(model: Model, type_name: str) -> ByColumn:
    """Return column -> ``[(attribute, Reference), ...]`` of the stored
    single-column references of *type_name*."""
    by_type = _BY_COLUMN.setdefault(model, {})
    found = by_type.get(type_name)
    if found is None:
        found = {}
        for attribute in model.catalogue.get(type_name).attributes.values():
            if attribute.kind != REFERENCE:
                continue
            reference = model.reference(type_name, attribute.name)
            if reference.computed or len(reference.columns) != 1:
                continue
            found.setdefault(reference.columns[0], []).append((attribute.name, reference))
        by_type[type_name] = found
    return found


def note(tx: Any, entity: Entity, columns: Mapping[str, Any]) -> None:
    """Remember the foreign keys among *columns* (column -> value) written to *entity*."""
    relations = references_by_column(tx.model, entity.type_name)
    for column, value in columns.items():
        if value is not None and column in relations:
            tx.state.setdefault(_PENDING, []).append(
                (entity.type_name, entity.key, column, value))


def verify(tx: Any) -> None:
    """Check every key noted in this batch; raise NotFoundError for the first dangling one.

    Keys of entities deleted since, or changed again since (the new value
    was noted too), are skipped.
    """
    pending = tx.state.pop(_PENDING, [])
    found: Dict[Tuple[str, str, Any], bool] = {}
    for type_name, key, column, value in pending:
        entity = load(tx, type_name, key)
        if entity is None or entity.values.get(column) != value:
            continue
        relations = references_by_column(tx.model, type_name)[column]
        cache_key = (type_name, column, value)
        if cache_key not in found:
            found[cache_key] = any(
                load(tx, reference.target, (value,)) is not None
                for _, reference in relations)
        if not found[cache_key]:
            raise errors.NotFoundError(
                '{0}: "{1}" refers to {2}, which does not exist.'.format(
                    describe_key(type_name, key), entity.attribute_of(column),
                    ' or '.join(sorted({describe_key(reference.target, (value,))
                                        for _, reference in relations}))))
