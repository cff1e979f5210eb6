"""Users' API keys and the credential check of every request.

Keys live in the server-private table ``_ls_api_key`` (one row per user who
has a key: ``user_id``, ``username``, ``api_key``, ``is_default``). The
``User`` entity stays the truth for names: a key belongs to a user id, and
the username a client must send is the user's current ``username``. The row
marked ``is_default`` is the administrator whose credentials the server
prints at start-up.

Keys are kept in clear text because the server prints the administrator's
key again on every start; this is a local development server, and its
database must be protected like any file holding credentials.

Lookups go through an in-memory :class:`CredentialCache` so that checking a
request does not touch the database. The cache is invalidated when a batch
changes users or keys, and reloaded once when a check fails (another process,
e.g. ``python -m ftrack_local_server users add``, may have added a key).
"""

from __future__ import annotations

import hmac
import logging
import threading
import uuid
from typing import Any, Dict, Iterable, List, Optional

from . import errors

logger = logging.getLogger(__name__)

#: Name of the table holding API keys.
TABLE = '_ls_api_key'

#: Header names carrying the credentials of an ``/api`` request.
USER_HEADER = 'ftrack-user'
API_KEY_HEADER = 'ftrack-api-key'

_CREATE_TABLE = (
    'CREATE TABLE IF NOT EXISTS {0} ('
    'user_id TEXT PRIMARY KEY, '
    'username TEXT NOT NULL, '
    'api_key TEXT NOT NULL, '
    'is_default INTEGER NOT NULL DEFAULT 0)'
).format(TABLE)


def generate_api_key() -> str:
    """Return a new random API key (a UUID4 string, as ftrack hands out)."""
    return str(uuid.uuid4())


def ensure_table(tx: Any) -> None:
    """Create the API key table in the transaction *tx* if it is missing."""
    tx.execute(_CREATE_TABLE)


def set_api_key(
    tx: Any,
    user_id: str,
    username: str,
    api_key: Optional[str] = None,
    default: bool = False,
) -> str:
    """Give the user *user_id* the key *api_key* (random if ``None``).

    Replaces any previous key of that user, which stops working once the
    transaction *tx* is committed and the cache invalidated. *default* marks
    the user as the administrator printed at start-up (unmarking any other).
    Return the key. Raise :class:`ValueError` if *api_key* is empty.
    """
    if api_key is None:
        api_key = generate_api_key()
    if not isinstance(api_key, str) or not api_key.strip():
        raise ValueError('An API key must be a non-empty string, got {0!r}.'.format(api_key))
    ensure_table(tx)
    if default:
        tx.execute('UPDATE {0} SET is_default = 0'.format(TABLE))
    else:
        row = tx.execute(
            'SELECT is_default FROM {0} WHERE user_id = ?'.format(TABLE), (user_id,)
        ).fetchone()
        default = bool(row and row[0])
    tx.execute(
        'INSERT OR REPLACE INTO {0} (user_id, username, api_key, is_default) '
        'VALUES (?, ?, ?, ?)'.format(TABLE),
        (user_id, username, api_key, 1 if default else 0),
    )
    return api_key


def api_key_rows(tx: Any) -> List[Dict[str, Any]]:
    """Return every stored key as ``{'user_id', 'username', 'api_key', 'is_default'}``."""
    ensure_table(tx)
    rows = tx.execute(
        'SELECT user_id, username, api_key, is_default FROM {0} '
        'ORDER BY is_default DESC, username'.format(TABLE)
    ).fetchall()
    return [
        {
            'user_id': row[0],
            'username': row[1],
            'api_key': row[2],
            'is_default': bool(row[3]),
        }
        for row in rows
    ]


def default_credentials(tx: Any) -> Optional[Dict[str, Any]]:
    """Return the administrator's key row (see :func:`api_key_rows`) or ``None``."""
    for row in api_key_rows(tx):
        if row['is_default']:
            return row
    return None


def apply_user_changes(tx: Any, changes: Iterable[Dict[str, Any]]) -> bool:
    """Keep the key table in step with the ``User`` change records *changes*.

    A removed user loses its key (so a new user can never inherit it); a
    renamed user's row gets the new username. Runs inside the batch's
    transaction *tx*. Return whether any ``User`` changed, i.e. whether the
    credential cache must be invalidated after commit.
    """
    touched = False
    for record in changes:
        if record.get('entity_type') != 'User':
            continue
        touched = True
        user_id = record.get('entityId')
        if record.get('action') == 'remove':
            ensure_table(tx)
            tx.execute('DELETE FROM {0} WHERE user_id = ?'.format(TABLE), (user_id,))
            continue
        username = (record.get('changes') or {}).get('username')
        if isinstance(username, dict) and isinstance(username.get('new'), str):
            ensure_table(tx)
            tx.execute(
                'UPDATE {0} SET username = ? WHERE user_id = ?'.format(TABLE),
                (username['new'], user_id),
            )
    return touched


class CredentialCache(object):
    """In-memory view of who may log in with which key.

    *loader* is a callable returning a list of entries
    ``{'id', 'username', 'first_name', 'last_name', 'api_key'}``; it is called
    lazily, at most once per invalidation. Thread-safe.
    """

    def __init__(self, loader: Any) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._entries: Optional[Dict[str, Dict[str, Any]]] = None
        self._generation = 0

    def invalidate(self) -> None:
        """Forget the loaded entries; the next lookup reloads them."""
        with self._lock:
            self._entries = None
            self._generation += 1

    def lookup(self, username: str, reload: bool = False) -> Optional[Dict[str, Any]]:
        """Return the entry of *username* or ``None``; *reload* forces a reload."""
        with self._lock:
            entries, generation = self._entries, self._generation
        if entries is None or reload:
            # Load without holding the lock: the loader waits for the store,
            # whose open transaction may itself be invalidating this cache.
            entries = {entry['username']: entry for entry in self._loader()}
            with self._lock:
                if self._generation == generation:
                    self._entries = entries
        return entries.get(username)


def _user_from_entry(entry: Dict[str, Any]) -> Dict[str, Any]:
    return {
        'id': entry['id'],
        'username': entry['username'],
        'first_name': entry.get('first_name'),
        'last_name': entry.get('last_name'),
    }


def _keys_match(expected: str, given: str) -> bool:
    # Constant-time comparison so the response time does not reveal how
    # much of a guessed key was right.
    return hmac.compare_digest(expected.encode('utf-8'), given.encode('utf-8'))


def check_credentials(state: Any, username: Any, api_key: Any) -> Dict[str, Any]:
    """Return the user logging in as *username* with *api_key*.

    The result is ``{'id', 'username', 'first_name', 'last_name'}``. Raise
    :class:`~ftrack_local_server.errors.InvalidCredentialsError` naming the
    missing header, or with the one :func:`rejected_message` for an unknown
    user and a wrong key alike (never the key itself). May read the database (on a failed check, to pick up keys
    written by another process), so call it off the event loop.
    """
    if not username:
        raise errors.InvalidCredentialsError(
            'No API user given: the "{0}" header is missing or empty.'.format(USER_HEADER)
        )
    if not api_key:
        raise errors.InvalidCredentialsError(
            'No API key given for user "{0}": the "{1}" header is missing '
            'or empty.'.format(username, API_KEY_HEADER)
        )
    cache = state.credentials
    entry = cache.lookup(username)
    if entry is None or not _keys_match(entry['api_key'], api_key):
        entry = cache.lookup(username, reload=True)
    if entry is None or not _keys_match(entry['api_key'], api_key):
        # One message for an unknown user and a wrong key, so that the
        # answer does not tell which usernames exist.
        raise errors.InvalidCredentialsError(rejected_message(username))
    return _user_from_entry(entry)


def rejected_message(username: Any) -> str:
    """Return the one message refusing *username* with a key that does not match.

    Used for an unknown user and a wrong key alike (on ``/api`` and the
    event server handshake), so the answer does not reveal which users
    exist.
    """
    return (
        'The supplied API key is not valid for user "{0}", or that user does not '
        'exist: check the "{1}" and "{2}" headers.'.format(
            errors.excerpt(str(username)).strip('"'), USER_HEADER, API_KEY_HEADER)
    )


def authenticate(state: Any, username: Any, api_key: Any) -> Optional[Dict[str, Any]]:
    """Return the user ``{'id', 'username', 'first_name', 'last_name'}`` or ``None``.

    *state* is the running server's :class:`~ftrack_local_server.state.ServerState`;
    *username* and *api_key* are the credentials a client sent. ``None``
    means unknown user, missing credential or wrong key. Like
    :func:`check_credentials` it may read the database after a failed check.
    """
    try:
        return check_credentials(state, username, api_key)
    except errors.InvalidCredentialsError as error:
        logger.debug('Rejected credentials: %s', error.content)
        return None
