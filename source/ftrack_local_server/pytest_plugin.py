"""pytest fixtures for test suites that use a local ftrack server.

Installed as a ``pytest11`` entry point, so the fixtures are available in any
project that has ``ftrack_local_server`` installed; nothing runs unless a
test asks for a fixture. Fixtures:

``ftrack_server`` (session scope)
    A started :class:`~ftrack_local_server.LocalServer` with the default
    studio and an in-memory database; ``.url``, ``.api_user``,
    ``.api_key``. With ``--ftrack-server-url URL`` (or the ini setting
    ``ftrack_server_url``) it is a real server instead, with credentials
    from ``FTRACK_API_USER`` / ``FTRACK_API_KEY``.

    One server serves the whole run, but every test using it (directly or
    through ``ftrack_session`` or another fixture) starts from the same
    data: after each such test the database is put back as it was before
    it (:meth:`~ftrack_local_server.LocalServer.restore`, a copy in memory
    with SQLite's backup API, skipped when the test wrote nothing). What
    fixtures of a wider scope (module, class, session) create is kept while
    they live: the copy is taken again after they are set up, and their
    teardown puts the database back as it was before them. The ini setting
    ``ftrack_server_isolated = false`` keeps every change for the rest of
    the run instead. A real server is never restored.
``ftrack_server_factory`` (function scope)
    ``factory(**kwargs)`` starts another local server with the
    :class:`~ftrack_local_server.LocalServer` arguments given; every server
    it started is stopped at teardown.
``ftrack_session`` (function scope)
    An ``ftrack_api.Session`` connected to ``ftrack_server``, closed at
    teardown.
``ftrack_session_for`` (function scope)
    ``factory(role='User', projects=None, username=None)`` returns an
    ``ftrack_api.Session`` of a new user holding security role *role* on
    the *projects* given (project entities, ids or names; None: all
    projects), to test a tool as an artist or a restricted API user would
    run it. The user is created through ``ftrack_server``'s administrator
    (so it is removed again with the test's data); the sessions are closed
    at teardown.

Ini settings ``ftrack_server_fixtures`` (fixture files, one per line,
relative to the ini file's directory) and ``ftrack_server_bare`` configure
the session server's database.

This module must stay cheap to import: pytest loads it in every run.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional

import pytest

from . import ENVIRONMENT_VARIABLES


class RemoteServer(NamedTuple):
    """Connection settings of an ftrack server this plugin does not run."""

    url: str
    api_user: str
    api_key: str

    def environment(self) -> dict:
        """Return ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``."""
        return dict(zip(ENVIRONMENT_VARIABLES, self))


def pytest_addoption(parser: Any) -> None:
    """Register the command-line option and ini settings of the plugin with pytest's *parser*."""
    group = parser.getgroup('ftrack', 'ftrack server fixtures')
    group.addoption(
        '--ftrack-server-url',
        dest='ftrack_server_url',
        default=None,
        metavar='URL',
        help='run ftrack_server / ftrack_session tests against this ftrack '
        'server instead of a local one (credentials from FTRACK_API_USER and '
        'FTRACK_API_KEY)',
    )
    parser.addini(
        'ftrack_server_url',
        'URL of a real ftrack server for the ftrack_server fixture '
        '(default: start a local server)',
        default=None,
    )
    parser.addini(
        'ftrack_server_fixtures',
        'fixture files loaded into the ftrack_server local database, one per '
        'line, relative to the ini file',
        type='linelist',
        default=[],
    )
    parser.addini(
        'ftrack_server_isolated',
        'put the ftrack_server local database back after each test that used '
        'it (default: true; false shares every change with later tests)',
        type='bool',
        default=True,
    )
    parser.addini(
        'ftrack_server_bare',
        'seed the ftrack_server local database with system data only',
        type='bool',
        default=False,
    )


def _require_server_extra() -> None:
    # A missing extra is a set-up problem, not a failure of the test: one
    # line naming the extra, without a traceback into this plugin.
    from ftrack_local_server import LocalServerError, require_server_extra

    try:
        require_server_extra()
    except LocalServerError as error:
        message = str(error)
    else:
        return
    pytest.fail(message, pytrace=False)


def _remote_url(config: Any) -> Any:
    return config.getoption('ftrack_server_url') or config.getini('ftrack_server_url') or None


def _fixture_paths(config: Any) -> List[str]:
    base = os.path.dirname(str(config.inipath)) if config.inipath else str(config.rootpath)
    return [os.path.join(base, path) for path in config.getini('ftrack_server_fixtures')]


@pytest.fixture(scope='session')
def ftrack_server(request: Any) -> Iterator[Any]:
    """A running ftrack server for the whole test session (see module docs)."""
    config = request.config
    url = _remote_url(config)
    if url:
        api_user = os.environ.get('FTRACK_API_USER')
        api_key = os.environ.get('FTRACK_API_KEY')
        if not api_user or not api_key:
            raise pytest.UsageError(
                '--ftrack-server-url {0} needs the credentials in the environment '
                'variables FTRACK_API_USER and FTRACK_API_KEY, which are not '
                'both set.'.format(url)
            )
        yield RemoteServer(url.rstrip('/'), api_user, api_key)
        return
    from ftrack_local_server import LocalServer

    _require_server_extra()
    server = LocalServer(
        fixtures=_fixture_paths(config), bare=config.getini('ftrack_server_bare')
    )
    server.start()
    isolation = _isolation(config)
    isolation.server = server
    try:
        yield server
    finally:
        isolation.server = None
        server.stop()


class _Isolation(object):
    """What the ``ftrack_server`` database goes back to, and when."""

    def __init__(self) -> None:
        #: The local server of ``ftrack_server`` while it runs.
        self.server: Any = None
        # Set when a fixture wider than a function has been set up or torn
        # down since the test snapshot was taken: it must be taken again.
        self.stale = True
        # Wider fixtures set up while the server ran, each with a snapshot
        # of the database from just before, restored at its teardown.
        self.before: Dict[Any, Any] = {}

    def state(self) -> Any:
        """Return the running server's state, or None."""
        server = self.server
        if server is None or not server.running:
            return None
        return server.state


_ISOLATION = pytest.StashKey[_Isolation]() if hasattr(pytest, 'StashKey') else None


def _isolation(config: Any) -> _Isolation:
    if _ISOLATION is not None:
        return config.stash.setdefault(_ISOLATION, _Isolation())
    isolation = getattr(config, '_ftrack_server_isolation', None)
    if isolation is None:
        isolation = config._ftrack_server_isolation = _Isolation()
    return isolation


def _isolated(config: Any) -> bool:
    return bool(config.getini('ftrack_server_isolated'))


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Iterator[None]:
    """Snapshot the database before a wider fixture that may write to it.

    pytest calls this hook with the *fixturedef* being set up and the
    *request* asking for it; function-scoped fixtures pass straight
    through.
    """
    if fixturedef.scope == 'function' or fixturedef.argname == 'ftrack_server':
        yield
        return
    isolation = _isolation(request.config)
    if _isolated(request.config):
        state = isolation.state()
        if state is not None and fixturedef not in isolation.before:
            isolation.before[fixturedef] = (state, state.snapshot())
    yield
    isolation.stale = True


def pytest_fixture_post_finalizer(fixturedef: Any, request: Any) -> None:
    """Undo what a wider fixture wrote, once it is torn down.

    pytest calls this hook with the torn-down *fixturedef* and the
    *request* that used it.
    """
    if fixturedef.scope == 'function':
        return
    isolation = _isolation(request.config)
    entry = isolation.before.pop(fixturedef, None)
    if entry is None:
        return
    state, snapshot = entry
    try:
        if state is isolation.state():
            state.restore(snapshot)
    finally:
        snapshot.release()
        isolation.stale = True


@pytest.fixture(autouse=True)
def _ftrack_server_isolation(request: Any) -> Iterator[None]:
    # Autouse and function scoped, so it runs after every wider fixture and
    # before the test's other function fixtures: the snapshot holds the
    # former, the restore undoes the latter and the test.
    if 'ftrack_server' not in request.fixturenames or not _isolated(request.config):
        yield
        return
    server = request.getfixturevalue('ftrack_server')
    if isinstance(server, RemoteServer):
        yield
        return
    isolation = _isolation(request.config)
    if isolation.stale:
        server.snapshot()
        isolation.stale = False
    yield
    if server.running and server._snapshot is not None:
        server.restore()
    else:
        # Stopped or restarted by the test: its snapshot went with it.
        isolation.stale = True


@pytest.fixture
def ftrack_server_factory() -> Iterator[Callable[..., Any]]:
    """Start extra local servers: ``factory(**LocalServer_arguments)``.

    Each server is started before it is returned and stopped at teardown.
    """
    from ftrack_local_server import LocalServer

    servers: List[Any] = []

    def factory(**arguments: Any) -> Any:
        _require_server_extra()
        server = LocalServer(**arguments)
        server.start()
        servers.append(server)
        return server

    try:
        yield factory
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture(scope='session')
def _ftrack_schema_cache_path(tmp_path_factory: Any) -> str:
    # One cache for the whole run: sessions after the first start warm.
    return str(tmp_path_factory.mktemp('ftrack-schema-cache'))


@pytest.fixture
def ftrack_session(ftrack_server: Any, _ftrack_schema_cache_path: str) -> Iterator[Any]:
    """An ``ftrack_api.Session`` connected to ``ftrack_server``, closed at teardown."""
    import ftrack_api

    session = ftrack_api.Session(
        server_url=ftrack_server.url,
        api_key=ftrack_server.api_key,
        api_user=ftrack_server.api_user,
        schema_cache_path=_ftrack_schema_cache_path,
    )
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def ftrack_session_for(ftrack_server: Any, _ftrack_schema_cache_path: str
                       ) -> Iterator[Callable[..., Any]]:
    """Return ``factory(role='User', projects=None, username=None)``: a session of a new restricted user.

    See the module documentation. Raise ``ftrack_api.exception.ServerError``
    (from the server) for an unknown role or project.
    """
    import ftrack_api

    sessions: List[Any] = []

    def connect(username: str, api_key: str) -> Any:
        session = ftrack_api.Session(
            server_url=ftrack_server.url, api_key=api_key, api_user=username,
            schema_cache_path=_ftrack_schema_cache_path, auto_connect_event_hub=False)
        sessions.append(session)
        return session

    def factory(role: str = 'User', projects: Any = None,
                username: Optional[str] = None) -> Any:
        admin = connect(ftrack_server.api_user, ftrack_server.api_key)
        username = username or 'user-{0}'.format(uuid.uuid4().hex[:12])
        from .dispatch import quote
        found = admin.query(
            'select id from SecurityRole where name is {0}'.format(quote(role))).first()
        if found is None:
            raise ValueError('No security role named {0!r} exists on the server.'.format(role))
        user = admin.create('User', {'username': username, 'first_name': username,
                                     'last_name': role, 'is_active': True})
        grant = admin.create('UserSecurityRole', {
            'user': user, 'security_role': found, 'is_all_projects': projects is None})
        for project in projects or ():
            admin.create('UserSecurityRoleProject', {
                'user_security_role': grant, 'project_id': _project_id(admin, project)})
        admin.commit()
        api_key = admin.call([{
            'action': 'reset_remote', 'reset_type': 'api_key',
            'entity_type': 'User', 'entity_key': [user['id']]}])[0]['data']['api_key']
        return connect(username, api_key)

    try:
        yield factory
    finally:
        for session in reversed(sessions):
            session.close()


def _project_id(session: Any, project: Any) -> str:
    """Return the id of *project*: an entity, an id or a name."""
    if not isinstance(project, str):
        return project['id']
    from .dispatch import quote
    found = session.query('select id from Project where id is {0} or name is {0}'.format(
        quote(project))).first()
    if found is None:
        raise ValueError('No project with the id or name {0!r} exists.'.format(project))
    return found['id']

