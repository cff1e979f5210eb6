"""Encode media for the web player and read the job's outputs.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/encode_media.py``.
A real server transcodes in the background; a local server finishes the
job at once and its outputs hold the source data unchanged.
"""

import json
import os
import struct
import tempfile
import time
import uuid
import zlib

import ftrack_api


def write_png(path, size=64):
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


def wait_for(session, job, timeout=300):
    """Poll *job* until it is done or failed; return its status."""
    deadline = time.time() + timeout
    while True:
        # Populate refetches the status instead of reading the cache.
        session.populate(job, 'status, data')
        if job['status'] in ('done', 'failed') or time.time() > deadline:
            return job['status']
        time.sleep(1)


def main():
    """Encode a file, then encode it again for an asset version."""
    directory = tempfile.mkdtemp()
    media = os.path.join(directory, 'render.png')
    write_png(media)
    with ftrack_api.Session() as session:
        job = session.encode_media(media)
        print('Job', job['id'], wait_for(session, job))

        job_data = json.loads(job['data'])
        print('Source component:', job_data['source_component_id'])
        print('Keeping original:', job_data['keep_original'])
        for output in job_data['output']:
            print('Output {0}: {1}'.format(output['component_id'], output['format']))

        # The outputs are in ftrack.server and can be downloaded.
        location = session.query('Location where name is "ftrack.server"').one()
        for job_component in job['job_components']:
            url = location.get_url(job_component['component'])
            print('Download from', url.split('?')[0])

        # On a version, the encoded components are attached to it.
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'encode_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Encode example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        asset = session.create('Asset', {
            'name': 'render', 'parent': shot,
            'type': session.query('AssetType where name is "Image"').one(),
        })
        version = session.create('AssetVersion', {'asset': asset})
        session.commit()
        version_job = version.encode_media(media)
        assert wait_for(session, version_job) == 'done'
        session.populate(version, 'components')
        print('Version components:', sorted(
            component['name'] for component in version['components']
        ))

        # An existing component is encoded once it is in ftrack.server.
        unmanaged = session.query('Location where name is "ftrack.unmanaged"').one()
        component = session.create_component(media, location=unmanaged)
        session.commit()
        location.add_component(component)
        session.commit()
        assert wait_for(session, session.encode_media(component)) == 'done'
    os.remove(media)
    os.rmdir(directory)


if __name__ == '__main__':
    main()
