"""The API key never appears in log records, at any level (issue 9 item 5)."""

import logging

import ftrack_api


def test_api_key_is_not_logged_when_transferring_files(ftrack_server, tmp_path, caplog):
    path = tmp_path / 'data.txt'
    path.write_text('some data')
    with caplog.at_level(logging.DEBUG):
        session = ftrack_api.Session(
            server_url=ftrack_server.url, api_user=ftrack_server.api_user,
            api_key=ftrack_server.api_key, auto_connect_event_hub=False,
        )
        try:
            server = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
            component = session.create_component(str(path), location=server)
            session.commit()
            assert server.accessor.open(component['id'], 'rb').read() == b'some data'
        finally:
            session.close()
    text = '\n'.join(record.getMessage() for record in caplog.records)
    assert 'GET /component/get' in text  # urllib3's request line is logged...
    assert ftrack_server.api_key not in text  # ...with the key hidden
    assert 'apiKey=<hidden>' in text
