"""Publish already-encoded media for web review and share it.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/web_review.py``.
"""

import json
import os
import shutil
import tempfile
import uuid

import ftrack_api


def main():
    """Add review components to a version and put it in a review session."""
    directory = tempfile.mkdtemp()
    movie = os.path.join(directory, 'shot_010_v001.mp4')
    still = os.path.join(directory, 'shot_010_v001.jpg')
    for path in (movie, still):
        with open(path, 'wb') as stream:
            stream.write(b'\0' * 2048)

    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'webreview_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Web review example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        task_type = schema.get_types('Task')[0]
        task = session.create('Task', {
            'name': 'compositing', 'parent': shot, 'type': task_type,
            'status': schema.get_statuses('Task', task_type['id'])[0],
        })
        asset = session.create('Asset', {
            'name': 'comp', 'parent': shot,
            'type': session.query('AssetType where name is "Comp"').one(),
        })
        version = session.create('AssetVersion', {
            'asset': asset, 'task': task, 'comment': 'For review',
        })
        session.commit()

        server_location = session.query(
            'Location where name is "ftrack.server"'
        ).one()
        # The player looks for these component names, and needs ftr_meta:
        # frame range and rate for video, format for images.
        video = version.create_component(
            movie, data={'name': 'ftrackreview-mp4'}, location=server_location
        )
        video['metadata']['ftr_meta'] = json.dumps({
            'frameIn': 0, 'frameOut': 150, 'frameRate': 25,
        })
        image = version.create_component(
            still, data={'name': 'ftrackreview-image'}, location=server_location
        )
        image['metadata']['ftr_meta'] = json.dumps({'format': 'image'})
        session.commit()

        # Share the version with a client through a review session.
        review_session = session.create('ReviewSession', {
            'name': 'Dailies Review',
            'description': 'Weekly dailies review session',
            'project': project,
        })
        session.create('ReviewSessionObject', {
            'name': 'shot_010_v001',
            'version': 'v001',
            'review_session': review_session,
            'asset_version': version,
        })
        session.create('ReviewSessionInvitee', {
            'name': 'Client', 'email': 'client@example.com',
            'review_session': review_session,
        })
        session.commit()

        for component in version['components']:
            print(component['name'], component['metadata']['ftr_meta'])
        print('In review:', [item['name'] for item in
                             review_session['review_session_objects']])
        assert {'ftrackreview-mp4', 'ftrackreview-image'} <= {
            component['name'] for component in version['components']
        }
    shutil.rmtree(directory)


if __name__ == '__main__':
    main()
