"""Session methods wrapping server actions other than queries and commits."""

from __future__ import annotations

import ftrack_api.exception
import ftrack_api.inspection


class ServerActionsMixin(object):
    """Server actions of :class:`ftrack_api.session.Session` (protocol §2)."""

    def reset_remote(self, reset_type, entity=None):
        """Reset *reset_type* on the server (``api_key`` of a user); return data."""
        payload = {'action': 'reset_remote', 'reset_type': reset_type}
        if entity is not None:
            payload['entity_type'] = entity.entity_type
            payload['entity_key'] = entity.get('id')
        return self.call([payload])[0]['data']

    def _call_optional_action(self, operations):
        try:
            return self.call(operations)
        except ftrack_api.exception.ServerCompatibilityError:
            raise
        except ftrack_api.exception.ServerError as error:
            action = operations[0]['action'] if operations else ''
            if "Invalid action u'{0}'".format(action) in str(error):
                raise ftrack_api.exception.ServerCompatibilityError(
                    'Server version does not support the {0!r} action.'.format(action)
                )
            raise

    def get_widget_url(self, name, entity=None, theme=None):
        """Return an authenticated URL for widget *name* (expires in 6 minutes).

        *name* is ``info``, ``tasks`` or ``tasks_browser``; *entity* is the
        entity some widgets need; *theme* is ``light`` or ``dark``.
        """
        operation = {'action': 'get_widget_url', 'name': name, 'theme': theme}
        if entity is not None:
            operation['entity_type'] = entity.entity_type
            operation['entity_key'] = list(
                ftrack_api.inspection.primary_key(entity).values()
            )
        return self._call_optional_action([operation])[0]['widget_url']

    def get_upload_metadata(self, component_id, file_name, file_size, checksum=None):
        """Return the URL and headers to PUT the data of *component_id*."""
        return self._call_optional_action([{
            'action': 'get_upload_metadata', 'component_id': component_id,
            'file_name': file_name, 'file_size': file_size, 'checksum': checksum,
        }])[0]

    def send_user_invite(self, user):
        """Send an invitation e-mail to *user*."""
        self.send_user_invites([user])

    def send_user_invites(self, users):
        """Send invitation e-mails to each user of *users* in one request."""
        self._call_optional_action([
            {'action': 'send_user_invite', 'user_id': user['id']} for user in users
        ])

    def send_review_session_invite(self, invitee):
        """Send an invitation e-mail to the review session *invitee*."""
        self.send_review_session_invites([invitee])

    def send_review_session_invites(self, invitees):
        """Send invitation e-mails to each review session invitee in one request."""
        self._call_optional_action([
            {
                'action': 'send_review_session_invite',
                'review_session_invitee_id': invitee['id'],
            }
            for invitee in invitees
        ])
