"""Validation of ``select`` projections and their arrangement as a tree.

``select name, status.name, status.state.short from Task`` becomes the tree
``{'name': {}, 'status': {'name': {}, 'state': {'short': {}}}}`` that the
loader (:mod:`.loader`) walks level by level. Each path is checked against
the schema first, so that an unknown attribute is reported before anything
is read.
"""

from __future__ import annotations

from typing import Dict, Iterable, Sequence

from ..errors import ValidationError
from ..schema import SCALAR, Catalogue, EntityType
from . import ast
from .paths import format_path, resolve_step

Tree = Dict[str, 'Tree']


def build_tree(catalogue: Catalogue, entity_type: EntityType,
               paths: Iterable[Sequence[str]]) -> Tree:
    """Return the projection tree of *paths* on *entity_type*.

    Raise :class:`~ftrack_local_server.errors.ValidationError` naming the
    attribute, its type and the path when an attribute is unknown, a
    scalar is followed by further names, or a restricted projection
    (``custom_attribute_links``) is selected.
    """
    tree: Tree = {}
    for path in paths:
        path = tuple(path)
        check_path(catalogue, entity_type, path)
        node = tree
        for name in path:
            node = node.setdefault(name, {})
    return tree


def check_path(catalogue: Catalogue, entity_type: EntityType,
               path: Sequence[str]) -> None:
    """Check projection *path* of *entity_type* (see :func:`build_tree`)."""
    current = entity_type
    for index, name in enumerate(path):
        more = index < len(path) - 1
        step = resolve_step(catalogue, current, name, path, more=more)
        attribute = step.attribute
        if attribute.restricted_projection:
            raise ValidationError(
                'Attribute "{0}" of "{1}" can only be used in criteria, not '
                'selected (in "select {2}").'.format(
                    attribute.name, step.owner.name, format_path(path)))
        if attribute.kind == SCALAR:
            if more:
                raise ValidationError(
                    'Attribute "{0}" of "{1}" is a scalar and has no attribute '
                    '"{2}" (in "select {3}").'.format(
                        attribute.name, step.owner.name, path[index + 1],
                        format_path(path)))
            return
        current = catalogue.get(attribute.target)


def plain_paths(projections: Sequence[ast.Projection]) -> Sequence[Sequence[str]]:
    """Return the paths of the projections that are not aggregates."""
    return [p.path for p in projections if not p.function]
