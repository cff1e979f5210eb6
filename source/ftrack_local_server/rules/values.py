"""Reading the ``entity_data`` of a create or update operation.

:func:`parse` checks every supplied attribute against the schema and
sorts the values into scalars (converted to stored column values),
references (resolved to the stored entity, or None) and collections
(resolved to lists of stored entities). Errors name the attribute, the
type and the offending value; references to entities that do not exist
name the referenced type and key.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import OrderedDict
from typing import Any, Dict, List, Optional

from .. import encoding, errors
from ..schema import REFERENCE, SCALAR
from .common import Entity, describe_key, key_from_reference, load

logger = logging.getLogger(__name__)


class Supplied:
    """The attributes an operation supplies for type *type_name*.

    *scalars* maps attribute -> wire value, *columns* column -> stored
    value for them; *references* maps attribute -> :class:`Entity` or None;
    *collections* maps attribute -> list of :class:`Entity`. *names* keeps
    every supplied attribute name in order.
    """

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.scalars: 'OrderedDict[str, Any]' = OrderedDict()
        self.columns: Dict[str, Any] = {}
        self.references: 'OrderedDict[str, Optional[Entity]]' = OrderedDict()
        self.collections: 'OrderedDict[str, List[Entity]]' = OrderedDict()
        self.names: List[str] = []

    def __contains__(self, name: str) -> bool:
        return name in self.scalars or name in self.references or \
            name in self.collections


def parse(tx: Any, type_name: str, data: Any) -> Supplied:
    """Return the :class:`Supplied` values of *data* for entity type *type_name*.

    Raise :class:`~ftrack_local_server.errors.ValidationError` for data
    that is not an object, an unknown attribute, a value of the wrong
    type, a relation that cannot be set, and
    :class:`~ftrack_local_server.errors.NotFoundError` for a reference to
    a missing entity.
    """
    model = tx.model
    entity_type = model.catalogue.get(type_name)
    layout = model.layout(type_name)
    if not isinstance(data, dict):
        raise errors.ValidationError(
            'The entity data for "{0}" must be an object, got {1}.'.format(
                type_name, errors.excerpt(data)))
    supplied = Supplied(type_name)
    for name, value in data.items():
        if name == '__entity_type__':
            continue
        attribute = entity_type.attribute(name)
        if attribute.kind == SCALAR:
            if name in layout.computed:
                # A real server refuses values for what it computes.
                raise errors.ValidationError(
                    'Attribute "{0}" of "{1}" is computed by the server and '
                    'cannot be set (got {2}).'.format(
                        name, type_name, errors.excerpt(value)))
            supplied.scalars[name] = value
            supplied.columns.update(encoding.storage_values(
                type_name, attribute, layout.columns[name], value))
        elif attribute.kind == REFERENCE:
            reference = model.reference(type_name, name)
            if reference.computed:
                raise errors.ValidationError(
                    'Attribute "{0}" of "{1}" is computed by the server and '
                    'cannot be set.'.format(name, type_name))
            supplied.references[name] = resolve(
                tx, value, attribute.target, name, type_name)
        else:
            collection = model.collection(type_name, name)
            if collection.kind == 'computed' or attribute.restricted_projection:
                raise errors.ValidationError(
                    'Attribute "{0}" of "{1}" cannot be set: {2}.'.format(
                        name, type_name,
                        collection.computed or 'it is a filter-only relation'))
            if not isinstance(value, list):
                raise errors.ValidationError(
                    'Value {0} for collection "{1}" of "{2}" must be a list of '
                    'entity references.'.format(
                        errors.excerpt(value), name, type_name))
            items = []
            for item in value:
                entity = resolve(tx, item, collection.target, name, type_name)
                if entity is None:
                    raise errors.ValidationError(
                        'Collection "{0}" of "{1}" cannot hold null.'.format(
                            name, type_name))
                if any(existing.identity == entity.identity for existing in items):
                    continue
                items.append(entity)
            supplied.collections[name] = items
        supplied.names.append(name)
    return supplied


def resolve(tx: Any, value: Any, target: str, attribute: str,
            owner_type: str) -> Optional[Entity]:
    """Return the stored entity wire reference *value* points at (None for null).

    *target* is the type the attribute accepts. Raise ValidationError for
    a value that is not a reference or names an incompatible type, and
    NotFoundError when the entity does not exist.
    """
    if value is None:
        return None
    model = tx.model
    type_name, key = key_from_reference(model, value, attribute, owner_type)
    given = model.catalogue.get(type_name)
    if not (given.is_a(target) or model.catalogue.get(target).is_a(given)):
        raise errors.ValidationError(
            'Attribute "{0}" of "{1}" accepts "{2}" entities, not "{3}" '
            '({4}).'.format(attribute, owner_type, target, type_name,
                            errors.excerpt(value)))
    entity = load(tx, type_name, key)
    if entity is None or not entity.entity_type.is_a(target):
        raise errors.NotFoundError(
            'Entity {0} referenced by "{1}" of "{2}" does not exist.'.format(
                describe_key(type_name, key), attribute, owner_type))
    return entity


_FRACTION = re.compile(r':\d{2}[.,](\d+)')


def submitted_datetime(value: Any) -> Optional[Dict[str, str]]:
    """Return the wire form of datetime *value* as a client submitted it.

    A real server stores whole seconds but answers a create or update with
    the value it was given: the moment normalised to naive UTC, with its
    microseconds (``YYYY-MM-DDTHH:MM:SS.ffffff``; no fraction when there
    is none). Return None when *value* is not a datetime.
    """
    seconds = encoding.parse_datetime(value)
    if seconds is None:
        return None
    if isinstance(value, dict):
        value = value.get('value')
    if isinstance(value, datetime.datetime):
        micro = value.microsecond
    else:
        match = _FRACTION.search(value) if isinstance(value, str) else None
        micro = int((match.group(1) + '000000')[:6]) if match else 0
    text = seconds if not micro else '{0}.{1:06d}'.format(seconds, micro)
    return {'__type__': 'datetime', 'value': text}

