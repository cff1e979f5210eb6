"""Create a project with sequences, shots and tasks in one commit.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example ``python -m ftrack_local_server run -- python examples/projects.py``.
"""

import uuid

import ftrack_api


def main():
    """Build a small project tree, commit it once and read it back."""
    with ftrack_api.Session() as session:
        # The schema decides which object types, statuses and task types
        # the project may use; the seeded "VFX Scheme" has all we need.
        project_schema = session.query(
            'ProjectSchema where name is "VFX Scheme"'
        ).one()
        name = 'example_{0}'.format(uuid.uuid4().hex[:8])
        project = session.create('Project', {
            'name': name,
            'full_name': 'Example project',
            'project_schema': project_schema,
        })

        # Pick the first allowed status and type for each object type.
        shot_status = project_schema.get_statuses('Shot')[0]
        task_type = project_schema.get_types('Task')[0]
        task_status = project_schema.get_statuses('Task', task_type['id'])[0]

        for sequence_number in range(1, 3):
            sequence = session.create('Sequence', {
                'name': 'seq_{0:02d}'.format(sequence_number),
                'parent': project,
            })
            for shot_number in range(1, 4):
                shot = session.create('Shot', {
                    'name': '{0:03d}0'.format(shot_number),
                    'parent': sequence,
                    'status': shot_status,
                })
                for task_name in ('layout', 'animation'):
                    session.create('Task', {
                        'name': task_name,
                        'parent': shot,
                        'status': task_status,
                        'type': task_type,
                    })

        # Everything above is sent to the server in this single commit.
        session.commit()

        tasks = session.query(
            'select name, parent.name from Task where project.id is "{0}"'
            .format(project['id'])
        ).all()
        print('Project {0} has {1} tasks.'.format(name, len(tasks)))
        assert len(tasks) == 2 * 3 * 2

        # Clean up: deleting the project deletes everything under it.
        session.delete(project)
        session.commit()


if __name__ == '__main__':
    main()
