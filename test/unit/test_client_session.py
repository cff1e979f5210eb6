"""Session construction, flags, state and life cycle without a server."""

import gc
import json
import os
import threading
import weakref

import pytest

import ftrack_api
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_api._session import schema_cache as _schema_cache
from ftrack_local_server.testing import (
    OfflineSession, offline_session, schema_counting_session_class,
)


@pytest.fixture
def session():
    yield from offline_session()


def test_missing_credentials_raise_type_error(monkeypatch):
    for name in ('FTRACK_SERVER', 'FTRACK_API_KEY', 'FTRACK_APIKEY', 'FTRACK_API_USER'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(TypeError) as error:
        ftrack_api.Session(api_key='k', api_user='u')
    assert 'FTRACK_SERVER' in str(error.value)
    with pytest.raises(TypeError) as error:
        ftrack_api.Session(server_url='http://localhost:1', api_user='u')
    assert 'FTRACK_API_KEY' in str(error.value)


def test_bad_argument_types(monkeypatch):
    with pytest.raises(TypeError):
        OfflineSession(headers=['not', 'a', 'mapping'])
    with pytest.raises(TypeError):
        OfflineSession(cookies='x=1')
    with pytest.raises(TypeError):
        OfflineSession(strict_api='yes')


def test_environment_variables(monkeypatch):
    monkeypatch.setenv('FTRACK_SERVER', 'http://from-env.invalid/')
    monkeypatch.delenv('FTRACK_API_KEY', raising=False)
    monkeypatch.setenv('FTRACK_APIKEY', 'legacy-key')
    monkeypatch.setenv('FTRACK_API_USER', 'env-user')
    session = OfflineSession(server_url=None, api_key=None, api_user=None)
    try:
        assert session.server_url == 'http://from-env.invalid'
        assert session.api_key == 'legacy-key'
        assert session.api_user == 'env-user'
        assert 'legacy-key' not in repr(session)
    finally:
        session.close()


def test_api_key_variable_wins_over_the_legacy_one(monkeypatch):
    monkeypatch.setenv('FTRACK_API_KEY', 'current-key')
    monkeypatch.setenv('FTRACK_APIKEY', 'legacy-key')
    with OfflineSession(api_key=None) as session:
        assert session.api_key == 'current-key'


def test_api_user_falls_back_to_the_login_name(monkeypatch):
    import getpass

    monkeypatch.delenv('FTRACK_API_USER', raising=False)
    monkeypatch.setattr(getpass, 'getuser', lambda: 'login-name')
    with OfflineSession(api_user=None) as session:
        assert session.api_user == 'login-name'


def test_plugin_paths_from_environment(monkeypatch, tmp_path):
    """FTRACK_EVENT_PLUGIN_PATH: several directories, searched recursively."""
    loaded = []
    for name in ('first', 'second'):
        directory = tmp_path / name / 'nested'
        directory.mkdir(parents=True)
        (directory / 'plugin_{0}.py'.format(name)).write_text(
            'def register(session):\n'
            '    session.loaded_plugins.append({0!r})\n'.format(name)
        )
    monkeypatch.setenv('FTRACK_EVENT_PLUGIN_PATH', os.pathsep.join([
        str(tmp_path / 'first'), '', str(tmp_path / 'second'),
    ]))
    monkeypatch.setattr(
        OfflineSession, 'loaded_plugins', loaded, raising=False
    )
    with OfflineSession(plugin_paths=None) as session:
        assert session._plugin_paths == [
            str(tmp_path / 'first'), str(tmp_path / 'second')
        ]
    assert loaded == ['first', 'second']


@pytest.mark.parametrize('version, compatible', [
    ('dev', True), ('4.13.0', True), ('3.3.11', True), ('3.3.10', False),
    ('2.9.1.1234', False), ('custom-build', True),
])
def test_server_compatibility(version, compatible):
    information = {'version': version, 'storage_scenario': {}}
    if compatible:
        OfflineSession(server_information=information).close()
    else:
        with pytest.raises(ftrack_api.exception.ServerCompatibilityError):
            OfflineSession(server_information=information)


def test_missing_version_is_incompatible():
    with pytest.raises(ftrack_api.exception.ServerCompatibilityError) as error:
        OfflineSession(server_information={'storage_scenario': {}})
    assert 'Could not determine server version' in str(error.value)


def test_context_manager_closes_and_closed_session_refuses(session):
    with OfflineSession() as other:
        assert not other.closed
    assert other.closed
    with pytest.raises(ftrack_api.exception.ConnectionClosedError):
        other.query('User').first()
    with pytest.raises(ftrack_api.exception.ConnectionClosedError):
        other.call([{'action': 'query', 'expression': 'select id from User'}])
    other.close()


def test_sessions_are_not_kept_alive_for_exit():
    session = OfflineSession()
    reference = weakref.ref(session)
    del session
    gc.collect()
    assert reference() is None


def test_auto_populate_is_per_thread(session):
    assert session.auto_populate is True
    seen = {}

    def other_thread():
        seen['before'] = session.auto_populate
        with session.auto_populating(False):
            seen['inside'] = session.auto_populate
            ready.set()
            resume.wait(10)
        seen['after'] = session.auto_populate

    ready = threading.Event()
    resume = threading.Event()
    thread = threading.Thread(target=other_thread)
    thread.start()
    assert ready.wait(10)
    assert session.auto_populate is True
    resume.set()
    thread.join(10)
    assert seen == {'before': True, 'inside': False, 'after': True}

    session.auto_populate = False
    assert session.auto_populate is False
    with session.auto_populating(True):
        assert session.auto_populate is True
    assert session.auto_populate is False


def test_operation_recording_is_per_thread(session):
    user = session.create('User', {'id': 'u1'}, reconstructing=True)
    done = threading.Event()

    def other_thread():
        with session.operation_recording(False):
            user['first_name'] = 'not recorded'
        done.set()

    thread = threading.Thread(target=other_thread)
    with session.operation_recording(False):
        thread.start()
        assert done.wait(10)
        thread.join(10)
        user['last_name'] = 'not recorded either'
    assert len(session.recorded_operations) == 0
    user['email'] = 'recorded'
    assert len(session.recorded_operations) == 1


def test_states_and_session_lists(session):
    new_user = session.create('User', {})
    assert ftrack_api.inspection.state(new_user) is ftrack_api.symbol.CREATED
    existing_user = session.create('User', {'id': 'u1'}, reconstructing=True)
    assert ftrack_api.inspection.state(existing_user) is ftrack_api.symbol.NOT_SET
    existing_user['email'] = 'martin@example.com'
    assert ftrack_api.inspection.state(existing_user) is ftrack_api.symbol.MODIFIED
    other = session.create('User', {'id': 'u2'}, reconstructing=True)
    session.delete(other)
    assert session.created == [new_user]
    assert session.modified == [existing_user]
    assert session.deleted == [other]
    session.delete(new_user)
    assert ftrack_api.inspection.state(new_user) is ftrack_api.symbol.DELETED
    assert ftrack_api.inspection.states([existing_user, other]) == [
        ftrack_api.symbol.MODIFIED, ftrack_api.symbol.DELETED,
    ]
    assert ftrack_api.inspection.identity(existing_user) == ('User', ['u1'])
    assert dict(ftrack_api.inspection.primary_key(existing_user)) == {'id': 'u1'}


def test_commit_clears_local_values_and_states(session):
    user = session.create('User', {'id': 'u1', 'username': 'old'}, reconstructing=True)
    user['username'] = 'new'
    session.commit()
    attribute = type(user).attributes.get('username')
    assert attribute.get_local_value(user) is ftrack_api.symbol.NOT_SET
    assert attribute.get_remote_value(user) == 'new'
    assert ftrack_api.inspection.state(user) is ftrack_api.symbol.NOT_SET
    assert session.modified == []


def test_changes_made_while_a_commit_is_in_flight_are_kept(session):
    """What another thread records during the request is not cleared by it."""
    user = session.create('User', {'id': 'u1', 'username': 'old'}, reconstructing=True)
    other = session.create('User', {'id': 'u2', 'username': 'other'}, reconstructing=True)
    user['username'] = 'sent'
    call = session.transport.call

    def call_while_changing(body, decode):
        # Stands for another thread changing entities during the request.
        user['username'] = 'late'
        other['email'] = 'late@example.com'
        new = session.create('User', {'id': 'u3', 'username': 'late'})
        changed.append(new)
        return call(body, decode)

    changed = []
    session.transport.call = call_while_changing
    session.commit()
    session.transport.call = call

    (sent,) = session.transport.requests
    assert sent == [{
        'action': 'update', 'entity_type': 'User', 'entity_key': ['u1'],
        'entity_data': {'__entity_type__': 'User', 'username': 'sent'},
    }]
    # The late changes are still local and recorded...
    assert user['username'] == 'late'
    assert other['email'] == 'late@example.com'
    assert ftrack_api.inspection.state(user) is ftrack_api.symbol.MODIFIED
    assert ftrack_api.inspection.state(other) is ftrack_api.symbol.MODIFIED
    assert ftrack_api.inspection.state(changed[0]) is ftrack_api.symbol.CREATED
    assert len(session.recorded_operations) == 3
    # ... and the next commit sends them.
    session.commit()
    assert [payload['action'] for payload in session.transport.requests[1]] == [
        'update', 'update', 'create'
    ]
    assert ftrack_api.inspection.state(user) is ftrack_api.symbol.NOT_SET
    assert len(session.recorded_operations) == 0


def test_failed_commit_keeps_work_and_rollback_discards(session):
    session.transport.echo = False
    user = session.create('User', {'username': 'new'})
    existing = session.create('User', {'id': 'u1', 'email': 'old'}, reconstructing=True)
    existing['email'] = 'changed'
    session.transport.responses.append(
        {'exception': 'ValidationError', 'content': 'bad {value}', 'error_code': None}
    )
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        session.commit()
    assert 'Server reported error: ValidationError(bad {value})' == str(error.value)
    assert len(session.recorded_operations) == 2
    assert existing['email'] == 'changed'
    assert ftrack_api.inspection.state(user) is ftrack_api.symbol.CREATED

    key = str(('User', [user['id']]))
    assert key in session.cache.keys()
    session.rollback()
    assert len(session.recorded_operations) == 0
    assert existing['email'] == 'old'
    assert key not in session.cache.keys()
    session.transport.echo = True
    session.commit()
    assert len(session.transport.requests) == 1


def test_commit_cost_does_not_depend_on_cache_size(session):
    users = [
        session.create('User', {'id': 'u{0}'.format(index)}, reconstructing=True)
        for index in range(2000)
    ]
    users[0]['email'] = 'x'
    assert len(session._unit_of_work._dirty) == 1
    session.commit()
    assert len(session._unit_of_work._dirty) == 0


def test_reset_clears_and_publishes(session):
    events = []
    session.event_hub.subscribe(
        'topic=ftrack.api.session.reset', lambda event: events.append(event)
    )
    user = session.create('User', {'username': 'x'})
    session.reset()
    assert len(session.recorded_operations) == 0
    assert str(('User', [user['id']])) not in session.cache.keys()
    assert session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID) is not None
    assert len(events) == 1
    assert events[0]['data']['session'] is session


def test_ready_and_configure_location_events(tmp_path):
    (tmp_path / 'plugin.py').write_text(
        'seen = []\n'
        'def register(session):\n'
        "    session.event_hub.subscribe('topic=ftrack.api.session.ready',\n"
        "        lambda event: seen.append(('ready', event['data']['session'])))\n"
        "    session.event_hub.subscribe('topic=ftrack.api.session.configure-location',\n"
        "        lambda event: seen.append(('configure', event['data']['session'])))\n"
        "    session._test_seen = seen\n"
    )
    session = OfflineSession(plugin_paths=[str(tmp_path)])
    try:
        assert session._test_seen == [('configure', session), ('ready', session)]
    finally:
        session.close()


def test_cache_is_layered_with_memory_cache_on_top():
    import ftrack_api.cache

    user_cache = ftrack_api.cache.MemoryCache()
    session = OfflineSession(cache=lambda session: user_cache)
    try:
        assert isinstance(session.cache, ftrack_api.cache.LayeredCache)
        assert isinstance(session.cache.caches[0], ftrack_api.cache.MemoryCache)
        assert session.cache.caches[1] is user_cache
        user = session.create('User', {'id': 'u1'}, reconstructing=True)
        assert user_cache.get(str(('User', ['u1']))) is user
    finally:
        session.close()


def test_cache_maker_may_return_none():
    session = OfflineSession(cache=lambda session: None)
    try:
        assert len(session.cache.caches) == 1
    finally:
        session.close()


def test_schema_cache_directory_holds_upstreams_single_file(tmp_path, caplog):
    # A directory given to the session holds upstream's file: JSON indented
    # by four spaces, valid when the MD5 of its list is the schema hash.
    first = OfflineSession(schema_cache_path=str(tmp_path))
    first.close()
    assert os.listdir(str(tmp_path)) == ['ftrack_api_schema_cache.json']
    path = os.path.join(str(tmp_path), 'ftrack_api_schema_cache.json')
    with open(path) as handle:
        text = handle.read()
    assert text.startswith('[\n    {')
    assert len(json.loads(text)) == 116

    CountingSession = schema_counting_session_class()
    warm = CountingSession(schema_cache_path=str(tmp_path))
    warm.close()
    assert CountingSession.schema_requests == 0

    with open(path, 'w') as handle:
        handle.write('{not json')
    invalid = CountingSession(schema_cache_path=str(tmp_path))
    invalid.close()
    assert CountingSession.schema_requests == 1
    assert "Schema cache could not be loaded from '{0}'".format(path) in caplog.text
    with open(path) as handle:
        assert len(json.load(handle)) == 116

    # Another server with the same schema shares the file.
    other = CountingSession(
        schema_cache_path=str(tmp_path), server_url='http://other.invalid'
    )
    other.close()
    assert CountingSession.schema_requests == 1
    assert os.listdir(str(tmp_path)) == ['ftrack_api_schema_cache.json']


def test_schema_cache_in_a_missing_directory_is_logged(tmp_path, caplog):
    missing = tmp_path / 'missing'
    session = OfflineSession(schema_cache_path=str(missing))
    session.close()
    assert len(session.schemas) == 116
    assert not missing.exists()
    assert "Failed to update schema cache '{0}'.".format(
        missing / 'ftrack_api_schema_cache.json') in caplog.text


def test_load_schemas_takes_a_file_path(tmp_path):
    session = OfflineSession()
    try:
        path = str(tmp_path / 'any-name.json')
        schemas = session._load_schemas(path)
        assert len(schemas) == 116
        assert session._read_schemas_from_cache(path)[1] == (
            session.server_information['schema_hash'])
        assert len(session._load_schemas(False)) == 116
    finally:
        session.close()


def test_schema_cache_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv('FTRACK_API_SCHEMA_CACHE_PATH', str(tmp_path))
    OfflineSession(schema_cache_path=None).close()
    assert os.listdir(str(tmp_path)) == ['ftrack_api_schema_cache.json']


def test_schema_cache_disabled(tmp_path, monkeypatch):
    monkeypatch.setenv('FTRACK_API_SCHEMA_CACHE_PATH', str(tmp_path))
    OfflineSession(schema_cache_path=False).close()
    assert os.listdir(str(tmp_path)) == []


def test_schema_hash_matches_server_computation():
    with open(os.path.join(
        os.path.dirname(ftrack_api.__file__), '..', 'ftrack_local_server',
        'data', 'query_schemas.json',
    )) as handle:
        schemas = json.load(handle)
    assert _schema_cache.compute_schema_hash(schemas) == (
        '23a1157b8b1730fd91c76f63dcd67a8f'
    )


def test_ensure_creates_then_retrieves_then_updates(session):
    session.transport.echo = False
    session.transport.responses.append([{
        'action': 'query', 'data': [], 'metadata': {'next': {'offset': None}},
    }])
    session.transport.echo = True
    user = session.ensure('User', {'username': 'martin'})
    requests = session.transport.requests
    assert requests[0][0]['expression'] == (
        'select id from User where username is "martin" limit 2'
    )
    assert requests[1][0]['action'] == 'create'

    session.transport.echo = False
    session.transport.responses.append([{
        'action': 'query',
        'data': [{'__entity_type__': 'User', 'id': user['id'], 'username': 'martin',
                  'email': 'old@example.com'}],
        'metadata': {'next': {'offset': None}},
    }])
    session.transport.responses.append([{
        'action': 'update',
        'data': {'__entity_type__': 'User', 'id': user['id'],
                 'email': 'martin@example.com'},
    }])
    same = session.ensure(
        'User', {'username': 'martin', 'email': 'martin@example.com'},
        identifying_keys=['username'],
    )
    assert same is user
    assert session.transport.requests[-1][0]['entity_data'] == {
        '__entity_type__': 'User', 'email': 'martin@example.com',
    }
    assert user['email'] == 'martin@example.com'

    with pytest.raises(KeyError):
        session.ensure('User', {'username': 'x'}, identifying_keys=['email'])
    with pytest.raises(ValueError):
        session.ensure('User', {})


def test_reset_remote_payload(session):
    session.transport.echo = False
    session.transport.responses.append(
        [{'action': 'reset_remote', 'data': {'api_key': 'new-key'}}]
    )
    user = session.create('User', {'id': 'u1'}, reconstructing=True)
    assert user.reset_api_key() == 'new-key'
    assert session.transport.requests[-1] == [{
        'action': 'reset_remote', 'reset_type': 'api_key', 'entity_type': 'User',
        'entity_key': 'u1',
    }]


def test_unrecognised_entity_type(session):
    with pytest.raises(ftrack_api.exception.UnrecognisedEntityTypeError):
        session.create('NoSuchType', {})
    with pytest.raises(ftrack_api.exception.UnrecognisedEntityTypeError):
        session.query('NoSuchType where id is 1')


def test_job_type_must_be_api_job(session):
    with pytest.raises(ValueError) as error:
        session.create('Job', {'type': 'import'})
    assert 'import' in str(error.value)
    job = session.create('Job', {'status': 'running'})
    assert job['type'] == 'api_job'


def test_thread_flags_live_in_per_thread_mappings():
    import threading

    session = OfflineSession(auto_populate=False)
    try:
        ident = threading.get_ident()
        assert session.auto_populate is False
        assert session._auto_populate[ident] is False
        assert session._auto_populate.default_factory() is False
        session._record_operations[ident] = False
        assert session.record_operations is False
        session.record_operations = True
        seen = []
        thread = threading.Thread(
            target=lambda: seen.append((session.auto_populate, session.record_operations))
        )
        thread.start()
        thread.join()
        assert seen == [(False, True)]
    finally:
        session.close()


def test_context_managers_leave_no_entry_behind():
    import threading

    session = OfflineSession()
    try:
        def work():
            with session.auto_populating(False), session.operation_recording(False):
                assert (session.auto_populate, session.record_operations) == (False, False)

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        # A later thread reusing that identifier starts from the defaults.
        assert thread.ident not in session._auto_populate
        assert thread.ident not in session._record_operations
    finally:
        session.close()


def test_private_methods_upstream_integrations_call(tmp_path, caplog):
    import datetime

    import arrow

    session = OfflineSession()
    try:
        priority = session.create('Priority', {'name': 'p', 'value': 1})
        key = [priority['id']]
        assert session._get('Priority', key) is priority
        with pytest.raises(KeyError) as raised:
            session._get('Priority', ['missing'])
        assert raised.value.args == ("('Priority', ['missing'])",)
        assert session._encode(priority, entity_attribute_strategy='bogus') == {
            '__entity_type__': 'Priority', 'id': priority['id']}
        assert session._encode(datetime.date(2020, 1, 2)) == {
            '__type__': 'datetime', 'value': '2020-01-02'}
        assert session._encode(arrow.get('2020-01-02T03:04:05+01:00'))['value'] == (
            '2020-01-02T03:04:05+01:00')
        with pytest.raises(TypeError) as raised:
            session._encode([1])
        assert str(raised.value) == '[1] is not JSON serializable'
        decoded = session._decode({'__entity_type__': 'Priority', 'id': priority['id']})
        assert decoded is not priority and decoded['id'] == priority['id']
        path = tmp_path / 'file.txt'
        path.write_text('12345')
        assert session._get_filesystem_size(str(path)) == 5
        assert session._get_filesystem_size(str(tmp_path / 'missing')) == 0
        assert session._merge_entity(priority) is priority
        assert session._merge_recursive(priority) is priority
        with pytest.raises(ftrack_api.exception.ServerError) as raised:
            session._raise_server_error('went wrong')
        assert str(raised.value) == 'went wrong'
        assert 'went wrong' in caplog.text
        component = session._create_component(
            'FileComponent', str(path), {'name': 'x'}, None)
        assert component['name'] == 'x'
        origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
        assert origin.get_filesystem_path(component) == str(path)
    finally:
        session.rollback()
        session.close()
