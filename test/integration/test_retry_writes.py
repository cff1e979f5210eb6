"""Safe retries of writes: ``Session(retry_writes=True)`` and the ``Idempotency-Key`` header.

A proxy in front of a real local server forwards a write batch, lets the
server commit it, then cuts the connection instead of passing the answer
on: the client's answer is lost after the write was applied.
"""

import http.server
import json
import threading

import pytest
import requests

import ftrack_api
from ftrack_local_server.testing import RawApi, create_operation, new_id, unique_name

HEADER = 'Idempotency-Key'


class CuttingProxy(object):
    """Forwards ``/api`` to *target*; drops the answer of the next *cuts* write batches.

    With *strip_token* the token header is removed from the answers, as a
    server that does not know it would send them.
    """

    def __init__(self, target, cuts=0, strip_token=False):
        self.cuts = cuts
        self.strip_token = strip_token
        self.tokens = []
        self.cut = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                headers = {key: value for key, value in self.headers.items()
                           if key.lower().startswith('ftrack')
                           or key.lower() in ('content-type', HEADER.lower())}
                answer = requests.post(target + '/api', data=body, headers=headers)
                actions = [operation['action'] for operation in json.loads(body)]
                if set(actions) - {'query', 'query_schemas', 'query_server_information'}:
                    proxy.tokens.append(self.headers.get(HEADER))
                    if proxy.cuts > 0:
                        # Committed on the server; the client never hears of it.
                        proxy.cuts -= 1
                        proxy.cut += 1
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                self.send_response(answer.status_code)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(answer.content)))
                echoed = answer.headers.get(HEADER)
                if echoed is not None and not proxy.strip_token:
                    self.send_header(HEADER, echoed)
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
def through_proxy(ftrack_server):
    made = []

    def make(cuts=0, strip_token=False, **session_options):
        proxy = CuttingProxy(ftrack_server.url, cuts, strip_token)
        session = ftrack_api.Session(
            server_url=proxy.url, api_user=ftrack_server.api_user,
            api_key=ftrack_server.api_key, auto_connect_event_hub=False,
            schema_cache_path=False, **session_options)
        session._transport.retry_delay = 0.01
        made.append((proxy, session))
        return proxy, session

    yield make
    for proxy, session in made:
        session.close()
        proxy.close()


def _projects_named(server, name):
    api = RawApi(server.url, server.api_user, server.api_key)
    return api.query('select id from Project where name is "{0}"'.format(name))


def _new_project(session, name):
    schema = session.query('ProjectSchema').first()
    return session.create('Project', {
        'name': name, 'full_name': name, 'project_schema': schema})


def test_lost_answer_is_retried_once_and_applied_once(ftrack_server, through_proxy):
    proxy, session = through_proxy(cuts=1, retry_writes=True)
    name = unique_name('retried')
    project = _new_project(session, name)
    session.commit()
    assert proxy.cut == 1
    # The retry carried the same token as the cut attempt.
    assert len(proxy.tokens) == 2 and proxy.tokens[0] == proxy.tokens[1] is not None
    assert [row['id'] for row in _projects_named(ftrack_server, name)] == [project['id']]
    # The session is clean: nothing left to send, and the next commit works.
    assert not session.recorded_operations
    project['full_name'] = name + ' renamed'
    session.commit()
    assert len(proxy.tokens) == 3 and proxy.tokens[2] != proxy.tokens[0]


def test_without_the_option_a_lost_answer_says_it_may_be_applied(ftrack_server, through_proxy):
    proxy, session = through_proxy(cuts=1)
    name = unique_name('not-retried')
    _new_project(session, name)
    with pytest.raises(requests.ConnectionError) as caught:
        session.commit()
    assert 'may have applied' in str(caught.value)
    assert proxy.tokens == [None]
    assert len(_projects_named(ftrack_server, name)) == 1


def test_a_server_that_does_not_send_the_token_back_gets_no_retry(ftrack_server, through_proxy):
    proxy, session = through_proxy(cuts=1, strip_token=True, retry_writes=True)
    name = unique_name('unknown-header')
    _new_project(session, name)
    with pytest.raises(requests.ConnectionError) as caught:
        session.commit()
    assert 'may have applied' in str(caught.value)
    assert len(proxy.tokens) == 1
    assert len(_projects_named(ftrack_server, name)) == 1


def _project_batch(raw, name):
    schema = raw.query('select id from ProjectSchema')[0]['id']
    return [create_operation('Project', {
        'id': new_id(), 'name': name, 'full_name': name, 'project_schema_id': schema})]


def test_the_server_answers_a_repeated_token_from_the_first_run(ftrack_server):
    raw = RawApi(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    name = unique_name('token')
    batch = _project_batch(raw, name)
    first = raw.post(batch, idempotency_key='token-' + name)
    second = raw.post(batch, idempotency_key='token-' + name)
    assert first.headers[HEADER] == 'token-' + name
    assert second.json() == first.json()
    assert first.json()[0]['action'] == 'create'
    assert len(_projects_named(ftrack_server, name)) == 1
    # Without the token the same batch is applied again (and refused here).
    third = raw.post(batch).json()
    assert third['exception'] == 'DuplicateEntryError', third


def test_a_token_reused_for_another_batch_is_refused(ftrack_server):
    raw = RawApi(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    name = unique_name('reused')
    token = 'reused-' + name
    assert raw.post(_project_batch(raw, name), idempotency_key=token).json()[0]['action'] == 'create'
    other = raw.post(_project_batch(raw, name + 'x'), idempotency_key=token).json()
    assert other['exception'] == 'ValidationError'
    assert token in other['content'] and 'another batch' in other['content']
    assert _projects_named(ftrack_server, name + 'x') == []


def test_a_failed_batch_is_not_remembered(ftrack_server):
    raw = RawApi(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    token = 'failed-' + new_id()
    bad = [create_operation('Project', {'id': new_id(), 'name': unique_name('bad')})]
    assert raw.post(bad, idempotency_key=token).json()['exception'] == 'ValidationError'
    name = unique_name('after-failure')
    good = _project_batch(raw, name)
    # The token of a failed batch may be used again: nothing was applied.
    assert raw.post(good, idempotency_key=token).json()[0]['action'] == 'create'
    assert len(_projects_named(ftrack_server, name)) == 1


def test_a_remembered_batch_survives_a_restart(tmp_path, ftrack_server_factory):
    database = str(tmp_path / 'tokens.sqlite')
    server = ftrack_server_factory(database=database)
    raw = RawApi(server.url, server.api_user, server.api_key)
    name = unique_name('restart')
    batch = _project_batch(raw, name)
    first = raw.post(batch, idempotency_key='restart-' + name).json()
    server.stop()
    again = ftrack_server_factory(database=database)
    raw = RawApi(again.url, again.api_user, again.api_key)
    assert raw.post(batch, idempotency_key='restart-' + name).json() == first
    assert len(_projects_named(again, name)) == 1
