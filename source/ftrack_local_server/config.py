"""Configuration of one local server instance.

A :class:`ServerConfig` is what the command line, :class:`LocalServer` and
the pytest plugin fill in; the server reads it once at start-up. It holds no
runtime state (see :mod:`ftrack_local_server.state` for that).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple

#: Address the server binds to unless told otherwise: only this machine.
DEFAULT_HOST = '127.0.0.1'

#: Username of the administrator a new database is created with.
DEFAULT_API_USER = 'admin'

#: Environment variables that supply the administrator's credentials when
#: no explicit value is given. They are deliberately not ``FTRACK_API_*``,
#: which name the credentials of a *client* and may hold a real server's key.
API_USER_ENVIRONMENT_VARIABLE = 'FTRACK_LOCAL_SERVER_API_USER'
API_KEY_ENVIRONMENT_VARIABLE = 'FTRACK_LOCAL_SERVER_API_KEY'

#: Database path meaning "in memory, gone when the server stops".
MEMORY_DATABASE = ':memory:'


@dataclass
class ServerConfig:
    """Settings of one server: where it listens, what it stores, who logs in.

    *host* and *port* are the address to bind (port 0 picks a free port).
    *database* is a SQLite file path, or ``None`` / ``':memory:'`` for an
    in-memory database. *fixtures* are paths of fixture files loaded, in
    order, after the built-in seed when the database is created; *bare*
    limits the built-in seed to system data. *api_user* and *api_key* fix
    the administrator's credentials (``None``: from the environment, else
    ``'admin'`` and a random key for a new database, the stored key for an
    existing one). *options* carries settings for optional parts of the
    server (for example the event server's heartbeat interval), keyed by
    name, so parts can be configured without changing this class.
    """

    host: str = DEFAULT_HOST
    port: int = 0
    database: Optional[str] = None
    fixtures: Tuple[str, ...] = ()
    bare: bool = False
    api_user: Optional[str] = None
    api_key: Optional[str] = None
    options: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.fixtures, (str, bytes)):
            # A lone path is a common slip; treating it as a sequence of
            # characters would try to open files named 'f', 'i', ...
            self.fixtures = (self.fixtures,)
        self.fixtures = tuple(str(path) for path in self.fixtures)
        if self.database is not None:
            self.database = os.fspath(self.database)
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise ValueError(
                'Port must be an integer between 0 and 65535, got {0!r}.'.format(
                    self.port
                )
            )

    @property
    def in_memory(self) -> bool:
        """Whether the database lives in memory only."""
        return self.database in (None, '', MEMORY_DATABASE)

    def resolved_api_user(self) -> Optional[str]:
        """Return the administrator username asked for, or ``None``.

        The explicit *api_user* wins over the environment variable
        ``FTRACK_LOCAL_SERVER_API_USER``.
        """
        return self.api_user or os.environ.get(API_USER_ENVIRONMENT_VARIABLE) or None

    def resolved_api_key(self) -> Optional[str]:
        """Return the administrator API key asked for, or ``None``.

        The explicit *api_key* wins over the environment variable
        ``FTRACK_LOCAL_SERVER_API_KEY``.
        """
        return self.api_key or os.environ.get(API_KEY_ENVIRONMENT_VARIABLE) or None


def normalise_fixture_paths(paths: Sequence[str]) -> Tuple[str, ...]:
    """Return *paths* as absolute paths, so a later chdir cannot break them."""
    return tuple(os.path.abspath(os.fspath(path)) for path in paths)
