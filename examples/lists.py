"""Lists: collections of versions or of tasks, outside the hierarchy.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example ``python -m ftrack_local_server run -- python examples/lists.py``.
"""

import uuid

import ftrack_api


def main():
    """Fill a version list and a task list, then take an item out."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'lists_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Lists example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        task_type = schema.get_types('Task')[0]
        task = session.create('Task', {
            'name': 'animation', 'parent': shot, 'type': task_type,
            'status': schema.get_statuses('Task', task_type['id'])[0],
        })
        asset = session.create('Asset', {
            'name': 'hero', 'parent': shot,
            'type': session.query('AssetType where name is "Animation"').one(),
        })
        version = session.create('AssetVersion', {'asset': asset, 'task': task})
        user = session.query(
            'User where username is "{0}"'.format(session.api_user)
        ).one()
        category = session.query('ListCategory where name is "Dailies"').one()

        # A name makes the list easy to find in the web interface.
        version_list = session.create('AssetVersionList', {
            'name': 'Dailies', 'owner': user, 'project': project,
            'category': category,
        })
        task_list = session.create('TypedContextList', {
            'name': 'To deliver', 'owner': user, 'project': project,
            'category': category,
        })
        version_list['items'].append(version)
        task_list['items'].append(task)
        session.commit()
        print('Version list:', len(version_list['items']), 'item(s)')

        task_list['items'].remove(task)
        session.commit()
        assert len(task_list['items']) == 0


if __name__ == '__main__':
    main()
