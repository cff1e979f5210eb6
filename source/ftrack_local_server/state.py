"""Runtime state of one running server.

:class:`ServerState` ties together what every part of the server needs: the
configuration, the catalogue of the schemas it serves, the store, the credential cache, the worker that runs batches, and the optional
event and file servers. :meth:`ServerState.open` builds it from a
:class:`~ftrack_local_server.config.ServerConfig`, creating and seeding the
database when it is new.
"""

from __future__ import annotations

import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional

from . import actions, auth, seed
from .config import ServerConfig
from .dispatch import finish_batch, query_entities, quote

logger = logging.getLogger(__name__)


class ServerState(object):
    """Everything a running server shares between requests.

    Attributes: *config* (:class:`ServerConfig`), *catalogue* (its
    ``schemas`` are what ``query_schemas`` answers, its ``schema_hash``
    what ``query_server_information`` reports), *store*,
    *credentials* (:class:`~ftrack_local_server.auth.CredentialCache`),
    *api_user* / *api_key* (the administrator's credentials), *event_server*
    and *file_server* (set by the application when those parts are
    available, else ``None``), *base_url* (``http://host:port`` once the
    socket is bound) and *executor* (the single worker thread that runs
    batches one at a time, so the event loop stays free for websockets).

    Build it with :meth:`open`; release it with :meth:`close`.
    """

    def __init__(
        self,
        config: ServerConfig,
        catalogue: Any,
        store: Any,
    ) -> None:
        self.config = config
        self.catalogue = catalogue
        self.store = store
        self.credentials = auth.CredentialCache(self._load_credentials)
        self.api_user: Optional[str] = None
        self.api_key: Optional[str] = None
        self.event_server: Any = None
        self.file_server: Any = None
        self.base_url: Optional[str] = None
        self.executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix='ftrack-local-server-batch'
        )
        self._closed = False

    @classmethod
    def open(cls, config: ServerConfig) -> 'ServerState':
        """Return the state of a server configured by *config*.

        Opens (or creates) the database; a new database is filled from the
        fixture files (see :mod:`ftrack_local_server.seed`). Makes sure the
        administrator exists and has a key (*config.api_user* /
        *config.api_key* or the environment, else the stored or new ones).

        Raise :class:`~ftrack_local_server.LocalServerError` naming the
        extra to install when the server extra is missing,
        :class:`~ftrack_local_server.seed.FixtureError` for an unusable
        fixture file (checked before anything is written),
        :class:`~ftrack_local_server.errors.ApiError` if seeding fails (a
        database file created for the attempt is removed again), and the
        store's own error for a database it cannot open.
        """
        # Deferred so that importing the package (e.g. by the pytest
        # plugin) does not load the storage layer.
        from . import require_server_extra
        from .schema import Catalogue
        from .store import Store

        require_server_extra()
        actions.load_all()
        user_fixtures = seed.read_fixtures(config.fixtures)
        catalogue = Catalogue.load()
        path = None if config.in_memory else config.database
        existed = path is not None and os.path.exists(path)
        store = Store(path=path, catalogue=catalogue)
        state = cls(config, catalogue, store)
        try:
            state._initialise(store.is_new, user_fixtures)
        except BaseException:
            state.close()
            if path is not None and not existed:
                remove_database_files(path)
            raise
        return state

    def _initialise(self, is_new: bool, user_fixtures: List[Any]) -> None:
        config = self.config
        with self.store.transaction() as tx:
            context = seed.system_context(self, tx)
            auth.ensure_table(tx)
            if is_new:
                fixtures = seed.read_fixtures(seed.fixture_paths(config.bare)) + list(
                    user_fixtures
                )
                count = seed.apply_fixtures(context, fixtures)
                logger.info(
                    'Created a new database (%s) from %d fixture operations.',
                    config.database or 'in memory',
                    count,
                )
            elif user_fixtures:
                logger.warning(
                    'Fixture files are only loaded into a new database; %s '
                    'exists, so %s were not loaded.',
                    config.database,
                    ', '.join(path for path, _ in user_fixtures),
                )
            credentials = seed.ensure_administrator(
                context, config.resolved_api_user(), config.resolved_api_key()
            )
            finish_batch(context)
        self.api_user = credentials['username']
        self.api_key = credentials['api_key']

    def _load_credentials(self) -> List[Dict[str, Any]]:
        """Return the credential entries for the cache (see :mod:`auth`)."""
        with self.store.transaction() as tx:
            rows = auth.api_key_rows(tx)
            if not rows:
                return []
            users = query_entities(
                self,
                tx,
                'select id, username, first_name, last_name from User where '
                'id in ({0})'.format(', '.join(quote(row['user_id']) for row in rows)),
            )
        by_id = {user['id']: user for user in users}
        entries = []
        for row in rows:
            user = by_id.get(row['user_id'])
            if user is None:
                logger.warning(
                    'Ignoring the API key of user id %s: no such User.', row['user_id']
                )
                continue
            entries.append(
                {
                    'id': user['id'],
                    'username': user['username'],
                    'first_name': user.get('first_name'),
                    'last_name': user.get('last_name'),
                    'api_key': row['api_key'],
                }
            )
        return entries

    def snapshot(self) -> Any:
        """Return a :class:`~ftrack_local_server.store.Snapshot` of the database now.

        Taken on the batch worker, so it falls between two batches.
        """
        return self.executor.submit(self.store.snapshot).result()

    def restore(self, snapshot: Any) -> bool:
        """Put the database back to *snapshot*; return whether anything changed.

        Runs on the batch worker, between two batches, and forgets the
        cached credentials, since the users and keys may differ afterwards.
        """
        restored = self.executor.submit(self.store.restore, snapshot).result()
        if restored:
            self.credentials.invalidate()
        return restored

    def close(self) -> None:
        """Stop the batch worker and close the store; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.executor.shutdown(wait=True)
        self.store.close()


def component_data_directory(path: str) -> str:
    """Return the directory holding the component data of database file *path*."""
    return os.path.abspath(path) + '.files'


def remove_database_files(path: str) -> None:
    """Delete the SQLite file *path*, its WAL / journal companions and its component data."""
    for candidate in (path, path + '-wal', path + '-shm', path + '-journal'):
        try:
            os.remove(candidate)
        except FileNotFoundError:
            pass
        except OSError as error:
            logger.warning('Could not remove %s: %s', candidate, error)
    directory = component_data_directory(path)
    if os.path.isdir(directory):
        try:
            shutil.rmtree(directory)
        except OSError as error:
            logger.warning('Could not remove %s: %s', directory, error)
