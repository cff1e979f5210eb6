"""The HTTP transport: headers, errors, timeouts and secrecy of the API key.

A small standard-library HTTP server stands in for the ftrack server so the
exact requests can be inspected and any answer (error statuses, non-JSON
bodies) produced.
"""

import http.server
import json
import logging
import threading

import pytest
import requests

import ftrack_api.exception
from ftrack_api._session.transport import SessionAuthentication, Transport


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get('content-length', 0))
        body = self.rfile.read(length)
        self.server.seen.append((self.path, dict(self.headers), body))
        status, payload = self.server.answers.pop(0)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(data)))
        self.send_header('set-cookie', 'server_cookie=abc; Path=/')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(('127.0.0.1', 0), _Handler)
    httpd.seen = []
    httpd.answers = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server):
    return 'http://127.0.0.1:{0}'.format(server.server_address[1])


def transport(server, **kw):
    return Transport(url(server), 'martin', 'secret-key-123', **kw)


def test_headers_body_and_cookies(server):
    server.answers = [(200, [{'ok': 1}]), (200, [{'ok': 2}])]
    client = transport(
        server, headers={'x-extra': 'yes'}, cookies={'session_cookie': 'c1'},
        strict_api=True,
    )
    assert client.call('[{"action": "x"}]', json.loads) == [{'ok': 1}]
    client.call('[]', json.loads)
    path, headers, body = server.seen[0]
    headers = {key.lower(): value for key, value in headers.items()}
    assert path == '/api'
    assert body == b'[{"action": "x"}]'
    assert headers['ftrack-user'] == 'martin'
    assert headers['ftrack-api-key'] == 'secret-key-123'
    assert headers['ftrack-strict-api'] == 'true'
    assert headers['content-type'] == 'application/json'
    assert headers['accept'] == 'application/json'
    assert headers['x-extra'] == 'yes'
    assert 'session_cookie=c1' in headers['cookie']
    second = {key.lower(): value for key, value in server.seen[1][1].items()}
    assert 'server_cookie=abc' in second['cookie']


def test_strict_api_false_is_always_sent(server):
    server.answers = [(200, [])]
    transport(server).call('[]', json.loads)
    headers = {key.lower(): value for key, value in server.seen[0][1].items()}
    assert headers['ftrack-strict-api'] == 'false'


def test_error_object_with_200_status(server):
    server.answers = [(200, {
        'exception': 'ValidationError', 'content': 'Bad value "x".', 'error_code': None,
    })]
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        transport(server).call('[]', json.loads)
    assert str(error.value) == 'Server reported error: ValidationError(Bad value "x".)'


def test_error_object_with_error_status(server):
    server.answers = [(422, {
        'exception': 'ValidationError', 'content': 'Invalid.', 'error_code': None,
    })]
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        transport(server).call('[]', json.loads)
    assert 'ValidationError(Invalid.)' in str(error.value)


def test_error_status_without_error_object(server):
    server.answers = [(503, {'detail': 'maintenance'})]
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        transport(server).call('[]', json.loads)
    assert '503' in str(error.value)


def test_non_json_body(server):
    server.answers = [(500, b'<html>Internal error</html>')]
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        transport(server).call('[]', json.loads)
    assert 'Raw error was: <html>Internal error</html>' in str(error.value)


def test_network_errors_are_not_wrapped():
    client = Transport('http://127.0.0.1:9', 'martin', 'secret-key-123', timeout=5)
    with pytest.raises(requests.ConnectionError):
        client.call('[]', json.loads)


def test_timeout_is_applied(server):
    class SlowHandler(_Handler):
        def do_POST(self):
            self.server.release.wait(10)
            super(SlowHandler, self).do_POST()

    slow = http.server.HTTPServer(('127.0.0.1', 0), SlowHandler)
    slow.seen, slow.answers = [], [(200, [])]
    slow.release = threading.Event()
    thread = threading.Thread(target=slow.serve_forever, daemon=True)
    thread.start()
    try:
        client = transport(slow, timeout=0.2)
        with pytest.raises(requests.Timeout):
            client.call('[]', json.loads)
    finally:
        slow.release.set()
        slow.shutdown()
        slow.server_close()


def test_api_key_never_in_repr_or_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.answers = [(200, [])]
    client = transport(server)
    client.call('[]', json.loads)
    assert 'secret-key-123' not in repr(client)
    assert 'secret-key-123' not in repr(SessionAuthentication('secret-key-123', 'u'))
    for record in caplog.records:
        assert 'secret-key-123' not in record.getMessage()


def test_verify_setting_is_passed_to_requests(server):
    client = transport(server, verify='/path/to/ca-bundle.pem')
    assert client.http_session.verify == '/path/to/ca-bundle.pem'
    assert transport(server).http_session.verify is True
