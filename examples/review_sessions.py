"""Client review sessions: objects to review and the people invited.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/review_sessions.py``.
"""

import uuid

import ftrack_api


def main():
    """Create a review session, put a version in it and invite someone."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'review_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Review example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        asset = session.create('Asset', {
            'name': 'comp', 'parent': shot,
            'type': session.query('AssetType where name is "Comp"').one(),
        })
        asset_version = session.create('AssetVersion', {'asset': asset})

        review_session = session.create('ReviewSession', {
            'name': 'Weekly review',
            'description': 'Updates from last week.',
            'project': project,
        })
        # "version" is a label shown to reviewers, not a number.
        session.create('ReviewSessionObject', {
            'name': 'Compositing',
            'description': 'Fixed shadows.',
            'version': 'Version 3',
            'review_session': review_session,
            'asset_version': asset_version,
        })
        invitee = session.create('ReviewSessionInvitee', {
            'name': 'John Doe',
            'email': 'john.doe@example.com',
            'review_session': review_session,
        })
        session.commit()

        # Find review sessions by query or through the project.
        found = session.query(
            'ReviewSession where name is "Weekly review" and project_id is "{0}"'
            .format(project['id'])
        ).all()
        assert found == list(project['review_sessions'])

        for item in review_session['review_session_objects']:
            print('To review:', item['name'], item['version'])
        print('Invited:', [person['email'] for person in
                           review_session['review_session_invitees']])

        # E-mail one invitee, or several in one request. (A local server
        # records the messages instead of sending them.)
        session.send_review_session_invite(invitee)
        session.send_review_session_invites(
            list(review_session['review_session_invitees'])
        )

        # Removing a collaborator is deleting the invitee.
        session.delete(invitee)
        session.commit()
        # (Collections already loaded are not refreshed: ask the server.)
        left = session.query(
            'ReviewSessionInvitee where review_session_id is "{0}"'.format(
                review_session['id']
            )
        ).all()
        assert left == []


if __name__ == '__main__':
    main()
