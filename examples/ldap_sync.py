"""Ask the server to synchronise its users with LDAP, and check the job.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/ldap_sync.py``.
A local server has no LDAP directory: its job fails, saying so.
"""

import logging

import ftrack_api


def main():
    """Start the synchronisation job and report how it went."""
    logging.basicConfig(level=logging.INFO)
    with ftrack_api.Session() as session:
        result = session.call([{
            'action': 'delayed_job',
            'job_type': 'SYNC_USERS_LDAP',
        }])
        job = result[0]['data']
        print('Job', job['id'], 'is', job['status'])
        if job.get('status') == 'failed':
            logging.error('LDAP synchronisation failed: %s', job.get('data'))
        assert isinstance(job, session.types['Job'])


if __name__ == '__main__':
    main()
