"""Give users security roles, on all projects or on some.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/security_roles.py``.
"""

import uuid

import ftrack_api


def main():
    """Grant roles to a new user and describe them."""
    with ftrack_api.Session() as session:
        roles = session.query(
            'select name from SecurityRole where type is "PROJECT"'
        ).all()
        print('Project roles:', sorted(role['name'] for role in roles))

        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        suffix = uuid.uuid4().hex[:8]
        projects = [
            session.create('Project', {
                'name': 'roles_{0}_{1}'.format(index, suffix),
                'full_name': 'Roles example {0}'.format(index),
                'project_schema': schema,
            })
            for index in (1, 2)
        ]
        user = session.create('User', {'username': 'supervisor_' + suffix})
        manager = session.query(
            'SecurityRole where name is "Project Manager"'
        ).one()
        supervisor = session.query('SecurityRole where name is "Supervisor"').one()

        session.create('UserSecurityRole', {
            'is_all_projects': True, 'user': user, 'security_role': manager,
        })
        # For some projects only: the schema names the relation
        # "user_security_role_projects" (one UserSecurityRoleProject each),
        # not "projects".
        on_some = session.create('UserSecurityRole', {
            'user': user, 'security_role': supervisor,
            'is_all_projects': False,
        })
        for project in projects:
            session.create('UserSecurityRoleProject', {
                'user_security_role': on_some, 'project': project,
            })
        session.commit()

        for user_security_role in user['user_security_roles']:
            if user_security_role['is_all_projects']:
                where = 'all projects'
            else:
                where = ', '.join(sorted(
                    item['project']['full_name']
                    for item in user_security_role['user_security_role_projects']
                ))
            print('{0}: {1}'.format(
                user_security_role['security_role']['name'], where
            ))
        assert len(session.query(
            'UserSecurityRole where user.username is "{0}"'.format(
                user['username']
            )
        ).all()) == 2


if __name__ == '__main__':
    main()
