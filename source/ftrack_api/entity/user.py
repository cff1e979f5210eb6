"""User entity helpers: timers, invitations and API key reset."""

from __future__ import annotations

import logging

import ftrack_api.entity.base
import ftrack_api.exception

logger = logging.getLogger(__name__)

#: Error names a server reports when a user already has a running timer.
_DUPLICATE_TIMER_ERRORS = ('DuplicateEntryError', 'IntegrityError')


class User(ftrack_api.entity.base.Entity):
    """Represent a user."""

    def start_timer(self, context=None, comment='', name=None, force=False):
        """Start a timer for *context* and return it.

        *comment* and *name* are set on the timer. With *force* a running
        timer is stopped first (a timelog is created for it). The session is
        committed. Raise :exc:`ftrack_api.exception.NotUniqueError` when a
        timer is already running and *force* is False; the new timer is then
        discarded and other pending changes are kept.
        """
        session = self.session
        if force:
            try:
                self.stop_timer()
            except ftrack_api.exception.NoResultFoundError:
                logger.debug('No running timer to stop for %r.', self)

        timer = session.create('Timer', {
            'user': self,
            'context': context,
            'name': name,
            'comment': comment,
        })
        try:
            session.commit()
        except ftrack_api.exception.ServerError as error:
            if any(name in str(error) for name in _DUPLICATE_TIMER_ERRORS):
                session._unit_of_work.discard_entity(timer)
                # Upstream's wording, naming the user by id.
                raise ftrack_api.exception.NotUniqueError(
                    'Failed to start a timelog for user with id: {0}, it is '
                    'likely that a timer is already running. Either use '
                    'force=True or stop the timer first.'.format(self['id'])
                )
            raise
        return timer

    def stop_timer(self):
        """Stop the running timer and return the timelog created from it.

        The session is committed. Raise
        :exc:`ftrack_api.exception.NoResultFoundError` when no timer is
        running.
        """
        session = self.session
        timer = session.query(
            'Timer where user_id = "{0}"'.format(self['id'])
        ).one()

        timezone_support = session.server_information.get(
            'is_timezone_support_enabled'
        )
        if timezone_support is None:
            logger.warning(
                'Server did not report is_timezone_support_enabled; assuming '
                'timezone support is on.'
            )
            timezone_support = True

        import arrow

        if timezone_support:
            now = arrow.utcnow()
        else:
            # Without timezone support the server stores local wall-clock
            # times, so compare against local time read as UTC.
            now = arrow.now().replace(tzinfo='utc')

        delta = now - timer['start']
        duration = delta.days * 24 * 60 * 60 + delta.seconds

        timelog = session.create('Timelog', {
            'user_id': timer['user_id'],
            'context_id': timer['context_id'],
            'comment': timer['comment'],
            'start': timer['start'],
            'duration': duration,
            'name': timer['name'],
        })
        session.delete(timer)
        session.commit()
        return timelog

    def send_invite(self):
        """Send an invitation e-mail to this user (through the server)."""
        self.session.send_user_invite(self)

    def reset_api_key(self):
        """Reset this user's API key on the server and return the new key."""
        result = self.session.reset_remote('api_key', entity=self)
        return result['api_key']
