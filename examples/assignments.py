"""Allocations (a project's team) and assignments (who works on a task).

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/assignments.py``.
"""

import uuid

import ftrack_api


def main():
    """Allocate a group to a project, assign a user, list both ways."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'team_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Assignments example', 'project_schema': schema,
        })
        task_type = schema.get_types('Task')[0]
        task = session.create('Task', {
            'name': 'layout', 'parent': project, 'type': task_type,
            'status': schema.get_statuses('Task', task_type['id'])[0],
        })
        current_user = session.query(
            'User where username is "{0}"'.format(session.api_user)
        ).one()
        artist = session.create('User', {
            'username': 'artist_{0}'.format(uuid.uuid4().hex[:8]),
            'first_name': 'Ada', 'last_name': 'Artist',
        })
        group = session.query('Group where name is "Animation"').one()
        session.create('Membership', {'group': group, 'user': artist})

        # Both are Appointments; "type" tells which.
        session.create('Appointment', {
            'context': project, 'resource': group, 'type': 'allocation',
        })
        session.create('Appointment', {
            'context': task, 'resource': current_user, 'type': 'assignment',
        })
        session.commit()

        # The project team: allocated users, and the members of groups.
        team = set()
        for allocation in project['allocations']:
            resource = allocation['resource']
            if isinstance(resource, session.types['Group']):
                for membership in resource['memberships']:
                    team.add(membership['user']['username'])
            else:
                team.add(resource['username'])
        print('Team:', sorted(team))
        assert artist['username'] in team

        users = session.query(
            'select first_name, last_name from User '
            'where assignments any (context_id = "{0}")'.format(task['id'])
        ).all()
        assert users == [current_user]

        for assigned in session.query(
            'select link from Task where assignments any '
            '(resource.username = "{0}") and project_id is "{1}"'
            .format(session.api_user, project['id'])
        ):
            print(' / '.join(item['name'] for item in assigned['link']))


if __name__ == '__main__':
    main()
