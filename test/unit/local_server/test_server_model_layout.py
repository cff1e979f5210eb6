"""Tests for the storage layout (ftrack_local_server.model)."""

import pytest

from ftrack_local_server import errors
from ftrack_local_server.model import TYPE_COLUMN, Model, kind_column
from ftrack_local_server.schema import REFERENCE, Catalogue

SHOT = 'bad911de-3bd6-47b9-8b46-3476e237cb36'
TASK = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'


@pytest.fixture(scope='module')
def model():
    return Model(Catalogue.load())


def test_every_relation_of_every_type_resolves(model):
    """Each reference has columns or is computed, each collection a
    mapping, and every column named exists in its table."""
    checked = 0
    for entity_type in model.catalogue:
        layout = model.layout(entity_type.name)
        for attribute in entity_type.attributes.values():
            if attribute.kind == REFERENCE:
                reference = model.reference(entity_type.name, attribute.name)
                if reference.computed:
                    assert reference.columns == ()
                else:
                    assert reference.columns, attribute
                    for column in reference.columns:
                        assert column in layout.table.columns, (attribute, column)
                    target = model.table(reference.target)
                    for column in reference.target_columns:
                        assert column in target.columns
                checked += 1
            elif attribute.is_many:
                collection = model.collection(entity_type.name, attribute.name)
                item_table = model.table(collection.target)
                if collection.kind == 'one_to_many':
                    assert collection.item_columns, attribute
                    for column in collection.item_columns:
                        assert column in item_table.columns, (attribute, column)
                    for column in collection.filters:
                        assert column in item_table.columns
                    assert len(collection.owner_columns) == len(
                        collection.item_columns)
                elif collection.kind == 'many_to_many':
                    link = model.tables[collection.link_table]
                    for column in (collection.link_owner_columns +
                                   collection.link_item_columns):
                        assert column in link.columns, (attribute, column)
                    assert len(collection.link_item_columns) == len(
                        collection.item_key_columns)
                else:
                    assert collection.kind == 'computed'
                    assert collection.computed, attribute
                checked += 1
            else:
                assert (attribute.name in layout.columns or
                        attribute.name in layout.computed), attribute
    assert checked > 500


def test_context_family_shares_one_table(model):
    names = ['Context', 'Project', 'TypedContext', 'Task', 'Shot',
             'Sequence', 'Folder', 'Episode', 'Milestone', 'AssetBuild']
    assert {model.table(name).name for name in names} == {'context'}
    # Project.project_id (no alias) and Task.project_id (alias showid)
    # are one column.
    assert model.column('Project', 'project_id') == model.column(
        'Task', 'project_id')
    assert model.table('FileComponent') is model.table('Component')
    assert model.table('User') is model.table('Group')
    assert model.table('NoteLabel') is model.table('NoteCategory')
    assert model.table('TypedContextList').name == 'list'


def test_shared_alias_means_shared_column(model):
    assert model.column('UserSecurityRole', 'is_all_projects') == model.column(
        'UserSecurityRole', 'is_all_open_projects')
    assert model.column('Schema', 'type_id') == model.column(
        'Schema', 'object_type_id')


def test_discriminators(model):
    assert model.type_condition('Shot', 't') == (
        '"t"."object_type_id" = ?', [SHOT])
    assert model.type_condition('Project') == ('"context_type" = ?', ['show'])
    assert model.type_condition('Context') == ('1', [])
    assert model.layout('Task').fixed == {
        'context_type': 'task', 'object_type_id': TASK}
    assert model.layout('FileComponent').fixed == {'system_type': 'file'}
    assert model.layout('User').fixed == {'resource_type': 'user'}
    assert model.layout('AssetVersionList').fixed == {'system_type': 'assetversion'}
    assert model.layout('ContextCustomAttributeValue').fixed == {
        TYPE_COLUMN: 'ContextCustomAttributeValue'}
    assert model.layout('Context').abstract
    assert model.layout('Resource').abstract


def test_concrete_type(model):
    row = {'context_type': 'task', 'object_type_id': SHOT}
    assert model.concrete_type('Context', row) == 'Shot'
    assert model.concrete_type('TypedContext', row) == 'Shot'
    custom = {'context_type': 'task', 'object_type_id': 'custom'}
    assert model.concrete_type('Context', custom) == 'TypedContext'
    assert model.concrete_type('Context', {'context_type': 'show'}) == 'Project'
    assert model.concrete_type('Component', {'system_type': 'sequence'}) == (
        'SequenceComponent')
    assert model.concrete_type('Resource', {'resource_type': 'group'}) == 'Group'
    # The same link row is typed by its "to" end or its "from" end.
    link = {'to_entity_type': 'User', 'from_entity_type': 'Shot'}
    assert model.concrete_type('CustomAttributeLink', link) == (
        'UserCustomAttributeLink')
    assert model.concrete_type('CustomAttributeLinkFrom', link) == (
        'ContextCustomAttributeLinkFrom')
    assert model.concrete_type('NoteLabel', {}) == 'NoteLabel'


def test_references(model):
    assert model.reference('Task', 'status').columns == ('status_id',)
    assert model.reference('Note', 'author').columns == ('user_id',)
    assert model.reference('ProjectSchema', '_task_workflow').columns == (
        'task_workflow_schema_id',)
    assert model.reference('ProjectSchema', 'task_workflow_schema').columns == (
        'task_workflow_schema_id',)
    assert model.reference('Asset', 'parent').columns == ('context_id',)
    assert model.reference('Status', 'state').columns == ('state_id',)
    assert 'state_id' in model.table('Status').columns
    assert model.reference('SettingComponent', 'setting').columns == (
        'name', 'group')
    assert model.reference('Asset', 'latest_version').computed


def test_collections(model):
    children = model.collection('Project', 'children')
    assert children.kind == 'one_to_many'
    assert children.item_columns == ('parent_id',)
    assert children.inverse == 'parent'
    notes = model.collection('Task', 'notes')
    assert notes.item_columns == ('parent_id',)
    assert notes.type_column == 'parent_type'
    replies = model.collection('Note', 'replies')
    assert replies.item_columns == ('in_reply_to_id',)
    members = model.collection('SequenceComponent', 'members')
    assert members.item_columns == ('container_id',)
    assignments = model.collection('Task', 'assignments')
    assert assignments.filters == {'type': 'assignment'}
    statuses = model.collection('WorkflowSchema', 'statuses')
    assert statuses.kind == 'many_to_many'
    assert statuses.link_type == 'WorkflowSchemaStatus'
    assert statuses.link_owner_columns == ('workflow_schema_id',)
    assert statuses.link_item_columns == ('status_id',)
    items = model.collection('TypedContextList', 'items')
    assert items.link_table == 'listobject'
    scopes = model.collection('Task', 'scopes')
    assert scopes.link_type is None
    assert scopes.link_table in model.tables
    assert model.collection('Task', 'ancestors').kind == 'computed'
    custom = model.collection('Shot', 'custom_attributes')
    assert custom.mapped and custom.item_columns == ('entity_id',)


def test_variable_values_keep_their_kind(model):
    column = model.column('ContextCustomAttributeValue', 'value')
    assert kind_column(column) in model.table('ContextCustomAttributeValue').columns


def test_computed_scalars_have_no_column(model):
    layout = model.layout('Task')
    assert 'link' in layout.computed
    assert 'thumbnail_url' in layout.computed
    assert 'link' not in layout.columns


def test_lookup_errors_name_the_attribute(model):
    with pytest.raises(errors.ValidationError) as info:
        model.column('Task', 'status')
    assert 'status' in info.value.content and 'Task' in info.value.content
    with pytest.raises(errors.ValidationError) as info:
        model.reference('Task', 'nope')
    assert 'nope' in info.value.content
    with pytest.raises(errors.ValidationError):
        model.layout('Nope')


def test_legacy_names(model):
    assert model.legacy_name('Shot') == 'task'
    assert model.legacy_name('Project') == 'show'
    assert model.legacy_name('AssetVersion') == 'assetversion'
    assert model.legacy_name('User') == 'user'
