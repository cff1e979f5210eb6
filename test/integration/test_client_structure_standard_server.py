"""StandardStructure with versions committed to a real LocalServer.

The identifiers depend on the ``link`` the server computes for versions, so
these run against the local server rather than prepared answers.
"""

from __future__ import annotations

import pytest

import ftrack_api
import ftrack_api.exception
from ftrack_local_server.testing import connect, create_project
from ftrack_api.structure.standard import StandardStructure
from ftrack_local_server import LocalServer


@pytest.fixture(scope='module')
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture
def session(server):
    session = connect(server, plugin_paths=[])
    yield session
    session.close()


def _publish(session, context_names, asset_name='Main Plate'):
    """Return a committed version of a new asset under new folders."""
    project = create_project(session, 'structure', commit=False)
    parent = project
    for name in context_names:
        parent = session.create('Folder', {'name': name, 'parent': parent})
    asset = session.create(
        'Asset',
        {
            'name': asset_name,
            'parent': parent,
            'type': session.query('AssetType').first(),
        },
    )
    version = session.create('AssetVersion', {'asset': asset})
    session.commit()
    return project, version


def test_file_component_path_follows_hierarchy(session):
    """project/contexts/asset/v001/name<ext>, sanitised."""
    project, version = _publish(session, ['Seq 01', 'SH010'])
    component = session.create(
        'FileComponent',
        {'name': 'Foo Bar', 'file_type': '.jpg', 'version': version},
    )
    assert StandardStructure().get_resource_identifier(component) == (
        '{0}/seq_01/sh010/main_plate/v001/foo_bar.jpg'.format(project['name'])
    )


def test_version_directly_under_project_uses_prefix(session):
    """Versions on the project itself get project_versions_prefix."""
    project, version = _publish(session, [])
    component = session.create(
        'FileComponent', {'name': 'foo', 'file_type': '.png', 'version': version}
    )
    assert StandardStructure(
        project_versions_prefix='published'
    ).get_resource_identifier(component) == (
        '{0}/published/main_plate/v001/foo.png'.format(project['name'])
    )


def test_uncommitted_version_is_refused(session):
    """A version not yet committed has no place in the structure."""
    project = create_project(session, 'structure', commit=False)
    asset = session.create(
        'Asset',
        {
            'name': 'pending',
            'parent': project,
            'type': session.query('AssetType').first(),
        },
    )
    version = session.create('AssetVersion', {'asset': asset})
    component = session.create(
        'FileComponent', {'name': 'foo', 'file_type': '.png', 'version': version}
    )
    with pytest.raises(ftrack_api.exception.StructureError):
        StandardStructure().get_resource_identifier(component)
    session.rollback()
