"""The tutorial scenario: connect, look around, create, inspect, delete.

Run it against any ftrack server configured through ``FTRACK_SERVER``,
``FTRACK_API_USER`` and ``FTRACK_API_KEY``, for example an embedded local
server::

    python -m ftrack_local_server run -- python examples/tutorial.py
"""

import sys
import uuid

import ftrack_api
import ftrack_api.inspection


def main():
    """Run the tutorial scenario; return the process exit status."""
    with ftrack_api.Session() as session:
        print('Connected to {0} as {1}.'.format(session.server_url, session.api_user))

        names = sorted(session.types.keys())
        print('{0} entity types, for example: {1}'.format(
            len(names), ', '.join(name for name in names if name in (
                'Project', 'Sequence', 'Shot', 'Task', 'Status', 'User',
            ))
        ))

        project = session.query('Project').first()
        if project is None:
            schema = session.query('ProjectSchema').first()
            name = 'tutorial_{0}'.format(uuid.uuid4().hex[:8])
            print('No project yet: creating {0!r}.'.format(name))
            project = session.create('Project', {
                'name': name, 'full_name': 'Tutorial project',
                'project_schema': schema,
            })
            session.commit()

        print('Projects:')
        for item in session.query('select name, full_name from Project'):
            print('  {0} ({1})'.format(item['name'], item['full_name']))

        users = session.query('select username, first_name, last_name from User')
        print('Users (loaded with projections):')
        for user in users:
            print('  {0}: {1} {2}'.format(
                user['username'], user['first_name'], user['last_name']
            ))

        sequence = session.create('Sequence', {'name': 'Starlord Reveal'})
        sequence['description'] = 'First hero character reveal.'
        sequence['parent'] = project
        print('Created {0}: state {1}.'.format(
            sequence, ftrack_api.inspection.state(sequence)
        ))
        print('Recorded operations before commit:')
        for operation in session.recorded_operations:
            print('  {0!r}'.format(operation))

        session.commit()
        print('Committed: state {0}, parent {1}.'.format(
            ftrack_api.inspection.state(sequence), sequence['parent']
        ))

        found = session.query(
            'select name, description from Sequence where id is "{0}"'.format(
                sequence['id']
            )
        ).one()
        print('Queried back the same instance: {0}; description {1!r}.'.format(
            found is sequence, found['description']
        ))

        session.delete(sequence)
        print('Deleting {0}: state {1}.'.format(
            sequence, ftrack_api.inspection.state(sequence)
        ))
        session.commit()
        gone = session.query(
            'Sequence where id is "{0}"'.format(sequence['id'])
        ).first()
        print('After commit the sequence is {0}.'.format(
            'gone' if gone is None else 'still there'
        ))
        if gone is not None:
            return 1

    print('Session closed: {0}.'.format(session.closed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
