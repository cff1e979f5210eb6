"""Tests for the structures and the resource identifier transformer.

Components and their versions are stood in for by typed mappings carrying
a session, which is all the structures read.
"""

import pytest

import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api.resource_identifier_transformer.base import (
    ResourceIdentifierTransformer,
)
from ftrack_api.structure.base import Structure
from ftrack_api.structure.entity_id import EntityIdStructure
from ftrack_api.structure.id import IdStructure
from ftrack_api.structure.origin import OriginStructure
from ftrack_api.structure.standard import StandardStructure

NOT_SET = ftrack_api.symbol.NOT_SET


class FakeSession(object):
    """Session stand-in: entities by (type, id) and created entities."""

    def __init__(self):
        self.entities = {}
        self.created = []

    def get(self, entity_type, entity_id):
        return self.entities.get((entity_type, entity_id))


class StandIn(dict):
    """Typed mapping bound to a session, as entities are."""

    def __init__(self, session, entity_type, **data):
        super(StandIn, self).__init__(**data)
        self.entity_type = entity_type
        self.session = session
        session.entities[(entity_type, data.get('id'))] = self

    def __repr__(self):
        return '<{0} {1}>'.format(self.entity_type, self.get('id'))


@pytest.fixture
def session():
    return FakeSession()


def _component(session, entity_type, component_id, name, file_type='', **data):
    data.setdefault('container', None)
    data.setdefault('version', None)
    data.setdefault('version_id', None)
    return StandIn(
        session,
        entity_type,
        id=component_id,
        name=name,
        file_type=file_type,
        **data
    )


def test_structure_is_abstract():
    """Structure requires get_resource_identifier."""
    with pytest.raises(TypeError):
        Structure()


def test_sequence_expression(session):
    """Padding gives %0Nd; no padding gives %d."""
    structure = IdStructure()
    assert structure._get_sequence_expression({'padding': 4}) == '%04d'
    assert structure._get_sequence_expression({'padding': 0}) == '%d'


# Origin and entity id structures.


def test_origin_structure_passes_source_through(session):
    """The source resource identifier of the context is returned."""
    component = _component(session, 'FileComponent', 'c1', 'main')
    assert OriginStructure().get_resource_identifier(
        component, {'source_resource_identifier': '/data/file.exr'}
    ) == '/data/file.exr'


@pytest.mark.parametrize('context', [None, {}, {'other': 1}])
def test_origin_structure_requires_source(session, context):
    """A missing source resource identifier is a StructureError."""
    component = _component(session, 'FileComponent', 'c1', 'main')
    with pytest.raises(ftrack_api.exception.StructureError) as error:
        OriginStructure().get_resource_identifier(component, context)
    assert isinstance(error.value, ValueError)
    # Upstream's message, word for word.
    assert str(error.value) == (
        'Could not generate resource identifier as no source resource '
        'identifier found in passed context.')
    assert error.value.details['entity'] is component
    assert error.value.details['context'] == context


def test_entity_id_structure(session):
    """The entity id is the resource identifier."""
    component = _component(session, 'FileComponent', 'abc-123', 'main')
    assert EntityIdStructure().get_resource_identifier(component) == 'abc-123'


# Id structure.

COMPONENT_ID = '0123456789abcdef'


def test_id_structure_file(session):
    """Four one-character directories, the remainder and the file type."""
    component = _component(session, 'FileComponent', COMPONENT_ID, 'main', '.exr')
    assert IdStructure().get_resource_identifier(component) == (
        '0/1/2/3/456789abcdef.exr'
    )
    assert IdStructure(prefix='/prefix/').get_resource_identifier(component) == (
        '/prefix/0/1/2/3/456789abcdef.exr'
    )


def test_id_structure_file_without_file_type(session):
    """A component without file type gets no extension."""
    component = _component(
        session, 'FileComponent', COMPONENT_ID, 'main', file_type=NOT_SET
    )
    assert IdStructure().get_resource_identifier(component) == (
        '0/1/2/3/456789abcdef'
    )


def test_id_structure_sequence_and_members(session):
    """Sequence is file.%0Nd<ext>; members file.<padded index><ext> beside it."""
    sequence = _component(
        session, 'SequenceComponent', COMPONENT_ID, 'plate', '.exr', padding=4
    )
    member = _component(
        session, 'FileComponent', 'ffff0000', '12', '.exr', container=sequence
    )
    structure = IdStructure(prefix='root')
    assert structure.get_resource_identifier(sequence) == (
        'root/0/1/2/3/456789abcdef/file.%04d.exr'
    )
    assert structure.get_resource_identifier(member) == (
        'root/0/1/2/3/456789abcdef/file.0012.exr'
    )
    # The member path is the sequence expression filled with the index.
    assert structure.get_resource_identifier(sequence) % 12 == (
        structure.get_resource_identifier(member)
    )


def test_id_structure_container_and_members(session):
    """Container members are named by their own id inside the container."""
    container = _component(session, 'ContainerComponent', COMPONENT_ID, 'bundle')
    member = _component(
        session, 'FileComponent', 'aabbccdd', 'doc', '.pdf', container=container
    )
    structure = IdStructure()
    assert structure.get_resource_identifier(container) == '0/1/2/3/456789abcdef'
    assert structure.get_resource_identifier(member) == (
        '0/1/2/3/456789abcdef/aabbccdd.pdf'
    )


def test_id_structure_rejects_other_entities(session):
    """Non-components raise a StructureError naming the type."""
    user = StandIn(session, 'User', id='u1')
    with pytest.raises(ftrack_api.exception.StructureError) as error:
        IdStructure().get_resource_identifier(user)
    assert isinstance(error.value, NotImplementedError)
    assert 'User' in str(error.value)


# Standard structure.


def _published(session, context_names=('Seq 01', 'SH010'), version_number=3):
    """Return a committed version under the named contexts."""
    project = StandIn(session, 'Project', id='p1', name='My Project')
    asset = StandIn(session, 'Asset', id='a1', name='Main Plate')
    link = [{'id': 'p1', 'name': 'My Project', 'type': 'Project'}]
    link.extend(
        {'id': 'ctx{0}'.format(index), 'name': name, 'type': 'TypedContext'}
        for index, name in enumerate(context_names)
    )
    link.append({'id': 'v1', 'name': 'Main Plate v3', 'type': 'AssetVersion'})
    version = StandIn(
        session,
        'AssetVersion',
        id='v1',
        version=version_number,
        asset=asset,
        link=link,
    )
    return project, version


def test_standard_structure_file(session):
    """project/contexts/asset/v###/name<ext>, sanitised and lower-cased."""
    _, version = _published(session)
    component = _component(
        session, 'FileComponent', 'c1', 'Foo Bar', '.jpg', version=version
    )
    assert StandardStructure().get_resource_identifier(component) == (
        'my_project/seq_01/sh010/main_plate/v003/foo_bar.jpg'
    )


def test_standard_structure_loads_version_by_id(session):
    """An unloaded version relationship is fetched by version_id."""
    _, version = _published(session)
    component = _component(
        session,
        'FileComponent',
        'c1',
        'foo',
        '.jpg',
        version=NOT_SET,
        version_id='v1',
    )
    assert StandardStructure().get_resource_identifier(component).endswith(
        'v003/foo.jpg'
    )


def test_standard_structure_sequence_and_members(session):
    """Sequence gets %04d; members their padded index."""
    _, version = _published(session)
    sequence = _component(
        session, 'SequenceComponent', 's1', 'foo', '.jpg', padding=4, version=version
    )
    member = _component(
        session,
        'FileComponent',
        'm1',
        '42',
        '.jpg',
        container=sequence,
        version=NOT_SET,
    )
    structure = StandardStructure()
    assert structure.get_resource_identifier(sequence) == (
        'my_project/seq_01/sh010/main_plate/v003/foo.%04d.jpg'
    )
    assert structure.get_resource_identifier(member) == (
        'my_project/seq_01/sh010/main_plate/v003/foo.0042.jpg'
    )


def test_standard_structure_unpadded_sequence(session):
    """A sequence without padding uses %d."""
    _, version = _published(session)
    sequence = _component(
        session, 'SequenceComponent', 's1', 'foo', '.jpg', padding=0, version=version
    )
    member = _component(
        session, 'FileComponent', 'm1', '7', '.jpg', container=sequence
    )
    structure = StandardStructure()
    assert structure.get_resource_identifier(sequence).endswith('/foo.%d.jpg')
    assert structure.get_resource_identifier(member).endswith('/foo.7.jpg')


def test_standard_structure_container_and_members(session):
    """Containers add a directory named after them."""
    _, version = _published(session)
    container = _component(
        session, 'ContainerComponent', 'k1', 'bar', version=version
    )
    member = _component(
        session, 'FileComponent', 'm1', 'baz', '.pdf', container=container
    )
    structure = StandardStructure()
    assert structure.get_resource_identifier(container) == (
        'my_project/seq_01/sh010/main_plate/v003/bar'
    )
    assert structure.get_resource_identifier(member) == (
        'my_project/seq_01/sh010/main_plate/v003/bar/baz.pdf'
    )


def test_standard_structure_project_versions_prefix(session):
    """Versions directly under the project get the configured prefix."""
    _, version = _published(session, context_names=(), version_number=1)
    component = _component(
        session, 'FileComponent', 'c1', 'foo', '.jpg', version=version
    )
    assert StandardStructure().get_resource_identifier(component) == (
        'my_project/main_plate/v001/foo.jpg'
    )
    assert StandardStructure(
        project_versions_prefix='published'
    ).get_resource_identifier(component) == (
        'my_project/published/main_plate/v001/foo.jpg'
    )


def test_standard_structure_without_substitute_keeps_names(session):
    """illegal_character_substitute=None leaves names unmodified."""
    _, version = _published(session, context_names=('Seq 01',))
    component = _component(
        session, 'FileComponent', 'c1', 'Foo', '.jpg', version=version
    )
    assert StandardStructure(
        illegal_character_substitute=None
    ).get_resource_identifier(component) == (
        'My Project/Seq 01/Main Plate/v003/Foo.jpg'
    )


@pytest.mark.parametrize(
    'value, substitute, expected',
    [
        ('Hello World', '_', 'hello_world'),
        ('Café crème', '_', 'cafe_creme'),
        ('a/b\\c:d*e?f', '-', 'a-b-c-d-e-f'),
        ('keep.dots-and_underscores', '_', 'keep.dots-and_underscores'),
        ('日本 name', '_', '_name'),
        ('A B', '\\', 'a\\b'),
        ('Mixed Case', None, 'Mixed Case'),
    ],
)
def test_sanitise_for_filesystem(value, substitute, expected):
    """Illegal characters are replaced, accents dropped, text lowered."""
    structure = StandardStructure(illegal_character_substitute=substitute)
    assert structure.sanitise_for_filesystem(value) == expected


def test_standard_structure_requires_version(session):
    """A component without version raises a StructureError."""
    component = _component(session, 'FileComponent', 'c1', 'foo', '.jpg')
    with pytest.raises(ftrack_api.exception.StructureError) as error:
        StandardStructure().get_resource_identifier(component)
    assert 'committed version' in str(error.value)
    assert '<FileComponent c1>' in str(error.value)


def test_standard_structure_requires_committed_version(session):
    """A version still in session.created is refused."""
    _, version = _published(session)
    session.created.append(version)
    component = _component(
        session, 'FileComponent', 'c1', 'foo', '.jpg', version=version
    )
    with pytest.raises(ftrack_api.exception.StructureError):
        StandardStructure().get_resource_identifier(component)


def test_standard_structure_requires_link(session):
    """A version without link cannot be placed."""
    _, version = _published(session)
    version['link'] = []
    component = _component(
        session, 'FileComponent', 'c1', 'foo', '.jpg', version=version
    )
    with pytest.raises(ftrack_api.exception.StructureError):
        StandardStructure().get_resource_identifier(component)


def test_standard_structure_rejects_other_entities(session):
    """Non-components raise a StructureError naming the type."""
    with pytest.raises(NotImplementedError) as error:
        StandardStructure().get_resource_identifier(StandIn(session, 'Task', id='t'))
    assert isinstance(error.value, ftrack_api.exception.StructureError)
    assert 'Task' in str(error.value)


# Resource identifier transformer.


def test_transformer_is_identity(session):
    """encode and decode return the identifier unchanged."""
    transformer = ResourceIdentifierTransformer(session)
    assert transformer.session is session
    assert transformer.encode('a/b.txt') == 'a/b.txt'
    assert transformer.decode('a/b.txt', context={'component': None}) == 'a/b.txt'
