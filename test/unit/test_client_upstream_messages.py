"""Messages and edge behaviours that follow upstream 3.1.0 word for word."""

import pytest

import ftrack_api.inspection
import ftrack_api.structure.id
import ftrack_api.structure.standard
from ftrack_local_server.testing import OfflineSession


@pytest.fixture
def session():
    session = OfflineSession()
    yield session
    session.rollback()
    session.close()


def test_state_of_a_non_entity_raises_attribute_error():
    with pytest.raises(AttributeError):
        ftrack_api.inspection.state(object())


def test_query_limit_and_offset_messages(session):
    with pytest.raises(ValueError) as raised:
        session.query('Priority limit 1').first()
    assert str(raised.value) == 'Expression already contains a limit clause.'
    with pytest.raises(ValueError) as raised:
        session.query('Priority offset 1').one()
    assert str(raised.value) == (
        'Expression contains an offset clause which does not make sense when '
        'selecting a single item.')


def test_structure_messages_for_unsupported_entities(session):
    scope = session.create('Scope', {'name': 'not a component'})
    with pytest.raises(NotImplementedError) as raised:
        ftrack_api.structure.id.IdStructure().get_resource_identifier(scope)
    assert str(raised.value) == 'Cannot generate path for unsupported entity {0}'.format(scope)
    with pytest.raises(NotImplementedError) as raised:
        ftrack_api.structure.standard.StandardStructure().get_resource_identifier(scope)
    assert str(raised.value) == (
        'Cannot generate resource identifier for unsupported entity {0!r}'.format(scope))


def test_disk_accessor_containers_are_relative_to_the_prefix(tmp_path):
    import ftrack_api.accessor.disk

    accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(tmp_path))
    assert accessor.get_container(str(tmp_path / 'a' / 'c.txt')) == 'a'
    assert accessor.get_container('c.txt') == ''
    with pytest.raises(ftrack_api.exception.AccessorFilesystemPathError) as raised:
        accessor.get_filesystem_path('../outside')
    assert str(raised.value) == (
        "Could not determine access path for resource_identifier outside of "
        "configured prefix: b'../outside'.")
