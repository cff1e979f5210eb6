"""Start and stop a user's timer; stopping it logs the time spent.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example ``python -m ftrack_local_server run -- python examples/timers.py``.
"""

import uuid

import ftrack_api
import ftrack_api.exception


def create_task(session, name):
    """Return a new, committed task *name* in a new project."""
    schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
    project = session.create('Project', {
        'name': 'timers_{0}'.format(uuid.uuid4().hex[:8]),
        'full_name': 'Timers example', 'project_schema': schema,
    })
    task_type = schema.get_types('Task')[0]
    task = session.create('Task', {
        'name': name, 'parent': project, 'type': task_type,
        'status': schema.get_statuses('Task', task_type['id'])[0],
    })
    session.commit()
    return task


def main():
    """Time work on two tasks."""
    with ftrack_api.Session() as session:
        # A user of its own, so that no timer runs already.
        user = session.create('User', {
            'username': 'timers_{0}'.format(uuid.uuid4().hex[:8]),
        })
        session.commit()
        modelling = create_task(session, 'modelling')
        texturing = create_task(session, 'texturing')

        user.start_timer(modelling, comment='Blocking out the ship.')

        # A second timer while one runs is refused...
        try:
            user.start_timer(texturing)
        except ftrack_api.exception.NotUniqueError as error:
            print('Refused:', error)

        # ...unless force=True, which stops (and logs) the running one.
        user.start_timer(texturing, force=True)

        timelog = user.stop_timer()
        print('Logged {0} seconds on {1}.'.format(
            timelog['duration'], timelog['context']['name']
        ))

        logs = session.query(
            'select duration, context.name from Timelog '
            'where user.id is "{0}" and context_id in ("{1}", "{2}")'
            .format(user['id'], modelling['id'], texturing['id'])
        ).all()
        assert sorted(log['context']['name'] for log in logs) == [
            'modelling', 'texturing'
        ]


if __name__ == '__main__':
    main()
