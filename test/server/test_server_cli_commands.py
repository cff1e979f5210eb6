"""The command line: ``serve``, ``run -- CMD``, ``reset`` and ``users``."""

from __future__ import annotations

import json
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

PYTHON = sys.executable
STARTUP_DEADLINE = 120.0
STOP_DEADLINE = 60.0

pytestmark = pytest.mark.skipif(os.name == 'nt', reason='POSIX signals and shells')


def _cli(*arguments, **kwargs):
    return [PYTHON, '-m', 'ftrack_local_server'] + list(arguments)


def _run(*arguments, env=None, timeout=STARTUP_DEADLINE):
    return subprocess.run(
        _cli(*arguments), capture_output=True, text=True, env=env, timeout=timeout
    )


class _Serve(object):
    """A ``serve`` subprocess whose stdout lines are collected as they come."""

    def __init__(self, *arguments):
        self.process = subprocess.Popen(
            _cli('serve', *arguments),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._pump, args=(self.process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()

    @staticmethod
    def _pump(stream, lines):
        for line in stream:
            lines.put(line)
        lines.put(None)

    def _drain(self):
        for line in self.process.stderr:
            self.stderr.append(line)

    def exports(self):
        """Return the export lines (as text) once all three have been printed."""
        collected = []
        deadline = time.monotonic() + STARTUP_DEADLINE
        while len(collected) < 3:
            line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            assert line is not None, 'serve exited early: ' + ''.join(self.stderr)
            collected.append(line)
        return ''.join(collected)

    def stop(self, number):
        self.process.send_signal(number)
        return self.process.wait(STOP_DEADLINE)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serve():
    started = []

    def start(*arguments):
        instance = _Serve(*arguments)
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.kill()


def _parse_exports(text):
    values = {}
    for line in text.splitlines():
        words = shlex.split(line)
        assert words[0] == 'export', line
        name, _, value = words[1].partition('=')
        values[name] = value
    return values


def _information(values):
    response = requests.post(
        values['FTRACK_SERVER'] + '/api',
        json=[{'action': 'query_server_information', 'values': ['user_information']}],
        headers={'ftrack-user': values['FTRACK_API_USER'],
                 'ftrack-api-key': values['FTRACK_API_KEY']},
        timeout=60,
    )
    return response.json()


@pytest.mark.parametrize('number', [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_evaluable_exports_and_stops_on_signal(serve, number):
    server = serve('--port', '0')
    exports = server.exports()
    values = _parse_exports(exports)
    assert set(values) == {'FTRACK_SERVER', 'FTRACK_API_USER', 'FTRACK_API_KEY'}
    # The server accepts requests as soon as the lines are printed.
    assert _information(values)[0]['user_information']['username'] == values['FTRACK_API_USER']
    # A shell can evaluate the lines.
    echoed = subprocess.run(
        ['sh', '-c', 'eval "$1"; printf "%s|%s|%s" "$FTRACK_SERVER" "$FTRACK_API_USER" "$FTRACK_API_KEY"',
         'sh', exports],
        capture_output=True, text=True, timeout=60,
    ).stdout
    assert echoed == '|'.join(
        [values['FTRACK_SERVER'], values['FTRACK_API_USER'], values['FTRACK_API_KEY']]
    )
    assert server.stop(number) == 0
    with pytest.raises(requests.ConnectionError):
        requests.post(values['FTRACK_SERVER'] + '/api', json=[], timeout=10)


def test_serve_file_database_keeps_data_and_credentials(serve, tmp_path):
    database = str(tmp_path / 'cli.sqlite')
    first = serve('--db', database, '--api-user', 'cli.admin')
    values = _parse_exports(first.exports())
    assert values['FTRACK_API_USER'] == 'cli.admin'
    assert first.stop(signal.SIGTERM) == 0
    second = serve('--db', database)
    again = _parse_exports(second.exports())
    assert again['FTRACK_API_USER'] == 'cli.admin'
    assert again['FTRACK_API_KEY'] == values['FTRACK_API_KEY']
    assert second.stop(signal.SIGINT) == 0


def test_serve_api_key_from_environment(tmp_path):
    env = dict(os.environ, FTRACK_LOCAL_SERVER_API_KEY='key-from-environment')
    process = subprocess.Popen(
        _cli('serve', '--port', '0'), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=env,
    )
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        values = _parse_exports(''.join(lines))
        assert values['FTRACK_API_KEY'] == 'key-from-environment'
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(STOP_DEADLINE) == 0


def test_serve_logs_go_to_stderr_not_stdout(serve):
    server = serve('--port', '0', '-v')
    server.exports()
    assert server.stop(signal.SIGTERM) == 0
    remaining = []
    while True:
        line = server.lines.get(timeout=STOP_DEADLINE)
        if line is None:
            break
        remaining.append(line)
    assert remaining == []
    assert any('ftrack_local_server' in line for line in server.stderr)


def test_run_sets_environment_and_returns_command_status(tmp_path):
    script = tmp_path / 'client.py'
    script.write_text(
        'import os, sys, requests\n'
        'response = requests.post(os.environ["FTRACK_SERVER"] + "/api",\n'
        '    json=[{"action": "query_server_information", "values": ["user_information"]}],\n'
        '    headers={"ftrack-user": os.environ["FTRACK_API_USER"],\n'
        '             "ftrack-api-key": os.environ["FTRACK_API_KEY"]})\n'
        'print(response.json()[0]["user_information"]["username"])\n'
        'print(os.environ["FTRACK_SERVER"])\n'
        'sys.exit(7)\n',
        encoding='utf-8',
    )
    result = _run('run', '--api-user', 'runner', '--', PYTHON, str(script))
    assert result.returncode == 7, result.stderr
    username, url = result.stdout.split()
    assert username == 'runner'
    # The server is gone once run returns.
    with pytest.raises(requests.ConnectionError):
        requests.post(url + '/api', json=[], timeout=10)


def test_run_returns_zero_for_successful_command():
    result = _run('run', '--', PYTHON, '-c', 'pass')
    assert result.returncode == 0, result.stderr


def test_run_stops_server_when_command_is_killed(tmp_path):
    result = _run('run', '--', PYTHON, '-c',
                  'import os, signal; print(os.environ["FTRACK_SERVER"], flush=True); '
                  'os.kill(os.getpid(), signal.SIGTERM)')
    assert result.returncode == 128 + signal.SIGTERM
    with pytest.raises(requests.ConnectionError):
        requests.post(result.stdout.strip() + '/api', json=[], timeout=10)


def test_run_without_command_is_an_error():
    result = _run('run')
    assert result.returncode == 2
    assert 'run needs a command' in result.stderr


def test_run_with_unknown_command():
    result = _run('run', '--', 'no-such-command-for-ftrack-local-server')
    assert result.returncode == 127
    assert 'no-such-command-for-ftrack-local-server' in result.stderr


def test_missing_fixture_file_is_a_friendly_error(tmp_path):
    path = str(tmp_path / 'absent.json')
    result = _run('serve', '--fixtures', path)
    assert result.returncode == 2
    assert path in result.stderr
    assert 'Traceback' not in result.stderr


def test_invalid_fixture_file_is_a_friendly_error(tmp_path):
    path = tmp_path / 'invalid.json'
    path.write_text('[{"action": "create",', encoding='utf-8')
    result = _run('serve', '--fixtures', str(path))
    assert result.returncode == 2
    assert str(path) in result.stderr
    assert 'not valid JSON' in result.stderr
    assert 'Traceback' not in result.stderr


def test_bad_port_is_rejected():
    result = _run('serve', '--port', 'eighty')
    assert result.returncode == 2
    assert "'eighty'" in result.stderr


def test_reset_recreates_the_database(tmp_path):
    database = str(tmp_path / 'reset.sqlite')
    created = _run('reset', '--db', database, '--api-key', 'first-key')
    assert created.returncode == 0, created.stderr
    assert _parse_exports(created.stdout)['FTRACK_API_KEY'] == 'first-key'
    added = _run('users', '--db', database, 'add', 'temporary.user')
    assert added.returncode == 0, added.stderr
    assert 'temporary.user' in _run('users', '--db', database, 'list').stdout
    reset = _run('reset', '--db', database)
    assert reset.returncode == 0, reset.stderr
    assert _parse_exports(reset.stdout)['FTRACK_API_KEY'] != 'first-key'
    assert 'temporary.user' not in _run('users', '--db', database).stdout


def test_reset_with_bad_fixture_keeps_the_old_database(tmp_path):
    database = tmp_path / 'keep.sqlite'
    assert _run('reset', '--db', str(database)).returncode == 0
    before = database.stat().st_size
    bad = tmp_path / 'bad.json'
    bad.write_text('not json', encoding='utf-8')
    result = _run('reset', '--db', str(database), '--fixtures', str(bad))
    assert result.returncode == 2
    assert database.exists() and database.stat().st_size == before


def test_users_add_prints_a_working_key(serve, tmp_path):
    database = str(tmp_path / 'users.sqlite')
    assert _run('reset', '--db', database).returncode == 0
    added = _run('users', '--db', database, 'add', 'jane@example.com',
                 '--first-name', 'Jane', '--last-name', 'Doe', '--role', 'User')
    assert added.returncode == 0, added.stderr
    credentials = _parse_exports(added.stdout)
    assert credentials['FTRACK_API_USER'] == 'jane@example.com'
    listing = _run('users', '--db', database, 'list').stdout
    line = [item for item in listing.splitlines() if item.startswith('jane@example.com')][0]
    assert 'Jane Doe' in line and 'api key' in line

    server = serve('--db', database)
    values = _parse_exports(server.exports())
    values.update(credentials)
    info = _information(values)
    assert info[0]['user_information']['username'] == 'jane@example.com'
    assert info[0]['user_information']['first_name'] == 'Jane'
    assert server.stop(signal.SIGTERM) == 0


def test_users_add_existing_username_is_an_error(tmp_path):
    database = str(tmp_path / 'dupe.sqlite')
    assert _run('reset', '--db', database).returncode == 0
    result = _run('users', '--db', database, 'add', 'admin')
    assert result.returncode == 1
    assert 'admin' in result.stderr
    assert 'Traceback' not in result.stderr


def test_users_add_unknown_role_is_an_error(tmp_path):
    database = str(tmp_path / 'role.sqlite')
    assert _run('reset', '--db', database).returncode == 0
    result = _run('users', '--db', database, 'add', 'bob', '--role', 'Wizard')
    assert result.returncode == 1
    assert "'Wizard'" in result.stderr
    assert 'bob' not in _run('users', '--db', database).stdout


def test_users_add_with_projects_limits_the_role_to_them(serve, tmp_path):
    database = str(tmp_path / 'scoped.sqlite')
    fixtures = tmp_path / 'projects.json'
    schema = '36b4358f-db52-5099-bca7-b13e0b1c563f'  # the seeded "VFX Scheme"
    fixtures.write_text(json.dumps([
        {'action': 'create', 'entity_type': 'Project', 'entity_data': {
            'name': name, 'full_name': name, 'project_schema_id': schema}}
        for name in ('shown', 'hidden')]))
    result = _run('reset', '--db', database, '--fixtures', str(fixtures))
    if result.returncode != 0:
        pytest.fail(result.stderr)
    added = _run('users', '--db', database, 'add', 'artist', '--role', 'User',
                 '--project', 'shown')
    assert added.returncode == 0, added.stderr
    refused = _run('users', '--db', database, 'add', 'other', '--role', 'User',
                   '--project', 'nowhere')
    assert refused.returncode == 1 and "'nowhere'" in refused.stderr
    server = serve('--db', database)
    values = _parse_exports(server.exports())
    values.update(_parse_exports(added.stdout))
    response = requests.post(
        values['FTRACK_SERVER'] + '/api',
        json=[{'action': 'query', 'expression': 'select name from Project'}],
        headers={'ftrack-user': 'artist', 'ftrack-api-key': values['FTRACK_API_KEY']},
        timeout=60).json()
    assert [item['name'] for item in response[0]['data']] == ['shown']
    assert server.stop(signal.SIGTERM) == 0


def test_users_on_missing_database_is_an_error(tmp_path):
    path = str(tmp_path / 'nothing.sqlite')
    result = _run('users', '--db', path)
    assert result.returncode == 2
    assert path in result.stderr
    assert not os.path.exists(path)


def test_users_added_while_serving_can_log_in(serve, tmp_path):
    database = str(tmp_path / 'live.sqlite')
    server = serve('--db', database)
    values = _parse_exports(server.exports())
    added = _run('users', '--db', database, 'add', 'late.user')
    assert added.returncode == 0, added.stderr
    values.update(_parse_exports(added.stdout))
    assert _information(values)[0]['user_information']['username'] == 'late.user'
    assert server.stop(signal.SIGTERM) == 0


def test_reset_removes_the_component_data_of_the_old_database(tmp_path):
    database = tmp_path / 'data.sqlite'
    assert _run('reset', '--db', str(database)).returncode == 0
    data_directory = tmp_path / 'data.sqlite.files'
    data_directory.mkdir(exist_ok=True)
    (data_directory / 'stale').write_bytes(b'old component data')
    assert _run('reset', '--db', str(database)).returncode == 0
    assert not (data_directory / 'stale').exists()


def test_outbox_prints_recorded_invitations(serve, tmp_path):
    database = str(tmp_path / 'outbox.sqlite')
    assert _run('reset', '--db', database).returncode == 0
    empty = _run('outbox', '--db', database)
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout == ''

    server = serve('--db', database)
    values = _parse_exports(server.exports())
    headers = {'ftrack-user': values['FTRACK_API_USER'],
               'ftrack-api-key': values['FTRACK_API_KEY']}
    created = requests.post(values['FTRACK_SERVER'] + '/api', headers=headers, json=[
        {'action': 'create', 'entity_type': 'User',
         'entity_data': {'username': 'invitee', 'email': 'invitee@example.com'}},
    ]).json()
    user_id = created[0]['data']['id']
    sent = requests.post(values['FTRACK_SERVER'] + '/api', headers=headers, json=[
        {'action': 'send_user_invite', 'user_id': user_id},
    ]).json()
    assert sent == [{'sent': True}]
    assert server.stop(signal.SIGTERM) == 0

    listing = _run('outbox', '--db', database)
    assert listing.returncode == 0, listing.stderr
    assert 'To: invitee@example.com' in listing.stdout
    assert 'Subject: ' in listing.stdout


def test_outbox_of_a_missing_database_is_an_error(tmp_path):
    result = _run('outbox', '--db', str(tmp_path / 'missing.sqlite'))
    assert result.returncode == 2
    assert 'no such database file' in result.stderr
