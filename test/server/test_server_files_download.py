"""Download, thumbnail, remove and placeholder endpoints through raw HTTP (protocol §6.1, §6.2, §6.5)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import os
import struct
import uuid
import zlib
from typing import Any, Dict, Optional

import pytest
import requests

SERVER_LOCATION_ID = '3a372bde-05bc-11e4-8908-20c9d081909b'

ENDPOINTS = ('/component/get', '/component/thumbnail', '/component/remove')


def make_png(width: int, height: int, colour: bytes = b'\x20\x80\xc0') -> bytes:
    """Return a plain RGB PNG of *width* x *height*, written without any imaging library."""
    raw = b''.join(b'\x00' + colour * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b'\x89PNG\r\n\x1a\n'
            + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def png_size(data: bytes) -> Any:
    assert data.startswith(b'\x89PNG')
    return struct.unpack('>II', data[16:24])


def store(raw_api: Any, data: bytes, name: str = 'image', file_type: str = '.png') -> str:
    """Upload *data* as a new FileComponent in ftrack.server; return its id."""
    component_id = str(uuid.uuid4())
    metadata = raw_api.ok([{
        'action': 'get_upload_metadata', 'component_id': component_id,
        'file_name': name + file_type, 'file_size': len(data),
        'checksum': base64.b64encode(hashlib.md5(data).digest()).decode('ascii')}])[0]
    response = requests.put(metadata['url'], data=data, headers=metadata['headers'], timeout=60)
    assert response.status_code == 200, response.text
    raw_api.ok([
        {'action': 'create', 'entity_type': 'FileComponent',
         'entity_data': {'id': component_id, 'name': name, 'file_type': file_type, 'size': len(data)}},
        {'action': 'create', 'entity_type': 'ComponentLocation',
         'entity_data': {'component_id': component_id, 'location_id': SERVER_LOCATION_ID,
                         'resource_identifier': component_id}},
    ])
    return component_id


def get(server: Any, path: str, component_id: Optional[str], **extra: Any) -> requests.Response:
    params: Dict[str, Any] = {'username': server.api_user, 'apiKey': server.api_key}
    if component_id is not None:
        params['id'] = component_id
    params.update(extra)
    params = {key: value for key, value in params.items() if value is not None}
    return requests.get(server.url + path, params=params, timeout=60)


def test_download_streams_large_data(ftrack_server: Any, raw_api: Any) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    component_id = store(raw_api, data, 'cache', '.abc')
    response = requests.get(
        ftrack_server.url + '/component/get',
        params={'id': component_id, 'username': ftrack_server.api_user, 'apiKey': ftrack_server.api_key},
        stream=True, timeout=60)
    assert response.status_code == 200
    assert int(response.headers['Content-Length']) == len(data)
    received = b''.join(response.iter_content(65536))
    assert received == data


def test_remove_then_download_is_404(ftrack_server: Any, raw_api: Any) -> None:
    component_id = store(raw_api, b'payload', 'file', '.txt')
    assert get(ftrack_server, '/component/get', component_id).content == b'payload'
    removed = get(ftrack_server, '/component/remove', component_id)
    assert removed.status_code == 200
    response = get(ftrack_server, '/component/get', component_id)
    assert response.status_code == 404
    assert component_id in response.text and 'no data' in response.text
    # Removing again succeeds: the component exists, its data is already gone.
    assert get(ftrack_server, '/component/remove', component_id).status_code == 200
    unknown = str(uuid.uuid4())
    assert get(ftrack_server, '/component/remove', unknown).status_code == 404
    response = get(ftrack_server, '/component/get', unknown)
    assert response.status_code == 404 and 'No component' in response.text


def test_removed_blob_file_is_deleted_from_disk(ftrack_server: Any, raw_api: Any) -> None:
    component_id = store(raw_api, b'on disk', 'file', '.txt')
    files = ftrack_server.state.file_server.files
    with ftrack_server.state.store.transaction() as tx:
        path = files.blob_path(files.lookup(tx, component_id).blob)
    assert os.path.exists(path)
    assert get(ftrack_server, '/component/remove', component_id).status_code == 200
    assert not os.path.exists(path)


@pytest.mark.parametrize('path', ENDPOINTS)
def test_bad_credentials_on_every_endpoint(ftrack_server: Any, raw_api: Any, path: str) -> None:
    component_id = store(raw_api, make_png(4, 4))
    wrong_key = get(ftrack_server, path, component_id, apiKey=str(uuid.uuid4()))
    assert wrong_key.status_code == 401
    assert ftrack_server.api_key not in wrong_key.text
    assert 'rejected' in wrong_key.text
    unknown_user = get(ftrack_server, path, component_id, username='nobody-here')
    assert unknown_user.status_code == 401
    no_key = get(ftrack_server, path, component_id, apiKey=None)
    assert no_key.status_code == 401 and '"apiKey"' in no_key.text
    no_user = get(ftrack_server, path, component_id, username=None)
    assert no_user.status_code == 401 and '"username"' in no_user.text
    # Nothing was removed by the refused requests.
    assert get(ftrack_server, '/component/get', component_id).status_code == 200


@pytest.mark.parametrize('path', ENDPOINTS)
def test_missing_id_is_a_bad_request(ftrack_server: Any, path: str) -> None:
    response = get(ftrack_server, path, None)
    assert response.status_code == 400
    assert '"id"' in response.text


def test_thumbnail_without_size_is_the_original(ftrack_server: Any, raw_api: Any) -> None:
    image = make_png(40, 20)
    component_id = store(raw_api, image)
    response = get(ftrack_server, '/component/thumbnail', component_id)
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'image/png'
    assert response.content == image


def test_thumbnail_with_size(ftrack_server: Any, raw_api: Any) -> None:
    image = make_png(400, 200)
    component_id = store(raw_api, image)
    response = get(ftrack_server, '/component/thumbnail', component_id, size=100)
    assert response.status_code == 200
    assert response.headers['Content-Type'].startswith('image/')
    if importlib.util.find_spec('PIL') is None:
        # Without Pillow the original is served (and a warning logged).
        assert response.content == image
    else:
        assert png_size(response.content) == (100, 50)
    small = get(ftrack_server, '/component/thumbnail', component_id, size=1000)
    assert png_size(small.content) == (400, 200)


def test_thumbnail_is_scaled_with_pillow(ftrack_server: Any, raw_api: Any) -> None:
    image_module = pytest.importorskip('PIL.Image')
    buffer = io.BytesIO()
    image_module.new('RGB', (300, 600), (200, 10, 10)).save(buffer, format='JPEG')
    component_id = store(raw_api, buffer.getvalue(), 'photo', '.jpg')
    response = get(ftrack_server, '/component/thumbnail', component_id, size=150)
    assert response.headers['Content-Type'] == 'image/jpeg'
    scaled = image_module.open(io.BytesIO(response.content))
    assert scaled.size == (75, 150)


@pytest.mark.parametrize('size', ['abc', '0', '-3', '100000'])
def test_thumbnail_bad_size(ftrack_server: Any, raw_api: Any, size: str) -> None:
    component_id = store(raw_api, make_png(2, 2))
    response = get(ftrack_server, '/component/thumbnail', component_id, size=size)
    assert response.status_code == 400
    assert repr(size) in response.text


def test_thumbnail_of_non_image_and_missing_data(ftrack_server: Any, raw_api: Any) -> None:
    component_id = store(raw_api, b'plain text', 'notes', '.txt')
    response = get(ftrack_server, '/component/thumbnail', component_id)
    assert response.status_code == 415
    assert 'not an image' in response.text
    empty = raw_api.create('FileComponent', {'name': 'empty', 'file_type': '.png'})
    assert get(ftrack_server, '/component/thumbnail', empty['id']).status_code == 404


def test_thumbnail_url_of_an_entity_serves_its_image(ftrack_server: Any, raw_api: Any) -> None:
    image = make_png(8, 8)
    component_id = store(raw_api, image)
    user = raw_api.query('select id from User where username is "{0}"'.format(ftrack_server.api_user))[0]
    raw_api.ok([{'action': 'update', 'entity_type': 'User', 'entity_key': [user['id']],
                 'entity_data': {'thumbnail_id': component_id}}])
    try:
        url = raw_api.query('select thumbnail_url from User where id is {0}'.format(user['id']))[0]
        response = requests.get(url['thumbnail_url']['url'], params={
            'username': ftrack_server.api_user, 'apiKey': ftrack_server.api_key}, timeout=60)
        assert response.content == image
    finally:
        raw_api.ok([{'action': 'update', 'entity_type': 'User', 'entity_key': [user['id']],
                     'entity_data': {'thumbnail_id': None}}])


def test_placeholder_image(ftrack_server: Any) -> None:
    response = requests.get(ftrack_server.url + '/img/thumbnail2.png', timeout=60)
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'image/png'
    width, height = png_size(response.content)
    assert width > 0 and height > 0


def test_deleting_a_component_drops_its_data(ftrack_server: Any, raw_api: Any) -> None:
    component_id = store(raw_api, b'doomed', 'file', '.txt')
    raw_api.ok([{'action': 'delete', 'entity_type': 'FileComponent', 'entity_key': [component_id]}])
    response = get(ftrack_server, '/component/get', component_id)
    assert response.status_code == 404
    with ftrack_server.state.store.transaction() as tx:
        assert ftrack_server.state.file_server.files.lookup(tx, component_id) is None


def test_sweep_deletes_unreferenced_files(ftrack_server: Any, raw_api: Any) -> None:
    file_server = ftrack_server.state.file_server
    files = file_server.files
    component_id = store(raw_api, b'kept', 'file', '.txt')
    path, handle = files.new_staging_file()
    with handle:
        handle.write(b'orphan')
    # Claimed inside a transaction that records nothing, like a rolled-back batch.
    with ftrack_server.state.store.transaction():
        orphan = files.claim_blob(path)
    orphan_path = files.blob_path(orphan)
    assert os.path.exists(orphan_path)
    file_server.sweep()
    assert not os.path.exists(orphan_path)
    assert get(ftrack_server, '/component/get', component_id).content == b'kept'


def test_data_is_kept_next_to_a_database_file(ftrack_server_factory: Any, tmp_path: Any, make_raw_api: Any) -> None:
    database = str(tmp_path / 'studio.sqlite')
    server = ftrack_server_factory(database=database)
    raw_api = make_raw_api(server)
    component_id = store(raw_api, b'persistent', 'file', '.txt')
    assert os.path.isdir(database + '.files')
    server.restart()
    assert get(server, '/component/get', component_id).content == b'persistent'


def test_username_with_plus_sign_unencoded(ftrack_server_factory: Any, make_raw_api: Any) -> None:
    server = ftrack_server_factory(api_user='jane+review@example.com')
    raw_api = make_raw_api(server)
    component_id = store(raw_api, b'plus', 'file', '.txt')
    # The Python client formats the URL without encoding the username.
    url = '{0}/component/get?id={1}&username={2}&apiKey={3}'.format(
        server.url, component_id, server.api_user, server.api_key)
    response = requests.get(url, timeout=60)
    assert response.status_code == 200
    assert response.content == b'plus'


def test_credentials_in_headers_are_accepted(ftrack_server: Any, raw_api: Any) -> None:
    component_id = store(raw_api, b'by header', 'file', '.txt')
    response = requests.get(
        ftrack_server.url + '/component/get', params={'id': component_id},
        headers={'ftrack-user': ftrack_server.api_user, 'ftrack-api-key': ftrack_server.api_key},
        timeout=60)
    assert response.status_code == 200
    assert response.content == b'by header'
