"""Custom attribute configurations and new custom attribute values.

Used by :class:`ftrack_api.collection.CustomAttributeCollectionProxy` to find
which configurations apply to an entity and to add values for keys that are
not in an entity's collection yet (protocol §4.5).
"""

from __future__ import annotations


import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET

#: Expression used with current (dense) servers.
DENSE_CONFIGURATION_QUERY = (
    'select key, project_id, id, object_type_id, entity_type, is_hierarchical '
    'from CustomAttributeConfiguration'
)

#: Expression used with the legacy sparse value type.
SPARSE_CONFIGURATION_QUERY = (
    'select key, project_id, id, object_type_id, entity_type '
    'from CustomAttributeConfiguration'
)

#: Owner kinds for which hierarchical configurations also apply.
HIERARCHICAL_KINDS = frozenset(['asset', 'assetversion', 'show', 'task'])


def _configurations(session, dense, refresh=False):
    """Return the custom attribute configurations known to *session*.

    Fetched once per session (``Session.reset`` forgets them) with the
    *dense* or legacy expression; *refresh* fetches them again (used when a
    key is not found: the configuration may have been created since).
    """
    key = (__name__, 'configurations', bool(dense))
    memo = session._memo
    if refresh or key not in memo:
        memo[key] = session.query(
            DENSE_CONFIGURATION_QUERY if dense else SPARSE_CONFIGURATION_QUERY
        ).all()
    return memo[key]


def _known(entity, name):
    """Return a value of *entity* already known locally, else NOT_SET."""
    value = entity._local.get(name, NOT_SET)
    if value is NOT_SET:
        value = entity._remote.get(name, NOT_SET)
    return value


def _known_or_fetched(entity, name):
    """Return value *name* of *entity*, fetched when unknown and committed."""
    value = _known(entity, name)
    if value is NOT_SET and not entity._is_new():
        value = entity[name]
    return value


def _project_id_of(entity):
    """Return the id of the project *entity* belongs to, or None."""
    if entity.entity_type == 'Project':
        return _known(entity, 'id') or None
    if 'project_id' in entity.attributes.keys():
        value = _known(entity, 'project_id')
        if value:
            return value
    if 'project' in entity.attributes.keys():
        project = _known(entity, 'project')
        if project:
            return project['id']
    # An asset's project is found through its parent, like a context's.
    if 'parent' in entity.attributes.keys():
        parent = _known_or_fetched(entity, 'parent')
        if parent:
            return _project_id_of(parent)
    if entity.entity_type == 'AssetVersion':
        asset = _known_or_fetched(entity, 'asset')
        if asset:
            return _project_id_of(asset)
    if not entity._is_new() and 'project_id' in entity.attributes.keys():
        return entity['project_id'] or None
    return None


def owner_kind(entity):
    """Return the configuration ``entity_type`` that applies to *entity*.

    ``task`` for typed contexts, ``assetversion``, ``show`` for projects,
    ``user``, ``asset`` or ``list``; None when custom attributes do not
    apply to the type.
    """
    if 'object_type_id' in entity.attributes.keys():
        return 'task'
    return {
        'AssetVersion': 'assetversion',
        'Project': 'show',
        'User': 'user',
        'Asset': 'asset',
        'TypedContextList': 'list',
        'AssetVersionList': 'list',
        'List': 'list',
    }.get(entity.entity_type)


def applicable_configurations(entity, include_hierarchical=True, refresh=False):
    """Return the custom attribute configurations that apply to *entity*.

    A configuration applies when its ``entity_type`` is the owner kind of
    *entity* (and, for typed contexts, its ``object_type_id`` matches) and
    its ``project_id`` is the entity's project or null; with
    *include_hierarchical*, hierarchical configurations also apply to
    assets, versions, projects and typed contexts. When two configurations
    share a key the project-specific one wins. The configurations are
    fetched once per session; *refresh* fetches them again.
    """
    session = entity.session
    kind = owner_kind(entity)
    if kind is None:
        return []

    configurations = _configurations(session, include_hierarchical, refresh)

    object_type_id = None
    if kind == 'task':
        object_type_id = _known(entity, 'object_type_id')
        if object_type_id is NOT_SET:
            # Typed contexts have a fixed object type: the schema default.
            object_type_id = entity.attributes.get('object_type_id').default_value
        if object_type_id is NOT_SET and not entity._is_new():
            object_type_id = entity['object_type_id']
    project_id = _project_id_of(entity) if kind != 'user' else None

    by_key = {}
    for configuration in configurations:
        configuration_project = configuration['project_id']
        if configuration_project not in (None, project_id):
            continue
        applies = False
        if configuration['entity_type'] == kind:
            applies = (
                kind != 'task'
                or configuration['object_type_id'] == object_type_id
            )
        if (
            not applies
            and include_hierarchical
            and kind in HIERARCHICAL_KINDS
            and configuration['is_hierarchical']
        ):
            applies = True
        if not applies:
            continue
        key = configuration['key']
        existing = by_key.get(key)
        if existing is None or (
            existing['project_id'] is None and configuration_project is not None
        ):
            by_key[key] = configuration
    return list(by_key.values())


def _find_configuration(proxy, key):
    """Return the configuration with *key* applying to the proxy's owner.

    When none of the configurations fetched so far has *key* they are
    fetched again once (it may have been created in this session since).
    Return None when there is none.
    """
    for refresh in (False, True):
        for configuration in applicable_configurations(
            proxy.collection.entity, include_hierarchical=not proxy._sparse,
            refresh=refresh,
        ):
            if configuration['key'] == key:
                return configuration
    return None


def create_value(proxy, data):
    """Add a value for a new key of a custom attribute *proxy*.

    *data* holds the ``key`` and ``value``. Dispatches to
    :func:`create_sparse_value` or :func:`create_dense_value` by the value
    type of the proxy's attribute.
    """
    if proxy._sparse:
        create_sparse_value(proxy, data['key'], data['value'])
    else:
        create_dense_value(proxy, data['key'], data['value'])


def create_dense_value(proxy, key, value):
    """Add a value for *key* to a new entity's dense custom attributes.

    The value entity is reconstructed (no create operation: the server
    upserts values) with the configuration id, the owner id and *key*, then
    *value* is set on it, recording an update. Raise :exc:`KeyError` when
    the owner already exists on the server (its values are all present, so
    the key does not apply) and :exc:`ValueError` naming *key* and *value*
    when no applicable configuration has *key*.
    """
    collection = proxy.collection
    owner = collection.entity
    session = owner.session
    if not owner._is_new():
        # Upstream's wording (the key is the one being set).
        raise KeyError(
            'Custom attributes must be created explicitly for the given '
            'entity type before being set.'
        )
    configuration = _find_configuration(proxy, key)
    if configuration is None:
        # Upstream's wording and exception class; the data names the key.
        raise ValueError(
            'No valid custom attribute for data {0!r} was found.'.format(
                {'key': key, 'value': value}
            )
        )
    value_type = getattr(collection.attribute, 'value_entity_type', None)
    if value_type is None:
        raise KeyError(
            'Cannot create custom attribute {0!r}: the value entity type of '
            'attribute {1!r} is unknown.'.format(key, collection.attribute.name)
        )
    with session.operation_recording(False):
        value_entity = session.create(
            value_type,
            {
                'configuration_id': configuration['id'],
                'entity_id': owner['id'],
                'key': key,
            },
            reconstructing=True,
        )
    # The owner's collection is not an attribute the server stores for
    # dense values, so adding to it records nothing.
    collection._data.append(value_entity)
    collection._identities = None
    value_entity['value'] = value


def create_sparse_value(proxy, key, value):
    """Create a legacy ``CustomAttributeValue`` for *key* with *value*.

    Raise :exc:`KeyError` when no applicable configuration has *key*.
    """
    collection = proxy.collection
    owner = collection.entity
    configuration = _find_configuration(proxy, key)
    if configuration is None:
        raise KeyError(
            'No custom attribute configuration with key {0!r} applies to '
            '{1!r}.'.format(key, owner)
        )
    value_entity = owner.session.create(
        'CustomAttributeValue',
        {
            'configuration_id': configuration['id'],
            'entity_id': owner['id'],
            'value': value,
        },
    )
    collection.append(value_entity)
