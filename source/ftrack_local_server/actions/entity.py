"""The ``create``, ``update`` and ``delete`` actions (protocol §2.4-§2.6).

Results::

    {"action": "create", "data": <encoded entity>}
    {"action": "update", "data": <encoded entity>}
    {"action": "delete", "data": true}

A create result holds the entity's identity, every stored value that is
not null (server-filled ones included, e.g. ``resource_type``,
``system_type``, ``version``), its system projections, and every
attribute the client supplied (null values, references as entity
references, collections as lists of references). Date-times supplied are
answered as submitted (with microseconds, in naive UTC) although they are
stored in whole seconds, as a real server does. An update result holds
the identity, the system projections, every attribute supplied and every
scalar the update changed. The write rules live in
:mod:`ftrack_local_server.rules`.
"""

from __future__ import annotations

from typing import Any, Dict

from .. import encoding, errors
from ..rules.values import submitted_datetime
from ..rules.writer import Written, writer_for
from . import action


def _entity_type(operation: Dict[str, Any]) -> str:
    type_name = operation.get('entity_type')
    if not isinstance(type_name, str) or not type_name:
        raise errors.ValidationError(
            'Operation "{0}" needs an "entity_type" string, got {1}.'.format(
                operation.get('action'), errors.excerpt(type_name)))
    return type_name


def _entity_key(operation: Dict[str, Any]) -> Any:
    if 'entity_key' not in operation or operation['entity_key'] is None:
        raise errors.ValidationError(
            'Operation "{0}" on "{1}" needs an "entity_key".'.format(
                operation.get('action'), operation.get('entity_type')))
    return operation['entity_key']


def _entity_data(operation: Dict[str, Any]) -> Any:
    data = operation.get('entity_data')
    return {} if data is None else data


def encode_written(context: Any, written: Written, everything: bool) -> Dict[str, Any]:
    """Return the encoded entity answered for *written*.

    With *everything* (create) every non-null stored scalar is included,
    else only the changed ones; supplied attributes always are.
    """
    model = context.tx.model
    entity = written.entity
    names = None if everything else list(written.changed)
    data = encoding.encode_entity(
        model, entity.type_name, entity.values, names, skip_null=everything)
    entity_type = model.catalogue.get(entity.type_name)
    for name, value in written.supplied.scalars.items():
        if name in entity.layout.columns:
            data[name] = entity.wire(name)
            if entity_type.attribute(name).data_type == 'datetime' and value is not None:
                # Stored in whole seconds, answered as submitted (see
                # submitted_datetime).
                data[name] = submitted_datetime(value) or data[name]
    for name, target in written.supplied.references.items():
        reference = model.reference(entity.type_name, name)
        if target is None:
            data[name] = None
        else:
            data[name] = encoding.entity_reference(model, target.type_name, target.key)
        for column in reference.columns:
            for attribute, candidate in entity.layout.columns.items():
                if candidate == column:
                    data[attribute] = entity.wire(attribute)
    for name, items in written.supplied.collections.items():
        data[name] = [encoding.entity_reference(model, item.type_name, item.key)
                      for item in items]
    return data


def finish_batch(context: Any) -> None:
    """Run the checks deferred to the end of a batch (call before commit).

    Typed contexts may be created without a parent when a later operation
    of the batch gives them one (``parent['children'].append(new)``); this
    raises ValidationError for any still without one. A no-op for batches
    that wrote no entity.
    """
    if context.writer is not None:
        context.writer.finish()


@action('create')
def create(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Create one entity; see the module documentation for the result."""
    type_name = _entity_type(operation)
    data = _entity_data(operation)
    if isinstance(data, dict) and 'custom_attributes' in data:
        # A real server does not take custom attribute values in a create
        # (the documentation's "Limitations"); clients set them afterwards.
        raise errors.ValidationError(
            'Cannot set "custom_attributes" when creating {0}: create the '
            'entity first, then set its custom attributes (the API clients '
            'send them as separate operations).'.format(type_name))
    written = writer_for(context).create(
        type_name, _entity_data(operation), operation.get('entity_key'))
    return {'action': 'create', 'data': encode_written(context, written, True)}


@action('update')
def update(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Update one entity (custom attribute values are upserted)."""
    type_name = _entity_type(operation)
    written = writer_for(context).update(
        type_name, _entity_key(operation), _entity_data(operation))
    return {'action': 'update', 'data': encode_written(context, written, False)}


@action('delete')
def delete(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Delete one entity and what it owns."""
    type_name = _entity_type(operation)
    writer_for(context).delete(type_name, _entity_key(operation))
    return {'action': 'delete', 'data': True}
