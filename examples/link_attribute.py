"""The ``link`` attribute: the path from the project down to an entity.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/link_attribute.py``.
"""

import uuid

import arrow

import ftrack_api


def main():
    """Show the link of a task, of a version and of timelogs' contexts."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'link_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Link example', 'project_schema': schema,
        })
        sequence = session.create('Sequence', {'name': 'sq01', 'parent': project})
        shot = session.create('Shot', {'name': 'sh010', 'parent': sequence})
        task_type = schema.get_types('Task')[0]
        task = session.create('Task', {
            'name': 'lighting', 'parent': shot, 'type': task_type,
            'status': schema.get_statuses('Task', task_type['id'])[0],
        })
        user = session.query(
            'User where username is "{0}"'.format(session.api_user)
        ).one()
        session.create('Timelog', {
            'user': user, 'context': task, 'start': arrow.utcnow(),
            'duration': 3600,
        })
        asset = session.create('Asset', {
            'name': 'lightrig', 'parent': shot,
            'type': session.query('AssetType where name is "Geometry"').one(),
        })
        version = session.create('AssetVersion', {'asset': asset, 'task': task})
        session.commit()

        # Each item has the id, name and type of one ancestor; the last
        # item is the entity itself.
        loaded = session.query(
            'select link from Task where id is "{0}"'.format(task['id'])
        ).one()
        print(' / '.join(item['name'] for item in loaded['link']))
        entities = [session.get(item['type'], item['id']) for item in loaded['link']]
        assert entities[-1] is task and entities[0] is project

        for timelog in session.query(
            'select context.link, start, duration from Timelog '
            'where user.username is "{0}" and context_id is "{1}"'
            .format(session.api_user, task['id'])
        ):
            print([item['name'] for item in timelog['context']['link']],
                  timelog['duration'])

        for asset_version in session.query(
            'select link from AssetVersion where id is "{0}"'.format(
                version['id']
            )
        ):
            print([item['name'] for item in asset_version['link']])


if __name__ == '__main__':
    main()
