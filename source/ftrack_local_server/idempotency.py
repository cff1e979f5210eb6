"""Safe retries of write batches: the ``Idempotency-Key`` request header.

A client that lost the answer to a write batch (timeout, connection cut
after the server committed) cannot know whether it was applied. With the
session option ``retry_writes`` the client sends a unique token per batch
in the :data:`HEADER` header, the same on every retry of that batch. The
server keeps, for the most recent batches (:data:`KEEP_BATCHES`, at most
:data:`KEEP_SECONDS` old), the token, a digest of the request body and the
answer, in a private table written in the batch's own transaction: a
batch is remembered exactly when it is committed, and a repeated token is
answered with the stored answer instead of being applied again (also after
a server restart on the same database).

A repeated token with a different body is refused with a
``ValidationError``: a client must not reuse tokens. Failed batches are
not remembered (nothing of them was applied, so running them again is
safe). A server that does not know the header ignores it, so a client
sending it works unchanged against any server.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, Callable, Dict, Mapping, Optional

from . import errors

logger = logging.getLogger(__name__)

#: Request header carrying the token of one batch.
HEADER = 'Idempotency-Key'

#: Most remembered batches, and how long one is remembered (seconds).
KEEP_BATCHES = 1000
KEEP_SECONDS = 600.0

#: Longest token accepted.
MAX_TOKEN_LENGTH = 200

#: Table holding the remembered batches.
TABLE = '_ls_recent_batch'

_CREATE = (
    'CREATE TABLE IF NOT EXISTS {0} ('
    'user_id TEXT NOT NULL, token TEXT NOT NULL, digest TEXT NOT NULL, '
    'result TEXT NOT NULL, created REAL NOT NULL, '
    'PRIMARY KEY (user_id, token))'
).format(TABLE)


def token_from(headers: Mapping[str, str]) -> Optional[str]:
    """Return the batch token of the request *headers*, or ``None``.

    Raise :class:`~ftrack_local_server.errors.ValidationError` for a token
    longer than :data:`MAX_TOKEN_LENGTH` or holding control characters.
    """
    token = headers.get(HEADER)
    if token is None or not token.strip():
        return None
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in token):
        raise errors.ValidationError(
            'The {0} header must be at most {1} printable characters (a UUID is '
            'best), got {2} characters.'.format(HEADER, MAX_TOKEN_LENGTH, len(token)))
    return token


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class RecentBatches(object):
    """The remembered write batches of one server (see the module documentation).

    *keep* and *lifetime* bound how many batches are remembered and for how
    many seconds.
    """

    def __init__(self, keep: int = KEEP_BATCHES, lifetime: float = KEEP_SECONDS) -> None:
        self.keep = keep
        self.lifetime = lifetime

    def run_once(self, store: Any, user: Dict[str, Any], token: str, body: bytes,
                 job: Callable[..., str]) -> str:
        """Return the answer of the batch *body* sent by *user* with *token*.

        A batch remembered in *store* (the server's
        :class:`~ftrack_local_server.store.Store`) under the same user and
        token is answered from there; otherwise *job* (``dispatch.run_batch`` with
        ``encode=True``, called with ``remember=``) runs it and the answer
        is remembered in the batch's transaction. Must run on the server's
        writer thread, so that two requests with the same token cannot run
        at once. Raise :class:`~ftrack_local_server.errors.ValidationError`
        when the token was used for another body.
        """
        user_id = str(user.get('id') or user.get('username'))
        digest = _digest(body)
        with store.transaction() as tx:
            tx.execute(_CREATE)
            row = tx.query_one(
                'SELECT digest, result, created FROM {0} WHERE user_id = ? AND '
                'token = ?'.format(TABLE), (user_id, token))
        if row is not None and time.time() - row['created'] <= self.lifetime:
            if row['digest'] != digest:
                raise errors.ValidationError(
                    'The {0} {1} was already used for another batch: send a '
                    'new token with every new batch.'.format(
                        HEADER, errors.excerpt(token)))
            logger.info('Answered a repeated batch (%s %s) from its stored '
                        'result; it was not applied again.', HEADER, token)
            return row['result']

        def remember(tx: Any, text: str) -> None:
            now = time.time()
            tx.execute(_CREATE)
            tx.execute('DELETE FROM {0} WHERE created < ?'.format(TABLE),
                       (now - self.lifetime,))
            tx.execute(
                'INSERT OR REPLACE INTO {0} (user_id, token, digest, result, created) '
                'VALUES (?, ?, ?, ?, ?)'.format(TABLE),
                (user_id, token, digest, text, now))
            tx.execute(
                'DELETE FROM {0} WHERE rowid NOT IN (SELECT rowid FROM {0} '
                'ORDER BY created DESC LIMIT ?)'.format(TABLE), (self.keep,))

        return job(remember=remember)
