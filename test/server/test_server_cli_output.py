"""What the command line prints: its name, help texts, listings, start lines."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from ftrack_local_server.__main__ import PROGRAM, build_parser, program_name

SCRIPT = os.path.join(os.path.dirname(sys.executable), 'ftrack-local-server')


def _run(arguments, **kwargs):
    return subprocess.run(
        [sys.executable] + list(arguments), capture_output=True, text=True, timeout=120,
        **kwargs)


@pytest.mark.parametrize('argv0, expected', [
    ('/venv/lib/python3.11/site-packages/ftrack_local_server/__main__.py', PROGRAM),
    ('/venv/bin/ftrack-local-server', 'ftrack-local-server'),
    ('C:\\venv\\Scripts\\ftrack-local-server.exe'.replace('\\', os.sep), 'ftrack-local-server'),
    ('', PROGRAM),
    ('-c', PROGRAM),
])
def test_program_name_follows_how_it_was_started(argv0, expected):
    assert program_name(argv0) == expected


@pytest.mark.skipif(not os.path.exists(SCRIPT), reason='console script not installed')
def test_console_script_usage_names_the_script():
    result = subprocess.run([SCRIPT, '--help'], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('usage: ftrack-local-server ')
    errors = subprocess.run([SCRIPT, 'outbox', '--db', '/nonexistent/db.sqlite'],
                            capture_output=True, text=True, timeout=120)
    assert errors.returncode == 2
    assert errors.stderr.startswith('ftrack-local-server: error: --db /nonexistent/db.sqlite')


def test_module_usage_names_python_m():
    result = _run(['-m', 'ftrack_local_server', '--help'])
    assert result.stdout.startswith('usage: python -m ftrack_local_server ')


def test_reset_help_describes_every_option():
    assert build_parser('my-prog').format_usage().startswith('usage: my-prog ')
    result = _run(['-m', 'ftrack_local_server', 'reset', '--help'])
    help_text = ' '.join(result.stdout.split())
    assert '--fixtures FILE fixture file (JSON list of API operations) loaded after the built-in seed' in help_text
    assert '--bare seed the new database with system data only' in help_text
    assert '-q, --quiet log warnings and errors only' in help_text


def test_users_list_has_a_header(tmp_path):
    database = str(tmp_path / 'listed.sqlite')
    assert _run(['-m', 'ftrack_local_server', 'reset', '--db', database]).returncode == 0
    listing = _run(['-m', 'ftrack_local_server', 'users', '--db', database, 'list'])
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0] == 'USERNAME\tNAME\tID\tACCESS'
    admin = [line.split('\t') for line in lines[1:] if line.startswith('admin\t')]
    assert admin and admin[0][3] == 'administrator'
    assert all(len(line.split('\t')) == 4 for line in lines)


def test_serve_logs_one_start_line(tmp_path):
    import signal

    process = subprocess.Popen(
        [sys.executable, '-m', 'ftrack_local_server', 'serve'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        exports = [process.stdout.readline() for _ in range(3)]
        assert exports[0].startswith('export FTRACK_SERVER=')
        url = exports[0].strip().split('=', 1)[1]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    starts = [line for line in stderr.splitlines() if 'running at' in line]
    assert len(starts) == 1, stderr
    assert starts[0].endswith(
        'Local ftrack server running at {0} (database: in memory). Stop with Ctrl-C.'.format(url))
    assert 'thread mode' not in stderr


def test_process_mode_server_keeps_the_childs_start_lines_out_of_stderr():
    script = textwrap.dedent('''
        import logging
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        from ftrack_local_server import LocalServer
        with LocalServer(mode="process") as server:
            print(server.url)
    ''')
    result = _run(['-c', script])
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert 'Stop with Ctrl-C' not in result.stderr
    assert 'thread mode' not in result.stderr
    starts = [line for line in result.stderr.splitlines() if 'running at' in line]
    assert starts == [
        'ftrack_local_server: Local ftrack server running at {0} (process mode, '
        'database: in memory).'.format(url)]


def test_quiet_and_verbose_exclude_each_other():
    result = _run(['-m', 'ftrack_local_server', 'serve', '-q', '-v'])
    assert result.returncode == 2
    assert 'not allowed with argument' in result.stderr
