"""The ``/api`` endpoint through raw HTTP: info actions, errors, bad input, authentication."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from ftrack_local_server import actions
from ftrack_local_server.actions.info import KNOWN_FIELDS
from ftrack_local_server.schema import load_raw_schemas


def _version_triple(version):
    match = re.match(r'(\d+)\.(\d+)\.(\d+)', version)
    assert match, version
    return tuple(int(part) for part in match.groups())


def _assert_error(result, exception, *fragments):
    assert isinstance(result, dict), result
    assert set(result) == {'exception', 'content', 'error_code'}
    assert result['exception'] == exception
    for fragment in fragments:
        assert fragment in result['content'], (fragment, result['content'])
    assert 'Traceback' not in result['content']


# -- query_server_information ---------------------------------------------


def test_server_information_default_fields(raw_api):
    info = raw_api.ok([{'action': 'query_server_information'}])[0]
    assert set(info) == {
        'version', 'schema_hash', 'storage_scenario', 'is_timezone_support_enabled'
    }
    assert _version_triple(info['version']) >= (3, 3, 11)
    assert info['is_timezone_support_enabled'] is True
    assert info['storage_scenario'] == {'scenario': 'ftrack.automatic', 'data': {}}
    assert re.match(r'^[0-9a-f]{32}$', info['schema_hash'])


def test_schema_hash_matches_served_schemas_as_clients_compute_it(raw_api):
    info, schemas = raw_api.ok(
        [{'action': 'query_server_information'}, {'action': 'query_schemas'}]
    )
    expected = hashlib.md5(json.dumps(schemas, sort_keys=True).encode('utf-8')).hexdigest()
    assert info['schema_hash'] == expected


def test_server_information_values_select_fields(raw_api):
    info = raw_api.ok([{'action': 'query_server_information', 'values': ['version']}])[0]
    assert list(info) == ['version']


def test_server_information_every_known_field(raw_api):
    info = raw_api.ok(
        [{'action': 'query_server_information', 'values': list(KNOWN_FIELDS)}]
    )[0]
    assert set(info) == set(KNOWN_FIELDS)
    user = info['user_information']
    assert user['username'] == raw_api.api_user
    assert user['id']
    assert 'Administrator' in user['permissions']
    assert isinstance(info['default_colors'], list) and info['default_colors']
    assert info['company_information']['name']


def test_server_information_rejects_unknown_field(raw_api):
    result = raw_api.call(
        [{'action': 'query_server_information', 'values': ['version', 'no_such_field']}]
    )
    _assert_error(result, 'ValidationError', 'no_such_field')


def test_server_information_rejects_values_that_are_not_a_list(raw_api):
    result = raw_api.call([{'action': 'query_server_information', 'values': 'version'}])
    _assert_error(result, 'ValidationError', '"version"', 'list')


def test_storage_scenario_follows_setting(private_api):
    scenario = {
        'scenario': 'ftrack.centralized-storage',
        'data': {
            'location_id': 'b0b7ebf9-0000-4000-8000-000000000001',
            'location_name': 'studio.central-storage-location',
            'accessor': {'mount_points': {'linux': '/mnt/x', 'osx': '/Volumes/x', 'windows': 'x:\\'}},
        },
    }
    private_api.ok([{
        'action': 'update',
        'entity_type': 'Setting',
        'entity_key': ['storage_scenario', 'STORAGE'],
        'entity_data': {'value': json.dumps(scenario)},
    }])
    info = private_api.ok([{'action': 'query_server_information'}])[0]
    assert info['storage_scenario'] == scenario


# -- query_schemas ----------------------------------------------------------


def test_query_schemas_serves_the_shipped_schema(raw_api):
    schemas = raw_api.ok([{'action': 'query_schemas'}])[0]
    assert schemas == load_raw_schemas()
    assert len(schemas) == 116
    assert {'Task', 'Project', 'User', 'Location'} <= {schema['id'] for schema in schemas}


# -- batches and unknown actions ---------------------------------------------


def test_results_come_back_in_operation_order(raw_api):
    results = raw_api.ok([
        {'action': 'query_server_information', 'values': ['version']},
        {'action': 'query_schemas'},
        {'action': 'query_server_information', 'values': ['is_timezone_support_enabled']},
    ])
    assert list(results[0]) == ['version']
    assert isinstance(results[1], list)
    assert results[2] == {'is_timezone_support_enabled': True}


def test_unknown_operation_keys_are_ignored(raw_api):
    results = raw_api.ok([
        {'action': 'query_server_information', 'values': ['version'], 'metadata': {'a': 1}},
    ])
    assert list(results[0]) == ['version']


def test_empty_batch_answers_empty_list(raw_api):
    assert raw_api.ok([]) == []


def test_unknown_action(raw_api):
    result = raw_api.call([{'action': 'get_widget_url_that_does_not_exist'}])
    _assert_error(result, 'ServerError', "Invalid action u'get_widget_url_that_does_not_exist'")


def test_unknown_action_after_writes_rolls_back_the_batch(private_api):
    result = private_api.call([
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'name': 'rolled back category'}},
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'name': 'rolled back category 2'}},
        {'action': 'no_such_action'},
    ])
    _assert_error(result, 'ServerError', "Invalid action u'no_such_action'")
    assert private_api.query(
        'select id from ListCategory where name like "rolled back category%"'
    ) == []


def test_failing_third_operation_leaves_first_two_unapplied(private_api):
    result = private_api.call([
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'name': 'atomic one'}},
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'name': 'atomic two'}},
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'name': 'atomic three', 'no_such_attribute': 1}},
    ])
    assert result['exception'] == 'ValidationError'
    assert 'no_such_attribute' in result['content']
    assert private_api.query('select id from ListCategory where name like "atomic%"') == []
    # The same batch without the bad operation goes through.
    private_api.ok([
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'name': 'atomic one'}},
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'name': 'atomic two'}},
    ])
    names = sorted(
        item['name'] for item in
        private_api.query('select name from ListCategory where name like "atomic%"')
    )
    assert names == ['atomic one', 'atomic two']


def test_operation_sees_entities_created_earlier_in_the_batch(private_api):
    results = private_api.ok([
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'id': '7d3e5b3c-9a10-4c59-9d1e-000000000001', 'name': 'same batch'}},
        {'action': 'query',
         'expression': 'select name from ListCategory where id is '
                       '"7d3e5b3c-9a10-4c59-9d1e-000000000001"'},
    ])
    assert [item['name'] for item in results[1]['data']] == ['same batch']


@pytest.fixture
def exploding_action():
    name = 'test_server_http_api_explode'

    @actions.action(name)
    def explode(operation, context):
        raise RuntimeError('boom in a handler')

    try:
        yield name
    finally:
        actions.ACTIONS.pop(name, None)


def test_unexpected_handler_failure_is_a_server_error_object(private_api, exploding_action):
    result = private_api.call([
        {'action': 'create', 'entity_type': 'ListCategory', 'entity_data': {'name': 'kept out'}},
        {'action': exploding_action},
    ])
    _assert_error(
        result, 'ServerError', 'Operation 1', exploding_action, 'RuntimeError', 'boom in a handler'
    )
    assert private_api.query('select id from ListCategory where name is "kept out"') == []
    strict = private_api.post([{'action': exploding_action}], ftrack_strict_api='true')
    assert strict.status_code == 500
    _assert_error(strict.json(), 'ServerError', 'boom in a handler')


# -- bad input ----------------------------------------------------------------

BAD_BODIES = [
    pytest.param(b'[{"action": "query_server_information"', 'not valid JSON', id='malformed-json'),
    pytest.param(b'', 'empty', id='empty-body'),
    pytest.param(b'   ', 'empty', id='blank-body'),
    pytest.param(b'{"action": "query_server_information"}', 'must be a JSON list', id='object-body'),
    pytest.param(b'"query_server_information"', '"query_server_information"', id='string-body'),
    pytest.param(b'[{"action": "query_schemas"}, 42]', 'Operation 1', id='operation-not-object'),
    pytest.param(b'[{"expression": "Task"}]', 'has no "action"', id='operation-without-action'),
    pytest.param(b'[{"action": 5}]', 'invalid "action" 5', id='action-not-string'),
    pytest.param(b'[{"action": ""}]', 'invalid "action" ""', id='action-empty'),
    pytest.param(b'[{"action": "query_schemas"}]\xff', 'not valid UTF-8', id='not-utf8'),
]


@pytest.mark.parametrize('body, fragment', BAD_BODIES)
def test_bad_body_gets_validation_error_object(raw_api, body, fragment):
    response = raw_api.post(body, raw=True)
    assert response.status_code == 200
    _assert_error(response.json(), 'ValidationError', fragment)


@pytest.mark.parametrize('body, fragment', BAD_BODIES)
def test_bad_body_in_strict_mode_gets_422(raw_api, body, fragment):
    response = raw_api.post(body, raw=True, ftrack_strict_api='true')
    assert response.status_code == 422
    _assert_error(response.json(), 'ValidationError', fragment)


def test_bad_operation_error_names_index_and_value(raw_api):
    result = raw_api.call([{'action': 'query_schemas'}, {'action': 'query_schemas'}, ['x']])
    _assert_error(result, 'ValidationError', 'Operation 2', '["x"]')


def test_strict_false_header_answers_errors_with_200(raw_api):
    response = raw_api.post([{'action': 'nope'}], ftrack_strict_api='false')
    assert response.status_code == 200
    strict = raw_api.post([{'action': 'nope'}], ftrack_strict_api='true')
    assert strict.status_code == 400
    assert strict.json() == response.json()


def test_get_on_api_is_not_allowed(raw_api):
    response = raw_api.http.get(raw_api.url + '/api', timeout=30)
    assert response.status_code == 405


def test_large_batch_body_is_accepted(raw_api):
    # Well above aiohttp's default 1 MiB request limit.
    padding = 'x' * 1024
    operations = [
        {'action': 'query_server_information', 'values': ['version'], 'metadata': padding}
        for _ in range(2000)
    ]
    results = raw_api.ok(operations)
    assert len(results) == 2000


# -- authentication ---------------------------------------------------------


@pytest.mark.parametrize(
    'headers, fragments',
    [
        pytest.param({'ftrack_user': None}, ['"ftrack-user" header'], id='no-user'),
        pytest.param({'ftrack_api_key': None}, ['"ftrack-api-key" header'], id='no-key'),
        pytest.param({'ftrack_user': ''}, ['"ftrack-user" header'], id='empty-user'),
        pytest.param({'ftrack_user': 'nobody-at-all'}, ['nobody-at-all', '"ftrack-user"'],
                     id='unknown-user'),
        pytest.param({'ftrack_api_key': 'wrong-key'}, ['not valid', '"ftrack-api-key"'],
                     id='wrong-key'),
    ],
)
def test_bad_credentials(raw_api, headers, fragments):
    response = raw_api.post([{'action': 'query_server_information'}], **headers)
    assert response.status_code == 200
    result = response.json()
    assert result['exception'] == 'InvalidCredentialsError'
    assert result['error_code'] is None
    for fragment in fragments:
        assert fragment in result['content']
    assert raw_api.api_key not in result['content']
    assert 'wrong-key' not in result['content']

    strict = raw_api.post(
        [{'action': 'query_server_information'}], ftrack_strict_api='true', **headers
    )
    assert strict.status_code == 401
    assert strict.json()['exception'] == 'InvalidCredentialsError'


def test_credentials_are_checked_before_the_body(raw_api):
    response = raw_api.post(b'not json', raw=True, ftrack_api_key='wrong-key')
    assert response.json()['exception'] == 'InvalidCredentialsError'


def test_key_of_another_user_is_rejected(private_api):
    user = private_api.create(
        'User', {'username': 'second-user', 'is_active': True}
    )
    key = private_api.ok([{
        'action': 'reset_remote', 'reset_type': 'api_key',
        'entity_type': 'User', 'entity_key': user['id'],
    }])[0]['data']['api_key']
    as_second = private_api.call(
        [{'action': 'query_server_information', 'values': ['user_information']}],
        ftrack_user='second-user', ftrack_api_key=key,
    )
    assert as_second[0]['user_information']['username'] == 'second-user'
    wrong = private_api.call(
        [{'action': 'query_server_information'}],
        ftrack_user=private_api.api_user, ftrack_api_key=key,
    )
    assert wrong['exception'] == 'InvalidCredentialsError'


# -- reset_remote -------------------------------------------------------------


def test_reset_api_key_replaces_the_key(private_api):
    admin = private_api.query(
        'select id from User where username is "{0}"'.format(private_api.api_user)
    )[0]
    old_key = private_api.api_key
    result = private_api.ok([{
        'action': 'reset_remote', 'reset_type': 'api_key',
        'entity_type': 'User', 'entity_key': admin['id'],
    }])[0]
    assert result['action'] == 'reset_remote'
    new_key = result['data']['api_key']
    assert new_key and new_key != old_key

    old = private_api.call([{'action': 'query_server_information'}])
    assert old['exception'] == 'InvalidCredentialsError'
    private_api.api_key = new_key
    assert private_api.ok([{'action': 'query_server_information', 'values': ['version']}])


def test_reset_api_key_accepts_list_key_and_no_entity(private_api):
    admin = private_api.query(
        'select id from User where username is "{0}"'.format(private_api.api_user)
    )[0]
    first = private_api.ok([{
        'action': 'reset_remote', 'reset_type': 'api_key',
        'entity_type': 'User', 'entity_key': [admin['id']],
    }])[0]['data']['api_key']
    private_api.api_key = first
    second = private_api.ok([{'action': 'reset_remote', 'reset_type': 'api_key'}])[0]
    private_api.api_key = second['data']['api_key']
    assert private_api.ok([{'action': 'query_server_information', 'values': ['version']}])


def test_reset_api_key_in_failed_batch_keeps_old_key(private_api):
    admin = private_api.query(
        'select id from User where username is "{0}"'.format(private_api.api_user)
    )[0]
    result = private_api.call([
        {'action': 'reset_remote', 'reset_type': 'api_key',
         'entity_type': 'User', 'entity_key': admin['id']},
        {'action': 'no_such_action'},
    ])
    assert result['exception'] == 'ServerError'
    assert private_api.ok([{'action': 'query_server_information', 'values': ['version']}])


@pytest.mark.parametrize(
    'operation, exception, fragment',
    [
        pytest.param({'reset_type': 'id', 'entity_type': 'User'}, 'ValidationError', '"id"',
                     id='primary-key'),
        pytest.param({'reset_type': 'name', 'entity_type': 'Project'}, 'ValidationError',
                     '"name"', id='other-attribute'),
        pytest.param({'reset_type': 'api_key', 'entity_type': 'Project', 'entity_key': 'x'},
                     'ValidationError', '"Project"', id='not-a-user'),
        pytest.param({'reset_type': 'api_key', 'entity_type': 'User', 'entity_key': 5},
                     'ValidationError', '5', id='bad-key'),
        pytest.param({'reset_type': 'api_key', 'entity_type': 'User',
                      'entity_key': '00000000-0000-0000-0000-00000000dead'},
                     'NotFoundError', '00000000-0000-0000-0000-00000000dead', id='unknown-user'),
    ],
)
def test_reset_remote_bad_input(raw_api, operation, exception, fragment):
    result = raw_api.call([dict(operation, action='reset_remote')])
    _assert_error(result, exception, fragment)


def test_body_over_the_size_limit_gets_an_error_object(ftrack_server_factory, make_raw_api):
    server = ftrack_server_factory(options={'max_request_size': 4096})
    api = make_raw_api(server)
    operations = [{'action': 'query_server_information', 'metadata': 'x' * 8192}]
    response = api.post(operations)
    assert response.status_code == 200
    _assert_error(response.json(), 'ValidationError', 'too large', '4096')
    strict = api.post(operations, ftrack_strict_api='true')
    assert strict.status_code == 413
    assert api.ok([{'action': 'query_server_information', 'values': ['version']}])


@pytest.fixture
def echo_context_action():
    name = 'test_server_http_api_echo_context'

    @actions.action(name)
    def echo(operation, context):
        return {
            'client_token': context.client_token,
            'push_token': context.push_token,
            'strict': context.strict,
            'username': context.user['username'],
            'user_id': context.user['id'],
        }

    try:
        yield name
    finally:
        actions.ACTIONS.pop(name, None)


def test_request_context_carries_tokens_user_and_strict_flag(raw_api, echo_context_action):
    result = raw_api.ok([{'action': echo_context_action}])[0]
    assert result['client_token'] is None and result['push_token'] is None
    assert result['strict'] is False
    assert result['username'] == raw_api.api_user and result['user_id']
    result = raw_api.call(
        [{'action': echo_context_action}],
        ftrack_clienttoken='ftrack-javascript-api--1234',
        ftrack_pushtoken='push-5678',
        ftrack_strict_api='true',
    )[0]
    assert result['client_token'] == 'ftrack-javascript-api--1234'
    assert result['push_token'] == 'push-5678'
    assert result['strict'] is True
    # The JS client sends the literal "undefined" when it has no push token.
    result = raw_api.call([{'action': echo_context_action}], ftrack_pushtoken='undefined')[0]
    assert result['push_token'] is None


def _user_with_key(api, username):
    user = api.create('User', {'username': username, 'is_active': True})
    key = api.ok([{
        'action': 'reset_remote', 'reset_type': 'api_key',
        'entity_type': 'User', 'entity_key': user['id'],
    }])[0]['data']['api_key']
    return user, key


def _whoami(api, username, key):
    return api.call(
        [{'action': 'query_server_information', 'values': ['user_information']}],
        ftrack_user=username, ftrack_api_key=key,
    )


def test_renamed_user_logs_in_with_new_name_and_same_key(private_api):
    user, key = _user_with_key(private_api, 'before.rename')
    private_api.ok([{
        'action': 'update', 'entity_type': 'User', 'entity_key': [user['id']],
        'entity_data': {'username': 'after.rename'},
    }])
    assert _whoami(private_api, 'after.rename', key)[0]['user_information']['id'] == user['id']
    old_name = _whoami(private_api, 'before.rename', key)
    assert old_name['exception'] == 'InvalidCredentialsError'


def test_deleted_user_cannot_log_in_and_its_key_is_not_inherited(private_api):
    user, key = _user_with_key(private_api, 'short.lived')
    private_api.ok([{'action': 'delete', 'entity_type': 'User', 'entity_key': [user['id']]}])
    assert _whoami(private_api, 'short.lived', key)['exception'] == 'InvalidCredentialsError'
    private_api.create('User', {'id': user['id'], 'username': 'short.lived', 'is_active': True})
    assert _whoami(private_api, 'short.lived', key)['exception'] == 'InvalidCredentialsError'


def test_credential_checks_from_other_threads_during_key_resets(private_server, private_api):
    # The event server checks credentials on its own threads while batches
    # reset keys; neither may wait on the other forever.
    import threading

    from ftrack_local_server import auth

    state = private_server.state
    stop = threading.Event()
    failures = []

    def hammer():
        while not stop.is_set():
            try:
                assert auth.authenticate(state, private_server.api_user, 'wrong') is None
            except Exception as error:  # pragma: no cover - reported below
                failures.append(error)
                return

    admin_id = private_api.query(
        'select id from User where username is "{0}"'.format(private_api.api_user)
    )[0]['id']
    workers = [threading.Thread(target=hammer) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        for _ in range(30):
            result = private_api.ok([{
                'action': 'reset_remote', 'reset_type': 'api_key',
                'entity_type': 'User', 'entity_key': admin_id,
            }])
            private_api.api_key = result[0]['data']['api_key']
    finally:
        stop.set()
        for worker in workers:
            worker.join(60)
    assert not any(worker.is_alive() for worker in workers)
    assert failures == []
    assert auth.authenticate(state, private_api.api_user, private_api.api_key)['id'] == admin_id
