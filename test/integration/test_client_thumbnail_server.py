"""Thumbnails against a real LocalServer: "Working with thumbnails" and
"Retrieving thumbnail URL".

Images are generated here (tiny PNG files) rather than stored.
"""

from __future__ import annotations

import struct
import zlib

import pytest
import requests

import ftrack_api
import ftrack_api.exception
import ftrack_api.symbol
from ftrack_local_server.testing import connect, create_project, create_task

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def png_bytes(width=8, height=6):
    """Return a valid RGB PNG image of *width* x *height* red pixels."""
    def chunk(kind, data):
        return (
            struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
        )

    rows = b''.join(b'\x00' + b'\xff\x00\x00' * width for _ in range(height))
    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(rows))
        + chunk(b'IEND', b'')
    )


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'image.png'
    path.write_bytes(png_bytes())
    return str(path)


@pytest.fixture
def task(ftrack_session):
    project = create_project(ftrack_session, 'thumbnails')
    return create_task(ftrack_session, project, name='design')


def _reloaded(session, entity, projection='thumbnail_id'):
    """Return *entity*'s *projection* as stored on the server."""
    other = connect(session, plugin_paths=[])
    try:
        return other.query('select {0} from {1} where id is "{2}"'.format(
            projection, entity.entity_type, entity['id'])).one()[projection]
    finally:
        other.close()


def test_create_thumbnail_helper(ftrack_session, task, image):
    session = ftrack_session
    thumbnail_component = task.create_thumbnail(image)

    assert thumbnail_component.entity_type == 'FileComponent'
    assert thumbnail_component['name'] == 'thumbnail'
    assert task['thumbnail_id'] == thumbnail_component['id']
    assert _reloaded(session, task) == thumbnail_component['id']
    assert session.created == [] and session.modified == []

    server_location = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
    assert server_location.get_component_availability(thumbnail_component) == 100.0
    response = requests.get(server_location.get_url(thumbnail_component), timeout=30)
    assert response.content == png_bytes()


def test_create_thumbnail_with_data(ftrack_session, image):
    session = ftrack_session
    user = session.query('User where username is "{0}"'.format(session.api_user)).one()
    component = user.create_thumbnail(image, data={'name': 'avatar'})
    assert component['name'] == 'avatar'
    assert _reloaded(session, user) == component['id']


def test_failed_thumbnail_changes_nothing(ftrack_session, task, tmp_path):
    session = ftrack_session
    before = task['thumbnail_id']
    with pytest.raises(ftrack_api.exception.LocationError):
        task.create_thumbnail(str(tmp_path / 'missing.png'))
    assert task['thumbnail_id'] == before
    assert session.created == []


def test_setting_thumbnail_relation(ftrack_session, task, image):
    session = ftrack_session
    server_location = session.query('Location where name is "ftrack.server"').one()
    thumbnail_component = session.create_component(
        image, dict(name='thumbnail'), location=server_location
    )
    task['thumbnail'] = thumbnail_component
    session.commit()
    assert _reloaded(session, task) == thumbnail_component['id']


def test_reusing_a_version_thumbnail_for_the_asset_parent(ftrack_session, task, image):
    session = ftrack_session
    asset = session.create('Asset', {
        'name': 'hero', 'parent': task['parent'],
        'type': session.query('AssetType').first(),
    })
    version = session.create('AssetVersion', {'asset': asset, 'task': task})
    session.commit()
    component = version.create_thumbnail(image)

    asset_version = session.get('AssetVersion', version['id'])
    asset_parent = asset_version['asset']['parent']
    asset_parent['thumbnail_id'] = asset_version['thumbnail_id']
    session.commit()
    assert _reloaded(session, asset_parent) == component['id']


def test_retrieving_thumbnail_urls(ftrack_session, task, image):
    session = ftrack_session
    thumbnail_component = task.create_thumbnail(image)

    server_location = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
    thumbnail_url = server_location.get_thumbnail_url(thumbnail_component)
    thumbnail_url_tiny = server_location.get_thumbnail_url(thumbnail_component, size=100)
    thumbnail_url_large = server_location.get_thumbnail_url(thumbnail_component, size=500)

    assert thumbnail_url == '{0}/component/thumbnail?id={1}&username={2}&apiKey={3}'.format(
        session.server_url, thumbnail_component['id'], session.api_user, session.api_key)
    assert thumbnail_url_tiny == thumbnail_url + '&size=100'
    assert thumbnail_url_large == thumbnail_url + '&size=500'
    for url in (thumbnail_url, thumbnail_url_tiny, thumbnail_url_large):
        response = requests.get(url, timeout=30)
        assert response.status_code == 200
        assert response.headers['Content-Type'].startswith('image/')
        assert response.content.startswith(PNG_SIGNATURE)
