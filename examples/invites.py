"""Create a user and send the invitation e-mail.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example ``python -m ftrack_local_server run -- python examples/invites.py``.
A local server records the e-mail in its outbox instead of sending it
(``python -m ftrack_local_server outbox --db PATH`` lists them).
"""

import uuid

import ftrack_api


def main():
    """Create an active user and invite it, alone and in a batch."""
    with ftrack_api.Session() as session:
        email = 'artist_{0}@example.com'.format(uuid.uuid4().hex[:8])
        new_user = session.create('User', {
            'username': email, 'email': email, 'is_active': True,
        })
        session.commit()

        new_user.send_invite()
        print('Invited', new_user['username'])

        # Several users in one request.
        others = [
            session.create('User', {
                'username': name, 'email': name, 'is_active': True,
            })
            for name in ('a_' + email, 'b_' + email)
        ]
        session.commit()
        session.send_user_invites(others)
        print('Invited', [user['username'] for user in others])


if __name__ == '__main__':
    main()
