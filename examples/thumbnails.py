"""Thumbnails: set them from a file or a component, and get their URLs.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/thumbnails.py``.
"""

import os
import struct
import tempfile
import uuid
import zlib

import ftrack_api
import ftrack_api.symbol


def write_png(path, size=32):
    """Write a grey *size* x *size* PNG image to *path*."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack(
            '>I', zlib.crc32(body) & 0xFFFFFFFF
        )
    rows = b''.join(b'\x00' + b'\x80' * size for _ in range(size))
    with open(path, 'wb') as stream:
        stream.write(b'\x89PNG\r\n\x1a\n')
        stream.write(chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 0, 0, 0, 0)))
        stream.write(chunk(b'IDAT', zlib.compress(rows)))
        stream.write(chunk(b'IEND', b''))


def main():
    """Give a task, a version and its asset's parent a thumbnail."""
    directory = tempfile.mkdtemp()
    image = os.path.join(directory, 'frame.png')
    write_png(image)
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'thumbs_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Thumbnails example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        task_type = schema.get_types('Task')[0]
        task = session.create('Task', {
            'name': 'comp', 'parent': shot, 'type': task_type,
            'status': schema.get_statuses('Task', task_type['id'])[0],
        })
        asset = session.create('Asset', {
            'name': 'plate', 'parent': shot,
            'type': session.query('AssetType where name is "Image"').one(),
        })
        asset_version = session.create('AssetVersion', {'asset': asset})
        session.commit()

        # The helper uploads the image to ftrack.server and links it.
        thumbnail_component = task.create_thumbnail(image)

        # Or set the relation to a component in ftrack.server yourself.
        server_location = session.query(
            'Location where name is "ftrack.server"'
        ).one()
        component = session.create_component(
            image, dict(name='thumbnail'), location=server_location
        )
        asset_version['thumbnail'] = component
        session.commit()

        # Reuse the version's thumbnail for the shot.
        asset_parent = asset_version['asset']['parent']
        asset_parent['thumbnail_id'] = asset_version['thumbnail_id']
        session.commit()
        assert shot['thumbnail_id'] == component['id']

        location = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
        for size in (None, 100, 500):
            url = location.get_thumbnail_url(thumbnail_component, size=size)
            print('Thumbnail size {0}: {1}'.format(size, url.split('?')[0]))
    os.remove(image)
    os.rmdir(directory)


if __name__ == '__main__':
    main()
