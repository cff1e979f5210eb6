"""Command line of the local server: ``serve``, ``run -- CMD``, ``reset``, ``users``.

Examples::

    python -m ftrack_local_server serve --db studio.sqlite > ftrack.env &
    python -m ftrack_local_server run -- python my_script.py
    python -m ftrack_local_server users --db studio.sqlite add jane --role User

Logs go to stderr; ``serve`` prints only the ``export`` lines on stdout, so
they can be evaluated by a shell.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
from typing import Any, Dict, List, Optional, Sequence

from . import LocalServer, LocalServerError, export_lines, require_server_extra

logger = logging.getLogger('ftrack_local_server')

#: How the program is named in usage lines and errors when run with ``-m``.
PROGRAM = 'python -m ftrack_local_server'


def program_name(argv0: Optional[str] = None) -> str:
    """Return the name the program was started by, for usage and error lines.

    ``python -m ftrack_local_server`` when *argv0* (default ``sys.argv[0]``)
    is this module's file, else the file name of the console script (e.g.
    ``ftrack-local-server``).
    """
    if argv0 is None:
        argv0 = sys.argv[0] if sys.argv else ''
    name = os.path.basename(argv0 or '')
    if not name or name in ('__main__.py', '-c', '-m') or name.startswith('python'):
        return PROGRAM
    if name.endswith('.exe') or name.endswith('-script.py'):
        name = name[:-len('.exe')] if name.endswith('.exe') else name[:-len('-script.py')]
    return name


class CommandError(Exception):
    """A problem with the command line, reported without a traceback."""


def _option(text: str) -> Any:
    name, separator, value = text.partition('=')
    if not separator or not name:
        raise argparse.ArgumentTypeError(
            'expected NAME=VALUE (VALUE in JSON, e.g. heartbeat_interval=0.5), '
            'got {0!r}'.format(text)
        )
    try:
        return name, json.loads(value)
    except ValueError:
        # A bare word is more convenient than a quoted JSON string.
        return name, value


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError('expected a port number, got {0!r}'.format(text))
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            'a port must be between 0 and 65535, got {0}'.format(port)
        )
    return port


def _add_server_options(parser: argparse.ArgumentParser, default_port: int) -> None:
    parser.add_argument(
        '--db', metavar='PATH', default=None,
        help='SQLite database file (created and seeded if missing); '
        'default: in memory, gone when the server stops',
    )
    parser.add_argument(
        '--host', default='127.0.0.1',
        help='address to listen on (default: 127.0.0.1, this machine only)',
    )
    parser.add_argument(
        '--port', type=_port, default=default_port,
        help='port to listen on; 0 picks a free one (default: %(default)s)',
    )
    parser.add_argument(
        '--fixtures', metavar='FILE', action='append', default=[],
        help='fixture file (JSON list of API operations) loaded into a new '
        'database after the built-in seed; repeatable',
    )
    parser.add_argument(
        '--bare', action='store_true',
        help='seed a new database with system data only (no studio content)',
    )
    _add_credential_options(parser)
    parser.add_argument(
        '--option', metavar='NAME=VALUE', type=_option, action='append', default=[],
        help='setting of an optional server part, VALUE in JSON; repeatable',
    )
    parser.add_argument(
        '--max-body', metavar='BYTES', type=_positive_number(int), default=None,
        help='largest /api request body accepted (default: 256 MiB)',
    )
    parser.add_argument(
        '--max-batch-operations', metavar='N', type=_positive_number(int), default=None,
        help='most operations in one batch (default: 100000)',
    )
    parser.add_argument(
        '--batch-time-limit', metavar='SECONDS', type=_positive_number(float), default=None,
        help='seconds a batch may run before it is rolled back (default: 120)',
    )
    _add_verbose_option(parser)


def _positive_number(kind: Any) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError('expected a positive number, got {0!r}'.format(text))
        if not value > 0:
            raise argparse.ArgumentTypeError('expected a positive number, got {0!r}'.format(text))
        return value
    return parse


def _limit_options(arguments: argparse.Namespace) -> Dict[str, Any]:
    options = dict(arguments.option)
    for name in ('max_body', 'max_batch_operations', 'batch_time_limit'):
        value = getattr(arguments, name, None)
        if value is not None:
            options[name] = value
    return options


def _add_verbose_option(parser: argparse.ArgumentParser) -> None:
    levels = parser.add_mutually_exclusive_group()
    levels.add_argument(
        '-v', '--verbose', action='count', default=0,
        help='log more (-v: requests and batches, i.e. debug level)',
    )
    levels.add_argument(
        '-q', '--quiet', action='store_true',
        help='log warnings and errors only',
    )


def _add_database_options(parser: argparse.ArgumentParser) -> None:
    # The commands working on a database file (not a running server).
    parser.add_argument('--db', metavar='PATH', required=True, help='database file')
    _add_verbose_option(parser)


def _add_credential_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--api-user', metavar='USERNAME', default=None,
        help='administrator username (default: $FTRACK_LOCAL_SERVER_API_USER, '
        'the stored administrator, else "admin")',
    )
    parser.add_argument(
        '--api-key', metavar='KEY', default=None,
        help='administrator API key (default: $FTRACK_LOCAL_SERVER_API_KEY, '
        'the stored key, else a random one)',
    )


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    """Return the argument parser of the command line, named *prog* (default: :func:`program_name`)."""
    parser = argparse.ArgumentParser(
        prog=prog or program_name(),
        description='A local, ftrack-compatible server backed by SQLite.',
    )
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    commands.required = True

    serve = commands.add_parser(
        'serve',
        help='run a server until interrupted',
        description='Run a server until SIGINT or SIGTERM. Once it accepts '
        'requests, print its connection settings as shell "export" lines.',
    )
    _add_server_options(serve, default_port=0)

    run = commands.add_parser(
        'run',
        help='run a command against a temporary server',
        description='Start a server on a free port, run CMD with FTRACK_SERVER, '
        'FTRACK_API_USER and FTRACK_API_KEY set, stop the server and exit with '
        "CMD's status.",
    )
    _add_server_options(run, default_port=0)
    run.add_argument('cmd', nargs=argparse.REMAINDER, metavar='-- CMD ...')

    reset = commands.add_parser(
        'reset',
        help='recreate a database file',
        description='Delete a database file and create it again from the seed '
        'data and fixture files. Everything stored in it is lost.',
    )
    _add_database_options(reset)
    reset.add_argument(
        '--fixtures', metavar='FILE', action='append', default=[],
        help='fixture file (JSON list of API operations) loaded after the '
        'built-in seed; checked before anything is deleted; repeatable',
    )
    reset.add_argument(
        '--bare', action='store_true',
        help='seed the new database with system data only (no studio content)',
    )
    _add_credential_options(reset)

    users = commands.add_parser(
        'users',
        help='list users or add one with an API key',
        description='List the users of a database, or add a user and print '
        'its API key.',
    )
    _add_database_options(users)
    user_commands = users.add_subparsers(dest='users_command', metavar='ACTION')
    user_commands.add_parser('list', help='list users and whether they have an API key')
    add = user_commands.add_parser('add', help='add a user and print its API key')
    add.add_argument('username')
    add.add_argument('--first-name', default=None)
    add.add_argument('--last-name', default=None)
    add.add_argument('--email', default=None)
    add.add_argument('--api-key', default=None, help='the key (default: a random one)')
    add.add_argument(
        '--role', action='append', default=[], metavar='NAME',
        help='security role granted on all projects (or on the --project ones), '
        'e.g. "Administrator", "User"; repeatable',
    )
    add.add_argument(
        '--project', action='append', default=[], metavar='NAME',
        help='grant the roles on this project only (by name); repeatable',
    )

    outbox = commands.add_parser(
        'outbox',
        help='show the e-mails the server would have sent',
        description='Print the invitations (user and review session invites) '
        'recorded instead of being sent, oldest first, one block each.',
    )
    _add_database_options(outbox)
    return parser


def _configure_logging(verbosity: int, default_level: int, quiet: bool = False) -> None:
    level = logging.DEBUG if verbosity else logging.WARNING if quiet else default_level
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    if not verbosity:
        # aiohttp's access log would repeat every request at INFO.
        logging.getLogger('aiohttp.access').setLevel(logging.WARNING)


def _check_fixture_files(paths: Sequence[str]) -> None:
    for path in paths:
        if not os.path.isfile(path):
            raise CommandError('--fixtures {0}: no such file.'.format(path))


def _server_from_arguments(arguments: argparse.Namespace) -> LocalServer:
    _check_fixture_files(arguments.fixtures)
    server = LocalServer(
        database=arguments.db,
        host=arguments.host,
        port=arguments.port,
        fixtures=arguments.fixtures,
        bare=arguments.bare,
        api_user=arguments.api_user,
        api_key=arguments.api_key,
        options=_limit_options(arguments),
        mode='thread',
    )
    # The command logs its own start line (with the database).
    server._log_start = False
    return server


class _StopRequest(object):
    """Turns SIGINT / SIGTERM into a flag the main thread waits for."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_number: Optional[int] = None
        self._previous: Dict[int, Any] = {}

    def __enter__(self) -> '_StopRequest':
        for number in _stop_signals():
            self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _handle(self, number: int, frame: Any) -> None:
        self.signal_number = number
        self.event.set()

    def wait(self) -> None:
        # A timeout keeps the main thread returning to the interpreter, where
        # signal handlers run, also on platforms whose waits are not
        # interrupted by signals.
        while not self.event.wait(0.5):
            pass


def _stop_signals() -> List[int]:
    numbers = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, 'SIGBREAK'):
        numbers.append(signal.SIGBREAK)
    return numbers


def command_serve(arguments: argparse.Namespace) -> int:
    """Serve until interrupted; print the export lines once accepting."""
    server = _server_from_arguments(arguments)
    with _StopRequest() as stop:
        server.start()
        try:
            sys.stdout.write(export_lines(server.url, server.api_user, server.api_key))
            sys.stdout.flush()
            logger.info(
                'Local ftrack server running at %s (database: %s). Stop with Ctrl-C.',
                server.url,
                server.database or 'in memory',
            )
            stop.wait()
            logger.info('Received signal %s; stopping.', stop.signal_number)
        finally:
            server.stop()
    return 0


def command_run(arguments: argparse.Namespace) -> int:
    """Run CMD against a temporary server and return CMD's exit status."""
    command = list(arguments.cmd)
    if command and command[0] == '--':
        command = command[1:]
    if not command:
        raise CommandError('run needs a command after "--", e.g. run -- python script.py')
    server = _server_from_arguments(arguments)
    server.start()
    try:
        environment = dict(os.environ)
        environment.update(server.environment())
        try:
            process = subprocess.Popen(command, env=environment)
        except OSError as error:
            logger.error('Cannot run %s: %s', command[0], error.strerror or error)
            return 127 if isinstance(error, FileNotFoundError) else 126
        return _wait_forwarding_signals(process)
    finally:
        server.stop()


def _wait_forwarding_signals(process: subprocess.Popen) -> int:
    def forward(number: int, frame: Any) -> None:
        # Ctrl-C already reaches the child through the terminal's process
        # group; a SIGTERM sent to us alone must be passed on.
        if number != signal.SIGINT and process.poll() is None:
            process.send_signal(number)

    previous = {number: signal.signal(number, forward) for number in _stop_signals()}
    try:
        while True:
            try:
                code = process.wait()
                break
            except KeyboardInterrupt:
                continue
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    # A child killed by a signal reports -N; shells report 128 + N.
    return 128 - code if code < 0 else code


def command_reset(arguments: argparse.Namespace) -> int:
    """Recreate the database file and print the new credentials."""
    from .state import remove_database_files

    _check_fixture_files(arguments.fixtures)
    # Read the fixtures before deleting anything, so a typo cannot cost the
    # old database.
    from .seed import read_fixtures

    read_fixtures(arguments.fixtures)
    remove_database_files(arguments.db)
    state = _open_state(arguments.db, arguments.fixtures, arguments.bare,
                        arguments.api_user, arguments.api_key)
    try:
        _write_credentials(state.api_user, state.api_key)
    finally:
        state.close()
    logger.info('Recreated %s.', arguments.db)
    return 0


def _write_credentials(api_user: str, api_key: str) -> None:
    sys.stdout.write('export FTRACK_API_USER={0}\nexport FTRACK_API_KEY={1}\n'.format(
        shlex.quote(api_user), shlex.quote(api_key)))


def _open_state(
    database: str,
    fixtures: Sequence[str] = (),
    bare: bool = False,
    api_user: Optional[str] = None,
    api_key: Optional[str] = None,
) -> Any:
    from .config import ServerConfig
    from .state import ServerState

    return ServerState.open(
        ServerConfig(
            database=database,
            fixtures=tuple(fixtures),
            bare=bare,
            api_user=api_user,
            api_key=api_key,
        )
    )


def _open_existing_state(database: str) -> Any:
    if not os.path.exists(database):
        raise CommandError('--db {0}: no such database file.'.format(database))
    return _open_state(database)


def command_users(arguments: argparse.Namespace) -> int:
    """List users, or add one and print its key."""
    from . import auth, seed
    from .dispatch import finish_batch, query_entities

    state = _open_existing_state(arguments.db)
    try:
        if arguments.users_command == 'add':
            with state.store.transaction() as tx:
                context = seed.system_context(state, tx)
                user = seed.create_user(
                    context,
                    arguments.username,
                    first_name=arguments.first_name,
                    last_name=arguments.last_name,
                    email=arguments.email,
                    roles=arguments.role,
                    projects=arguments.project,
                )
                key = auth.set_api_key(tx, user['id'], arguments.username, arguments.api_key)
                finish_batch(context)
            _write_credentials(arguments.username, key)
            return 0
        with state.store.transaction() as tx:
            users = query_entities(
                state, tx, 'select id, username, first_name, last_name, is_active from User'
            )
            keys = {row['user_id']: row for row in auth.api_key_rows(tx)}
        sys.stdout.write('USERNAME\tNAME\tID\tACCESS\n')
        for user in sorted(users, key=lambda item: item['username'] or ''):
            row = keys.get(user['id'])
            flags = []
            if row is not None:
                flags.append('administrator' if row['is_default'] else 'api key')
            if not user.get('is_active'):
                flags.append('inactive')
            sys.stdout.write('{0}\t{1}\t{2}\t{3}\n'.format(
                user['username'],
                ' '.join(part for part in (user.get('first_name'), user.get('last_name')) if part),
                user['id'],
                ', '.join(flags),
            ))
        return 0
    finally:
        state.close()


def command_outbox(arguments: argparse.Namespace) -> int:
    """Print the recorded e-mails of a database."""
    from .actions.invites import read_outbox

    state = _open_existing_state(arguments.db)
    try:
        with state.store.transaction() as tx:
            messages = read_outbox(tx)
    finally:
        state.close()
    for message in messages:
        sys.stdout.write('Date: {0}\nTo: {1}\nSubject: {2}\n\n{3}\n\n'.format(
            message['sent_at'], message['recipient'], message['subject'],
            message['body'].rstrip('\n')))
    if not messages:
        logger.info('No e-mail recorded in %s.', arguments.db)
    return 0


COMMANDS = {
    'serve': command_serve,
    'run': command_run,
    'reset': command_reset,
    'users': command_users,
    'outbox': command_outbox,
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line with *argv* (default ``sys.argv[1:]``); return the exit status."""
    from . import errors
    from .seed import FixtureError

    program = program_name()
    parser = build_parser(program)
    arguments = parser.parse_args(argv)
    if arguments.command == 'users' and arguments.users_command is None:
        arguments.users_command = 'list'
    default_level = logging.WARNING if arguments.command == 'run' else logging.INFO
    _configure_logging(arguments.verbose, default_level, arguments.quiet)
    try:
        # Every command opens a database, which needs the server extra.
        require_server_extra()
        return COMMANDS[arguments.command](arguments)
    except (CommandError, FixtureError, LocalServerError) as error:
        sys.stderr.write('{0}: error: {1}\n'.format(program, error))
        return 2
    except errors.ApiError as error:
        sys.stderr.write('{0}: error: {1}: {2}\n'.format(program, error.exception, error.content))
        return 1
    except Exception as error:
        # Unexpected: keep the traceback for -v, a one-line reason otherwise.
        logger.debug('Unexpected failure.', exc_info=True)
        sys.stderr.write('{0}: error: {1}: {2}{3}\n'.format(
            program, type(error).__name__, error,
            '' if arguments.verbose else ' (run with -v for details)'))
        return 1


if __name__ == '__main__':
    sys.exit(main())
