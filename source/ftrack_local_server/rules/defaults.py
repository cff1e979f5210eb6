"""Values the server fills in when an entity is created.

:func:`fill_defaults` applies the schema defaults (``{uid}`` and
literals) to attributes the client did not supply. :func:`derive` then
fills what a real server maintains or derives itself:

* ``created_at`` / ``created_by`` (and ``date`` of notes, versions and
  status changes) from the clock and the authenticated user;
* for typed contexts ``context_type``, ``object_type_id`` (the type's
  classifier) and ``project_id`` (from the parent chain); a status from the
  project schema's workflow and, for typeable object types, a type; ``bid``
  and ``sort`` 0;
* ``AssetVersion.version`` numbered per asset from 1, its status from the
  version workflow and its user;
* ``Component.system_type``, ``User.resource_type``, a uuid ``username``
  for users created without one, and the flags the real server fills for
  users;
* polymorphic owner types (``parent_type`` of notes and metadata, the
  entity types of custom attribute links) looked up from the ids.

Required attributes that cannot be derived are left for
:mod:`ftrack_local_server.rules.validation` to report.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any, Dict

from .. import encoding, errors
from ..model import TYPE_COLUMN
from . import workflow
from .common import Entity, load_by_id, owners_of, project_id_of
from .values import Supplied

#: Required booleans without a schema default and the value a real server
#: gives them (the captured ``create_user`` answer shows the user flags).
DERIVED_FLAGS = {
    ('User', 'is_active'): False,
    ('User', 'is_otp_enabled'): False,
    ('User', 'is_totp_enabled'): False,
    ('User', 'require_details_update'): False,
    ('Status', 'is_active'): True,
    ('Group', 'local'): False,
}

#: Attributes stamped with the creation time when not supplied.
CREATION_TIMES = ('created_at',)
CREATION_DATES = {
    'Note': ('date', 'thread_activity'),
    'AssetVersion': ('date',),
    'StatusChange': ('date',),
    'Timer': ('start',),
    'Timelog': ('start',),
    'List': ('date',),
    'ReviewSession': ('start_date',),
}

#: References to the authenticated user filled when not supplied.
CREATED_BY = {
    'Note': 'user_id',
    'AssetVersion': 'user_id',
    'Job': 'user_id',
    'Timer': 'user_id',
    'Timelog': 'user_id',
    'List': 'user_id',
    'StatusChange': 'user_id',
}


def fill_defaults(entity: Entity, supplied: Supplied) -> None:
    """Give every unsupplied scalar with a schema default its default value."""
    for attribute in entity.entity_type.scalars():
        column = entity.layout.columns.get(attribute.name)
        if column is None or attribute.name in supplied.scalars:
            continue
        if entity.values.get(column) is not None or not attribute.has_default:
            continue
        entity.values.update(encoding.storage_values(
            entity.type_name, attribute, column, attribute.make_default()))


def _set_if_missing(entity: Entity, attribute: str, value: Any) -> None:
    column = entity.layout.columns.get(attribute)
    if column is not None and entity.values.get(column) is None and value is not None:
        entity.values[column] = value


def _family(entity: Entity) -> str:
    return entity.entity_type.root.name


def derive(tx: Any, user: Dict[str, Any], entity: Entity) -> None:
    """Fill the values the server maintains for new *entity* (see module doc).

    *user* is the authenticated user mapping (its ``id`` may be None for
    the server's own writes).
    """
    now = encoding.now_text()
    for name in CREATION_TIMES:
        _set_if_missing(entity, name, now)
    user_id = user.get('id') if user else None
    _set_if_missing(entity, 'created_by_id', user_id)
    for type_name, names in CREATION_DATES.items():
        if entity.entity_type.is_a(type_name):
            for name in names:
                _set_if_missing(entity, name, now)
    for type_name, name in CREATED_BY.items():
        if entity.entity_type.is_a(type_name):
            _set_if_missing(entity, name, user_id)
    for (type_name, name), value in DERIVED_FLAGS.items():
        if entity.entity_type.is_a(type_name):
            _set_if_missing(entity, name, int(value))
    family = _family(entity)
    if family == 'Context':
        derive_context(tx, entity)
    elif entity.type_name == 'AssetVersion':
        _derive_version(tx, entity)
    elif entity.type_name == 'User':
        _derive_user(tx, entity)
    elif family in ('CustomAttributeLink', 'CustomAttributeLinkFrom'):
        _derive_link(tx, entity)
    elif family == 'CustomConfigurationBase':
        _set_if_missing(entity, 'config', '{}')
    elif entity.type_name == 'ReviewSession':
        start = datetime.datetime.strptime(
            entity.get('start_date') or now, encoding.DATETIME_FORMAT)
        # A week long, but never past the last moment that can be stored.
        last = datetime.datetime.max.replace(microsecond=0)
        end = start + datetime.timedelta(days=7) if last - start > \
            datetime.timedelta(days=7) else last
        _set_if_missing(entity, 'end_date', encoding.format_datetime(end))
    elif entity.type_name == 'ReviewSessionObject':
        _derive_review_object(tx, entity)
    elif entity.type_name in ('Timelog',):
        _set_if_missing(entity, 'duration', 0)
    elif entity.type_name == 'Event':
        _set_if_missing(entity, 'id', _next_integer(tx, entity, 'id'))
    if entity.has('parent_type') and family != 'StatusChange':
        _derive_parent_type(tx, entity)
    if 'id' in entity.entity_type.primary_key and entity.get('id') is None:
        definition = entity.entity_type.attribute('id')
        if definition.data_type == 'string':
            # Ids without a schema default (e.g. StatusChange.id) are UUIDs too.
            entity.values[entity.layout.columns['id']] = _new_id()


def _new_id() -> str:
    return str(uuid.uuid4())


def _next_integer(tx: Any, entity: Entity, attribute: str) -> int:
    column = entity.layout.columns[attribute]
    row = tx.query_one('SELECT max("{0}") FROM "{1}"'.format(column, entity.table))
    return (row[0] or 0) + 1


def derive_context(tx: Any, entity: Entity) -> None:
    """Fill ``context_type``, ``project_id``, status and type of context *entity*.

    Values already set are kept; typed contexts whose project is not known
    yet (no parent) keep empty status and type until it is.
    """
    if entity.type_name == 'Project':
        entity.values['context_type'] = 'show'
        _set_if_missing(entity, 'project_id', entity.key[0])
        _set_if_missing(entity, 'status', 'active')
        return
    entity.values['context_type'] = 'task'
    project_id = project_id_of(tx, entity.get('parent_id'))
    if project_id is not None:
        entity.values[entity.layout.columns['project_id']] = project_id
    for name in ('bid', 'sort'):
        _set_if_missing(entity, name, 0)
    object_type_id = entity.get('object_type_id')
    flags = workflow.object_type_flags(tx, object_type_id)
    schema_id = workflow.project_schema_of(tx, project_id)
    if entity.get('type_id') is None and flags['is_typeable']:
        found = workflow.types(tx, schema_id, object_type_id)
        if found:
            entity.values[entity.layout.columns['type_id']] = found[0]
    if entity.get('status_id') is None:
        found = workflow.statuses(
            tx, schema_id, object_type_id, entity.get('type_id'))
        if not found:
            # Object types without their own schema use the task workflow.
            found = workflow.statuses(
                tx, schema_id, workflow.TASK_OBJECT_TYPE, entity.get('type_id'))
        if found:
            entity.values[entity.layout.columns['status_id']] = found[0]


def required_exemptions(tx: Any, entity: Entity) -> set:
    """Return required attributes *entity* may leave empty.

    Typed contexts of object types that are not statusable / typeable may
    have no status / type; plain components have no system type.
    """
    exempt = set()
    if entity.entity_type.is_a('TypedContext'):
        flags = workflow.object_type_flags(tx, entity.get('object_type_id'))
        if not flags['is_statusable']:
            exempt.update(('status_id', 'status'))
        if not flags['is_typeable']:
            exempt.update(('type_id', 'type'))
    if entity.type_name == 'Component':
        exempt.add('system_type')
    return exempt


def _derive_version(tx: Any, entity: Entity) -> None:
    asset_id = entity.get('asset_id')
    if entity.get('version') is None and asset_id is not None:
        row = tx.query_one(
            'SELECT max(version) FROM assetversion WHERE asset_id = ?', [asset_id])
        entity.values[entity.layout.columns['version']] = (row[0] or 0) + 1
    if entity.get('status_id') is None:
        status_id = workflow.default_version_status(tx, entity)
        if status_id is not None:
            entity.values[entity.layout.columns['status_id']] = status_id


def _derive_user(tx: Any, entity: Entity) -> None:
    # A real server names a user created without a username with a new
    # uuid (captured create_user answer), so ensure('User', {...}) works.
    _set_if_missing(entity, 'username', _new_id())
    if entity.get('user_type_id') is None:
        row = tx.query_one('SELECT id FROM usertype ORDER BY rowid LIMIT 1')
        if row is not None:
            entity.values[entity.layout.columns['user_type_id']] = row[0]


def _derive_review_object(tx: Any, entity: Entity) -> None:
    session_id = entity.get('review_session_id')
    if entity.get('sort_order') is None:
        row = tx.query_one(
            'SELECT count(*) FROM reviewsessionobject WHERE review_session_id = ?',
            [session_id])
        entity.values[entity.layout.columns['sort_order']] = row[0] if row else 0


def _derive_link(tx: Any, entity: Entity) -> None:
    configuration_id = entity.get('configuration_id')
    configuration = tx.select_one('registerbase', {'id': configuration_id}) \
        if configuration_id else None
    if configuration is None and configuration_id is not None:
        raise errors.NotFoundError(
            'CustomAttributeLinkConfiguration({0}) used by "{1}" does not '
            'exist.'.format(configuration_id, entity.type_name))
    ends = (('from_id', 'from_entity_type', 'entity_type', 'object_type_id'),
            ('to_id', 'to_entity_type', 'entity_type_to', 'object_type_id_to'))
    for id_name, type_name, kind_column_name, _object_column in ends:
        if entity.get(type_name) is not None or entity.get(id_name) is None:
            continue
        kind = configuration[kind_column_name] if configuration is not None else None
        candidates = _legacy_candidates(kind)
        found = load_by_id(tx, candidates, entity.get(id_name))
        if found is None:
            raise errors.NotFoundError(
                'Entity {0} linked by "{1}" of "{2}" does not exist.'.format(
                    entity.get(id_name), id_name, entity.type_name))
        entity.values[type_name] = found.type_name


def _legacy_candidates(kind: Any) -> list:
    from ..model import LEGACY_TYPES
    if kind in LEGACY_TYPES:
        return [LEGACY_TYPES[kind]]
    return ['Context', 'AssetVersion', 'Asset', 'Resource', 'List', 'Component']


def _derive_parent_type(tx: Any, entity: Entity) -> None:
    """Fill or normalise ``parent_type`` from ``parent_id`` (notes, metadata, ...)."""
    parent_id = entity.get('parent_id')
    if parent_id is None:
        return
    given = entity.get('parent_type')
    attribute = 'metadata' if entity.type_name == 'Metadata' else \
        'notes' if entity.type_name == 'Note' else \
        'settings' if entity.type_name == 'EntitySetting' else None
    if attribute is None:
        return
    candidates = owners_of(tx.model, attribute)
    if isinstance(given, str) and tx.model.catalogue.find(given) is not None:
        candidates = [given] + candidates
    found = load_by_id(tx, candidates, parent_id)
    if found is None:
        raise errors.NotFoundError(
            'Cannot create {0}: its parent {1} does not exist.'.format(
                entity.type_name,
                '{0}({1})'.format(given, parent_id) if given else parent_id))
    entity.values['parent_type'] = found.type_name


def discriminator_conflicts(entity: Entity) -> None:
    """Write the type's discriminator values, refusing supplied values that differ."""
    for column, value in entity.layout.fixed.items():
        current = entity.values.get(column)
        if current is not None and current != value and column != TYPE_COLUMN:
            attribute = entity.attribute_of(column)
            raise errors.ValidationError(
                'Attribute "{0}" of "{1}" must be {2}, got {3}.'.format(
                    attribute, entity.type_name, json.dumps(value),
                    json.dumps(current)))
        entity.values[column] = value
