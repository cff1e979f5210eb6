"""Resolution of attribute names and paths against the schema.

A query names attributes by their public names, possibly through
references and collections (``parent.parent.name``). :func:`resolve_step`
finds one attribute of one type; when the declared type lacks it but
exactly one of its subtypes has it (``custom_attribute_links any
(user.username is "x")``: ``user`` exists on ``UserCustomAttributeLink``
only), the step narrows to that subtype, and the compiled SQL then also
tests that the row is of that subtype.

Errors are :class:`~ftrack_local_server.errors.ValidationError` naming the
attribute, the type and the path as written.
"""

from __future__ import annotations

from typing import Any, List, NamedTuple, Sequence, Tuple

from ..errors import ValidationError
from ..schema import Attribute, Catalogue, EntityType


#: Names the documentation uses that the current schema calls otherwise:
#: (type, name as written) -> attribute. The seed's querying chapter
#: filters on ``status.type.name`` and ``status.type.short``; a status's
#: ``state`` is stored in the real server as ``statustype``.
LEGACY_NAMES = {
    ('Status', 'type'): 'state',
}


class Step(NamedTuple):
    """One resolved attribute of a path.

    *owner* is the type that has *attribute* (the declared type, or the
    subtype the step narrowed to); *narrowed* tells whether it differs
    from the type the step started from. *owners* lists every subtype the
    step narrowed to when several subtypes have the same attribute
    (``metadata`` of ``Context`` is both ``Project.metadata`` and
    ``TypedContext.metadata``); *owner* is then the first of them.
    """

    owner: EntityType
    attribute: Attribute
    narrowed: bool
    owners: Tuple[EntityType, ...] = ()


def format_path(path: Sequence[str]) -> str:
    """Return *path* as written in a query (``parent.name``)."""
    return '.'.join(path)


def resolve_step(catalogue: Catalogue, entity_type: EntityType, name: str,
                 path: Sequence[str], more: bool) -> Step:
    """Return the :class:`Step` for attribute *name* of *entity_type*.

    *path* is the whole path as written (for messages); *more* tells
    whether further steps follow (a relation is then preferred when
    several subtypes have the name). Raise
    :class:`~ftrack_local_server.errors.ValidationError` naming the
    attribute, the type and the path when the type, and each of its
    subtypes, lacks the attribute or the choice among subtypes is
    ambiguous.
    """
    attribute = entity_type.attributes.get(name)
    if attribute is not None:
        return Step(entity_type, attribute, False)
    for owner in [entity_type] + entity_type.ancestors():
        legacy = LEGACY_NAMES.get((owner.name, name))
        if legacy is not None and legacy in entity_type.attributes:
            return Step(entity_type, entity_type.attributes[legacy], False)
    candidates = _most_general_owners(entity_type, name)
    if more and len(candidates) > 1:
        relations = [c for c in candidates if c.attributes[name].is_relation]
        if relations:
            candidates = relations
    if len(candidates) == 1:
        owner = candidates[0]
        return Step(owner, owner.attributes[name], True, (owner,))
    if candidates and len({_signature(c.attributes[name]) for c in candidates}) == 1:
        owner = candidates[0]
        return Step(owner, owner.attributes[name], True, tuple(candidates))
    where = ''
    if len(path) > 1:
        where = ' (in "{0}")'.format(format_path(path))
    if candidates:
        raise ValidationError(
            'Attribute "{0}" of "{1}"{2} is ambiguous: it exists on the '
            'subtypes {3}.'.format(
                name, entity_type.name, where,
                ', '.join('"{0}"'.format(c.name) for c in candidates))
        )
    raise ValidationError(
        'Entity type "{0}" has no attribute "{1}"{2}.'.format(
            entity_type.name, name, where)
    )


def _signature(attribute: Attribute) -> Tuple[Any, ...]:
    # Attributes of sibling subtypes that agree on all of this are stored
    # alike (they share the family table), so one step covers them all.
    return (attribute.kind, attribute.target, attribute.data_type,
            attribute.alias_for)


def _most_general_owners(entity_type: EntityType, name: str) -> List[EntityType]:
    owners = []
    for subtype in entity_type.descendants():
        if name not in subtype.attributes:
            continue
        # Skip a subtype whose own supertype (below entity_type) already
        # has the attribute: the supertype covers it.
        parent = subtype.supertype
        covered = False
        while parent is not None and parent is not entity_type:
            if name in parent.attributes:
                covered = True
                break
            parent = parent.supertype
        if not covered:
            owners.append(subtype)
    return owners


def resolve_type(catalogue: Catalogue, name: str) -> EntityType:
    """Return entity type *name*.

    Raise :class:`~ftrack_local_server.errors.ValidationError` naming it
    when unknown (and the type of another case, when one exists).
    """
    entity_type = catalogue.find(name)
    if entity_type is not None:
        return entity_type
    other = catalogue.find_case_insensitive(name)
    hint = ''
    if other is not None:
        hint = ' (did you mean "{0}"?)'.format(other.name)
    raise ValidationError('Unknown entity type "{0}"{1}.'.format(name, hint))

