"""Invitation e-mails: ``send_user_invite`` and ``send_review_session_invite`` (protocol §2.11).

A local server sends no e-mail. It records each message it would have
sent in the server-private table ``_ls_outbox`` (recipient, subject,
body, time) and answers ``{"sent": true}`` as a real server does. Read
the messages back with :func:`read_outbox`, e.g.::

    with server.state.store.transaction() as tx:
        messages = read_outbox(tx)

or from a database file with SQLite:
``SELECT recipient, subject, body, sent_at FROM _ls_outbox ORDER BY id``.

``send_user_invite`` takes ``user_id``; the user must have an e-mail
address. ``send_review_session_invite`` takes
``review_session_invitee_id``; the invitee's ``last_sent_at`` is set.
"""

from __future__ import annotations

from typing import Any, Dict, List

from .. import errors
from ..dispatch import query_first, quote
from ..encoding import now_text
from ..rules.writer import writer_for
from . import action, required_string

#: Table of the messages the server would have e-mailed.
OUTBOX_TABLE = '_ls_outbox'

_CREATE_TABLE = (
    'CREATE TABLE IF NOT EXISTS {0} ('
    'id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, '
    'recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, '
    'entity_id TEXT, sent_at TEXT NOT NULL)'
).format(OUTBOX_TABLE)


def ensure_table(tx: Any) -> None:
    """Create the outbox table in transaction *tx* if it is missing."""
    tx.execute(_CREATE_TABLE)


def record_message(tx: Any, kind: str, recipient: str, subject: str, body: str, entity_id: Any = None) -> None:
    """Add one message to the outbox in transaction *tx*.

    *kind* names what sent it (``user_invite``, ``review_session_invite``);
    *entity_id* is the id of the user or invitee it is about.
    """
    ensure_table(tx)
    tx.insert(OUTBOX_TABLE, {
        'kind': kind, 'recipient': recipient, 'subject': subject, 'body': body,
        'entity_id': entity_id, 'sent_at': now_text(),
    })


def read_outbox(tx: Any) -> List[Dict[str, Any]]:
    """Return every recorded message, oldest first.

    Each is ``{'id', 'kind', 'recipient', 'subject', 'body', 'entity_id',
    'sent_at'}`` (``sent_at`` is naive UTC ``YYYY-MM-DDTHH:MM:SS``).
    """
    ensure_table(tx)
    return [dict(row) for row in tx.query('SELECT * FROM {0} ORDER BY id'.format(OUTBOX_TABLE))]


def _server_address(context: Any) -> str:
    return (getattr(context.server, 'base_url', None) or 'the ftrack server').rstrip('/')


def _sender(context: Any) -> str:
    user = context.user or {}
    name = ' '.join(part for part in (user.get('first_name'), user.get('last_name')) if part)
    return name or user.get('username') or 'An ftrack administrator'


@action('send_user_invite')
def send_user_invite(operation: Dict[str, Any], context: Any) -> Dict[str, bool]:
    """Record the invitation e-mail of the user ``user_id``; answer ``{"sent": true}``.

    Raise :class:`~ftrack_local_server.errors.NotFoundError` for an unknown
    user and :class:`~ftrack_local_server.errors.ValidationError` for a user
    without an e-mail address.
    """
    name = 'send_user_invite'
    user_id = required_string(operation, 'user_id', name)
    user = query_first(
        context, 'select username, email, first_name from User where id is {0}'.format(quote(user_id)))
    if user is None:
        raise errors.NotFoundError('{0}: no User with id {1} exists.'.format(name, user_id))
    email = user.get('email')
    if not email:
        raise errors.ValidationError(
            '{0}: User {1} ({2}) has no e-mail address to send the invitation to.'.format(
                name, user_id, user.get('username')))
    address = _server_address(context)
    body = (
        'Hello {greeting},\n\n{sender} has invited you to ftrack at {address}.\n'
        'Your username is: {username}\n\nSign in at {address} to get started.\n'
    ).format(greeting=user.get('first_name') or user.get('username'), sender=_sender(context),
             address=address, username=user.get('username'))
    record_message(context.tx, 'user_invite', email, 'You have been invited to ftrack', body, user_id)
    return {'sent': True}


@action('send_review_session_invite')
def send_review_session_invite(operation: Dict[str, Any], context: Any) -> Dict[str, bool]:
    """Record the invitation of review session invitee ``review_session_invitee_id``.

    Sets the invitee's ``last_sent_at`` and answers ``{"sent": true}``.
    Raise :class:`~ftrack_local_server.errors.NotFoundError` for an unknown
    invitee and :class:`~ftrack_local_server.errors.ValidationError` for one
    without an e-mail address.
    """
    name = 'send_review_session_invite'
    invitee_id = required_string(operation, 'review_session_invitee_id', name)
    invitee = query_first(
        context,
        'select name, email, review_session.id, review_session.name, '
        'review_session.description from ReviewSessionInvitee where id is {0}'.format(
            quote(invitee_id)))
    if invitee is None:
        raise errors.NotFoundError(
            '{0}: no ReviewSessionInvitee with id {1} exists.'.format(name, invitee_id))
    email = invitee.get('email')
    if not email:
        raise errors.ValidationError(
            '{0}: ReviewSessionInvitee {1} ({2}) has no e-mail address.'.format(
                name, invitee_id, invitee.get('name')))
    session = invitee.get('review_session') or {}
    address = _server_address(context)
    body = (
        'Hello {invitee},\n\n{sender} has invited you to the review session "{session}".\n'
        '{description}\nOpen it at {address}/review/{session_id}?invitee={invitee_id}\n'
    ).format(invitee=invitee.get('name') or email, sender=_sender(context),
             session=session.get('name'), description=session.get('description') or '',
             address=address, session_id=session.get('id'), invitee_id=invitee_id)
    record_message(context.tx, 'review_session_invite', email,
                   'Invitation to review session "{0}"'.format(session.get('name')), body, invitee_id)
    writer_for(context).update('ReviewSessionInvitee', [invitee_id], {'last_sent_at': now_text()})
    return {'sent': True}

