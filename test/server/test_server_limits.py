"""The server's configurable limits, their command line flags, and secrets in logs (issue 9).

The limit functions themselves are tested directly; each also has an
end-to-end test through HTTP in ``test_server_hardening.py``.
"""

import base64
import hashlib
import json
import logging
import socket
import sqlite3
import uuid

import pytest
import requests

from ftrack_local_server import __main__ as cli
from ftrack_local_server import errors, limits
from ftrack_local_server.events.testing import RawEventClient
from ftrack_local_server.query import parser
from ftrack_local_server.testing import RawApi


# -- options and flags -----------------------------------------------------------------


def test_limit_options_have_defaults_and_refuse_non_positive_values():
    assert limits.option({}, 'max_body') == 256 * 1024 ** 2
    assert limits.option({'max_request_size': 10}, 'max_body') == 10
    assert limits.option({'max_body': 5, 'max_request_size': 10}, 'max_body') == 5
    assert limits.option(None, 'batch_time_limit') == 120.0
    for bad in (0, -3, 'big', True):
        with pytest.raises(ValueError) as caught:
            limits.option({'max_batch_operations': bad}, 'max_batch_operations')
        assert 'max_batch_operations' in str(caught.value) and repr(bad) in str(caught.value)


def test_command_line_flags_become_server_options():
    arguments = cli.build_parser('prog').parse_args([
        'serve', '--max-body', '1000', '--max-batch-operations', '50',
        '--batch-time-limit', '2.5', '--option', 'event_queue_limit=7'])
    assert cli._limit_options(arguments) == {
        'max_body': 1000, 'max_batch_operations': 50, 'batch_time_limit': 2.5,
        'event_queue_limit': 7}
    plain = cli.build_parser('prog').parse_args(['serve'])
    assert cli._limit_options(plain) == {}


@pytest.mark.parametrize('flag, value', [('--max-body', '0'), ('--max-body', 'lots'),
                                         ('--batch-time-limit', '-1')])
def test_command_line_flags_refuse_bad_values(capsys, flag, value):
    with pytest.raises(SystemExit):
        cli.build_parser('prog').parse_args(['serve', flag, value])
    assert repr(value) in capsys.readouterr().err


def test_max_body_flag_reaches_the_server(ftrack_server_factory):
    arguments = cli.build_parser('prog').parse_args(['serve', '--max-body', '3000'])
    server = ftrack_server_factory(options=cli._limit_options(arguments))
    api = RawApi(server.url, server.api_user, server.api_key)
    error = api.call([{'action': 'query_server_information', 'metadata': 'x' * 4000}])
    assert error['exception'] == 'ValidationError' and '3000' in error['content']


# -- the limit functions -----------------------------------------------------------------


def test_json_depth_counts_lists_and_objects_iteratively():
    assert limits.json_depth(3, 10) == 0
    assert limits.json_depth([], 10) == 1
    assert limits.json_depth({'a': [{'b': 1}]}, 10) == 3
    deep = value = []
    for _ in range(100000):
        inner = []
        value.append(inner)
        value = inner
    assert limits.json_depth(deep, 64) == 65


def test_loads_refuses_deep_nesting_and_keeps_malformed_json_a_value_error():
    assert limits.loads('[[1]]', 2) == [[1]]
    with pytest.raises(errors.ValidationError) as caught:
        limits.loads('[[[1]]]', 2, 'event')
    assert 'event' in caught.value.content and '3 levels' in caught.value.content
    with pytest.raises(errors.ValidationError):
        limits.loads('[' * 200000 + ']' * 200000, 64)
    with pytest.raises(ValueError):
        limits.loads('[1,', 64)


@pytest.mark.parametrize('identifier', [
    '2a4ae8b4-5d3c-11e5-8e43-f23c91df25eb', 'readable-id', 'x' * 128, 'Ünïcode id', 7, None])
def test_plausible_ids_pass(identifier):
    limits.check_identifier(identifier)


@pytest.mark.parametrize('identifier', ['', '\x00', '\x1f', '\x7f', 'x' * 129, 'a/b', 'a\\b',
                                        '.', '..'])
def test_implausible_ids_are_refused_naming_the_operation(identifier):
    with pytest.raises(errors.ValidationError) as caught:
        limits.check_identifier(identifier, 3, 'Shot')
    assert caught.value.content.startswith('Operation 3: ')
    assert 'Shot' in caught.value.content
    assert caught.value.status == 422


def test_translate_turns_sqlite_limits_into_validation_errors():
    tree = limits.translate(sqlite3.OperationalError('Expression tree is too large (maximum depth 1000)'),
                            None, 2, 'query')
    assert isinstance(tree, errors.ValidationError)
    assert 'Operation 2 (action "query")' in tree.content and 'maximum depth 1000' in tree.content
    assert isinstance(limits.translate(RecursionError(), None, 0, 'create'), errors.ValidationError)
    overflow = limits.translate(OverflowError('Python int too large to convert to SQLite INTEGER'),
                                None, 1, 'update')
    assert '9223372036854775807' in overflow.content
    assert limits.translate(sqlite3.OperationalError('no such table: x'), None, 0, 'query') is None
    assert limits.translate(KeyError('x'), None, 0, 'query') is None


def test_finite_replaces_only_non_finite_numbers():
    value = [{'sum_bid': float('inf'), 'n': 2, 'x': [float('nan'), 1.5, 'text']}]
    assert limits.finite(value) == [{'sum_bid': None, 'n': 2, 'x': [None, 1.5, 'text']}]


def test_join_depth_counts_paths_relations_and_sub_queries():
    assert parser.join_depth(parser.parse('Task')) == 0
    assert parser.join_depth(parser.parse('Task where parent.parent.name is "x"')) == 3
    assert parser.join_depth(parser.parse(
        'Task where children any (parent.name is "x") or name is "y"')) == 3
    assert parser.join_depth(parser.parse(
        'Task where id in (select id from Task where parent.name is "x")')) == 4
    assert parser.join_depth(parser.parse('Task where not (name is "x")')) == 1


# -- secrets ------------------------------------------------------------------------------------


def test_mask_secrets_hides_key_values():
    from ftrack_local_server.app import mask_secrets

    assert mask_secrets("b'ftrack-api-key: 1234-abcd\\x00zz'") == "b'ftrack-api-key: <hidden>\\x00zz'"
    assert mask_secrets('GET /component/get?apiKey=secret&id=1') == \
        'GET /component/get?apiKey=<hidden>&id=1'
    assert mask_secrets('api_key=abc') == 'api_key=<hidden>'


def test_no_server_log_line_holds_the_api_key(ftrack_server, caplog):
    key = ftrack_server.api_key
    api = RawApi(ftrack_server.url, ftrack_server.api_user, key)
    with caplog.at_level(logging.DEBUG):
        api.ok([{'action': 'query', 'expression': 'select id from Priority'}])
        api.call([{'action': 'query', 'expression': 'Task where name is'}])
        api.call([{'action': 'nonsense'}])
        api.call([{'action': 'query_server_information'}], ftrack_user='nobody')
        api.call([{'action': 'query_server_information'}], ftrack_api_key=key + 'x')
        # The event server, with credentials in headers and in the query.
        RawEventClient(ftrack_server.url, ftrack_server.api_user, key).close()
        RawEventClient(ftrack_server.url, ftrack_server.api_user, key,
                       credentials_in_query=True).close()
        requests.get(ftrack_server.url + '/socket.io/1/', timeout=10,
                     params={'api_user': 'nobody', 'api_key': key})
        # File endpoints take the key in the URL.
        requests.get(ftrack_server.url + '/component/get', timeout=10,
                     params={'id': str(uuid.uuid4()), 'username': ftrack_server.api_user,
                             'apiKey': key})
        # A malformed request quoting the key in a header line.
        host, port = ftrack_server.url.split('//', 1)[1].rsplit(':', 1)
        connection = socket.create_connection((host, int(port)), timeout=10)
        connection.sendall(b'POST /api HTTP/1.1\r\nHost: x\r\nftrack-api-key: '
                           + key.encode() + b'\x01\r\nContent-Length: 2\r\n\r\n[]')
        connection.recv(65536)
        connection.close()
        api.ok([{'action': 'query_server_information'}])
    # The server's records (the test's own HTTP client logs its URLs).
    records = [record for record in caplog.records
               if record.name.split('.')[0] in ('ftrack_local_server', 'aiohttp', 'asyncio')]
    assert records
    for record in records:
        text = record.getMessage()
        if record.exc_info:
            text += repr(record.exc_info[1])
        assert key not in text, (record.name, text)


# -- idempotency tokens --------------------------------------------------------------------------


def test_token_header_is_read_and_bounded():
    from ftrack_local_server import idempotency

    assert idempotency.token_from({}) is None
    assert idempotency.token_from({'Idempotency-Key': '  '}) is None
    assert idempotency.token_from({'Idempotency-Key': ' abc '}) == 'abc'
    for bad in ('x' * 201, 'a\x01b'):
        with pytest.raises(errors.ValidationError) as caught:
            idempotency.token_from({'Idempotency-Key': bad})
        assert 'Idempotency-Key' in caught.value.content


def test_bad_token_is_an_error_object_and_nothing_is_applied(raw_api):
    name = 'bad-token-' + uuid.uuid4().hex[:8]
    schema = raw_api.query('select id from ProjectSchema')[0]['id']
    error = raw_api.call([{'action': 'create', 'entity_type': 'Project', 'entity_data': {
        'name': name, 'full_name': name, 'project_schema_id': schema}}],
        idempotency_key='t' * 300)
    assert error['exception'] == 'ValidationError' and '200' in error['content']
    assert raw_api.query('select id from Project where name is "{0}"'.format(name)) == []


def test_remembered_batches_are_bounded_in_number_and_age(monkeypatch):
    from ftrack_local_server import idempotency
    from ftrack_local_server.store import Store

    store = Store()
    memory = idempotency.RecentBatches(keep=3, lifetime=60)
    runs = []

    def job_for(text):
        def job(remember):
            runs.append(text)
            with store.transaction() as tx:
                remember(tx, text)
            return text
        return job

    user = {'id': 'u1'}
    for index in range(5):
        assert memory.run_once(store, user, 't{0}'.format(index), b'body', job_for(str(index))) \
            == str(index)
    with store.transaction() as tx:
        kept = [row[0] for row in tx.query(
            'SELECT token FROM {0} ORDER BY created'.format(idempotency.TABLE))]
    assert kept == ['t2', 't3', 't4']
    # A kept token is answered without running; a forgotten one runs again.
    assert memory.run_once(store, user, 't4', b'body', job_for('again')) == '4'
    assert memory.run_once(store, user, 't0', b'body', job_for('again')) == 'again'
    assert runs == ['0', '1', '2', '3', '4', 'again']
    # Another user's token is another batch.
    assert memory.run_once(store, {'id': 'u2'}, 't4', b'body', job_for('u2')) == 'u2'
    # Past the lifetime a token is forgotten.
    now = idempotency.time.time()
    monkeypatch.setattr(idempotency.time, 'time', lambda: now + 61)
    assert memory.run_once(store, user, 't3', b'body', job_for('late')) == 'late'
    store.close()
