"""LocalServer life cycle in both modes, restarts and persistence across them."""

from __future__ import annotations

import os
import socket
import sys

import pytest
import requests

from ftrack_local_server import LocalServer, LocalServerError


def _information(server, **headers):
    base = {'ftrack-user': server.api_user, 'ftrack-api-key': server.api_key}
    base.update(headers)
    response = requests.post(
        server.url + '/api',
        json=[{'action': 'query_server_information', 'values': ['version', 'user_information']}],
        headers=base,
        timeout=60,
    )
    return response.json()


def _refuses_connections(url):
    try:
        requests.post(url + '/api', json=[], timeout=10)
    except requests.ConnectionError:
        return True
    return False


@pytest.mark.parametrize('mode', ['thread', 'process'])
def test_start_serve_stop(mode):
    server = LocalServer(mode=mode)
    with pytest.raises(LocalServerError):
        server.url
    server.start()
    try:
        assert server.running
        assert server.url == 'http://127.0.0.1:{0}'.format(server.port)
        assert server.api_user == 'admin'
        assert server.api_key
        if mode == 'thread':
            assert server.pid == os.getpid()
        else:
            assert server.pid != os.getpid()
            assert os.path.exists('/proc/{0}'.format(server.pid)) or sys.platform != 'linux'
        result = _information(server)
        assert result[0]['user_information']['username'] == 'admin'
        assert server.environment() == {
            'FTRACK_SERVER': server.url,
            'FTRACK_API_USER': server.api_user,
            'FTRACK_API_KEY': server.api_key,
        }
    finally:
        server.stop()
    assert not server.running
    assert _refuses_connections(server.url)
    server.stop()  # Stopping twice is harmless.


@pytest.mark.parametrize('mode', ['thread', 'process'])
def test_context_manager_and_given_credentials(mode):
    with LocalServer(mode=mode, api_user='jane.doe', api_key='a-key-given-by-the-test') as server:
        assert server.api_user == 'jane.doe'
        assert server.api_key == 'a-key-given-by-the-test'
        result = _information(server)
        assert result[0]['user_information']['username'] == 'jane.doe'
    assert _refuses_connections(server.url)


@pytest.mark.parametrize('mode', ['thread', 'process'])
def test_restart_on_the_same_port_and_file_database(mode, tmp_path):
    database = str(tmp_path / 'studio.sqlite')
    server = LocalServer(database=database, mode=mode)
    with server:
        port, key = server.port, server.api_key
        headers = {'ftrack-user': server.api_user, 'ftrack-api-key': server.api_key}
        created = requests.post(server.url + '/api', headers=headers, timeout=60, json=[{
            'action': 'create', 'entity_type': 'ListCategory',
            'entity_data': {'id': '5e1f0000-0000-4000-8000-000000000001', 'name': 'Persisted'},
        }]).json()
        assert created[0]['data']['name'] == 'Persisted'
    server.start()
    try:
        assert server.port == port
        assert server.api_key == key
        found = requests.post(server.url + '/api', headers=headers, timeout=60, json=[{
            'action': 'query',
            'expression': 'select name from ListCategory where id is '
                          '"5e1f0000-0000-4000-8000-000000000001"',
        }, {
            'action': 'query', 'expression': 'select id from Location',
        }]).json()
        assert [item['name'] for item in found[0]['data']] == ['Persisted']
        # The database was not seeded a second time.
        assert len(found[1]['data']) == 5
    finally:
        server.stop()


def test_new_server_object_on_existing_database_reuses_stored_credentials(tmp_path):
    database = str(tmp_path / 'studio.sqlite')
    with LocalServer(database=database, api_user='studio.admin') as first:
        key = first.api_key
    with LocalServer(database=database) as second:
        assert second.api_user == 'studio.admin'
        assert second.api_key == key
        assert _information(second)[0]['version']


def test_given_key_replaces_stored_key(tmp_path):
    database = str(tmp_path / 'studio.sqlite')
    with LocalServer(database=database) as first:
        old_key = first.api_key
    with LocalServer(database=database, api_key='replacement-key') as second:
        assert second.api_key == 'replacement-key'
        assert _information(second)[0]['version']
        rejected = _information(second, **{'ftrack-api-key': old_key})
        assert rejected['exception'] == 'InvalidCredentialsError'


def test_in_memory_restart_keeps_port_and_credentials():
    server = LocalServer()
    with server:
        port, user, key = server.port, server.api_user, server.api_key
    with server:
        assert (server.port, server.api_user, server.api_key) == (port, user, key)
        assert _information(server)[0]['version']


def test_two_servers_at_once_are_independent():
    with LocalServer() as first, LocalServer() as second:
        assert first.port != second.port
        assert first.api_key != second.api_key
        assert _information(first)[0]['version']
        rejected = _information(second, **{'ftrack-api-key': first.api_key})
        assert rejected['exception'] == 'InvalidCredentialsError'


@pytest.mark.parametrize('mode', ['thread', 'process'])
def test_port_in_use_is_reported(mode):
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        blocker.bind(('127.0.0.1', 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        server = LocalServer(port=port, mode=mode)
        with pytest.raises(LocalServerError) as caught:
            server.start()
        assert not server.running
        if mode == 'thread':
            assert str(port) in str(caught.value)
    finally:
        blocker.close()


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError) as caught:
        LocalServer(mode='fork')
    assert "'fork'" in str(caught.value)
    with pytest.raises(ValueError) as caught:
        LocalServer(port=70000)
    assert '70000' in str(caught.value)


def test_database_of_another_kind_is_reported(tmp_path):
    path = tmp_path / 'not-a-database.sqlite'
    path.write_bytes(b'this is not a SQLite database' * 100)
    with pytest.raises(LocalServerError) as caught:
        LocalServer(database=str(path)).start()
    assert str(path) in str(caught.value)
    # Nothing is lost: the file is left as it was.
    assert path.read_bytes() == b'this is not a SQLite database' * 100


@pytest.mark.parametrize('mode', ['thread', 'process'])
def test_options_reach_the_server(mode):
    with LocalServer(mode=mode, options={'max_request_size': 2048}) as server:
        response = requests.post(
            server.url + '/api',
            json=[{'action': 'query_server_information', 'metadata': 'x' * 4096}],
            headers={'ftrack-user': server.api_user, 'ftrack-api-key': server.api_key},
            timeout=60,
        )
        result = response.json()
        assert result['exception'] == 'ValidationError'
        assert '2048' in result['content']
