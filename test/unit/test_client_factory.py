"""Entity classes built from the real server schema."""

import json

import pytest

import ftrack_api
import ftrack_api.attribute
import ftrack_api.entity.base
import ftrack_api.entity.factory
import ftrack_api.entity.location
import ftrack_api.entity.note
import ftrack_api.entity.project_schema
import ftrack_api.entity.user
import ftrack_api.symbol
from ftrack_local_server.testing import OfflineSession, default_schema_path


@pytest.fixture(scope='module')
def schemas():
    with open(default_schema_path(), encoding='utf-8') as handle:
        return {schema['id']: schema for schema in json.load(handle)}


def test_standard_factory_builds_attribute_kinds(schemas):
    factory = ftrack_api.entity.factory.StandardFactory()
    task = factory.create(schemas['Task'])
    attributes = task.attributes
    assert task.entity_type == 'Task'
    assert task.primary_key_attributes == ['id']
    assert task.default_projections == ['context_type', 'id', 'name']
    assert isinstance(attributes.get('name'), ftrack_api.attribute.ScalarAttribute)
    assert attributes.get('name').default_value == ''
    assert attributes.get('bid').data_type == 'float'
    assert attributes.get('start_date').data_type == 'datetime'
    assert isinstance(attributes.get('status'), ftrack_api.attribute.ReferenceAttribute)
    assert attributes.get('status').entity_type == 'Status'
    assert isinstance(attributes.get('timelogs'), ftrack_api.attribute.CollectionAttribute)
    assert isinstance(
        attributes.get('metadata'),
        ftrack_api.attribute.KeyValueMappedCollectionAttribute,
    )
    assert isinstance(
        attributes.get('custom_attributes'),
        ftrack_api.attribute.CustomAttributeCollectionAttribute,
    )
    # Dense custom attributes are a key/value mapping, as upstream has them.
    assert isinstance(
        attributes.get('custom_attributes'),
        ftrack_api.attribute.KeyValueMappedCollectionAttribute,
    )
    assert attributes.get('thumbnail_url').computed
    assert not attributes.get('id').mutable
    assert callable(attributes.get('id').default_value)
    # Restricted projections are filter-only: no attribute.
    assert attributes.get('custom_attribute_links') is None
    assert issubclass(task, ftrack_api.entity.note.CreateNoteMixin)


def test_user_type_id_without_type_or_reference_is_skipped(schemas):
    user = ftrack_api.entity.factory.StandardFactory().create(schemas['User'])
    assert user.attributes.get('user_type_id') is None
    assert issubclass(user, ftrack_api.entity.user.User)


@pytest.mark.parametrize('schema_id, base', [
    ('ProjectSchema', ftrack_api.entity.project_schema.ProjectSchema),
    ('Location', ftrack_api.entity.location.Location),
    ('Note', ftrack_api.entity.note.Note),
])
def test_helper_bases(schemas, schema_id, base):
    cls = ftrack_api.entity.factory.StandardFactory().create(schemas[schema_id])
    assert issubclass(cls, base)


def test_base_factory_skips_mapped_collections(schemas):
    task = ftrack_api.entity.factory.Factory().create(schemas['Task'])
    assert task.attributes.get('metadata') is None
    assert task.attributes.get('name') is not None


def test_custom_base_class_comes_before_standard_helper(schemas):
    class CustomUser(ftrack_api.entity.base.Entity):
        def get_full_name(self):
            return 'full name'

    class Factory(ftrack_api.entity.factory.StandardFactory):
        def create(self, schema, bases=None):
            if bases is None:
                bases = [ftrack_api.entity.base.Entity]
            if schema['id'] == 'User':
                bases = [CustomUser]
            return super(Factory, self).create(schema, bases=bases)

    cls = Factory().create(schemas['User'])
    assert cls.__mro__[1] is CustomUser
    assert issubclass(cls, ftrack_api.entity.user.User)
    assert repr(CustomUser) == "<dynamic ftrack class 'CustomUser'>"


def test_plugin_factory_customises_default_projections(tmp_path):
    plugin = tmp_path / 'construct_entity_type.py'
    plugin.write_text(
        'import ftrack_api.entity.factory\n'
        '\n'
        'class Factory(ftrack_api.entity.factory.StandardFactory):\n'
        '    def create(self, schema, bases=None):\n'
        '        cls = super(Factory, self).create(schema, bases=bases)\n'
        "        if schema['id'] == 'User':\n"
        "            cls.default_projections = ['id', 'username']\n"
        '        return cls\n'
        '\n'
        'def register(session):\n'
        '    factory = Factory()\n'
        '    def construct(event):\n'
        "        return factory.create(event['data']['schema'])\n"
        '    session.event_hub.subscribe(\n'
        "        'topic=ftrack.api.session.construct-entity-type', construct\n"
        '    )\n'
    )
    session = OfflineSession(plugin_paths=[str(tmp_path)])
    try:
        assert session.types['User'].default_projections == ['id', 'username']
        assert session.types['Task'].default_projections == [
            'context_type', 'id', 'name',
        ]
    finally:
        session.close()


def test_two_plugins_answering_one_schema_is_an_error(tmp_path):
    for name in ('first', 'second'):
        (tmp_path / '{0}.py'.format(name)).write_text(
            'import ftrack_api.entity.factory\n'
            'def register(session):\n'
            '    factory = ftrack_api.entity.factory.StandardFactory()\n'
            '    session.event_hub.subscribe(\n'
            "        'topic=ftrack.api.session.construct-entity-type',\n"
            "        lambda event: factory.create(event['data']['schema'])\n"
            '    )\n'
        )
    with pytest.raises(ValueError) as error:
        OfflineSession(plugin_paths=[str(tmp_path)])
    assert 'plugins returned 2' in str(error.value)


def test_default_plugin_constructs_every_type():
    import os

    path = os.path.join(
        os.path.dirname(__file__), '..', '..', 'resource', 'plugin'
    )
    session = OfflineSession(plugin_paths=[os.path.abspath(path)])
    try:
        assert len(session.types) == 116
        assert issubclass(
            session.types['ProjectSchema'],
            ftrack_api.entity.project_schema.ProjectSchema,
        )
    finally:
        session.close()


def test_mixin_swaps_class_once():
    session = OfflineSession()
    try:
        location = session.create(
            'Location', {'id': 'l1', 'name': 'my.location'}, reconstructing=True
        )
        ftrack_api.mixin(location, ftrack_api.entity.location.UnmanagedLocationMixin)
        first = type(location)
        ftrack_api.mixin(location, ftrack_api.entity.location.UnmanagedLocationMixin)
        assert type(location) is first
        assert isinstance(location, ftrack_api.entity.location.UnmanagedLocationMixin)
        assert location['name'] == 'my.location'
        assert location.priority == 95
    finally:
        session.close()


def test_builtin_locations_are_configured():
    session = OfflineSession()
    try:
        symbol = ftrack_api.symbol
        origin = session.get('Location', symbol.ORIGIN_LOCATION_ID)
        assert origin['name'] == 'ftrack.origin'
        assert origin.priority == 100
        assert isinstance(origin, ftrack_api.entity.location.OriginLocationMixin)
        assert session.get('Location', symbol.UNMANAGED_LOCATION_ID).priority == 90
        assert session.get('Location', symbol.REVIEW_LOCATION_ID).priority == 110
        server = session.get('Location', symbol.SERVER_LOCATION_ID)
        assert server.priority == 150
        assert isinstance(server, ftrack_api.entity.location.ServerLocationMixin)
        assert session.transport.requests == []
    finally:
        session.close()
