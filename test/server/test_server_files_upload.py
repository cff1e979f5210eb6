"""Uploads to the ftrack.server location through raw HTTP (protocol §6.3, §6.4, B.3)."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from typing import Any, Dict, List

import pytest
import requests

SERVER_LOCATION_ID = '3a372bde-05bc-11e4-8908-20c9d081909b'


def checksum(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode('ascii')


def credentials(server: Any) -> Dict[str, str]:
    return {'username': server.api_user, 'apiKey': server.api_key}


def download(server: Any, component_id: str) -> requests.Response:
    params = dict(credentials(server), id=component_id)
    return requests.get(server.url + '/component/get', params=params, timeout=60)


def register(raw_api: Any, component_id: str, name: str, file_type: str, size: int) -> List[Any]:
    """Commit the FileComponent and its ComponentLocation as the Python client does (B.3 step 4)."""
    location_entry_id = str(uuid.uuid4())
    return raw_api.ok([
        {'action': 'create', 'entity_type': 'FileComponent', 'entity_key': [component_id],
         'entity_data': {'__entity_type__': 'FileComponent', 'id': component_id,
                         'name': name, 'file_type': file_type, 'size': size}},
        {'action': 'create', 'entity_type': 'ComponentLocation', 'entity_key': [location_entry_id],
         'entity_data': {'__entity_type__': 'ComponentLocation', 'id': location_entry_id,
                         'resource_identifier': component_id,
                         'component': {'__entity_type__': 'FileComponent', 'id': component_id},
                         'location': {'__entity_type__': 'Location', 'id': SERVER_LOCATION_ID}}},
    ])


def upload_metadata(raw_api: Any, **operation: Any) -> Dict[str, Any]:
    operation['action'] = 'get_upload_metadata'
    return raw_api.ok([operation])[0]


def test_python_client_upload_trace(ftrack_server: Any, raw_api: Any) -> None:
    body = b'{"foo":"bar"}'
    component_id = str(uuid.uuid4())
    existing = raw_api.query(
        'select component_id, resource_identifier from ComponentLocation where location_id '
        'is {0} and component_id in ({1}) offset 0 limit 500'.format(SERVER_LOCATION_ID, component_id))
    assert existing == []

    metadata = upload_metadata(raw_api, component_id=component_id, file_name='data.json',
                               file_size=len(body), checksum=checksum(body))
    assert list(metadata) == ['url', 'headers', 'component_id']
    assert metadata['component_id'] == component_id
    assert metadata['headers'] == {'Content-Length': '13', 'Content-Type': 'application/json',
                                   'Content-MD5': 'm7WPJhkuS6APAeLnsTa72A=='}
    assert metadata['url'].startswith(ftrack_server.url + '/')
    assert ftrack_server.api_key not in metadata['url']

    put = requests.put(metadata['url'], data=body, headers=metadata['headers'], timeout=60)
    assert put.status_code == 200, put.text

    results = register(raw_api, component_id, 'data', '.json', len(body))
    assert results[0]['data']['system_type'] == 'file'
    assert results[1]['data']['resource_identifier'] == component_id

    response = download(ftrack_server, component_id)
    assert response.status_code == 200
    assert response.content == body
    assert response.headers['Content-Type'].startswith('application/json')
    assert 'data.json' in response.headers['Content-Disposition']

    located = raw_api.query(
        'select url from ComponentLocation where component_id is {0}'.format(component_id))
    assert located[0]['url']['url'] == '{0}/component/get?id={1}'.format(ftrack_server.url, component_id)


def test_upload_without_checksum_and_binary_data(ftrack_server: Any, raw_api: Any) -> None:
    body = bytes(range(256)) * 4097
    component_id = str(uuid.uuid4())
    metadata = upload_metadata(raw_api, component_id=component_id, file_name='plate.exr',
                               file_size=len(body), checksum=None)
    assert 'Content-MD5' not in metadata['headers']
    assert metadata['headers']['Content-Type'] == 'image/x-exr'
    assert requests.put(metadata['url'], data=body, headers=metadata['headers'], timeout=60).status_code == 200
    register(raw_api, component_id, 'plate', '.exr', len(body))
    assert download(ftrack_server, component_id).content == body


def test_metadata_of_an_existing_component_comes_from_the_component(raw_api: Any) -> None:
    component = raw_api.create('FileComponent', {'name': 'review', 'file_type': '.mov', 'size': 42})
    metadata = upload_metadata(raw_api, component_id=component['id'])
    assert metadata['headers']['Content-Length'] == '42'
    assert metadata['headers']['Content-Type'] == 'video/quicktime'


def test_checksum_mismatch_is_refused_and_keeps_earlier_data(ftrack_server: Any, raw_api: Any) -> None:
    component_id = str(uuid.uuid4())
    first = b'first version'
    metadata = upload_metadata(raw_api, component_id=component_id, file_name='notes.txt',
                               file_size=len(first), checksum=checksum(first))
    assert requests.put(metadata['url'], data=first, headers=metadata['headers'], timeout=60).status_code == 200
    register(raw_api, component_id, 'notes', '.txt', len(first))

    other = b'other version'
    metadata = upload_metadata(raw_api, component_id=component_id, file_name='notes.txt',
                               file_size=len(other), checksum=checksum(b'something else'))
    response = requests.put(metadata['url'], data=other, headers=metadata['headers'], timeout=60)
    assert response.status_code == 400
    assert 'Content-MD5 mismatch' in response.text
    assert checksum(other) in response.text
    assert download(ftrack_server, component_id).content == first

    # The header alone is checked too (a client may send its own).
    metadata = upload_metadata(raw_api, component_id=component_id, file_name='notes.txt',
                               file_size=len(other), checksum=None)
    headers = dict(metadata['headers'], **{'Content-MD5': checksum(b'not it')})
    response = requests.put(metadata['url'], data=other, headers=headers, timeout=60)
    assert response.status_code == 400
    assert 'Content-MD5 mismatch' in response.text

    headers = dict(metadata['headers'], **{'Content-MD5': 'not base64!'})
    response = requests.put(metadata['url'], data=other, headers=headers, timeout=60)
    assert response.status_code == 400
    assert "'not base64!'" in response.text
    assert download(ftrack_server, component_id).content == first


def test_size_mismatch_is_refused(raw_api: Any) -> None:
    component_id = str(uuid.uuid4())
    metadata = upload_metadata(raw_api, component_id=component_id, file_name='a.bin',
                               file_size=10, checksum=None)
    response = requests.put(metadata['url'], data=b'12345', timeout=60)
    assert response.status_code == 400
    assert 'has 5 bytes' in response.text and 'file_size 10' in response.text


def test_unknown_and_expired_upload_urls(ftrack_server: Any, raw_api: Any) -> None:
    response = requests.put(ftrack_server.url + '/file-upload/not-a-token', data=b'x', timeout=60)
    assert response.status_code == 404
    assert 'get_upload_metadata' in response.text

    component_id = str(uuid.uuid4())
    metadata = upload_metadata(raw_api, component_id=component_id, file_name='a.bin',
                               file_size=1, checksum=None)
    token = metadata['url'].rsplit('/', 1)[-1]
    with ftrack_server.state.store.transaction() as tx:
        tx.execute('UPDATE _ls_upload SET expires_at = ? WHERE token = ?', (time.time() - 1, token))
    response = requests.put(metadata['url'], data=b'x', timeout=60)
    assert response.status_code == 403
    assert 'expired' in response.text and component_id in response.text


@pytest.mark.parametrize('operation, message', [
    ({}, '"component_id"'),
    ({'component_id': 'c0ffee00-0000-0000-0000-000000000001'}, '"file_name"'),
    ({'component_id': 'c0ffee00-0000-0000-0000-000000000001', 'file_name': 'a.bin'}, '"file_size"'),
    ({'component_id': 'c0ffee00-0000-0000-0000-000000000001', 'file_name': 'a.bin',
      'file_size': -1}, '-1'),
    ({'component_id': 'c0ffee00-0000-0000-0000-000000000001', 'file_name': 'a.bin',
      'file_size': 1, 'checksum': 'abc'}, '"abc"'),
    ({'component_id': 'c0ffee00-0000-0000-0000-000000000001', 'file_name': 'a.bin',
      'file_size': 1, 'parts': 0}, '"parts"'),
])
def test_get_upload_metadata_validation(raw_api: Any, operation: Dict[str, Any], message: str) -> None:
    result = raw_api.call([dict(operation, action='get_upload_metadata')])
    assert result['exception'] == 'ValidationError'
    assert message in result['content']


def test_get_upload_metadata_refuses_a_container(raw_api: Any) -> None:
    sequence = raw_api.create('SequenceComponent', {'name': 'frames', 'padding': 4})
    result = raw_api.call([{'action': 'get_upload_metadata', 'component_id': sequence['id']}])
    assert result['exception'] == 'ValidationError'
    assert 'SequenceComponent' in result['content']


def test_failed_batch_hands_out_no_usable_url(private_api: Any) -> None:
    # A fresh server, so this is the first upload batch its database sees.
    component_id = str(uuid.uuid4())
    result = private_api.call([
        {'action': 'get_upload_metadata', 'component_id': component_id, 'file_name': 'a.bin',
         'file_size': 1, 'checksum': None},
        {'action': 'create', 'entity_type': 'NoSuchType', 'entity_data': {}},
    ])
    assert 'exception' in result
    # The URL was never committed; a fresh batch gives a working one.
    metadata = upload_metadata(private_api, component_id=component_id, file_name='a.bin',
                               file_size=1, checksum=None)
    assert requests.put(metadata['url'], data=b'x', timeout=60).status_code == 200


# -- multipart ----------------------------------------------------------------------


def put_parts(metadata: Dict[str, Any], parts: List[bytes]) -> List[Dict[str, Any]]:
    e_tags = []
    for entry, data in zip(metadata['urls'], parts):
        response = requests.put(entry['signed_url'], data=data, timeout=60)
        assert response.status_code == 200, response.text
        assert response.headers['Access-Control-Expose-Headers'] == 'ETag'
        e_tags.append({'part_number': entry['part_number'],
                       'e_tag': response.headers['ETag'].strip('"')})
    return e_tags


def test_multipart_upload(ftrack_server: Any, raw_api: Any) -> None:
    parts = [b'a' * 1000, b'b' * 1000, b'tail']
    body = b''.join(parts)
    component = raw_api.create('FileComponent', {'name': 'movie', 'file_type': '.mp4', 'size': len(body)})
    metadata = upload_metadata(raw_api, component_id=component['id'], file_name='movie.mp4',
                               file_size=len(body), parts=3)
    assert set(metadata) == {'urls', 'upload_id', 'component_id'}
    assert [entry['part_number'] for entry in metadata['urls']] == [1, 2, 3]
    # Parts may arrive in any order.
    e_tags = list(reversed(put_parts(
        {'urls': list(reversed(metadata['urls']))}, list(reversed(parts)))))
    assert e_tags[0]['e_tag'] == hashlib.md5(parts[0]).hexdigest()
    assert download(ftrack_server, component['id']).status_code == 404

    result = raw_api.ok([{'action': 'complete_multipart_upload', 'upload_id': metadata['upload_id'],
                          'component_id': component['id'], 'parts': e_tags}])[0]
    assert result == {'action': 'complete_multipart_upload', 'component_id': component['id'],
                      'url': '{0}/component/get?id={1}'.format(ftrack_server.url, component['id'])}
    response = download(ftrack_server, component['id'])
    assert response.status_code == 200
    assert response.content == body
    assert response.headers['Content-Type'] == 'video/mp4'

    again = raw_api.call([{'action': 'complete_multipart_upload', 'upload_id': metadata['upload_id'],
                           'component_id': component['id'], 'parts': e_tags}])
    assert again['exception'] == 'NotFoundError'
    assert metadata['upload_id'] in again['content']


def test_one_part_is_a_single_put(raw_api: Any) -> None:
    metadata = upload_metadata(raw_api, component_id=str(uuid.uuid4()), file_name='a.bin',
                               file_size=1, parts=1)
    assert 'url' in metadata and 'urls' not in metadata


def test_multipart_errors(ftrack_server: Any, raw_api: Any) -> None:
    component_id = str(uuid.uuid4())
    parts = [b'one', b'two']
    metadata = upload_metadata(raw_api, component_id=component_id, file_name='a.bin',
                               file_size=6, parts=2)
    single = requests.put(metadata['urls'][0]['signed_url'].rsplit('/parts/', 1)[0], data=b'x', timeout=60)
    assert single.status_code == 400 and 'parts' in single.text
    out_of_range = requests.put(metadata['urls'][0]['signed_url'][:-1] + '3', data=b'x', timeout=60)
    assert out_of_range.status_code == 400 and '1 to 2' in out_of_range.text

    first = put_parts({'urls': metadata['urls'][:1]}, parts[:1])

    def complete(listed: Any, **extra: Any) -> Dict[str, Any]:
        operation = {'action': 'complete_multipart_upload', 'upload_id': metadata['upload_id'],
                     'component_id': component_id, 'parts': listed}
        operation.update(extra)
        return raw_api.call([operation])

    missing = complete(first + [{'part_number': 2, 'e_tag': 'abc'}])
    assert missing['exception'] == 'ValidationError' and 'part 2' in missing['content']
    assert 'never uploaded' in missing['content']

    both = first + put_parts({'urls': metadata['urls'][1:]}, parts[1:])
    wrong_tag = complete([both[0], dict(both[1], e_tag='0' * 32)])
    assert wrong_tag['exception'] == 'ValidationError' and '0' * 32 in wrong_tag['content']

    unordered = complete(list(reversed(both)))
    assert unordered['exception'] == 'ValidationError' and 'ascending' in unordered['content']

    incomplete = complete(both[:1])
    assert incomplete['exception'] == 'ValidationError' and '[2]' in incomplete['content']

    other = complete(both, component_id=str(uuid.uuid4()))
    assert other['exception'] == 'ValidationError' and component_id in other['content']

    unknown = complete(both, upload_id='nope')
    assert unknown['exception'] == 'NotFoundError'

    # A failing later operation leaves the upload open and the data invisible.
    failed = raw_api.call([
        {'action': 'complete_multipart_upload', 'upload_id': metadata['upload_id'],
         'component_id': component_id, 'parts': both},
        {'action': 'delete', 'entity_type': 'FileComponent', 'entity_key': [str(uuid.uuid4())]},
    ])
    assert failed['exception'] == 'NotFoundError'
    raw_api.create('FileComponent', {'id': component_id, 'name': 'a', 'file_type': '.bin'})
    assert download(ftrack_server, component_id).status_code == 404

    assert 'exception' not in complete(both)[0]
    assert download(ftrack_server, component_id).content == b'onetwo'


def test_browser_preflight_of_an_upload_url(ftrack_server: Any, raw_api: Any) -> None:
    metadata = upload_metadata(raw_api, component_id=str(uuid.uuid4()), file_name='a.bin',
                               file_size=1, checksum=None)
    response = requests.options(metadata['url'], headers={
        'Origin': 'http://example.test', 'Access-Control-Request-Method': 'PUT'}, timeout=60)
    assert response.status_code == 200
    assert 'PUT' in response.headers['Access-Control-Allow-Methods']
