"""Components in the ``ftrack.server`` location of a real LocalServer.

Uploads and downloads through the server accessor (with the exact request
sequence of protocol Appendix B.3), removal, sequences, transfers back to
disk, and the documentation examples that use the server location: job
and note attachments, "Working with components" and "Publishing versions".
"""

from __future__ import annotations

import uuid

import pytest
import requests

import ftrack_api
import ftrack_api.accessor.disk
import ftrack_api.accessor.server
import ftrack_api.exception
import ftrack_api.structure.id
import ftrack_api.symbol
from ftrack_local_server.testing import (
    connect, create_project, create_task, record_requests, sent_operations,
)

SERVER_LOCATION_ID = ftrack_api.symbol.SERVER_LOCATION_ID


@pytest.fixture
def server_location(ftrack_session):
    return ftrack_session.query('Location where name is "ftrack.server"').one()


def _file(tmp_path, name='data.json', content=b'{"foo":"bar"}'):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def _task(session, project):
    shot = session.create('Shot', {'name': 'sh010', 'parent': project})
    return create_task(session, shot, name='compositing')


def test_upload_and_download_round_trip(ftrack_session, server_location, tmp_path):
    session = ftrack_session
    content = b'0123456789' * 1000
    component = session.create_component(
        _file(tmp_path, 'numbers.bin', content), data={'name': 'numbers'},
        location=server_location,
    )
    assert server_location.get_resource_identifier(component) == component['id']
    assert server_location.get_component_availability(component) == 100.0

    response = requests.get(server_location.get_url(component), timeout=30)
    assert response.status_code == 200
    assert response.content == content

    data = server_location.accessor.open(component['id'], 'rb')
    chunks = []
    while True:
        chunk = data.read(4096)
        if not chunk:
            break
        chunks.append(chunk)
    data.close()
    assert b''.join(chunks) == content


def test_empty_file_round_trip(ftrack_session, server_location, tmp_path):
    component = ftrack_session.create_component(
        _file(tmp_path, 'empty.txt', b''), location=server_location
    )
    assert component['size'] == 0
    response = requests.get(server_location.get_url(component), timeout=30)
    assert response.status_code == 200 and response.content == b''


def test_upload_sends_the_documented_requests(ftrack_session, server_location, tmp_path):
    session = ftrack_session
    bodies = record_requests(session)
    component = session.create_component(_file(tmp_path), location=server_location)
    component_id = component['id']

    batches = sent_operations(bodies)
    assert [[operation['action'] for operation in batch] for batch in batches] == [
        ['query'], ['get_upload_metadata'], ['create', 'create'],
    ]
    assert batches[0][0]['expression'] == (
        'select component_id, resource_identifier from ComponentLocation where '
        'location_id is {0} and component_id in ({1}) offset 0 limit 500'.format(
            SERVER_LOCATION_ID, component_id)
    )
    assert batches[1][0] == {
        'action': 'get_upload_metadata', 'checksum': 'm7WPJhkuS6APAeLnsTa72A==',
        'component_id': component_id, 'file_name': 'main.json', 'file_size': 13,
    }
    create_component, create_location = batches[2]
    assert create_component['entity_type'] == 'FileComponent'
    assert create_component['entity_data'] == {
        '__entity_type__': 'FileComponent', 'id': component_id, 'name': 'main',
        'file_type': '.json', 'size': 13,
    }
    assert create_location['entity_type'] == 'ComponentLocation'
    registration = create_location['entity_data']
    assert registration['resource_identifier'] == component_id
    assert registration['component'] == {
        '__entity_type__': 'FileComponent', 'id': component_id}
    assert registration['location'] == {
        '__entity_type__': 'Location', 'id': SERVER_LOCATION_ID}


def test_remove_from_server(ftrack_session, server_location, tmp_path):
    session = ftrack_session
    component = session.create_component(_file(tmp_path), location=server_location)
    url = server_location.get_url(component)
    server_location.remove_component(component)

    assert server_location.get_component_availability(component) == 0.0
    assert requests.get(url, timeout=30).status_code == 404
    data = server_location.accessor.open(component['id'], 'rb')
    with pytest.raises(ftrack_api.exception.AccessorOperationFailedError) as error:
        data.read()
    assert 'Failed to read data' in str(error.value)
    assert session.api_key not in str(error.value)
    data.close()
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        server_location.get_url(component)


def test_server_accessor_exists(ftrack_session, server_location, tmp_path):
    component = ftrack_session.create_component(_file(tmp_path), location=server_location)
    accessor = server_location.accessor
    assert accessor.exists(component['id']) is True
    assert accessor.exists(str(uuid.uuid4())) is False


def test_sequence_in_server_location(ftrack_session, server_location, tmp_path):
    session = ftrack_session
    for index in (1, 2, 3):
        (tmp_path / 'f.{0:03d}.png'.format(index)).write_bytes(b'frame%d' % index)
    sequence = session.create_component(
        str(tmp_path / 'f.%03d.png') + ' [1-3]', location=server_location
    )
    assert server_location.get_component_availability(sequence) == 100.0
    for member in sequence['members']:
        response = requests.get(server_location.get_url(member), timeout=30)
        assert response.content == b'frame%d' % int(member['name'])


def test_transfer_from_server_to_disk(ftrack_session, server_location, tmp_path):
    session = ftrack_session
    component = session.create_component(
        _file(tmp_path, 'clip.mov', b'movie data'), location=server_location
    )
    disk = session.create('Location', {'name': 'test.disk.{0}'.format(uuid.uuid4().hex[:8])})
    session.commit()
    disk.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(tmp_path / 'disk'))
    disk.structure = ftrack_api.structure.id.IdStructure()
    disk.add_component(component, server_location)
    with open(disk.get_filesystem_path(component), 'rb') as handle:
        assert handle.read() == b'movie data'


def test_failed_upload_registers_nothing(ftrack_session, server_location, tmp_path, monkeypatch):
    session = ftrack_session
    # A corrupted checksum makes the server refuse the PUT.
    monkeypatch.setattr(
        ftrack_api.accessor.server, '_checksum', lambda data: 'AAAAAAAAAAAAAAAAAAAAAA=='
    )
    with pytest.raises(ftrack_api.exception.LocationError) as error:
        session.create_component(_file(tmp_path), location=server_location)
    assert 'Failed to put file to server' in str(error.value)
    assert isinstance(error.value.__cause__, ftrack_api.exception.AccessorOperationFailedError)
    assert session.created == []


def test_uploading_data_of_unknown_component_fails(ftrack_session):
    data = ftrack_api.accessor.server.ServerFile(str(uuid.uuid4()), ftrack_session, mode='wb')
    data.write(b'orphan')
    with pytest.raises(ftrack_api.exception.AccessorOperationFailedError, match='Unable to upload'):
        data.close()
    assert data.closed


# Documentation examples.
def test_job_attachments(ftrack_session, tmp_path):
    session = ftrack_session
    user = session.query('User where username is "{0}"'.format(session.api_user)).one()
    job = session.create('Job', {'user': user, 'status': 'running'})
    session.commit()

    server_location = session.query('Location where name is "ftrack.server"').one()
    component = session.create_component(
        _file(tmp_path, 'report.txt', b'job output'),
        data={'name': 'My file'},
        location=server_location,
    )
    session.create('JobComponent', {'component_id': component['id'], 'job_id': job['id']})
    session.commit()

    other = connect(session, plugin_paths=[])
    try:
        location = other.query('Location where name is "ftrack.server"').one()
        remote_job = other.get('Job', job['id'])
        urls = [
            location.get_url(job_component['component'])
            for job_component in remote_job['job_components']
        ]
        assert len(urls) == 1
        assert requests.get(urls[0], timeout=30).content == b'job output'
        # The link entity itself is accepted too.
        assert location.get_url(remote_job['job_components'][0]) == urls[0]
        assert remote_job['job_components'][0]['component']['name'] == 'My file'
    finally:
        other.close()


def test_note_attachments(ftrack_session, tmp_path):
    session = ftrack_session
    project = create_project(session, 'components')
    user = session.query('User where username is "{0}"'.format(session.api_user)).one()
    note = project.create_note('See attached', author=user)
    session.commit()

    server_location = session.query('Location where name is "ftrack.server"').one()
    component = session.create_component(
        _file(tmp_path, 'notes.pdf', b'%PDF-1.4 ...'),
        data={'name': 'My file'},
        location=server_location,
    )
    session.create('NoteComponent', {'component_id': component['id'], 'note_id': note['id']})
    session.commit()

    note_components = session.query(
        'NoteComponent where note_id is "{0}"'.format(note['id'])
    ).all()
    urls = [
        server_location.get_url(note_component['component'])
        for note_component in note_components
    ]
    assert [requests.get(url, timeout=30).content for url in urls] == [b'%PDF-1.4 ...']


def test_working_with_components(ftrack_session, tmp_path):
    session = ftrack_session
    project = create_project(session, 'components')
    asset = session.create('Asset', {
        'name': 'plate', 'parent': project,
        'type': session.query('AssetType where name is "Plate"').one(),
    })
    version = session.create('AssetVersion', {'asset': asset})
    session.commit()

    component = version.create_component(_file(tmp_path, 'file_or_sequence.jpg', b'jpg'))
    session.commit()
    assert component['version'] is version
    remote = session.query(
        'select version_id, name, file_type from FileComponent where id is "{0}"'.format(
            component['id'])
    ).one()
    assert remote['version_id'] == version['id']
    assert remote['file_type'] == '.jpg'


def test_publishing_versions(ftrack_session, tmp_path):
    session = ftrack_session
    task = _task(session, create_project(session, 'components'))
    asset_parent = task['parent']
    asset_type = session.query('AssetType where name is "Geometry"').one()
    asset = session.create('Asset', {
        'name': 'My asset', 'type': asset_type, 'parent': asset_parent,
    })
    asset_version = session.create('AssetVersion', {'asset': asset, 'task': task})
    session.commit()

    first = asset_version.create_component(_file(tmp_path, 'file.mov', b'mov'), location='auto')
    second = asset_version.create_component(
        _file(tmp_path, 'another-file.mov', b'mov2'), location='auto'
    )
    session.commit()
    unmanaged = session.get('Location', ftrack_api.symbol.UNMANAGED_LOCATION_ID)
    assert unmanaged.get_component_availabilities([first, second]) == [100.0, 100.0]

    name = 'my-location-{0}'.format(uuid.uuid4().hex[:8])
    custom = session.create('Location', {'name': name})
    session.commit()
    custom.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(tmp_path / 'custom'))
    custom.structure = ftrack_api.structure.id.IdStructure()

    # As the example writes it: the location is given as a query.
    location = session.query('Location where name is "{0}"'.format(name))
    named = asset_version.create_component(
        _file(tmp_path, 'file.mov', b'named'), data={'name': 'foobar'}, location=location,
    )
    assert named['name'] == 'foobar'
    with open(custom.get_filesystem_path(named), 'rb') as handle:
        assert handle.read() == b'named'
    names = sorted(component['name'] for component in session.query(
        'select name from Component where version_id is "{0}"'.format(asset_version['id'])
    ))
    assert names == ['foobar', 'main', 'main']
