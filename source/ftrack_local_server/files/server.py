"""The :class:`FileServer`: storage, routes, housekeeping of the file endpoints."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Mapping, Optional, TypeVar

from aiohttp import web

from ..state import component_data_directory
from . import pages, serving, transfer
from .storage import FileStore, prepare_tables
from .uploads import DEFAULT_UPLOAD_LIFETIME

logger = logging.getLogger(__name__)

T = TypeVar('T')

#: Seconds between two sweeps of unreferenced data, unless the
#: ``file_sweep_interval`` option says otherwise.
DEFAULT_SWEEP_INTERVAL = 600.0


def storage_directory(config: Any) -> Optional[str]:
    """Return where the server configured by *config* keeps component data.

    ``None`` means a temporary directory. The ``file_storage`` option
    wins; a database file keeps its data in the directory
    ``<database>.files`` next to it; an in-memory database gets a
    temporary directory.
    """
    explicit = config.options.get('file_storage')
    if explicit:
        return os.path.abspath(os.fspath(explicit))
    if not config.in_memory:
        return component_data_directory(config.database)
    return None


def _positive(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0.0
    if not number > 0:
        raise ValueError('The option {0} must be a positive number of seconds, got {1!r}.'.format(name, value))
    return number


class FileServer(object):
    """Serves the file endpoints of one server *state*.

    Its options (``state.config.options``) may hold ``file_storage`` (the
    storage directory), ``upload_url_lifetime`` (seconds an upload URL
    stays valid, default one hour) and ``file_sweep_interval`` (seconds
    between sweeps of unreferenced data, default ten minutes).

    Attributes: *state*, *files* (the :class:`~.storage.FileStore`),
    *upload_lifetime*, *executor* (threads running disk and database work
    off the event loop). Raise :class:`ValueError` for a bad option.
    """

    def __init__(self, state: Any) -> None:
        options = state.config.options
        self.state = state
        self.upload_lifetime = _positive(options, 'upload_url_lifetime', DEFAULT_UPLOAD_LIFETIME)
        self.sweep_interval = _positive(options, 'file_sweep_interval', DEFAULT_SWEEP_INTERVAL)
        directory = storage_directory(state.config)
        self.temporary = directory is None
        if directory is None:
            directory = tempfile.mkdtemp(prefix='ftrack-local-server-files-')
        self.files = FileStore(directory)
        prepare_tables(state.store)
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix='ftrack-local-server-files')
        #: The placeholder image, read on first use.
        self.placeholder: Optional[bytes] = None
        self._sweeper: Optional[asyncio.Task] = None
        self._closed = False
        logger.info('Component data is stored in %s%s.', self.files.root,
                    ' (temporary)' if self.temporary else '')

    def add_routes(self, app: web.Application) -> None:
        """Add the file endpoints and the start-up hook to the aiohttp *app*."""
        def bind(handler: Callable[..., Any]) -> Callable[[web.Request], Any]:
            return functools.partial(handler, self)

        router = app.router
        router.add_put('/file-upload/{token}', bind(transfer.handle_put))
        router.add_put('/file-upload/{token}/parts/{number}', bind(transfer.handle_put_part))
        router.add_route('OPTIONS', '/file-upload/{token}', bind(transfer.handle_options))
        router.add_route('OPTIONS', '/file-upload/{token}/parts/{number}', bind(transfer.handle_options))
        router.add_get('/component/get', bind(serving.handle_get))
        router.add_get('/component/thumbnail', bind(serving.handle_thumbnail))
        router.add_get('/component/remove', bind(serving.handle_remove))
        router.add_get('/img/thumbnail2.png', bind(serving.handle_placeholder))
        router.add_get('/widget/', bind(pages.handle_widget))
        router.add_get('/widget', bind(pages.handle_widget))
        app.on_startup.append(self._on_startup)

    def transact(self, function: Callable[..., T], *arguments: Any) -> T:
        """Return ``function(tx, *arguments)`` run in a new store transaction."""
        with self.state.store.transaction() as tx:
            return function(tx, *arguments)

    def sweep(self) -> None:
        """Delete data and uploads nothing refers to any more (see :meth:`FileStore.sweep`)."""
        counts = self.transact(self.files.sweep)
        if any(counts.values()):
            logger.info('Swept unreferenced file data: %s.', ', '.join(
                '{0} {1}'.format(count, name) for name, count in sorted(counts.items()) if count))

    async def _on_startup(self, app: web.Application) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_periodically())

    async def _sweep_periodically(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._closed:
            try:
                await loop.run_in_executor(self.executor, self.sweep)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception('Sweeping unreferenced file data failed.')
            await asyncio.sleep(self.sweep_interval)

    async def close(self) -> None:
        """Stop housekeeping, wait for running file work, and drop temporary storage."""
        if self._closed:
            return
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            try:
                await self._sweeper
            except (asyncio.CancelledError, Exception):
                pass
        await asyncio.get_running_loop().run_in_executor(None, self.executor.shutdown, True)
        if self.temporary:
            self.files.remove_all()
