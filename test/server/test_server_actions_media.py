"""The encode_media action through raw HTTP (protocol §2.9)."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import uuid
import zlib
from typing import Any, Dict, List, Optional

import requests

SERVER_LOCATION_ID = '3a372bde-05bc-11e4-8908-20c9d081909b'


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack('>I4s', 8 + len(payload), kind) + payload


def make_mp4(width: int, height: int, frames: int, timescale: int, delta: int) -> bytes:
    """Return the headers of an MP4 file with one video track (no media samples needed)."""
    tkhd = box(b'tkhd', b'\x00' * 76 + struct.pack('>II', width << 16, height << 16))
    mdhd = box(b'mdhd', b'\x00' * 12 + struct.pack('>II', timescale, frames * delta) + b'\x00' * 4)
    hdlr = box(b'hdlr', b'\x00' * 8 + b'vide' + b'\x00' * 12 + b'video\x00')
    stts = box(b'stts', b'\x00' * 4 + struct.pack('>III', 1, frames, delta))
    minf = box(b'minf', box(b'stbl', stts))
    trak = box(b'trak', tkhd + box(b'mdia', mdhd + hdlr + minf))
    sound = box(b'trak', box(b'mdia', box(b'hdlr', b'\x00' * 8 + b'soun' + b'\x00' * 12)))
    return box(b'ftyp', b'isom\x00\x00\x02\x00isom') + box(b'mdat', b'\x00' * 64) + box(b'moov', sound + trak)


def make_png(width: int, height: int) -> bytes:
    raw = b''.join(b'\x00' + b'\x10\x20\x30' * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def store(raw_api: Any, data: bytes, name: str, file_type: str, version_id: Optional[str] = None) -> str:
    component_id = str(uuid.uuid4())
    metadata = raw_api.ok([{
        'action': 'get_upload_metadata', 'component_id': component_id,
        'file_name': name + file_type, 'file_size': len(data),
        'checksum': base64.b64encode(hashlib.md5(data).digest()).decode('ascii')}])[0]
    assert requests.put(metadata['url'], data=data, headers=metadata['headers'], timeout=60).status_code == 200
    component: Dict[str, Any] = {'id': component_id, 'name': name, 'file_type': file_type, 'size': len(data)}
    if version_id:
        component['version_id'] = version_id
    raw_api.ok([
        {'action': 'create', 'entity_type': 'FileComponent', 'entity_data': component},
        {'action': 'create', 'entity_type': 'ComponentLocation',
         'entity_data': {'component_id': component_id, 'location_id': SERVER_LOCATION_ID,
                         'resource_identifier': component_id}},
    ])
    return component_id


def download(server: Any, component_id: str) -> requests.Response:
    return requests.get(server.url + '/component/get', params={
        'id': component_id, 'username': server.api_user, 'apiKey': server.api_key}, timeout=60)


def encode(raw_api: Any, component_id: str, version_id: Optional[str] = None,
           keep_original: Any = True) -> Dict[str, Any]:
    result = raw_api.ok([{'action': 'encode_media', 'component_id': component_id,
                          'version_id': version_id, 'keep_original': keep_original}])[0]
    assert list(result) == ['job_id']
    return raw_api.query(
        'select id, type, status, data, user_id, finished_at, job_components.component_id '
        'from Job where id is {0}'.format(result['job_id']))[0]


def outputs(raw_api: Any, job: Dict[str, Any]) -> List[Dict[str, Any]]:
    data = json.loads(job['data'])
    found = []
    for output in data['output']:
        component = raw_api.query(
            'select name, file_type, size, version_id, metadata.key, metadata.value, '
            'component_locations.location_id from FileComponent where id is {0}'.format(
                output['component_id']))[0]
        component['metadata'] = {item['key']: item['value'] for item in component['metadata']}
        component['format'] = output['format']
        found.append(component)
    return found


def make_version(raw_api: Any) -> str:
    project = raw_api.query('select id from Project')
    if project:
        parent_id = project[0]['id']
    else:
        schema = raw_api.query('select id from ProjectSchema')[0]
        parent_id = raw_api.create('Project', {
            'name': 'media_{0}'.format(uuid.uuid4().hex[:8]), 'full_name': 'Media',
            'project_schema_id': schema['id']})['id']
    asset_type = raw_api.query('select id from AssetType')[0]
    asset = raw_api.create('Asset', {'name': 'plate_{0}'.format(uuid.uuid4().hex[:8]),
                                     'context_id': parent_id, 'type_id': asset_type['id']})
    return raw_api.create('AssetVersion', {'asset_id': asset['id']})['id']


def test_encode_video_job_shape(ftrack_server: Any, raw_api: Any) -> None:
    movie = make_mp4(1280, 720, 150, 25000, 1000)
    source_id = store(raw_api, movie, 'main', '.mov')
    job = encode(raw_api, source_id)
    assert job['status'] == 'done'
    assert job['type'] == 'encode_media'
    assert job['finished_at'] is not None
    data = json.loads(job['data'])
    assert list(data) == ['output', 'source_component_id', 'keep_original']
    assert data['source_component_id'] == source_id
    assert data['keep_original'] is True
    assert [output['format'] for output in data['output']] == ['video/mp4', 'image/jpeg']
    assert sorted(item['component_id'] for item in job['job_components']) == sorted(
        output['component_id'] for output in data['output'])

    review, thumbnail = outputs(raw_api, job)
    assert review['name'] == 'ftrackreview-mp4' and review['file_type'] == '.mp4'
    assert thumbnail['name'] == 'thumbnail' and thumbnail['file_type'] == '.jpg'
    for component in (review, thumbnail):
        assert [entry['location_id'] for entry in component['component_locations']] == [SERVER_LOCATION_ID]
        assert component['size'] == len(movie)
        assert component['version_id'] is None
        # No transcoding: the outputs hold the source data unchanged.
        assert download(ftrack_server, component['id']).content == movie
    meta = json.loads(review['metadata']['ftr_meta'])
    assert meta == {'frameIn': 0, 'frameOut': 150, 'frameRate': 25, 'width': 1280, 'height': 720}
    # The original is kept.
    assert download(ftrack_server, source_id).content == movie


def test_encode_image_with_version_and_without_original(ftrack_server: Any, raw_api: Any) -> None:
    version_id = make_version(raw_api)
    image = make_png(64, 32)
    source_id = store(raw_api, image, 'main', '.png')
    job = encode(raw_api, source_id, version_id=version_id, keep_original=False)
    data = json.loads(job['data'])
    assert data['keep_original'] is False
    review, thumbnail = outputs(raw_api, job)
    assert review['name'] == 'ftrackreview-image'
    assert json.loads(review['metadata']['ftr_meta']) == {'format': 'image', 'width': 64, 'height': 32}
    assert review['version_id'] == version_id and thumbnail['version_id'] == version_id
    version = raw_api.query('select thumbnail_id, components.id from AssetVersion where id is {0}'.format(version_id))[0]
    assert version['thumbnail_id'] == thumbnail['id']
    assert sorted(item['id'] for item in version['components']) == sorted([review['id'], thumbnail['id']])
    # The original component is gone, its outputs still have the data.
    assert raw_api.query('select id from Component where id is {0}'.format(source_id)) == []
    assert raw_api.query('select id from ComponentLocation where component_id is {0}'.format(source_id)) == []
    assert download(ftrack_server, review['id']).content == image
    assert download(ftrack_server, source_id).status_code == 404


def test_encode_uses_the_source_ftr_meta(raw_api: Any) -> None:
    source_id = store(raw_api, b'not really a movie', 'main', '.avi')
    meta = {'frameIn': 1001, 'frameOut': 1100, 'frameRate': 24}
    raw_api.create('Metadata', {'parent_id': source_id, 'parent_type': 'FileComponent',
                                'key': 'ftr_meta', 'value': json.dumps(meta)})
    review = outputs(raw_api, encode(raw_api, source_id))[0]
    assert json.loads(review['metadata']['ftr_meta']) == meta


def test_unsupported_media_gives_a_failed_job(ftrack_server: Any, raw_api: Any) -> None:
    source_id = store(raw_api, b'{}', 'data', '.json')
    job = encode(raw_api, source_id, keep_original=False)
    assert job['status'] == 'failed'
    data = json.loads(job['data'])
    assert data['output'] == [] and job['job_components'] == []
    assert source_id in data['error']
    assert download(ftrack_server, source_id).content == b'{}'


def test_encode_media_errors(raw_api: Any) -> None:
    def error(**operation: Any) -> Dict[str, Any]:
        result = raw_api.call([dict(operation, action='encode_media')])
        assert 'exception' in result, result
        return result

    unknown = str(uuid.uuid4())
    result = error(component_id=unknown, version_id=None, keep_original=True)
    assert result['exception'] == 'NotFoundError' and unknown in result['content']

    elsewhere = raw_api.create('FileComponent', {'name': 'main', 'file_type': '.mov'})
    result = error(component_id=elsewhere['id'], version_id=None, keep_original=True)
    assert result['exception'] == 'ValidationError' and 'ftrack.server' in result['content']

    raw_api.create('ComponentLocation', {'component_id': elsewhere['id'],
                                         'location_id': SERVER_LOCATION_ID,
                                         'resource_identifier': elsewhere['id']})
    result = error(component_id=elsewhere['id'], version_id=None, keep_original=True)
    assert result['exception'] == 'ValidationError' and 'no data' in result['content']

    source_id = store(raw_api, make_png(2, 2), 'main', '.png')
    result = error(component_id=source_id, version_id=unknown, keep_original=True)
    assert result['exception'] == 'NotFoundError' and 'AssetVersion' in result['content']
    result = error(component_id=source_id, version_id=None, keep_original='auto')
    assert result['exception'] == 'ValidationError' and '"auto"' in result['content']
    result = error(component_id=None)
    assert result['exception'] == 'ValidationError' and '"component_id"' in result['content']


def test_encode_media_is_undone_by_a_failing_later_operation(ftrack_server: Any, raw_api: Any) -> None:
    image = make_png(4, 4)
    source_id = store(raw_api, image, 'main', '.png')
    before = len(raw_api.query('select id from Job'))
    result = raw_api.call([
        {'action': 'encode_media', 'component_id': source_id, 'version_id': None, 'keep_original': False},
        {'action': 'update', 'entity_type': 'FileComponent', 'entity_key': [str(uuid.uuid4())],
         'entity_data': {'name': 'x'}},
    ])
    assert result['exception'] == 'NotFoundError'
    assert len(raw_api.query('select id from Job')) == before
    assert raw_api.query('select id from FileComponent where name is "ftrackreview-image" and '
                         'size is {0} and id is {1}'.format(len(image), source_id)) == []
    assert download(ftrack_server, source_id).content == image
