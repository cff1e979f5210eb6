"""Scopes: free tags on entities, usable in queries.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example ``python -m ftrack_local_server run -- python examples/scopes.py``.
"""

import uuid

import ftrack_api


def main():
    """Tag a task with a scope, query by it and untag it."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'scopes_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Scopes example', 'project_schema': schema,
        })
        task_type = schema.get_types('Task')[0]
        task = session.create('Task', {
            'name': 'tracking', 'parent': project, 'type': task_type,
            'status': schema.get_statuses('Task', task_type['id'])[0],
        })
        name = 'London {0}'.format(uuid.uuid4().hex[:6])
        scope = session.create('Scope', {'name': name})
        session.commit()

        # Add the scope, or remove it when it is there already.
        if scope in task['scopes']:
            task['scopes'].remove(scope)
        else:
            task['scopes'].append(scope)
        session.commit()

        tasks = session.query(
            'Task where scopes.name is "{0}"'.format(name)
        ).all()
        print('Tasks in {0}: {1}'.format(name, [item['name'] for item in tasks]))
        assert tasks == [task]

        task['scopes'].remove(scope)
        session.commit()


if __name__ == '__main__':
    main()
