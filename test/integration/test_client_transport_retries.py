"""Read-only batches are retried; writes that may have been applied say so."""

import http.server
import json
import threading

import pytest
import requests

import ftrack_api
import ftrack_api._session.transport as transport_module


class FlakyProxy(object):
    """An HTTP front answering 503 a number of times, then passing through."""

    def __init__(self, target, failures):
        self.failures = failures
        self.seen = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                proxy.seen.append(json.loads(body))
                if proxy.failures > 0:
                    proxy.failures -= 1
                    self.send_response(503)
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                headers = {key: value for key, value in self.headers.items()
                           if key.lower().startswith('ftrack') or key.lower() == 'content-type'}
                answer = requests.post(target + '/api', data=body, headers=headers)
                self.send_response(answer.status_code)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:{0}'.format(self.server.server_port)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def session_through(ftrack_server):
    made = []

    def make(failures):
        proxy = FlakyProxy(ftrack_server.url, 0)
        session = ftrack_api.Session(
            server_url=proxy.url, api_user=ftrack_server.api_user,
            api_key=ftrack_server.api_key, auto_connect_event_hub=False,
            schema_cache_path=False,
        )
        session._transport.retry_delay = 0.01
        proxy.failures = failures
        made.append((proxy, session))
        return proxy, session

    yield make
    for proxy, session in made:
        session.close()
        proxy.close()


def test_read_only_batch_is_retried_after_503(session_through):
    proxy, session = session_through(failures=2)
    priorities = session.query('Priority').all()
    assert priorities
    assert [batch[0]['action'] for batch in proxy.seen[-3:]] == ['query'] * 3


def test_retries_are_capped(session_through):
    proxy, session = session_through(failures=10)
    with pytest.raises(ftrack_api.exception.ServerError):
        session.query('Priority').all()
    assert len(proxy.seen) == 2 + 1 + session._transport.retry_attempts


def test_writes_are_not_retried(session_through):
    proxy, session = session_through(failures=1)
    session.create('Scope', {'name': 'not retried'})
    with pytest.raises(ftrack_api.exception.ServerError):
        session.commit()
    assert proxy.seen[-1][0]['action'] == 'create'
    # The changes are kept for another try.
    assert len(session.recorded_operations) == 1


def test_body_is_read_only():
    def body(operations):
        return json.dumps(operations, sort_keys=True)

    assert transport_module.body_is_read_only(
        body([{'action': 'query'}, {'action': 'query_schemas'}]))
    assert not transport_module.body_is_read_only(
        body([{'action': 'query'}, {'action': 'create'}]))
    assert not transport_module.body_is_read_only('[]')
    # Text that looks like an action inside a value does not count.
    assert not transport_module.body_is_read_only(body([{
        'action': 'create', 'entity_data': {'content': '"action": "query"'}}]))
    assert transport_module.body_is_read_only(body([{
        'action': 'query', 'expression': 'select id from Note where content is '
        '"\\"action\\": \\"create\\""'}]))


def test_lost_answer_of_a_write_says_it_may_have_been_applied(ftrack_server, monkeypatch):
    session = ftrack_api.Session(
        server_url=ftrack_server.url, api_user=ftrack_server.api_user,
        api_key=ftrack_server.api_key, auto_connect_event_hub=False,
    )
    try:
        original = session._transport.post

        def lost(body):
            original(body)  # the server applies the batch...
            raise requests.exceptions.ConnectionError('Connection aborted.')  # ...the answer is lost

        monkeypatch.setattr(session._transport, 'post', lost)
        session.create('Scope', {'name': 'maybe applied'})
        with pytest.raises(requests.exceptions.ConnectionError) as raised:
            session.commit()
        assert 'the server may have applied it' in str(raised.value)
        assert 'rollback()' in str(raised.value)
        assert len(session.recorded_operations) == 1
    finally:
        session.rollback()
        session.close()


def test_refused_connection_of_a_write_is_reported_as_is(ftrack_server):
    session = ftrack_api.Session(
        server_url=ftrack_server.url, api_user=ftrack_server.api_user,
        api_key=ftrack_server.api_key, auto_connect_event_hub=False,
    )
    try:
        session._transport.endpoint = 'http://127.0.0.1:9/api'
        session.create('Scope', {'name': 'never sent'})
        with pytest.raises(requests.exceptions.ConnectionError) as raised:
            session.commit()
        assert 'may have applied' not in str(raised.value)
    finally:
        session.rollback()
        session.close()
