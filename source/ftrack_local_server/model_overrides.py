"""Explicit parts of the storage layout that the schema does not imply.

:mod:`ftrack_local_server.model` derives tables, columns, references and
collections from the schema's ``alias_for`` names and foreign-key
conventions. The tables below hold what cannot be derived, each entry
with the reason; the model's unit test checks that, with them, every
relation of every type resolves.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

#: Name of the hidden discriminator column of families without a public one.
TYPE_COLUMN = '_ls_type'

#: Tables of families whose members share one table although their
#: internal names differ (name of the type -> name of the table owner).
SHARED_TABLES = {
    'NoteLabel': 'NoteCategory',
    'CustomAttributeLinkFrom': 'CustomAttributeLink',
}

#: Families whose concrete type is kept in :data:`TYPE_COLUMN` because the
#: real server tells them apart by internal table, not by a column.
HIDDEN_DISCRIMINATOR_ROOTS = ('CustomAttributeValue', 'CustomConfigurationBase')

#: Legacy lower-case table names used by the real server in
#: ``CustomAttributeConfiguration.entity_type``, change records and
#: ``StatusChange.parent_type`` -> the schema type they stand for.
LEGACY_TYPES = {
    'task': 'TypedContext',
    'show': 'Project',
    'context': 'Context',
    'user': 'User',
    'group': 'Group',
    'resource': 'Resource',
    'assetversion': 'AssetVersion',
    'asset': 'Asset',
    'list': 'List',
    'listobject': 'ListObject',
    'component': 'Component',
}

#: Value of the legacy owner kind of each custom attribute value family.
CUSTOM_ATTRIBUTE_VALUE_KINDS = {
    'ContextCustomAttributeValue': ('task', 'show'),
    'AssetVersionCustomAttributeValue': ('assetversion',),
    'UserCustomAttributeValue': ('user',),
    'ListCustomAttributeValue': ('list',),
    'AssetCustomAttributeValue': ('asset',),
    'ListObjectCustomAttributeValue': ('listobject',),
}

#: Foreign-key columns of references the schema gives no scalar for.
#: (type, reference) -> columns in the target's primary-key order. Hidden
#: columns named here that are not scalars of the type are added to the
#: table.
REFERENCE_OVERRIDES: Dict[Tuple[str, str], Tuple[str, ...]] = {
    # The asset's parent context is its context_id (the system projection).
    ('Asset', 'parent'): ('context_id',),
    # Status.state (alias statustype) has no public foreign key.
    ('Status', 'state'): ('state_id',),
    # A recipient is a resource; `user` reads the same id when it is a user.
    ('Recipient', 'recipient'): ('resource_id',),
    ('Recipient', 'user'): ('resource_id',),
    # Feed rows point at events by their integer social id.
    ('Feed', 'event'): ('social_id',),
    ('ReviewSessionObject', 'asset_version'): ('version_id',),
    ('ReviewSessionObjectStatus', 'invitee'): ('review_session_invitee_id',),
    ('CustomAttributeLinkConfiguration', 'object_type_to'): ('object_type_id_to',),
    ('SchemaStatus', 'task_status'): ('status_id',),
    ('SchemaType', 'task_type'): ('type_id',),
    # Setting's primary key is (name, group).
    ('SettingComponent', 'setting'): ('name', 'group'),
    # Typed links name the entity at the "to" end, typed "from" links the
    # entity at the "from" end.
    ('ContextCustomAttributeLink', 'context'): ('to_id',),
    ('AssetVersionCustomAttributeLink', 'asset_version'): ('to_id',),
    ('UserCustomAttributeLink', 'user'): ('to_id',),
    ('GroupCustomAttributeLink', 'group'): ('to_id',),
    ('ListCustomAttributeLink', 'list'): ('to_id',),
    ('AssetCustomAttributeLink', 'asset'): ('to_id',),
    ('ComponentCustomAttributeLink', 'component'): ('to_id',),
    ('ContextCustomAttributeLinkFrom', 'context'): ('from_id',),
    ('AssetVersionCustomAttributeLinkFrom', 'asset_version'): ('from_id',),
    ('UserCustomAttributeLinkFrom', 'user'): ('from_id',),
    ('GroupCustomAttributeLinkFrom', 'group'): ('from_id',),
    ('ListCustomAttributeLinkFrom', 'list'): ('from_id',),
    ('AssetCustomAttributeLinkFrom', 'asset'): ('from_id',),
    ('ComponentCustomAttributeLinkFrom', 'component'): ('from_id',),
}

#: Scalars computed on read although the schema does not list them as
#: ``computed`` (it lists them as immutable): attribute name -> reason.
COMPUTED_SCALARS = {
    'link': 'the path of {id, name, type} from the project to the entity',
    '_link': 'deprecated name of link',
    'is_latest_version': 'whether no later version of the asset exists',
}

#: References whose value is computed on read, with the reason.
COMPUTED_REFERENCES: Dict[Tuple[str, str], str] = {
    ('Asset', 'latest_version'):
        'the version of the asset with the highest version number',
}

#: Collections the generic rules cannot resolve, by attribute name (for
#: every type that has it) or by (type, attribute). Each value is a dict:
#:
#: * ``{'item_columns': (...), 'filters': {...}, 'type_column': c}`` -- one
#:   to many through id columns of the item (``filters`` are values the
#:   items carry, ``type_column`` receives the owner's type name);
#: * ``{'inverse': name}`` -- one to many through reference *name* of the
#:   item type;
#: * ``{'link': T, 'owner': (...), 'item': (...)}`` -- many to many
#:   through link table/type T (a schema type, or a hidden ``_rel_*``
#:   table), owner/item columns on the link table;
#: * ``{'computed': reason}`` -- computed on read;
#: * any of them may add ``'target': T`` to hold items of type T (a base of
#:   the schema's item type) instead.
COLLECTION_OVERRIDES: Dict[Any, Dict[str, Any]] = {
    # Polymorphic children: owner id (and type) kept on the item.
    'notes': {'item_columns': ('parent_id',), 'type_column': 'parent_type'},
    'metadata': {'item_columns': ('parent_id',), 'type_column': 'parent_type'},
    'custom_attributes': {'item_columns': ('entity_id',)},
    'custom_attribute_links': {'item_columns': ('from_id',)},
    'custom_attribute_links_from': {'item_columns': ('to_id',)},
    'status_changes': {'item_columns': ('parent_id',)},
    ('ReviewSession', 'settings'): {
        'item_columns': ('parent_id',), 'type_column': 'parent_type'},
    # Appointments of a context or resource; the subsets carry a type.
    ('Context', 'appointments'): {'inverse': 'context'},
    ('Context', 'assignments'): {
        'inverse': 'context', 'filters': {'type': 'assignment'}},
    ('Context', 'allocations'): {
        'inverse': 'context', 'filters': {'type': 'allocation'}},
    ('Resource', 'appointments'): {'inverse': 'resource'},
    ('Resource', 'assignments'): {
        'inverse': 'resource', 'filters': {'type': 'assignment'}},
    ('Resource', 'allocations'): {
        'inverse': 'resource', 'filters': {'type': 'allocation'}},
    # Members of a sequence or container point at it with `container`
    # (typed ContainerComponent in the schema, but sequences own members too).
    ('Component', 'members'): {'inverse': 'container'},
    # Dependencies between contexts and between versions.
    ('TypedContext', 'incoming_links'): {'inverse': 'to'},
    ('TypedContext', 'outgoing_links'): {'inverse': 'from'},
    ('AssetVersion', 'incoming_links'): {'inverse': 'to'},
    ('AssetVersion', 'outgoing_links'): {'inverse': 'from'},
    ('AssetVersion', 'uses_versions'): {
        'link': 'AssetVersionLink', 'owner': ('to_id',), 'item': ('from_id',)},
    ('AssetVersion', 'used_in_versions'): {
        'link': 'AssetVersionLink', 'owner': ('from_id',), 'item': ('to_id',)},
    # Lists hold their items through ListObject rows. The schema types the
    # items of a typed context list as tasks, but a real server takes any
    # typed context (shots, asset builds, ...).
    ('TypedContextList', 'items'): {
        'link': 'ListObject', 'owner': ('list_id',), 'item': ('entity_id',),
        'target': 'TypedContext'},
    ('List', 'items'): {
        'link': 'ListObject', 'owner': ('list_id',), 'item': ('entity_id',)},
    ('TypedContext', 'lists'): {
        'link': 'ListObject', 'owner': ('entity_id',), 'item': ('list_id',)},
    ('AssetVersion', 'lists'): {
        'link': 'ListObject', 'owner': ('entity_id',), 'item': ('list_id',)},
    # Project schema wiring.
    ('WorkflowSchema', 'statuses'): {
        'link': 'WorkflowSchemaStatus', 'owner': ('workflow_schema_id',),
        'item': ('status_id',)},
    ('TaskTypeSchema', 'types'): {
        'link': 'TaskTypeSchemaType', 'owner': ('task_type_schema_id',),
        'item': ('type_id',)},
    ('Type', 'task_type_schemas'): {
        'link': 'TaskTypeSchemaType', 'owner': ('type_id',),
        'item': ('task_type_schema_id',)},
    ('ProjectSchema', 'object_types'): {
        'link': 'ProjectSchemaObjectType', 'owner': ('project_schema_id',),
        'item': ('object_type_id',)},
    ('ObjectType', 'project_schemas'): {
        'link': 'ProjectSchemaObjectType', 'owner': ('object_type_id',),
        'item': ('project_schema_id',)},
    # No schema type holds these links; hidden link tables do.
    ('Context', 'scopes'): {
        'link': '_rel_context_scope', 'owner': ('context_id',),
        'item': ('scope_id',)},
    ('CustomConfigurationBase', 'read_security_roles'): {
        'link': '_rel_configuration_read_role', 'owner': ('configuration_id',),
        'item': ('security_role_id',)},
    ('CustomConfigurationBase', 'write_security_roles'): {
        'link': '_rel_configuration_write_role', 'owner': ('configuration_id',),
        'item': ('security_role_id',)},
    # Hierarchy views computed on read from parent links.
    ('TypedContext', 'ancestors'): {
        'computed': 'the typed contexts above the entity, nearest first'},
    'descendants': {
        'computed': 'every typed context below the entity'},
}
