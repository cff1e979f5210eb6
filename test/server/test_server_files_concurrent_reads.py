"""Downloads run on read connections: a long write batch does not hold them up (issue 9 item 3)."""

import threading

import requests

import ftrack_api


def _upload(server, tmp_path):
    path = tmp_path / 'data.bin'
    path.write_bytes(b'payload ' * 1000)
    session = ftrack_api.Session(server_url=server.url, api_key=server.api_key,
                                 api_user=server.api_user, auto_connect_event_hub=False)
    try:
        location = session.query('Location where name is "ftrack.server"').one()
        component = session.create_component(str(path), location=location)
        session.commit()
        return component['id']
    finally:
        session.close()


def _get(server, component_id, timeout=30):
    return requests.get(server.url + '/component/get', params={
        'id': component_id, 'username': server.api_user, 'apiKey': server.api_key},
        timeout=timeout)


def test_download_is_served_while_a_write_transaction_is_open(ftrack_server_factory, tmp_path):
    server = ftrack_server_factory(database=str(tmp_path / 'studio.sqlite'))
    component_id = _upload(server, tmp_path)
    holding, release = threading.Event(), threading.Event()

    def hold_the_writer():
        with server.state.store.transaction():
            holding.set()
            release.wait(30)

    writer = threading.Thread(target=hold_the_writer)
    writer.start()
    try:
        assert holding.wait(10)
        # Without read connections this would wait for the writer (and time out).
        response = _get(server, component_id, timeout=5)
        # Served while the writer still holds its transaction.
        assert not release.is_set()
        assert response.status_code == 200
        assert response.content == b'payload ' * 1000
    finally:
        release.set()
        writer.join(30)


def test_download_of_unknown_component_on_a_file_database_is_404(ftrack_server_factory, tmp_path):
    server = ftrack_server_factory(database=str(tmp_path / 'studio.sqlite'))
    response = _get(server, '00000000-0000-0000-0000-000000000000')
    assert response.status_code == 404
