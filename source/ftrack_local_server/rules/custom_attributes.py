"""Custom attributes: dense values, validation and upserts.

Values are kept dense, as the real server presents them: every entity
has one value row per configuration that applies to it, holding the
configuration's default until set. Rows are written when an entity is
created (:func:`create_values_for_entity`) and when a configuration is
created (:func:`create_values_for_configuration`), so changing a
configuration's default later leaves existing values alone (seed,
"Changing default").

A configuration applies to an entity when its ``project_id`` is empty or
the entity's project, and either its ``entity_type`` (legacy name:
``task`` with a matching ``object_type_id``, ``show``, ``assetversion``,
``user``, ``list``, ``asset``) is the entity's kind, or it is
hierarchical and the entity is a context, asset or version (protocol
§4.5.1).

``update`` of a value that does not exist yet creates it (protocol §2.5,
Appendix B.4); values are checked against the configuration's type with
the real server's message.
"""

from __future__ import annotations

import json

from typing import Any, Dict, List, Optional, Tuple

from .. import encoding, errors
from ..model import TYPE_COLUMN, kind_column
from .common import Entity, asset_project_id, load_by_id, project_id_of

#: Value family of each owner kind.
VALUE_TYPES = {
    'task': 'ContextCustomAttributeValue',
    'show': 'ContextCustomAttributeValue',
    'assetversion': 'AssetVersionCustomAttributeValue',
    'user': 'UserCustomAttributeValue',
    'list': 'ListCustomAttributeValue',
    'asset': 'AssetCustomAttributeValue',
    'listobject': 'ListObjectCustomAttributeValue',
}

#: Types of the entities custom attribute values may belong to.
OWNER_TYPES = ('Context', 'AssetVersion', 'Asset', 'User', 'List', 'ListObject')

#: Owner kinds for which hierarchical configurations apply too.
HIERARCHICAL_KINDS = ('task', 'show', 'asset', 'assetversion')

_TYPE_NAMES = {
    bool: "<class 'bool'>", int: "<class 'int'>", float: "<class 'float'>",
    str: "<class 'str'>", list: "<class 'list'>", dict: "<class 'dict'>",
    type(None): "<class 'NoneType'>",
}


def owner_kind(tx: Any, entity: Entity) -> Optional[Tuple[str, Any, Any]]:
    """Return ``(kind, object type id, project id)`` of *entity*, or None.

    None for entities that have no custom attributes.
    """
    if entity.entity_type.is_a('TypedContext'):
        return 'task', entity.get('object_type_id'), entity.get('project_id')
    if entity.type_name == 'Project':
        return 'show', None, entity.key[0]
    if entity.type_name == 'AssetVersion':
        return 'assetversion', None, asset_project_id(tx, entity.get('asset_id'))
    if entity.type_name == 'Asset':
        return 'asset', None, project_id_of(tx, entity.get('context_id'))
    if entity.type_name == 'User':
        return 'user', None, None
    if entity.entity_type.is_a('List'):
        return 'list', None, entity.get('project_id')
    if entity.type_name == 'ListObject':
        return 'listobject', None, None
    return None


def _get(row: Any, column: str) -> Any:
    try:
        return row[column]
    except (KeyError, IndexError):
        return None


def _applies(configuration: Any, kind: str, object_type_id: Any,
             project_id: Any) -> bool:
    if _get(configuration, TYPE_COLUMN) != 'CustomAttributeConfiguration':
        return False
    if _get(configuration, 'project_id') not in (None, project_id):
        return False
    if _get(configuration, 'is_hierarchical') and kind in HIERARCHICAL_KINDS:
        return True
    if _get(configuration, 'entity_type') != kind:
        return False
    if kind == 'task':
        return _get(configuration, 'object_type_id') == object_type_id
    return True


def configurations_for(tx: Any, kind: str, object_type_id: Any,
                       project_id: Any) -> List[Any]:
    """Return the configuration rows that apply to an owner of *kind*."""
    rows = tx.query(
        'SELECT rowid, * FROM registerbase WHERE "{0}" = ? ORDER BY sort, rowid'.format(
            TYPE_COLUMN), ['CustomAttributeConfiguration'])
    return [row for row in rows if _applies(row, kind, object_type_id, project_id)]


def _value_row(configuration: Any, entity_id: Any, kind: str) -> Dict[str, Any]:
    default = encoding.variable_from_storage(
        _get(configuration, 'default'), _get(configuration, kind_column('default')))
    stored, value_kind = encoding.variable_to_storage(default)
    return {
        'configuration_id': configuration['id'],
        'entity_id': entity_id,
        'key': _get(configuration, 'key'),
        'value': stored,
        kind_column('value'): value_kind,
        TYPE_COLUMN: VALUE_TYPES[kind],
    }


def create_values_for_entity(tx: Any, entity: Entity) -> int:
    """Write default value rows of every configuration applying to new *entity*."""
    owner = owner_kind(tx, entity)
    if owner is None:
        return 0
    kind, object_type_id, project_id = owner
    count = 0
    for configuration in configurations_for(tx, kind, object_type_id, project_id):
        _insert_value(tx, _value_row(configuration, entity.key[0], kind))
        count += 1
    return count


_COLUMNS = ('configuration_id', 'entity_id', 'key', 'value', kind_column('value'),
            TYPE_COLUMN)

_INSERT_VALUE = 'INSERT OR IGNORE INTO variable_value ({0}) VALUES ({1})'.format(
    ', '.join('"{0}"'.format(c) for c in _COLUMNS), ', '.join('?' * len(_COLUMNS)))


def _insert_value(tx: Any, values: Dict[str, Any]) -> None:
    # An owner that already has a value for the configuration keeps it.
    tx.execute(_INSERT_VALUE, [values[c] for c in _COLUMNS])

#: For each owner kind: SQL selecting ``(id, object type, project)`` of owners.
_OWNERS = {
    'task': "SELECT id, object_type_id, project_id FROM context WHERE context_type = 'task'",
    'show': "SELECT id, NULL, id FROM context WHERE context_type = 'show'",
    'assetversion': (
        'SELECT v.id, NULL, CASE WHEN c.context_type = \'show\' THEN c.id '
        'ELSE c.project_id END FROM assetversion v '
        'LEFT JOIN asset a ON a.id = v.asset_id '
        'LEFT JOIN context c ON c.id = a.context_id'),
    'asset': (
        'SELECT a.id, NULL, CASE WHEN c.context_type = \'show\' THEN c.id '
        'ELSE c.project_id END FROM asset a LEFT JOIN context c ON c.id = a.context_id'),
    'user': "SELECT id, NULL, NULL FROM resource WHERE resource_type = 'user'",
    'list': 'SELECT id, NULL, project_id FROM list',
    'listobject': 'SELECT id, NULL, NULL FROM listobject',
}


def create_values_for_configuration(tx: Any, configuration: Entity) -> int:
    """Write default value rows of new or widened *configuration* for existing owners."""
    if configuration.type_name != 'CustomAttributeConfiguration':
        return 0
    row = dict(configuration.values)
    kinds = list(HIERARCHICAL_KINDS) if row.get('is_hierarchical') else \
        [row.get('entity_type')]
    count = 0
    for kind in kinds:
        sql = _OWNERS.get(kind)
        if sql is None:
            continue
        for owner_id, object_type_id, project_id in tx.query(sql):
            if not _applies(row, kind, object_type_id, project_id):
                continue
            _insert_value(tx, _value_row(row, owner_id, kind))
            count += 1
    return count


def configuration_updated(tx: Any, configuration: Entity, old: Dict[str, Any]) -> None:
    """Keep value rows in step with a changed *configuration*.

    A new key is copied to the values; a configuration made global (or
    hierarchical) gains values for the owners it now applies to. Changing
    a global configuration into a project-specific one is refused, as on
    a real server.
    """
    if configuration.type_name != 'CustomAttributeConfiguration':
        return
    values = configuration.values
    if old.get('project_id') is None and values.get('project_id') is not None:
        raise errors.ValidationError(
            'Cannot make global custom attribute configuration "{0}" project '
            'specific.'.format(values.get('key')))
    if old.get('key') != values.get('key'):
        tx.update('variable_value', {'configuration_id': values['id']},
                  {'key': values.get('key')})
    for name in ('entity_type', 'type_id'):
        if old.get(name) is not None and old.get(name) != values.get(name):
            raise errors.ValidationError(
                'Cannot change "{0}" of custom attribute configuration "{1}" '
                'after it has been created.'.format(
                    'type' if name == 'type_id' else name, values.get('key')))
    create_values_for_configuration(tx, configuration)


def type_name_of(tx: Any, configuration: Any) -> Optional[str]:
    """Return the CustomAttributeType name (``number``, ``text``, ...) of *configuration*."""
    # A row or a new entity's values (which may lack the column).
    type_id = configuration['type_id'] if 'type_id' in configuration.keys() else None
    if type_id is None:
        return None
    row = tx.select_one('customattributetype', {'id': type_id})
    return row['name'] if row is not None else None


def check_value(type_name: Optional[str], key: Any, value: Any,
                config: Any = None) -> None:
    """Raise ValidationError when *value* does not fit custom attribute type *type_name*.

    The message is the real server's: ``Custom attribute value for "fstart"
    must be of type number. Got "test" of type <class 'str'>.`` With the
    configuration's *config* text, enumerator values must be among its
    options (and single unless it is multi-select).
    """
    if value is None or type_name is None:
        return
    if type_name == 'number':
        valid = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif type_name in ('text', 'url', 'expression'):
        valid = isinstance(value, str)
    elif type_name == 'boolean':
        valid = isinstance(value, bool)
    elif type_name in ('enumerator', 'dynamic enumerator'):
        valid = isinstance(value, list)
    elif type_name == 'date':
        valid = encoding.parse_datetime(value) is not None and (
            isinstance(value, dict) or isinstance(value, str))
    else:
        valid = True
    if not valid:
        # As the real server (Python) prints it: True, ['a'], 5.
        shown = str(value)
        raise errors.ValidationError(
            'Custom attribute value for "{0}" must be of type {1}. Got "{2}" of '
            'type {3}.'.format(key, type_name, shown,
                               _TYPE_NAMES.get(type(value), str(type(value)))))
    if type_name == 'enumerator' and config is not None:
        check_enumerator(key, value, config)


def enumerator_options(config: Any) -> Optional[Tuple[List[Any], bool]]:
    """Return ``(option values, multi-select)`` of an enumerator's *config* text, or None.

    The configuration holds ``{"data": <JSON list of {"menu", "value"}>,
    "multiSelect": bool}``; None when it cannot be read (nothing is
    checked then).
    """
    try:
        parsed = json.loads(config) if isinstance(config, str) else config
        data = parsed.get('data')
        options = json.loads(data) if isinstance(data, str) else data
        values = [option['value'] for option in options]
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return values, bool(parsed.get('multiSelect'))


def check_enumerator(key: Any, value: List[Any], config: Any) -> None:
    """Raise ValidationError when enumerator *value* uses values not in *config*'s options."""
    found = enumerator_options(config)
    if found is None:
        return
    options, multi = found
    unknown = [item for item in value if item not in options]
    if unknown:
        raise errors.ValidationError(
            'Custom attribute value for "{0}" must use the enumerator\'s '
            'options ({1}); got {2}.'.format(
                key, ', '.join(json.dumps(option) for option in options),
                ', '.join(json.dumps(item) for item in unknown)))
    if len(value) > 1 and not multi:
        raise errors.ValidationError(
            'Custom attribute "{0}" takes one value (its enumerator is not '
            'multi-select); got {1} values.'.format(key, len(value)))


def check_default(tx: Any, configuration: Entity) -> None:
    """Check a configuration's ``default`` against its type."""
    if configuration.type_name != 'CustomAttributeConfiguration':
        return
    default = configuration.wire('default')
    if default in ('', None):
        return
    type_name = type_name_of(tx, configuration.values)
    check_value(type_name, configuration.get('key'), default,
                configuration.get('config'))


def upsert_target(tx: Any, type_name: str, key: Tuple[Any, ...]) -> Entity:
    """Return a new, unsaved value entity for an update of a missing value *key*.

    *key* is ``(configuration_id, entity_id)``. Raise NotFoundError when
    the configuration or the entity does not exist, ValidationError when
    the configuration does not apply to the entity.
    """
    configuration_id, entity_id = key
    configuration = tx.select_one('registerbase', {
        'id': configuration_id, TYPE_COLUMN: 'CustomAttributeConfiguration'})
    if configuration is None:
        raise errors.NotFoundError(
            'CustomAttributeConfiguration({0}) does not exist.'.format(configuration_id))
    owner = load_by_id(tx, OWNER_TYPES, entity_id)
    if owner is None:
        raise errors.NotFoundError(
            'Entity {0} for custom attribute "{1}" does not exist.'.format(
                entity_id, configuration['key']))
    kind = owner_kind(tx, owner)
    if kind is None or not _applies(configuration, *kind):
        raise errors.ValidationError(
            'Custom attribute "{0}" does not apply to {1}.'.format(
                configuration['key'], owner.describe()))
    value_type = VALUE_TYPES[kind[0]]
    if not tx.model.catalogue.get(value_type).is_a(type_name):
        raise errors.ValidationError(
            'Custom attribute values of {0} are "{1}" entities, not "{2}".'.format(
                owner.describe(), value_type, type_name))
    values = _value_row(configuration, entity_id, kind[0])
    return Entity(tx.model, value_type, values)


def configuration_of(tx: Any, value: Entity) -> Any:
    """Return the configuration row of custom attribute value *value*."""
    return tx.select_one('registerbase', {'id': value.get('configuration_id')})


def owner_of_value(tx: Any, value: Entity) -> Optional[Entity]:
    """Return the entity custom attribute value *value* belongs to."""
    return load_by_id(tx, OWNER_TYPES, value.get('entity_id'))
