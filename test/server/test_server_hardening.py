"""The local server under hostile input, through real HTTP and websockets (issue 9).

Bodies are only read for known callers and up to a limit; malformed
requests get the ftrack error object without echoing what they sent;
every input limit is a 4xx error object; secrets never reach a log line;
files holding keys are private.
"""

import json
import logging
import os
import socket
import stat
import threading
import time

import pytest
import requests

from ftrack_local_server import LocalServer
from ftrack_local_server.events.testing import RawEventClient
from ftrack_local_server.testing import RawApi, create_operation, new_id, ref

ERROR_KEYS = {'exception', 'content', 'error_code'}


def _address(server):
    host, port = server.url.split('//', 1)[1].rsplit(':', 1)
    return host, int(port)


def _raw_exchange(server, data, read_timeout=10.0):
    """Send the bytes *data* on a new connection; return the whole answer (bytes)."""
    connection = socket.create_connection(_address(server), timeout=read_timeout)
    try:
        connection.sendall(data)
        answer = b''
        while True:
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            answer += chunk
            head, _, body = answer.partition(b'\r\n\r\n')
            length = [line.split(b':', 1)[1] for line in head.split(b'\r\n')
                      if line.lower().startswith(b'content-length:')]
            if length and len(body) >= int(length[0]):
                break
        return answer
    finally:
        connection.close()


def _status_and_json(answer):
    head, _, body = answer.partition(b'\r\n\r\n')
    status = int(head.split(b' ', 2)[1])
    return status, json.loads(body.decode('utf-8'))


@pytest.fixture
def strict(raw_api):
    def call(operations):
        response = raw_api.post(operations, ftrack_strict_api='true')
        return response.status_code, response.json()
    return call


# -- bodies and credentials ------------------------------------------------------


def test_unknown_caller_is_answered_before_the_body_is_sent(ftrack_server):
    # 256 MiB announced, a few bytes sent: the answer comes at once.
    head = ('POST /api HTTP/1.1\r\nHost: x\r\nftrack-user: nobody\r\n'
            'ftrack-api-key: wrong\r\nContent-Type: application/json\r\n'
            'Content-Length: {0}\r\n\r\n').format(256 * 1024 ** 2).encode()
    answer = _raw_exchange(ftrack_server, head + b'[{"action": ', read_timeout=20)
    status, error = _status_and_json(answer)
    assert status == 200
    assert set(error) == ERROR_KEYS
    assert error['exception'] == 'InvalidCredentialsError'


def test_body_past_max_body_gets_413_error_object(ftrack_server_factory, make_raw_api):
    server = ftrack_server_factory(options={'max_body': 2000})
    api = make_raw_api(server)
    operations = [{'action': 'query_server_information', 'metadata': 'x' * 5000}]
    response = api.post(operations, ftrack_strict_api='true')
    assert response.status_code == 413
    error = response.json()
    assert error['exception'] == 'ValidationError'
    assert '2000' in error['content'] and 'too large' in error['content']
    # A declared length past the limit is refused without reading the body.
    head = ('POST /api HTTP/1.1\r\nHost: x\r\nftrack-user: {0}\r\nftrack-api-key: {1}\r\n'
            'ftrack-strict-api: true\r\nContent-Length: 100000000\r\n\r\n').format(
                server.api_user, server.api_key).encode()
    status, error = _status_and_json(_raw_exchange(server, head + b'[]'))
    assert status == 413 and error['exception'] == 'ValidationError'
    assert api.ok([{'action': 'query_server_information', 'values': ['version']}])


def test_max_body_option_must_be_positive(ftrack_server_factory):
    with pytest.raises(Exception) as caught:
        ftrack_server_factory(options={'max_body': -1})
    assert 'max_body' in str(caught.value)


def test_one_message_for_unknown_user_and_wrong_key(ftrack_server, raw_api):
    unknown = raw_api.call([{'action': 'query_server_information'}], ftrack_user='nobody')
    wrong = raw_api.call([{'action': 'query_server_information'}], ftrack_api_key='wrong')
    assert unknown['exception'] == wrong['exception'] == 'InvalidCredentialsError'
    assert unknown['content'].replace('nobody', ftrack_server.api_user) == wrong['content']
    # The event server's handshake answers both alike too.
    answers = []
    for user, key in (('nobody', ftrack_server.api_key), (ftrack_server.api_user, 'wrong')):
        response = requests.get(ftrack_server.url + '/socket.io/1/', timeout=10,
                                headers={'ftrack-user': user, 'ftrack-api-key': key})
        assert response.status_code == 401
        answers.append(response.json()['content'].replace(user, '<user>'))
    assert answers[0] == answers[1]


# -- malformed requests ------------------------------------------------------------


@pytest.mark.parametrize('header_line', [
    b'ftrack-api-key: {key}\x00zz',
    b'this is not a header {key}',
    b'ftrack-api-key {key}',
], ids=['nul-byte', 'no-colon-text', 'no-colon-key'])
def test_malformed_headers_get_the_error_object_without_the_key(
        ftrack_server, caplog, header_line):
    key = ftrack_server.api_key.encode()
    request = (b'POST /api HTTP/1.1\r\nHost: x\r\nftrack-user: admin\r\n'
               + header_line.replace(b'{key}', key)
               + b'\r\nContent-Length: 2\r\n\r\n[]')
    with caplog.at_level(logging.DEBUG):
        answer = _raw_exchange(ftrack_server, request)
        time.sleep(0.2)  # let the server's log records of the request arrive
    status, error = _status_and_json(answer)
    assert status == 400
    assert set(error) == ERROR_KEYS and error['exception'] == 'ValidationError'
    assert key not in answer
    for record in caplog.records:
        assert ftrack_server.api_key not in record.getMessage(), record.getMessage()
        assert not record.exc_info or ftrack_server.api_key not in str(record.exc_info[1])
    assert ftrack_server.api_key not in caplog.text


def test_wrong_method_on_api_gets_the_error_object(ftrack_server):
    response = requests.get(ftrack_server.url + '/api', timeout=10)
    assert response.status_code == 405
    assert set(response.json()) == ERROR_KEYS


# -- input limits --------------------------------------------------------------------


def _query(expression):
    return [{'action': 'query', 'expression': expression}]


@pytest.mark.parametrize('expression, fragment', [
    ('Task where ' + '(' * 100 + 'name is "x"' + ')' * 100, 'levels deep'),
    ('Task where ' + 'not ' * 300 + 'name is "x"', 'levels deep'),
    ('Task where ' + ' and '.join(['name is "x"'] * 998), 'conditions'),
    ('Task where ' + ' or '.join(['name is "x"'] * 998), 'conditions'),
    ('Task where ' + '.'.join(['parent'] * 11) + '.name is "x"', 'names'),
    ('Task where ' + 'children any (' * 12 + 'name is "x"' + ')' * 12, 'relations'),
    ('Task where ' + 'id in (select id from Task where ' * 8 + 'name is "x"' + ')' * 8,
     'relations'),
    ('Task where name in (' + ', '.join(['"x"'] * 900000) + ')', 'characters'),
], ids=['parentheses', 'not', 'and-terms', 'or-terms', 'path', 'has-nesting',
        'sub-queries', 'size'])
def test_query_limits_are_parse_errors(strict, expression, fragment):
    status, error = strict(_query(expression))
    assert status == 400, error
    assert error['exception'] == 'ParseError'
    assert fragment in error['content']


def test_queries_at_the_limits_run(raw_api):
    for expression in (
        'Task where ' + '(' * 30 + 'name is "x"' + ')' * 30,
        'Task where ' + ' and '.join(['name is "x"'] * 500),
        'Task where ' + '.'.join(['parent'] * 9) + '.name is "x"',
        'Task where ' + 'children any (' * 10 + 'name is "x"' + ')' * 10,
    ):
        assert raw_api.ok(_query(expression))[0]['data'] == []


def test_json_nested_too_deeply_is_a_validation_error(strict, raw_api):
    for depth in (65, 988, 100000):
        response = raw_api.post('[' * depth + ']' * depth, raw=True, ftrack_strict_api='true')
        assert response.status_code == 422
        error = response.json()
        assert error['exception'] == 'ValidationError'
        assert 'levels' in error['content'] and '64' in error['content']


@pytest.mark.parametrize('identifier, fragment', [
    ('', 'empty'),
    ('\x00', 'control character'),
    ('a' * 100000, 'characters'),
    ('../..', 'path separator'),
    ('a\\b', 'path separator'),
    ('..', 'relative path'),
], ids=['empty', 'nul', 'long', 'dot-dot-slash', 'backslash', 'dot-dot'])
def test_malformed_ids_are_refused(strict, raw_api, identifier, fragment):
    name = 'bad-id-' + new_id()
    status, error = strict([create_operation('Project', {'id': identifier, 'name': name})])
    assert status == 422 and error['exception'] == 'ValidationError'
    assert fragment in error['content'] and 'Project' in error['content']
    assert len(error['content']) < 1000
    assert raw_api.query('select id from Project where name is "{0}"'.format(name)) == []


def test_uuid_and_readable_ids_are_accepted(raw_api):
    schema = raw_api.query('select id from ProjectSchema')[0]['id']
    for identifier in (new_id(), 'my-readable-id-' + new_id()[:8], 'x' * 128):
        created = raw_api.ok([create_operation('Project', {
            'id': identifier, 'name': 'id-' + new_id(), 'full_name': 'ids',
            'project_schema_id': schema})])[0]['data']
        assert created['id'] == identifier


def test_sums_that_overflow_are_answered(raw_api):
    project = raw_api.create_project('sum-' + new_id())
    for index in range(2):
        raw_api.create('Task', {'name': 't{0}'.format(index), 'parent_id': project['id'],
                                'bid': 1e308})
    for _ in range(2):
        result = raw_api.ok(_query(
            'select sum(bid) from Task where project_id is "{0}"'.format(project['id'])))
        assert result[0]['data'][0]['sum_bid'] is None, result
    other = raw_api.ok(_query('select id from Task where project_id is "{0}"'.format(
        project['id'])))
    assert len(other[0]['data']) == 2


def test_batch_operation_limit(ftrack_server_factory, make_raw_api):
    server = ftrack_server_factory(options={'max_batch_operations': 5})
    api = make_raw_api(server)
    response = api.post([{'action': 'query_server_information'}] * 6, ftrack_strict_api='true')
    assert response.status_code == 422
    error = response.json()
    assert '6 operations' in error['content'] and 'at most 5' in error['content']
    assert len(api.ok([{'action': 'query_server_information'}] * 5)) == 5


def test_batch_time_limit_rolls_back(ftrack_server_factory, make_raw_api):
    server = ftrack_server_factory(options={'batch_time_limit': 0.3})
    api = make_raw_api(server)
    project = api.create_project('slow-' + new_id())
    operations = [
        create_operation('Task', {'id': new_id(), 'name': 't{0}'.format(index),
                                  'parent_id': project['id']})
        for index in range(20000)]
    response = api.post(operations, ftrack_strict_api='true')
    error = response.json()
    assert response.status_code == 408, error
    assert 'time limit of 0.3 seconds' in error['content']
    assert 'nothing of it was applied' in error['content']
    assert api.query('select id from Task where parent_id is "{0}"'.format(project['id'])) == []


# -- files ---------------------------------------------------------------------------


def test_database_file_and_component_folder_are_private(tmp_path):
    database = tmp_path / 'private.sqlite'
    with LocalServer(database=str(database)):
        pass
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(database) + '.files').st_mode) == 0o700


# -- concurrent readers --------------------------------------------------------------


def test_reads_run_while_a_write_transaction_is_open(tmp_path, ftrack_server_factory):
    server = ftrack_server_factory(database=str(tmp_path / 'readers.sqlite'))
    api = RawApi(server.url, server.api_user, server.api_key)
    project = api.create_project('readers-' + new_id())
    holding = threading.Event()
    release = threading.Event()

    def hold_the_writer():
        with server.state.store.transaction() as tx:
            tx.execute('UPDATE "Context" SET name = name WHERE 0')
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_writer)
    holder.start()
    try:
        assert holding.wait(10)
        written = []
        writer = threading.Thread(target=lambda: written.append(api.ok([create_operation(
            'Task', {'id': new_id(), 'name': 'queued', 'parent_id': project['id']})])))
        writer.start()
        # The read is answered while the writer (and the queued write) wait.
        reader = RawApi(server.url, server.api_user, server.api_key)
        reader.http.request = _with_timeout(reader.http.request, 10)
        found = reader.query('select name from Project where id is "{0}"'.format(project['id']))
        assert [row['name'] for row in found] == [project['name']]
        assert not written
    finally:
        release.set()
        holder.join()
    writer.join(30)
    assert written and written[0][0]['action'] == 'create'


def test_concurrent_reads_off_serialises_reads(tmp_path, ftrack_server_factory):
    server = ftrack_server_factory(database=str(tmp_path / 'serial.sqlite'),
                                   options={'concurrent_reads': False})
    assert server.state.store.concurrent_reads is False
    api = RawApi(server.url, server.api_user, server.api_key)
    assert api.query('select id from Priority')


def _with_timeout(request, seconds):
    def bounded(*args, **kwargs):
        kwargs['timeout'] = seconds
        return request(*args, **kwargs)
    return bounded


# -- events --------------------------------------------------------------------------


def _event(topic, **extra):
    event = {'topic': topic, 'id': new_id(), 'data': {}, 'source': {}, 'target': '',
             'sent': None, 'inReplyToEvent': None}
    event.update(extra)
    return event


def test_client_that_never_reads_is_disconnected(caplog):
    # It publishes events to itself and asks for acks, reading nothing: its
    # events and acks count against one limit, past which it is dropped.
    with LocalServer(options={'event_queue_limit': 20, 'event_heartbeat_timeout': 600}) as own:
        client = RawEventClient(own.url, own.api_user, own.api_key)
        client.subscribe('topic=to.myself', 'me')
        event_server = own.state.event_server
        payload = 'y' * 50000
        with caplog.at_level(logging.WARNING, logger='ftrack_local_server.events'):
            try:
                for _ in range(2000):
                    client.emit(_event('to.myself', data={'p': payload}))
                    if not event_server.connections:
                        break
            except Exception:
                pass  # the server dropped the connection while we sent
            deadline = time.monotonic() + 20
            while event_server.connections and time.monotonic() < deadline:
                time.sleep(0.05)
        assert event_server.connections == []
        assert caplog.text.count('not keeping up') == 1


def test_acks_and_error_replies_count_against_the_queue_limit():
    # On the server side: a connection whose packets cannot be sent takes
    # acks and error replies only up to the limit, then is closed.
    with LocalServer(options={'event_queue_limit': 5, 'event_heartbeat_timeout': 600}) as own:
        client = RawEventClient(own.url, own.api_user, own.api_key)
        event_server = own.state.event_server
        connection = event_server.connections[0]
        done = threading.Event()

        def flood():
            # Run on the loop: nothing is written in between.
            for _ in range(10):
                connection._error('error reply')
                connection.enqueue('6:::1+[]', control=True)
            done.set()

        event_server._loop.call_soon_threadsafe(flood)
        assert done.wait(10)
        assert connection.closed and connection.overflowed
        client.close()


def test_long_subscription_is_refused_with_a_clear_ack(ftrack_server):
    client = RawEventClient(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    try:
        expression = ' or '.join(['topic=t{0}'.format(index) for index in range(5000)])
        ack = client.subscribe(expression, 'too-long')
        assert ack['success'] is False
        assert 'at most 16384' in ack['message']
        assert client.subscribe('topic=fine', 'fine')['success'] is True
    finally:
        client.close()


def test_long_expressions_are_parsed_off_the_event_loop(ftrack_server):
    event_server = ftrack_server.state.event_server
    threads = []
    original = event_server.parser.parse

    def recording(text):
        threads.append(threading.current_thread().name)
        return original(text)

    event_server.parser.parse = recording
    client = RawEventClient(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    try:
        expression = ' or '.join(['topic=offloop{0}'.format(index) for index in range(100)])
        assert client.subscribe(expression, 'long-one')['success'] is True
        ack = client.emit_and_ack(_event('offloop.x', target=' or '.join(
            ['id=nobody{0}'.format(index) for index in range(100)])))
        assert ack['success'] is True
        client.emit_and_ack(_event('offloop1'))
        assert client.recv_event()['topic'] == 'offloop1'
    finally:
        event_server.parser.parse = original
        client.close()
    assert len(threads) == 2
    # The event loop runs in the thread named 'ftrack-local-server'.
    assert all(name != 'ftrack-local-server' for name in threads), threads


def test_deeply_nested_event_gets_a_failed_ack_not_a_closed_socket(ftrack_server, caplog):
    client = RawEventClient(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    try:
        with caplog.at_level(logging.DEBUG, logger='ftrack_local_server'):
            for depth in (100, 5000):
                nested = '[' * depth + ']' * depth
                payload = ('{"name": "ftrack.event", "args": [{"topic": "deep", '
                           '"data": {"x": %s}}]}' % nested)
                client.send('5:7+::' + payload)
                text = client.recv()
                assert text.startswith('6:::7+'), text[:200]
                ack = json.loads(text[len('6:::7+'):])[0]
                assert ack['success'] is False and 'deep' in ack['message']
        assert client.subscribe('topic=still-open', 'open')['success'] is True
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    finally:
        client.close()


def test_events_are_encoded_off_the_event_loop(ftrack_server, raw_api, monkeypatch):
    from ftrack_local_server.events import server as server_module

    threads = []
    original = server_module.socketio.encode_event

    def recording(payload, packet_id=None):
        threads.append((payload.get('topic'), threading.current_thread().name))
        return original(payload, packet_id)

    monkeypatch.setattr(server_module.socketio, 'encode_event', recording)
    client = RawEventClient(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    try:
        assert client.subscribe('topic=ftrack.update or topic=big.one', 'watcher')['success']
        # A committed batch's ftrack.update, and a large event from a client.
        raw_api.create_project('encoded-' + new_id())
        assert client.recv_event()['topic'] == 'ftrack.update'
        assert client.emit_and_ack(_event('big.one', data={'x': 'z' * 40000}))['success']
        assert client.recv_event()['topic'] == 'big.one'
    finally:
        client.close()
    topics = [topic for topic, _ in threads]
    assert 'ftrack.update' in topics and 'big.one' in topics
    assert all(name != 'ftrack-local-server' for _, name in threads), threads


def test_handed_over_event_with_values_json_cannot_hold_is_still_published(ftrack_server):
    import datetime

    client = RawEventClient(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    try:
        assert client.subscribe('topic=handed.over', 'watcher')['success']
        when = datetime.datetime(2020, 1, 2, 3, 4, 5)
        ftrack_server.state.event_server.publish(
            {'topic': 'handed.over', 'data': {'when': when}}, copy=False)
        received = client.recv_event()
        assert received['topic'] == 'handed.over'
        assert received['data'] == {'when': str(when)}
    finally:
        client.close()
