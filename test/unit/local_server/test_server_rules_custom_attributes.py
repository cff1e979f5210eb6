"""Tests for custom attributes: dense values, upserts and validation."""

import json

import pytest

from ftrack_local_server import errors

# Registered by conftest.py (sibling modules are not importable by name).
import server_rules_support as support
from server_rules_support import OBJECT_TYPES, create, delete, new_id, ref, update


def configuration(studio, key, type_name, default, **extra):
    identifier = new_id()
    data = {'id': identifier, 'key': key, 'label': key,
            'type': ref('CustomAttributeType', studio.custom_types[type_name]),
            'default': default}
    data.setdefault('entity_type', 'task')
    data.update(extra)
    studio.one(create('CustomAttributeConfiguration', data))
    return identifier


def values(studio, entity_id):
    return {row['key']: row for row in studio.rows('variable_value', entity_id=entity_id)}


def test_values_are_dense_with_defaults(studio):
    project = studio.project()
    shot_before = studio.context('Shot', project)
    fstart = configuration(studio, 'fstart', 'number', 1001,
                           object_type_id=OBJECT_TYPES['Shot'][0])
    shot_after = studio.context('Shot', project, name='after')
    task = studio.context('Task', shot_after, 'Shot')
    for shot in (shot_before, shot_after):
        row = values(studio, shot)['fstart']
        assert row['configuration_id'] == fstart
        assert row['value'] == 1001
        assert row['_ls_type'] == 'ContextCustomAttributeValue'
    assert values(studio, task) == {}


def test_update_of_a_missing_value_creates_it(studio):
    """Appendix B.4: the Python client updates values that do not exist yet."""
    project = studio.project()
    shot = studio.context('Shot', project)
    fstart = configuration(studio, 'fstart', 'number', 1001,
                           object_type_id=OBJECT_TYPES['Shot'][0])
    # No API call leaves an entity without a value (deleting one restores
    # the default); remove the row directly, as in a database written by an
    # older server.
    with studio.store.transaction() as tx:
        tx.delete('variable_value', {'configuration_id': fstart, 'entity_id': shot})
    assert values(studio, shot) == {}
    results, changes = studio.run([update('ContextCustomAttributeValue', [fstart, shot],
                                          {'value': 1010})])
    assert results[0]['action'] == 'update'
    assert results[0]['data']['value'] == 1010
    assert results[0]['data']['key'] == 'fstart'
    assert values(studio, shot)['fstart']['value'] == 1010
    change = changes[0]
    assert change['entity_type'] == 'Shot' and change['keys'] == ['fstart']
    assert change['changes'] == {'fstart': {'old': None, 'new': 1010}}


def test_update_of_an_existing_value(studio):
    project = studio.project()
    shot = studio.context('Shot', project)
    fstart = configuration(studio, 'fstart', 'number', 1001,
                           object_type_id=OBJECT_TYPES['Shot'][0])
    studio.one(update('ContextCustomAttributeValue', [fstart, shot], {'value': 1.5}))
    assert values(studio, shot)['fstart']['value'] == 1.5


def test_value_must_fit_the_configuration_type(studio):
    project = studio.project()
    shot = studio.context('Shot', project)
    fstart = configuration(studio, 'fstart', 'number', 1001,
                           object_type_id=OBJECT_TYPES['Shot'][0])
    error = support.expect_error(
        studio, [update('ContextCustomAttributeValue', [fstart, shot], {'value': 'test'})],
        errors.ValidationError)
    assert error.content == (
        'Custom attribute value for "fstart" must be of type number. '
        'Got "test" of type <class \'str\'>.')


@pytest.mark.parametrize('type_name, good, bad', [
    ('text', 'some text', 5),
    ('boolean', True, 'yes'),
    ('enumerator', ['foo'], 'foo'),
    ('date', {'__type__': 'datetime', 'value': '2017-02-08T00:00:00'}, 'never'),
])
def test_value_types(studio, type_name, good, bad):
    project = studio.project()
    config = configuration(studio, 'attr', type_name, None, entity_type='show')
    studio.one(update('ContextCustomAttributeValue', [config, project], {'value': good}))
    support.expect_error(
        studio, [update('ContextCustomAttributeValue', [config, project], {'value': bad})],
        errors.ValidationError, 'must be of type {0}'.format(type_name))


def test_variable_values_keep_their_kind(studio):
    project = studio.project()
    config = configuration(studio, 'flag', 'boolean', False, entity_type='show')
    data = studio.one(update('ContextCustomAttributeValue', [config, project],
                             {'value': True}))
    assert data['value'] is True


def test_default_must_fit_the_type(studio):
    support.expect_error(
        studio, [create('CustomAttributeConfiguration', {
            'id': new_id(), 'key': 'n', 'entity_type': 'assetversion',
            'type': ref('CustomAttributeType', studio.custom_types['number']),
            'default': 'forty-two'})],
        errors.ValidationError, 'must be of type number')


def test_seed_configuration_examples(studio):
    """The seed's configuration examples: text with config, enumerator, date."""
    studio.one(create('CustomAttributeConfiguration', {
        'id': new_id(), 'entity_type': 'assetversion',
        'type': ref('CustomAttributeType', studio.custom_types['text']),
        'label': 'Asset version text attribute',
        'key': 'asset_version_text_attribute', 'default': 'bar',
        'config': json.dumps({'markdown': False})}))
    role = new_id()
    studio.one(create('SecurityRole', {'id': role, 'name': 'Admin', 'type': 'PROJECT'}))
    data = studio.one(create('CustomAttributeConfiguration', {
        'id': new_id(), 'entity_type': 'assetversion',
        'type': ref('CustomAttributeType', studio.custom_types['date']),
        'label': 'Date attribute', 'key': 'date_attribute',
        'default': {'__type__': 'datetime', 'value': '2017-02-08T00:00:00+00:00'},
        'write_security_roles': [ref('SecurityRole', role)],
        'read_security_roles': [ref('SecurityRole', role)]}))
    assert data['config'] == '{}'
    assert data['default'] == {'__type__': 'datetime', 'value': '2017-02-08T00:00:00'}
    assert studio.rows('_rel_configuration_read_role', security_role_id=role)


def test_configuration_project_rules(studio):
    project = studio.project()
    other = studio.project()
    config = configuration(studio, 'code', 'text', 'x', entity_type='show',
                           project_id=project)
    assert 'code' in values(studio, project)
    assert 'code' not in values(studio, other)
    # Project specific -> global is allowed and reaches every project.
    studio.one(update('CustomAttributeConfiguration', [config], {'project_id': None}))
    assert 'code' in values(studio, other)
    support.expect_error(
        studio, [update('CustomAttributeConfiguration', [config], {'project_id': project})],
        errors.ValidationError, 'project specific')


def test_changing_the_default_leaves_existing_values(studio):
    project = studio.project()
    config = configuration(studio, 'n', 'number', 42, entity_type='show')
    studio.one(update('CustomAttributeConfiguration', [config], {'default': 43}))
    assert values(studio, project)['n']['value'] == 42
    assert values(studio, studio.project())['n']['value'] == 43


def test_renaming_a_key_renames_the_values(studio):
    project = studio.project()
    config = configuration(studio, 'old', 'text', '', entity_type='show')
    studio.one(update('CustomAttributeConfiguration', [config], {'key': 'new'}))
    assert 'new' in values(studio, project)


def test_deleting_a_value_restores_the_default(studio):
    project = studio.project()
    shot = studio.context('Shot', project)
    fstart = configuration(studio, 'fstart', 'number', 1001,
                           object_type_id=OBJECT_TYPES['Shot'][0])
    studio.run([update('ContextCustomAttributeValue', [fstart, shot], {'value': 7})])
    studio.run([delete('ContextCustomAttributeValue', [fstart, shot])])
    assert values(studio, shot)['fstart']['value'] == 1001


def test_deleting_an_entity_deletes_its_values(studio):
    project = studio.project()
    configuration(studio, 'n', 'number', 1, entity_type='show')
    studio.run([delete('Project', [project])])
    assert values(studio, project) == {}


def test_configuration_that_does_not_apply(studio):
    project = studio.project()
    config = configuration(studio, 'n', 'number', 1, entity_type='assetversion')
    support.expect_error(
        studio, [update('ContextCustomAttributeValue', [config, project], {'value': 2})],
        errors.ValidationError, 'does not apply')


def test_missing_configuration_or_entity(studio):
    project = studio.project()
    missing = new_id()
    support.expect_error(
        studio, [update('ContextCustomAttributeValue', [missing, project], {'value': 2})],
        errors.NotFoundError, missing)
    config = configuration(studio, 'n', 'number', 1, entity_type='show')
    support.expect_error(
        studio, [update('ContextCustomAttributeValue', [config, missing], {'value': 2})],
        errors.NotFoundError, missing)


def test_hierarchical_configuration_applies_to_every_context(studio):
    project = studio.project()
    shot = studio.context('Shot', project)
    configuration(studio, 'fps', 'number', 25, entity_type='show', is_hierarchical=True)
    task = studio.context('Task', shot, 'Shot')
    for owner in (project, shot, task):
        assert values(studio, owner)['fps']['value'] == 25
