"""Structures given real entities of a session (offline transport).

The session is :class:`ftrack_local_server.testing.OfflineSession`: a real
:class:`ftrack_api.Session` with the real schema whose server answers are
prepared by the test, so committed versions can be built without a server.
"""

import uuid

import pytest

import ftrack_api.exception
from ftrack_local_server.testing import offline_session
from ftrack_api.structure.entity_id import EntityIdStructure
from ftrack_api.structure.id import IdStructure
from ftrack_api.structure.origin import OriginStructure
from ftrack_api.structure.standard import StandardStructure


@pytest.fixture
def session():
    yield from offline_session()


def _query_answer(*records):
    return [
        {
            'action': 'query',
            'data': list(records),
            'metadata': {'next': {'offset': None}},
        }
    ]


@pytest.fixture
def version(session):
    """Return a committed version, as a server would have sent it."""
    project_id, version_id = str(uuid.uuid4()), str(uuid.uuid4())
    session.transport.responses.append(
        _query_answer(
            {'__entity_type__': 'Project', 'id': project_id, 'name': 'My Project'}
        )
    )
    session.query('Project').all()
    session.transport.responses.append(
        _query_answer(
            {
                '__entity_type__': 'AssetVersion',
                'id': version_id,
                'version': 3,
                'asset': {
                    '__entity_type__': 'Asset',
                    'id': str(uuid.uuid4()),
                    'name': 'Main Plate',
                },
                'link': [
                    {'id': project_id, 'name': 'My Project', 'type': 'Project'},
                    {'id': str(uuid.uuid4()), 'name': 'Seq 01', 'type': 'TypedContext'},
                    {'id': str(uuid.uuid4()), 'name': 'SH010', 'type': 'TypedContext'},
                    {'id': version_id, 'name': 'Main Plate v3', 'type': 'AssetVersion'},
                ],
            }
        )
    )
    return session.query('AssetVersion').one()


def test_id_structure_with_components(session):
    """File, sequence and member paths derive from the component ids."""
    with session.auto_populating(False):
        single = session.create(
            'FileComponent', {'name': 'main', 'file_type': '.exr'}
        )
        sequence = session.create(
            'SequenceComponent',
            {'name': 'plate', 'file_type': '.exr', 'padding': 4},
        )
        member = session.create(
            'FileComponent',
            {'name': '12', 'file_type': '.exr', 'container': sequence},
        )
        structure = IdStructure(prefix='root')

        single_id = single['id']
        assert structure.get_resource_identifier(single) == '/'.join(
            ['root'] + list(single_id[:4]) + [single_id[4:] + '.exr']
        )
        sequence_path = structure.get_resource_identifier(sequence)
        assert sequence_path.endswith('/file.%04d.exr')
        assert structure.get_resource_identifier(member) == sequence_path % 12


def test_entity_id_and_origin_structures(session):
    """Entity id gives the id; origin passes the source through."""
    with session.auto_populating(False):
        component = session.create('FileComponent', {'name': 'main'})
    assert EntityIdStructure().get_resource_identifier(component) == (
        component['id']
    )
    assert OriginStructure().get_resource_identifier(
        component, {'source_resource_identifier': '/tmp/main.exr'}
    ) == '/tmp/main.exr'


def test_standard_structure_with_committed_version(session, version):
    """The path follows project, contexts, asset and version."""
    with session.auto_populating(False):
        component = session.create(
            'FileComponent',
            {'name': 'Foo Bar', 'file_type': '.jpg', 'version': version},
        )
        sequence = session.create(
            'SequenceComponent',
            {'name': 'foo', 'file_type': '.jpg', 'padding': 4, 'version': version},
        )
        member = session.create(
            'FileComponent',
            {'name': '42', 'file_type': '.jpg', 'container': sequence},
        )
        structure = StandardStructure()
        assert structure.get_resource_identifier(component) == (
            'my_project/seq_01/sh010/main_plate/v003/foo_bar.jpg'
        )
        assert structure.get_resource_identifier(sequence) == (
            'my_project/seq_01/sh010/main_plate/v003/foo.%04d.jpg'
        )
        assert structure.get_resource_identifier(member) == (
            'my_project/seq_01/sh010/main_plate/v003/foo.0042.jpg'
        )


def test_standard_structure_refuses_uncommitted_version(session):
    """A version only created in this session cannot be placed."""
    with session.auto_populating(False):
        version = session.create('AssetVersion', {'version': 1})
        component = session.create(
            'FileComponent',
            {'name': 'foo', 'file_type': '.jpg', 'version': version},
        )
        with pytest.raises(ftrack_api.exception.StructureError) as error:
            StandardStructure().get_resource_identifier(component)
    assert 'committed version' in str(error.value)
