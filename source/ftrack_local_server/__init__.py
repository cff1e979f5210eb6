"""A local, ftrack-compatible server backed by SQLite.

:class:`LocalServer` starts one in the current process (on its own event
loop in a daemon thread) or as a subprocess, and tells clients where it is::

    from ftrack_local_server import LocalServer
    import ftrack_api

    with LocalServer() as server:
        session = ftrack_api.Session(
            server_url=server.url, api_user=server.api_user, api_key=server.api_key
        )

Importing this package is cheap: the server itself (aiohttp, SQLite, the
schema) is only loaded when a server starts.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Dict, Mapping, Optional, Sequence

from .config import API_KEY_ENVIRONMENT_VARIABLE, ServerConfig, normalise_fixture_paths

logger = logging.getLogger(__name__)

__all__ = ['LocalServer', 'LocalServerError', 'require_server_extra']

#: Seconds :meth:`LocalServer.start` waits for the server to accept requests.
DEFAULT_STARTUP_TIMEOUT = 120.0

#: Seconds :meth:`LocalServer.stop` waits for a clean stop before forcing it.
DEFAULT_STOP_TIMEOUT = 30.0

#: Variables a client reads its connection settings from.
ENVIRONMENT_VARIABLES = ('FTRACK_SERVER', 'FTRACK_API_USER', 'FTRACK_API_KEY')


class LocalServerError(RuntimeError):
    """A local server that could not be started or stopped as asked."""


#: The distribution extra that installs what the server needs beyond the client.
SERVER_EXTRA = 'ftrack-api-ng[server]'

#: Modules of the server extra without which no server can run.
SERVER_REQUIREMENTS = ('aiohttp',)


def require_server_extra() -> None:
    """Raise :class:`LocalServerError` unless the server extra is installed.

    The message names the missing modules and the extra to install
    (``pip install 'ftrack-api-ng[server]'``); the command line, the pytest
    plugin and :meth:`LocalServer.start` all report it.
    """
    import importlib

    missing = []
    for name in SERVER_REQUIREMENTS:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise LocalServerError(
            'The local server needs the {0} extra, which is not installed '
            '(missing: {1}). Install it with: pip install {2}'.format(
                'server', ', '.join(missing), shlex.quote(SERVER_EXTRA)
            )
        )


def format_url(host: str, port: int) -> str:
    """Return the base URL clients use for a server bound to *host*:*port*.

    A wildcard bind address is replaced by the loopback address of the same
    family, since clients cannot connect to ``0.0.0.0``.
    """
    if host in ('', '0.0.0.0'):
        host = '127.0.0.1'
    elif host == '::':
        host = '::1'
    if ':' in host:
        host = '[{0}]'.format(host)
    return 'http://{0}:{1}'.format(host, port)


def export_lines(url: str, api_user: str, api_key: str) -> str:
    """Return shell ``export`` lines setting a client's connection settings.

    *url*, *api_user* and *api_key* become ``FTRACK_SERVER``,
    ``FTRACK_API_USER`` and ``FTRACK_API_KEY``, one line each (values
    quoted for the shell), as ``serve`` prints them.
    """
    return ''.join(
        'export {0}={1}\n'.format(name, shlex.quote(value))
        for name, value in zip(ENVIRONMENT_VARIABLES, (url, api_user, api_key))
    )


class LocalServer(object):
    """A local ftrack server that can be started and stopped at will.

    *database* is a SQLite file path (kept across restarts) or ``None`` for
    an in-memory database (fresh at every start). *host* and *port* are the
    address to bind (port 0: a free port, which is then kept for later
    restarts so clients can reconnect). *fixtures* are extra fixture files
    loaded into a new database; *bare* starts it with system data only.
    *api_user* / *api_key* fix the administrator's credentials (default: the
    stored ones, or ``'admin'`` and a random key; the credentials of the
    first start are reused by later starts). *mode* is ``'thread'`` (the
    server runs in this process on its own event loop in a daemon thread)
    or ``'process'`` (``python -m ftrack_local_server serve`` in a
    subprocess). *options* configures optional server parts (see
    :class:`~ftrack_local_server.config.ServerConfig`). *startup_timeout*
    bounds how long :meth:`start` waits.

    Use as a context manager or call :meth:`start` and :meth:`stop`.
    Raise :class:`ValueError` for a bad *mode* or *port*.
    """

    def __init__(
        self,
        database: Optional[str] = None,
        host: str = '127.0.0.1',
        port: int = 0,
        fixtures: Sequence[str] = (),
        bare: bool = False,
        api_user: Optional[str] = None,
        api_key: Optional[str] = None,
        mode: str = 'thread',
        options: Optional[Mapping[str, Any]] = None,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    ) -> None:
        if mode not in ('thread', 'process'):
            raise ValueError(
                "LocalServer mode must be 'thread' or 'process', got {0!r}.".format(mode)
            )
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(
                'LocalServer port must be an integer between 0 and 65535, '
                'got {0!r}.'.format(port)
            )
        if isinstance(fixtures, (str, bytes, os.PathLike)):
            fixtures = (fixtures,)
        self.database = os.path.abspath(os.fspath(database)) if database and os.fspath(database) != ':memory:' else None
        self.host = host
        self.mode = mode
        self.fixtures = normalise_fixture_paths(fixtures)
        self.bare = bare
        self.options = dict(options or {})
        self.startup_timeout = startup_timeout
        self._requested_port = port
        self._port: Optional[int] = None
        self._api_user = api_user
        self._api_key = api_key
        self._runner: Any = None
        self._snapshot: Any = None
        # The command line logs a start line of its own instead.
        self._log_start = True
        self._lock = threading.Lock()

    # -- public properties -------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the server is started and not yet stopped."""
        return self._runner is not None

    @property
    def port(self) -> int:
        """The port the server listens on; raise :class:`LocalServerError` before start."""
        if self._port is None:
            raise LocalServerError('The local server has not been started yet.')
        return self._port

    @property
    def url(self) -> str:
        """Base URL for clients (``FTRACK_SERVER``), e.g. ``http://127.0.0.1:5000``."""
        return format_url(self.host, self.port)

    @property
    def api_user(self) -> str:
        """The administrator's username (``FTRACK_API_USER``)."""
        if self._api_user is None:
            raise LocalServerError('The local server has not been started yet.')
        return self._api_user

    @property
    def api_key(self) -> str:
        """The administrator's API key (``FTRACK_API_KEY``)."""
        if self._api_key is None:
            raise LocalServerError('The local server has not been started yet.')
        return self._api_key

    def environment(self) -> Dict[str, str]:
        """Return ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY`` for clients."""
        return dict(zip(ENVIRONMENT_VARIABLES, (self.url, self.api_user, self.api_key)))

    @property
    def pid(self) -> int:
        """The id of the process serving requests (this one in thread mode)."""
        process = getattr(self._runner, '_process', None)
        if process is not None:
            return process.pid
        if self._runner is None:
            raise LocalServerError('The local server is not running.')
        return os.getpid()

    @property
    def state(self) -> Any:
        """The running :class:`~ftrack_local_server.state.ServerState` (thread mode only)."""
        runner = self._runner
        return getattr(runner, 'state', None)

    # -- life cycle -------------------------------------------------------

    def start(self) -> 'LocalServer':
        """Start the server; return once it accepts requests.

        Does nothing if it is already running. Raise
        :class:`LocalServerError` if it cannot start (address in use,
        unusable database or fixture file, subprocess exiting early), with
        the reason.
        """
        with self._lock:
            if self._runner is not None:
                return self
            require_server_extra()
            port = self._port if self._port is not None else self._requested_port
            if self.mode == 'thread':
                runner: Any = _ThreadRunner(self, port)
            else:
                runner = _ProcessRunner(self, port)
            runner.start()
            self._runner = runner
            self._port = runner.port
            self._api_user = runner.api_user
            self._api_key = runner.api_key
            if self._log_start:
                logger.info(
                    'Local ftrack server running at %s (%s mode, database: %s).',
                    self.url, self.mode, self.database or 'in memory',
                )
            return self

    def stop(self) -> None:
        """Stop the server and release its database; safe to call when stopped."""
        with self._lock:
            runner, self._runner = self._runner, None
            snapshot, self._snapshot = self._snapshot, None
            if snapshot is not None:
                snapshot.release()
            if runner is not None:
                runner.stop()
                logger.info('Local ftrack server at %s stopped.', self.url)

    def restart(self) -> 'LocalServer':
        """Stop and start again on the same port (and database)."""
        self.stop()
        return self.start()

    # -- snapshots --------------------------------------------------------

    def snapshot(self) -> None:
        """Remember the database as it is now, for :meth:`restore`.

        The copy is kept in memory, replacing the previous one, until the
        server stops. Raise :class:`LocalServerError` when the server is
        not running or runs in process mode.
        """
        state = self._running_state('snapshot')
        previous, self._snapshot = self._snapshot, None
        if previous is not None:
            previous.release()
        self._snapshot = state.snapshot()

    def restore(self) -> bool:
        """Put the database back to what it was at the last :meth:`snapshot`.

        Return whether anything had to be copied (``False`` when nothing
        was written since). Connected clients keep their own caches: use
        new sessions afterwards. Raise :class:`LocalServerError` when the
        server is not running, runs in process mode or has no snapshot.
        """
        state = self._running_state('restore')
        if self._snapshot is None:
            raise LocalServerError(
                'LocalServer.restore() needs a snapshot: call snapshot() first '
                '(server at {0}).'.format(self.url)
            )
        return state.restore(self._snapshot)

    def _running_state(self, method: str) -> Any:
        if self._runner is None:
            raise LocalServerError(
                'LocalServer.{0}() needs a running server; start it first.'.format(method)
            )
        state = self.state
        if state is None:
            raise LocalServerError(
                'LocalServer.{0}() works in thread mode only; this server runs in '
                '{1} mode.'.format(method, self.mode)
            )
        return state

    def __enter__(self) -> 'LocalServer':
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._port is not None else 'not started'
        return '<LocalServer {0} ({1} mode, database {2})>'.format(
            where, self.mode, self.database or 'in memory'
        )

    def _config(self, port: int) -> ServerConfig:
        return ServerConfig(
            host=self.host,
            port=port,
            database=self.database,
            fixtures=self.fixtures,
            bare=self.bare,
            api_user=self._api_user,
            api_key=self._api_key,
            options=dict(self.options),
        )


class _ThreadRunner(object):
    """Runs the application on a private event loop in a daemon thread."""

    def __init__(self, server: LocalServer, port: int) -> None:
        self._server = server
        self._config = server._config(port)
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._loop: Any = None
        self._thread: Optional[threading.Thread] = None
        self.state: Any = None
        self.port: Optional[int] = None
        self.api_user: Optional[str] = None
        self.api_key: Optional[str] = None

    def start(self) -> None:
        from .errors import ApiError
        from .seed import FixtureError
        from .state import ServerState

        try:
            self.state = ServerState.open(self._config)
        except FixtureError as error:
            raise LocalServerError(str(error))
        except ApiError as error:
            raise LocalServerError(
                'Could not fill the new database {0}: {1}: {2}'.format(
                    self._config.database or '(in memory)', error.exception, error.content
                )
            ) from error
        except Exception as error:
            raise LocalServerError(
                'Could not open the local server database {0}: {1}'.format(
                    self._config.database or '(in memory)', _describe(error)
                )
            ) from error
        self.api_user = self.state.api_user
        self.api_key = self.state.api_key
        self._thread = threading.Thread(
            target=self._run, name='ftrack-local-server', daemon=True
        )
        self._thread.start()
        if not self._ready.wait(self._server.startup_timeout):
            self.stop()
            raise LocalServerError(
                'The local server did not start within {0} seconds.'.format(
                    self._server.startup_timeout
                )
            )
        if self._error is not None:
            self._thread.join()
            self.state.close()
            raise LocalServerError(
                'Could not listen on {0}:{1}: {2}'.format(
                    self._config.host, self._config.port, _describe(self._error)
                )
            ) from self._error

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        runner = None
        try:
            runner = loop.run_until_complete(self._listen())
        except BaseException as error:
            self._error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(runner.cleanup())
                _cancel_pending_tasks(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
            except Exception:
                logger.exception('Error while shutting down the local server.')
            finally:
                loop.close()

    async def _listen(self) -> Any:
        from aiohttp import web

        from .app import create_app

        app = create_app(self.state)
        runner = web.AppRunner(app, access_log=None, **_runner_options())
        await runner.setup()
        site = web.TCPSite(runner, self._config.host, self._config.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = runner.addresses[0][1]
        self.state.base_url = format_url(self._config.host, self.port)
        return runner

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:
                pass  # The loop already closed on its own.
            thread.join(DEFAULT_STOP_TIMEOUT)
            if thread.is_alive():
                logger.error('The local server thread did not stop in time.')
        if self.state is not None:
            self.state.close()


def _cancel_pending_tasks(loop: Any) -> None:
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


def _runner_options() -> Dict[str, Any]:
    # Bound how long a stop waits for open connections (websockets); the
    # keyword only exists on the runner in aiohttp >= 3.9.
    from aiohttp import web

    parameters = inspect.signature(web.BaseRunner.__init__).parameters
    if 'shutdown_timeout' in parameters:
        return {'shutdown_timeout': 5.0}
    return {}


def _describe(error: BaseException) -> str:
    return '{0}: {1}'.format(type(error).__name__, error)


class _ProcessRunner(object):
    """Runs ``python -m ftrack_local_server serve`` and reads its exports."""

    def __init__(self, server: LocalServer, port: int) -> None:
        self._server = server
        self._port = port
        self._process: Optional[subprocess.Popen] = None
        self.port: Optional[int] = None
        self.api_user: Optional[str] = None
        self.api_key: Optional[str] = None

    def _command(self) -> Sequence[str]:
        server = self._server
        # --quiet: the subprocess shares this process's stderr, where its
        # start-up lines ("Stop with Ctrl-C.") would mislead; warnings and
        # errors still show, and this process logs the start itself.
        command = [
            sys.executable, '-m', 'ftrack_local_server', 'serve', '--quiet',
            '--host', server.host, '--port', str(self._port),
        ]
        if server.database:
            command += ['--db', server.database]
        for path in server.fixtures:
            command += ['--fixtures', path]
        if server.bare:
            command.append('--bare')
        if server._api_user:
            command += ['--api-user', server._api_user]
        for name, value in sorted(server.options.items()):
            command += ['--option', '{0}={1}'.format(name, json.dumps(value))]
        return command

    def start(self) -> None:
        environment = dict(os.environ)
        # The key goes through the environment, not the command line, where
        # any local user could read it in the process list.
        environment.pop(API_KEY_ENVIRONMENT_VARIABLE, None)
        if self._server._api_key:
            environment[API_KEY_ENVIRONMENT_VARIABLE] = self._server._api_key
        environment['PYTHONUNBUFFERED'] = '1'
        self._process = subprocess.Popen(
            self._command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env=environment,
        )
        values = self._read_exports()
        url = values['FTRACK_SERVER']
        self.port = int(url.rsplit(':', 1)[1].rstrip('/'))
        self.api_user = values['FTRACK_API_USER']
        self.api_key = values['FTRACK_API_KEY']

    def _read_exports(self) -> Dict[str, str]:
        process = self._process
        lines: 'queue.Queue[Optional[str]]' = queue.Queue()

        def pump() -> None:
            # Keep draining stdout for the life of the process so that it
            # can never block on a full pipe.
            for raw in iter(process.stdout.readline, b''):
                lines.put(raw.decode('utf-8', 'replace'))
            lines.put(None)

        threading.Thread(target=pump, name='ftrack-local-server-stdout', daemon=True).start()
        values: Dict[str, str] = {}
        deadline = time.monotonic() + self._server.startup_timeout
        while len(values) < len(ENVIRONMENT_VARIABLES):
            remaining = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                self.stop()
                raise LocalServerError(
                    'The local server subprocess did not start within {0} '
                    'seconds.'.format(self._server.startup_timeout)
                )
            if line is None:
                code = process.wait()
                raise LocalServerError(
                    'The local server subprocess exited with status {0} before '
                    'accepting requests (its error output says why).'.format(code)
                )
            words = shlex.split(line)
            if len(words) == 2 and words[0] == 'export' and '=' in words[1]:
                name, _, value = words[1].partition('=')
                if name in ENVIRONMENT_VARIABLES:
                    values[name] = value
        return values

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        if os.name == 'nt':
            process.terminate()
        else:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(DEFAULT_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            logger.error('The local server subprocess did not stop in time; killing it.')
            process.kill()
            process.wait()
