"""Encoding media and publishing for web review against a real LocalServer.

The local server does not transcode: its encoding jobs finish at once with
outputs holding the source data (see ``ftrack_local_server.actions.media``),
which is enough to check what the client sends and reads back.
"""

from __future__ import annotations

import json

import pytest
import requests

import ftrack_api
import ftrack_api.symbol
from ftrack_local_server.testing import connect, create_project


@pytest.fixture
def media(tmp_path):
    path = tmp_path / 'clip.mp4'
    path.write_bytes(b'\x00\x00\x00\x18ftypmp42' + b'\x00' * 64)
    return str(path)


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'still.jpg'
    path.write_bytes(b'\xff\xd8\xff\xe0' + b'\x00' * 32 + b'\xff\xd9')
    return str(path)


@pytest.fixture
def version(ftrack_session):
    session = ftrack_session
    project = create_project(session, 'encode', commit=False)
    asset = session.create('Asset', {
        'name': 'review', 'parent': project,
        'type': session.query('AssetType where name is "Upload"').one(),
    })
    version = session.create('AssetVersion', {'asset': asset})
    session.commit()
    return version


def _other_session(session):
    return connect(session, plugin_paths=[])


def test_encode_media_from_a_path(ftrack_session, media):
    session = ftrack_session
    job = session.encode_media(media)
    assert job.entity_type == 'Job'

    job_data = json.loads(job['data'])
    assert job_data['keep_original'] is False
    outputs = job_data['output']
    assert sorted(output['format'] for output in outputs) == ['image/jpeg', 'video/mp4']

    # The source was uploaded and, not being kept, deleted once encoded.
    other = _other_session(session)
    try:
        assert other.get('FileComponent', job_data['source_component_id']) is None
    finally:
        other.close()

    location = session.query('Location where name is "ftrack.server"').one()
    job_components = list(job['job_components'])
    assert sorted(item['component_id'] for item in job_components) == sorted(
        output['component_id'] for output in outputs)
    for job_component in job_components:
        response = requests.get(location.get_url(job_component), timeout=30)
        assert response.status_code == 200


def test_encode_media_keeping_the_original(ftrack_session, media):
    session = ftrack_session
    job = session.encode_media(media, keep_original=True)
    job_data = json.loads(job['data'])
    assert job_data['keep_original'] is True
    source = session.get('FileComponent', job_data['source_component_id'])
    assert source is not None
    server = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
    assert server.get_component_availability(source) == 100.0


def test_encode_media_of_an_existing_component(ftrack_session, media):
    session = ftrack_session
    server_location = session.query('Location where name is "ftrack.server"').one()
    component = session.create_component(media, location=server_location)
    job = session.encode_media(component)
    job_data = json.loads(job['data'])
    assert job_data['source_component_id'] == component['id']
    assert job_data['keep_original'] is True


def test_encode_media_of_a_component_in_another_location(ftrack_session, media):
    session = ftrack_session
    component = session.create_component(media)
    unmanaged = session.get('Location', ftrack_api.symbol.UNMANAGED_LOCATION_ID)
    assert unmanaged.get_component_availability(component) == 100.0

    location = session.query('Location where name is "ftrack.server"').one()
    location.add_component(component)
    session.commit()
    job = session.encode_media(component)
    assert json.loads(job['data'])['source_component_id'] == component['id']
    assert requests.get(location.get_url(component), timeout=30).content == open(
        media, 'rb').read()


def test_version_encode_media_associates_outputs(ftrack_session, version, media):
    session = ftrack_session
    job = version.encode_media(media)
    outputs = json.loads(job['data'])['output']
    other = _other_session(session)
    try:
        for output in outputs:
            component = other.query(
                'select version_id from Component where id is "{0}"'.format(
                    output['component_id'])
            ).one()
            assert component['version_id'] == version['id']
        thumbnail_ids = [
            output['component_id'] for output in outputs
            if output['format'] == 'image/jpeg'
        ]
        remote_version = other.query(
            'select thumbnail_id from AssetVersion where id is "{0}"'.format(version['id'])
        ).one()
        assert remote_version['thumbnail_id'] in thumbnail_ids
    finally:
        other.close()


def test_session_encode_media_with_version_id(ftrack_session, version, image):
    session = ftrack_session
    job = session.encode_media(image, version_id=version['id'])
    outputs = json.loads(job['data'])['output']
    assert outputs
    names = sorted(component['name'] for component in session.query(
        'select name from Component where version_id is "{0}"'.format(version['id'])))
    assert 'ftrackreview-image' in names


def test_publishing_video_for_web_review(ftrack_session, version, media):
    session = ftrack_session
    server_location = session.query('Location where name is "ftrack.server"').one()
    component = version.create_component(
        path=media,
        data={'name': 'ftrackreview-mp4'},
        location=server_location,
    )
    component['metadata']['ftr_meta'] = json.dumps({
        'frameIn': 0, 'frameOut': 150, 'frameRate': 25,
    })
    component.session.commit()

    other = _other_session(session)
    try:
        remote = other.get('FileComponent', component['id'])
        assert remote['name'] == 'ftrackreview-mp4'
        assert remote['version']['id'] == version['id']
        assert json.loads(remote['metadata']['ftr_meta']) == {
            'frameIn': 0, 'frameOut': 150, 'frameRate': 25,
        }
        location = other.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
        assert location.get_component_availability(remote) == 100.0
    finally:
        other.close()


def test_publishing_image_for_web_review(ftrack_session, version, image):
    session = ftrack_session
    server_location = session.query('Location where name is "ftrack.server"').one()
    component = version.create_component(
        path=image, data={'name': 'ftrackreview-image'}, location=server_location,
    )
    component['metadata']['ftr_meta'] = json.dumps({'format': 'image'})
    component.session.commit()
    assert json.loads(
        session.query('select metadata from FileComponent where id is "{0}"'.format(
            component['id'])).one()['metadata']['ftr_meta']
    ) == {'format': 'image'}


def test_review_names_go_to_the_review_location_automatically(ftrack_session, version, media):
    session = ftrack_session
    component = version.create_component(
        media, data={'name': 'ftrackreview-webm'}, location='auto'
    )
    review = session.get('Location', ftrack_api.symbol.REVIEW_LOCATION_ID)
    assert review.get_resource_identifier(component) == media
    assert session.get_component_availability(component)[review['id']] == 100.0


def test_review_session_with_published_media(ftrack_session, version, media):
    """The web review guide's intent, with the entities the schema has."""
    session = ftrack_session
    server_location = session.query('Location where name is "ftrack.server"').one()
    component = version.create_component(
        media, data={'name': 'ftrackreview-mp4'}, location=server_location
    )
    component['metadata']['ftr_meta'] = json.dumps(
        {'frameIn': 0, 'frameOut': 10, 'frameRate': 24})
    project = version['asset']['parent']
    review_session = session.create('ReviewSession', {
        'name': 'Dailies Review', 'description': 'Weekly dailies review session',
        'project': project,
    })
    session.create('ReviewSessionObject', {
        'name': 'Scene_001_v001', 'description': 'First version of Scene 001',
        'version': 'Version 1', 'review_session': review_session,
        'asset_version': version,
    })
    session.commit()
    objects = session.query(
        'select asset_version.components.name from ReviewSessionObject where '
        'review_session_id is "{0}"'.format(review_session['id'])
    ).all()
    assert [
        sorted(item['name'] for item in review_object['asset_version']['components'])
        for review_object in objects
    ] == [['ftrackreview-mp4']]
