"""TLS: certificates are verified, and a CA bundle can be given.

A small HTTPS front (self-signed certificate made with the ``openssl``
command) forwards ``/api`` to a LocalServer. The documented way to trust a
self-signed server is ``REQUESTS_CA_BUNDLE`` (seed: "Security and
authentication").
"""

import http.server
import shutil
import ssl
import subprocess
import threading

import pytest
import requests

import ftrack_api

pytestmark = pytest.mark.skipif(
    shutil.which('openssl') is None, reason='needs the openssl command'
)


@pytest.fixture
def certificate(tmp_path):
    key = tmp_path / 'key.pem'
    certificate = tmp_path / 'certificate.pem'
    subprocess.run(
        [
            'openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
            '-keyout', str(key), '-out', str(certificate), '-days', '1',
            '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        ],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=60,
    )
    return str(certificate), str(key)


@pytest.fixture
def https_front(ftrack_server, certificate):
    """Return the URL of an HTTPS server forwarding POST /api to the server."""
    target = ftrack_server.url

    class Forward(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers['Content-Length']))
            headers = {
                name: value for name, value in self.headers.items()
                if name.lower().startswith('ftrack-')
                or name.lower() in ('content-type', 'accept')
            }
            answer = requests.post(target + self.path, data=body, headers=headers)
            self.send_response(answer.status_code)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Forward)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield 'https://127.0.0.1:{0}'.format(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _session(ftrack_server, url):
    return ftrack_api.Session(
        server_url=url, api_key=ftrack_server.api_key,
        api_user=ftrack_server.api_user, schema_cache_path=False,
    )


def test_untrusted_certificate_is_refused(ftrack_server, https_front, monkeypatch):
    monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    with pytest.raises(requests.exceptions.SSLError):
        _session(ftrack_server, https_front)


def test_ca_bundle_from_environment_is_trusted(
    ftrack_server, https_front, certificate, monkeypatch
):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', certificate[0])
    with _session(ftrack_server, https_front) as session:
        assert session.server_url == https_front
        assert session.query('User').first() is not None
