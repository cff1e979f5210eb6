"""Publish versions: an asset on a context, a version linked to a task.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/publishing.py``.
"""

import os
import shutil
import tempfile
import uuid

import ftrack_api
import ftrack_api.accessor.disk
import ftrack_api.structure.standard


def main():
    """Publish two files to the automatic location and one to our own."""
    directory = tempfile.mkdtemp()
    files = []
    for name in ('file.mov', 'another-file.mov'):
        files.append(os.path.join(directory, name))
        with open(files[-1], 'wb') as stream:
            stream.write(b'\0' * 1024)

    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'publish_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Publishing example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        task_type = schema.get_types('Task')[0]
        task = session.create('Task', {
            'name': 'animation', 'parent': shot, 'type': task_type,
            'status': schema.get_statuses('Task', task_type['id'])[0],
        })
        session.commit()

        # The asset lives on the task's parent; the version names the task.
        task = session.get('Task', task['id'])
        asset_parent = task['parent']
        asset_type = session.query('AssetType where name is "Geometry"').one()
        asset = session.create('Asset', {
            'name': 'My asset', 'type': asset_type, 'parent': asset_parent,
        })
        asset_version = session.create('AssetVersion', {
            'asset': asset, 'task': task,
        })
        session.commit()

        # 'auto' adds each component to the accessible location of highest
        # priority (with only the built-in ones: ftrack.unmanaged, which
        # records the path where the file is).
        for path in files:
            asset_version.create_component(path, location='auto')
        session.commit()

        # A studio location: a Location entity plus, in this process, an
        # accessor (where bytes go) and a structure (how paths are made).
        # Usually a plugin configures this when a session starts.
        location = session.query(
            'Location where name is "my-location"'
        ).first() or session.create('Location', {'name': 'my-location'})
        session.commit()
        location.accessor = ftrack_api.accessor.disk.DiskAccessor(
            prefix=os.path.join(directory, 'studio')
        )
        location.structure = ftrack_api.structure.standard.StandardStructure()
        location.priority = 50

        component = asset_version.create_component(
            files[0], data={'name': 'foobar'}, location=location
        )
        session.commit()
        print('Stored at', location.get_filesystem_path(component))
        print('Components:', sorted(
            item['name'] for item in asset_version['components']
        ))
        assert os.path.isfile(location.get_filesystem_path(component))
    shutil.rmtree(directory)


if __name__ == '__main__':
    main()
