"""Create, update and delete of entities, with every write rule applied.

:class:`Writer` is what the ``create`` / ``update`` / ``delete`` actions
call. It works inside the batch's transaction and records one change per
entity added, updated or removed; any error it raises leaves the batch to
be rolled back by the dispatcher, so nothing of a failed batch is written.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import errors
from ..model import TYPE_COLUMN, kind_column
from ..permissions import access_for, load_access
from ..permissions.checks import CREATE, DELETE, UPDATE, WriteGuard
from . import custom_attributes, foreign_keys, hierarchy, notes
from .cascade import delete_entities
from .changes import ChangeLog
from .common import Entity, describe_key, load, stored_key_value
from .defaults import (
    derive, discriminator_conflicts, fill_defaults, required_exemptions,
)
from .relations import set_collection, set_reference
from .validation import (
    check_mutable, check_new_identity, check_required, check_unique,
    missing_required,
)
from .values import Supplied, parse


class Written:
    """The outcome of a create or update: the stored *entity*, what was
    *supplied*, and the scalar attribute names that changed (*changed*)."""

    def __init__(self, entity: Entity, supplied: Supplied, changed: List[str]) -> None:
        self.entity = entity
        self.supplied = supplied
        self.changed = changed


class Writer:
    """Writes entities within transaction *tx* on behalf of *user*.

    Change records are appended to *records* (the batch's
    ``context.changes``). Every write is checked against *access* (the
    user's :class:`~ftrack_local_server.permissions.access.Access`; by
    default read for *user*).
    """

    def __init__(self, tx: Any, user: Optional[Dict[str, Any]],
                 records: List[Dict[str, Any]], access: Any = None) -> None:
        self.tx = tx
        self.model = tx.model
        self.catalogue = tx.catalogue
        self.user = user or {}
        self.changes = ChangeLog(tx, records, self.user)
        self.guard = WriteGuard(tx, access if access is not None
                                else load_access(tx, self.user))

    # -- identity ------------------------------------------------------------

    def parse_key(self, type_name: str, entity_key: Any) -> Tuple[Any, ...]:
        """Return the stored key values of *entity_key* (a list, or a bare
        string for single-key types) for *type_name*.

        Raise ValidationError naming the value when it does not fit the
        primary key.
        """
        entity_type = self.catalogue.get(type_name)
        primary_key = entity_type.primary_key
        if isinstance(entity_key, (str, int)) and not isinstance(entity_key, bool):
            entity_key = [entity_key]
        if isinstance(entity_key, dict):
            entity_key = [entity_key.get(name) for name in primary_key]
        if not isinstance(entity_key, list) or len(entity_key) != len(primary_key):
            raise errors.ValidationError(
                'Invalid entity_key {0} for "{1}": expected a list of {2} '
                'value{3} ({4}).'.format(
                    errors.excerpt(entity_key), type_name, len(primary_key),
                    's' if len(primary_key) != 1 else '', ', '.join(primary_key)))
        values = []
        for name, value in zip(primary_key, entity_key):
            if value is None or isinstance(value, (dict, list, bool)):
                raise errors.ValidationError(
                    'Invalid value {0} for key "{1}" of "{2}".'.format(
                        errors.excerpt(value), name, type_name))
            values.append(stored_key_value(self.model, type_name, name, value))
        return tuple(values)

    def _concrete_type(self, type_name: str, data: Any) -> str:
        entity_type = self.catalogue.get(type_name)
        if isinstance(data, dict) and '__entity_type__' in data:
            given = data['__entity_type__']
            given_type = self.catalogue.find(given) if isinstance(given, str) else None
            if given_type is None or not given_type.is_a(entity_type):
                raise errors.ValidationError(
                    'The entity data of a "{0}" operation has __entity_type__ '
                    '{1}.'.format(type_name, errors.excerpt(given)))
            entity_type = given_type
        if entity_type.name == 'TypedContext' and isinstance(data, dict):
            object_type_id = data.get('object_type_id')
            classified = self.catalogue.classified('Task', 'object_typeid', object_type_id)
            if classified is not None:
                entity_type = classified
        layout = self.model.layout(entity_type.name)
        if layout.abstract:
            concrete = [t.name for t in entity_type.descendants()
                        if not self.model.layout(t.name).abstract]
            raise errors.ValidationError(
                'Cannot create "{0}" entities directly; create one of: {1}.'.format(
                    entity_type.name, ', '.join(concrete)))
        return entity_type.name

    # -- create ----------------------------------------------------------------

    def create(self, type_name: str, data: Any,
               entity_key: Any = None) -> Written:
        """Create an entity of *type_name* from wire *data*.

        The identity comes from *entity_key* (list of key values in key
        order) when given, else from *data*; missing ``{uid}`` keys are
        generated. Raise ValidationError, NotFoundError or
        DuplicateEntryError naming what was wrong.
        """
        self.catalogue.get(type_name)
        if not isinstance(data, dict):
            raise errors.ValidationError(
                'The entity_data of "create" {0} must be an object, got {1}.'.format(
                    type_name, errors.excerpt(data)))
        concrete = self._concrete_type(type_name, data)
        if self.catalogue.get(concrete).is_a('CustomAttributeValue'):
            key = self._value_key(concrete, data, entity_key)
            return self._upsert_value(concrete, key, data)
        supplied = parse(self.tx, concrete, data)
        entity = Entity(self.model, concrete, {})
        entity.values.update(supplied.columns)
        for name, target in supplied.references.items():
            entity.values.update(set_reference(entity, name, target, supplied.columns))
        discriminator_conflicts(entity)
        if entity_key is not None:
            self._apply_key(entity, self.parse_key(concrete, entity_key))
        fill_defaults(entity, supplied)
        derive(self.tx, self.user, entity)
        exempt = required_exemptions(self.tx, entity)
        if entity.entity_type.is_a('TypedContext') and entity.get('project_id') is None:
            # The parent may come later in the batch (a client appending the
            # new entity to a parent's children); what depends on it is
            # derived then and checked when the batch ends (finish()).
            hierarchy.defer(self.tx, entity)
            exempt.update(('status_id', 'type_id'))
        if entity.entity_type.is_a('Context'):
            hierarchy.check_parent(self.tx, entity, entity.get('parent_id'))
        custom_attributes.check_default(self.tx, entity)
        if missing_required(entity, exempt):
            # A later operation of the batch may still set them (a real
            # server checks when the batch ends): see finish().
            self.tx.state.setdefault('required_pending', {})[entity.identity] = \
                entity.type_name
        check_new_identity(self.tx, entity)
        check_unique(self.tx, entity)
        self.tx.insert(entity.table, entity.values)
        foreign_keys.note(self.tx, entity, supplied.columns)
        for name, items in supplied.collections.items():
            set_collection(self.tx, entity, name, items, self.changes)
        custom_attributes.create_values_for_entity(self.tx, entity)
        custom_attributes.create_values_for_configuration(self.tx, entity)
        self.changes.added(entity)
        notes.created(self.tx, entity)
        self.guard.after_write(CREATE, entity, supplied.names)
        return Written(entity, supplied, list(supplied.scalars))

    def _apply_key(self, entity: Entity, key: Tuple[Any, ...]) -> None:
        for name, value in zip(entity.entity_type.primary_key, key):
            column = entity.layout.columns[name]
            current = entity.values.get(column)
            if current is not None and current != value:
                raise errors.ValidationError(
                    'The entity_key of {0} gives "{1}" {2} but the entity data '
                    'gives {3}.'.format(
                        describe_key(entity.type_name, key), name,
                        errors.excerpt(value), errors.excerpt(current)))
            entity.values[column] = value

    # -- update ----------------------------------------------------------------

    def update(self, type_name: str, entity_key: Any, data: Any) -> Written:
        """Update the entity of *type_name* with *entity_key* from wire *data*.

        Custom attribute values that do not exist yet are created (upsert).
        Raise NotFoundError for a missing entity, PermissionError for a
        change of an immutable attribute, ValidationError for bad values.
        """
        entity_type = self.catalogue.get(type_name)
        key = self.parse_key(type_name, entity_key)
        if not isinstance(data, dict):
            raise errors.ValidationError(
                'The entity_data of "update" {0} must be an object, got {1}.'.format(
                    describe_key(type_name, key), errors.excerpt(data)))
        if entity_type.is_a('CustomAttributeValue'):
            return self._upsert_value(type_name, key, data)
        entity = load(self.tx, type_name, key)
        if entity is None:
            raise self._missing(type_name, key)
        self.guard.before_change(UPDATE, entity, list(data))
        supplied = parse(self.tx, entity.type_name, data)
        old = dict(entity.values)
        new_values: Dict[str, Any] = {}
        for name in supplied.scalars:
            column = entity.layout.columns[name]
            columns = {c: v for c, v in supplied.columns.items()
                       if c in (column, kind_column(column))}
            check_mutable(entity, name, columns)
            fixed = entity.layout.fixed.get(column)
            if fixed is not None and columns[column] != fixed:
                raise errors.PermissionError_(
                    'Cannot set attribute "{0}" of {1} to {2}: it is maintained '
                    'by the server.'.format(
                        name, entity.describe(), errors.excerpt(columns[column])))
            new_values.update(columns)
        for name, target in supplied.references.items():
            written = set_reference(entity, name, target, supplied.columns)
            check_mutable(entity, name, written)
            new_values.update(written)
        if 'parent_id' in entity.layout.columns and \
                new_values.get(entity.layout.columns['parent_id'], old.get('parent_id')) \
                != old.get('parent_id'):
            hierarchy.check_new_parent(self.tx, entity, new_values['parent_id'])
        entity.values.update(new_values)
        if entity.identity in self.tx.state.get('required_pending', ()):
            pass  # created in this batch without its required values yet
        elif entity.entity_type.is_a('Context'):
            exempt = required_exemptions(self.tx, entity)
            if hierarchy.is_deferred(self.tx, entity):
                exempt.update(('status_id', 'type_id'))
            check_required(entity, exempt, action='update')
        else:
            check_required(entity, action='update', only=[
                name for name, column in entity.layout.columns.items()
                if column in new_values])
        if self.catalogue.get(entity.type_name).is_a('CustomConfigurationBase'):
            custom_attributes.check_default(self.tx, entity)
        changed_columns = {c: v for c, v in new_values.items() if old.get(c) != v}
        if changed_columns:
            # Any move may change the ancestors reported in change records.
            hierarchy.forget_chains(self.tx)
            check_unique(self.tx, entity)
            self.tx.update(entity.table, entity.key_where, changed_columns)
            foreign_keys.note(self.tx, entity, {
                c: v for c, v in changed_columns.items() if c in supplied.columns})
        if 'parent_id' in changed_columns and hierarchy.reparented(self.tx, entity) \
                is not None:
            # Values derived from the new project (status, ...) were stored.
            entity.values.update(dict(self.tx.select_one(
                entity.table, entity.key_where)))
            entity.values.pop('rowid', None)
        self._status_changed(entity, old)
        for name, items in supplied.collections.items():
            set_collection(self.tx, entity, name, items, self.changes)
        custom_attributes.configuration_updated(self.tx, entity, old)
        self.changes.updated(entity, old)
        changed = [name for name, column in entity.layout.columns.items()
                   if column in changed_columns]
        return Written(entity, supplied, changed)

    def finish(self) -> None:
        """Check what was deferred to the end of the batch.

        Typed contexts created without a parent must have one by now, with
        the values derived from it; entities created without a required
        value must have been given it by a later operation; notes get
        their author as recipient and their category from their labels;
        every write must be allowed by the user's roles; and foreign keys
        given as plain values must name existing entities. Raise
        ValidationError, PermissionError or NotFoundError naming them.
        """
        for entity in hierarchy.deferred(self.tx):
            if entity.get('parent_id') is None:
                raise errors.ValidationError(
                    'Cannot create {0}: missing required attribute "parent_id" '
                    '(parent).'.format(entity.describe()))
            check_required(entity, required_exemptions(self.tx, entity))
        self._check_pending_required()
        notes.finish(self, self.user.get('id'))
        self.guard.finish(self.tx.state.get('removed', ()))
        foreign_keys.verify(self.tx)

    def _check_pending_required(self) -> None:
        """Check entities created without required values, now that the batch is over."""
        pending = self.tx.state.pop('required_pending', {})
        removed = self.tx.state.get('removed', ())
        for identity, type_name in pending.items():
            if identity in removed:
                continue
            entity = load(self.tx, type_name, identity[1])
            if entity is None:
                continue
            exempt = required_exemptions(self.tx, entity)
            if hierarchy.is_deferred(self.tx, entity):
                exempt.update(('status_id', 'type_id'))
            check_required(entity, exempt)

    def _missing(self, type_name: str, key: Tuple[Any, ...]) -> errors.ApiError:
        table = self.model.table(type_name).name
        if (table, key) in self.tx.state.get('removed', ()):
            return errors.NotFoundError(
                'Cannot update {0}: it was deleted earlier in this batch.'.format(
                    describe_key(type_name, key)))
        return errors.NotFoundError(
            '{0} does not exist.'.format(describe_key(type_name, key)))

    def _status_changed(self, entity: Entity, old: Dict[str, Any]) -> None:
        """Record a status change of a typed context or version, as a real server does."""
        if entity.entity_type.is_a('TypedContext'):
            kind = 'TypedContextStatusChange'
        elif entity.type_name == 'AssetVersion':
            kind = 'AssetVersionStatusChange'
        else:
            return
        column = entity.layout.columns['status_id']
        before, after = old.get(column), entity.values.get(column)
        if before == after or before is None:
            return
        record = Entity(self.model, kind, {
            'parent_id': entity.key[0], 'status_id': after,
            'from_status_id': before})
        record.values.update(record.layout.fixed)
        derive(self.tx, self.user, record)
        self.tx.insert(record.table, record.values)
        self.changes.added(record)

    # -- custom attribute values ---------------------------------------------------

    def _value_key(self, type_name: str, data: Dict[str, Any],
                   entity_key: Any) -> Tuple[Any, ...]:
        if entity_key is not None:
            return self.parse_key(type_name, entity_key)
        return self.parse_key(type_name, [data.get('configuration_id'),
                                          data.get('entity_id')])

    def _upsert_value(self, type_name: str, key: Tuple[Any, ...],
                      data: Dict[str, Any]) -> Written:
        entity = load(self.tx, type_name, key)
        created = entity is None
        if created:
            entity = custom_attributes.upsert_target(self.tx, type_name, key)
        supplied = parse(self.tx, entity.type_name, data)
        for name in supplied.scalars:
            if name != 'value':
                column = entity.layout.columns[name]
                check_mutable(entity, name, {column: supplied.columns[column]})
        for name, target in supplied.references.items():
            check_mutable(entity, name, set_reference(
                entity, name, target, supplied.columns))
        configuration = custom_attributes.configuration_of(self.tx, entity)
        owner = custom_attributes.owner_of_value(self.tx, entity)
        self.guard.check_value_write(configuration, owner)
        old_value = None if created else entity.wire('value')
        if 'value' in supplied.scalars:
            value = supplied.scalars['value']
            custom_attributes.check_value(
                custom_attributes.type_name_of(self.tx, configuration),
                configuration['key'], value, configuration['config'])
            column = entity.layout.columns['value']
            entity.values[column] = supplied.columns[column]
            entity.values[kind_column(column)] = supplied.columns[kind_column(column)]
        entity.values['key'] = configuration['key']
        entity.values[TYPE_COLUMN] = entity.type_name
        if created:
            self.tx.insert(entity.table, entity.values)
        else:
            self.tx.update(entity.table, entity.key_where, {
                c: v for c, v in entity.values.items()
                if c not in entity.layout.primary_key_columns})
        new_value = entity.wire('value')
        if owner is not None and (created or old_value != new_value):
            self.changes.changed(owner, {configuration['key']: {
                'old': old_value, 'new': new_value}})
        return Written(entity, supplied, list(supplied.scalars))

    # -- delete ----------------------------------------------------------------

    def delete(self, type_name: str, entity_key: Any) -> List[Entity]:
        """Delete the entity of *type_name* with *entity_key* and what it owns.

        Deleting an entity a cascade earlier in the same batch already
        removed succeeds. A custom attribute value goes back to its
        configuration's default (values are dense: every entity has one
        per configuration). Raise NotFoundError for an entity that never
        existed, ValidationError when other entities still refer to it.
        """
        key = self.parse_key(type_name, entity_key)
        entity = load(self.tx, type_name, key)
        if entity is None:
            table = self.model.table(type_name).name
            if (table, key) in self.tx.state.get('removed', ()):
                return []
            raise errors.NotFoundError(
                'Cannot delete {0}: it does not exist.'.format(
                    describe_key(type_name, key)))
        self.guard.before_change(DELETE, entity)
        removed = delete_entities(self.tx, [entity], self.changes)
        if entity.entity_type.is_a('CustomAttributeValue'):
            owner = custom_attributes.owner_of_value(self.tx, entity)
            if owner is not None:
                custom_attributes.create_values_for_entity(self.tx, owner)
        return removed


def writer_for(context: Any) -> Writer:
    """Return the :class:`Writer` of a batch's request *context* (one per batch, made on first use)."""
    if context.writer is None:
        context.writer = Writer(context.tx, context.user, context.changes,
                                access_for(context))
    return context.writer

