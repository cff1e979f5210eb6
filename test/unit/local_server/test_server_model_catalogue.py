"""Tests for the schema catalogue (ftrack_local_server.schema)."""

import uuid

import pytest

from ftrack_local_server import errors
from ftrack_local_server.schema import (
    COLLECTION, MAPPED_COLLECTION, REFERENCE, SCALAR, Catalogue,
    compute_schema_hash, load_raw_schemas,
)


@pytest.fixture(scope='module')
def catalogue():
    return Catalogue.load()


def test_every_schema_is_a_type(catalogue):
    assert len(catalogue) == 116
    assert {t.name for t in catalogue} == {s['id'] for s in load_raw_schemas()}


def test_schema_hash_matches_the_captured_server(catalogue):
    assert catalogue.schema_hash == '23a1157b8b1730fd91c76f63dcd67a8f'
    assert catalogue.schema_hash == compute_schema_hash(catalogue.schemas)


def test_attribute_kinds_and_types(catalogue):
    task = catalogue.get('Task')
    assert task.attribute('name').kind == SCALAR
    assert task.attribute('name').data_type == 'string'
    assert task.attribute('created_at').data_type == 'datetime'
    assert task.attribute('bid').data_type == 'number'
    assert task.attribute('status').kind == REFERENCE
    assert task.attribute('status').target == 'Status'
    assert task.attribute('timelogs').kind == COLLECTION
    assert task.attribute('timelogs').target == 'Timelog'
    assert task.attribute('metadata').kind == MAPPED_COLLECTION
    assert task.attribute('custom_attributes').target == 'ContextCustomAttributeValue'
    # A foreign key with neither type nor $ref is still a string scalar.
    assert catalogue.get('User').attribute('user_type_id').data_type == 'string'
    assert catalogue.get('Job').attribute('status').enum == (
        'queued', 'running', 'done', 'failed')


def test_flags_come_from_the_type_lists(catalogue):
    shot = catalogue.get('Shot')
    assert shot.attribute('id').immutable
    assert shot.attribute('type').immutable
    assert not shot.attribute('status').immutable
    assert shot.attribute('status_id').required
    assert shot.attribute('thumbnail_url').computed
    links = catalogue.get('Task').attribute('custom_attribute_links')
    assert links.restricted_projection


def test_defaults(catalogue):
    task = catalogue.get('Task')
    identifier = task.attribute('id')
    assert identifier.default == '{uid}'
    first, second = identifier.make_default(), identifier.make_default()
    assert first != second
    assert str(uuid.UUID(first)) == first
    assert task.attribute('object_type_id').make_default() == (
        '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c')
    assert catalogue.get('FileComponent').attribute('name').make_default() == 'main'
    assert not task.attribute('description').has_default


def test_alias_and_classifiers(catalogue):
    assert catalogue.get('Project').internal_name == 'Show'
    shot = catalogue.get('Shot')
    assert shot.internal_name == 'Task'
    assert shot.classifiers == {
        'object_typeid': 'bad911de-3bd6-47b9-8b46-3476e237cb36'}
    assert catalogue.classified('Task', 'object_typeid',
                                'bad911de-3bd6-47b9-8b46-3476e237cb36') is shot
    assert catalogue.get('TypedContextList').classifiers == {'entity': 'task'}
    assert catalogue.get('Note').attribute('author').alias_for == 'user'


def test_projections_use_public_names(catalogue):
    task = catalogue.get('Task')
    assert task.default_projections == ('context_type', 'id', 'name')
    # 'showid' is the internal name of project_id.
    assert task.system_projections == ('project_id', 'context_type')
    assert catalogue.get('AssetVersion').system_projections == ('asset_id',)
    # Internal names without a public attribute are dropped.
    assert catalogue.get('ContextCustomAttributeValue').system_projections == (
        'entity_id', 'key')


def test_hierarchy(catalogue):
    context = catalogue.get('Context')
    names = {t.name for t in context.descendants()}
    assert names == {'Project', 'TypedContext', 'Task', 'Shot', 'Sequence',
                     'Folder', 'Episode', 'Milestone', 'AssetBuild'}
    assert catalogue.get('Shot').supertype.name == 'TypedContext'
    assert catalogue.get('Shot').root is context
    assert catalogue.get('Shot').is_a('Context')
    assert not catalogue.get('Project').is_a('TypedContext')
    assert catalogue.get('FileComponent').is_a('Component')
    assert catalogue.get('User').is_a('Resource')
    assert catalogue.get('AssetVersionList').is_a('List')


def test_unknown_type_names_the_value(catalogue):
    with pytest.raises(errors.ValidationError) as info:
        catalogue.get('Tsk')
    assert 'Tsk' in info.value.content
    assert catalogue.find('Tsk') is None
    assert catalogue.find_case_insensitive('task').name == 'Task'


def test_unknown_attribute_names_attribute_and_type(catalogue):
    with pytest.raises(errors.ValidationError) as info:
        catalogue.attribute('Task', 'nmae')
    assert 'nmae' in info.value.content
    assert 'Task' in info.value.content
