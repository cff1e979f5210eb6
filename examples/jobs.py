"""Jobs: show progress of long work to a user, with attachments.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example ``python -m ftrack_local_server run -- python examples/jobs.py``.
"""

import json
import os
import tempfile

import ftrack_api


def main():
    """Run a job from "running" to "done" and attach a report to it."""
    with ftrack_api.Session() as session:
        user = session.query(
            'User where username is "{0}"'.format(session.api_user)
        ).one()

        # The description goes into "data", serialised as JSON.
        job = session.create('Job', {
            'user': user,
            'status': 'running',
            'data': json.dumps({'description': 'Exporting playlists.'}),
        })
        session.commit()

        # ... the long work happens here ...

        # Attach a file: add it to the server location, then link it.
        server_location = session.query(
            'Location where name is "ftrack.server"'
        ).one()
        handle, path = tempfile.mkstemp(suffix='.csv')
        with os.fdopen(handle, 'w') as stream:
            stream.write('playlist,items\ndailies,12\n')
        try:
            component = session.create_component(
                path, data={'name': 'Export report'}, location=server_location
            )
            session.create('JobComponent', {
                'component_id': component['id'], 'job_id': job['id'],
            })
            job['status'] = 'done'
            session.commit()
        finally:
            os.remove(path)

        for job_component in job['job_components']:
            url = server_location.get_url(job_component['component'])
            print('Download from', url.split('?')[0])
        print('Job', job['id'], job['status'])
        assert job['status'] == 'done' and len(job['job_components']) == 1


if __name__ == '__main__':
    main()
