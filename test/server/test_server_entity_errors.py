"""Bad entity writes through real HTTP: error objects and atomicity."""

import pytest

from ftrack_local_server.testing import create_operation as create
from ftrack_local_server.testing import new_id


def test_failing_third_operation_applies_nothing(raw_api):
    names = ['atomic-' + new_id() for _ in range(3)]
    error = raw_api.call([
        create('Scope', {'name': names[0]}),
        create('Scope', {'name': names[1]}),
        create('Scope', {'name': names[2], 'bogus': True}),
    ])
    assert error['exception'] == 'ValidationError'
    for name in names:
        assert raw_api.query('select id from Scope where name is "{0}"'.format(name)) == []


@pytest.mark.parametrize('operation, exception, fragments', [
    (create('Tsk', {}), 'ValidationError', ['"Tsk"']),
    (create('Scope', {'nmae': 'x'}), 'ValidationError', ['"nmae"', 'Scope']),
    (create('Scope', {'name': 5}), 'ValidationError', ['"name"', '5']),
    (create('Status', {'name': 's', 'is_active': 'yes'}), 'ValidationError',
     ['"is_active"', '"yes"']),
    (create('Shot', {'name': 'x', 'parent': {
        '__entity_type__': 'Project', 'id': '00000000-0000-0000-0000-000000000000'}}),
     'NotFoundError', ['Project(00000000-0000-0000-0000-000000000000)']),
    (create('Scope', {}), 'ValidationError', ['"name"']),
    (create('Context', {}), 'ValidationError', ['Context']),
    ({'action': 'create', 'entity_data': {}}, 'ValidationError', ['entity_type']),
    ({'action': 'create', 'entity_type': 'Scope', 'entity_data': []},
     'ValidationError', ['[]']),
    ({'action': 'update', 'entity_type': 'Scope', 'entity_data': {}},
     'ValidationError', ['entity_key']),
    ({'action': 'update', 'entity_type': 'Scope', 'entity_key': ['missing-id'],
      'entity_data': {'name': 'x'}}, 'NotFoundError', ['missing-id']),
    ({'action': 'delete', 'entity_type': 'Scope', 'entity_key': ['missing-id']},
     'NotFoundError', ['missing-id']),
    ({'action': 'delete', 'entity_type': 'Metadata', 'entity_key': ['only-one']},
     'ValidationError', ['entity_key']),
])
def test_bad_input_gets_an_error_object(raw_api, operation, exception, fragments):
    error = raw_api.call([operation])
    assert isinstance(error, dict), error
    assert error['exception'] == exception, error
    assert error['error_code'] is None
    for fragment in fragments:
        assert fragment in error['content'], (fragment, error['content'])


def test_duplicate_identity(raw_api):
    identifier = new_id()
    raw_api.ok([create('Scope', {'id': identifier, 'name': 'dup'}, [identifier])])
    error = raw_api.call([create('Scope', {'id': identifier, 'name': 'dup'}, [identifier])])
    assert error['exception'] == 'DuplicateEntryError'
    assert identifier in error['content']


def test_strict_mode_answers_errors_with_a_status(raw_api):
    response = raw_api.post([create('Scope', {'nmae': 'x'})], ftrack_strict_api='true')
    assert response.status_code == 422
    assert response.json()['exception'] == 'ValidationError'


@pytest.mark.parametrize('operations, exception, status', [
    ([{'action': 'query', 'expression': 'select from'}], 'ParseError', 400),
    ([{'action': 'delete', 'entity_type': 'Scope', 'entity_key': ['missing-id']}],
     'NotFoundError', 404),
    ([{'action': 'update', 'entity_type': 'Location', 'entity_key': [
        '3a372bde-05bc-11e4-8908-20c9d081909b'], 'entity_data': {
        'id': '00000000-0000-0000-0000-000000000000'}}], 'PermissionError', 403),
    ([create('Location', {'name': 'ftrack.server'})], 'DuplicateEntryError', 409),
])
def test_strict_mode_status_of_each_error(raw_api, operations, exception, status):
    lenient = raw_api.post(operations)
    strict = raw_api.post(operations, ftrack_strict_api='true')
    assert lenient.status_code == 200
    assert (strict.status_code, strict.json()['exception']) == (status, exception)
    assert strict.json() == lenient.json()


def test_strict_mode_bad_credentials_is_401(raw_api):
    response = raw_api.post([{'action': 'query_server_information'}],
                            ftrack_strict_api='true', ftrack_api_key='wrong')
    assert response.status_code == 401
    assert response.json()['exception'] == 'InvalidCredentialsError'


def test_custom_attributes_inside_a_create_are_refused(raw_api):
    """As a real server: custom attribute values are set after the create."""
    name = 'ca-in-create-' + new_id()
    error = raw_api.call([create('Scope', {'name': name, 'custom_attributes': []})])
    assert error['exception'] == 'ValidationError'
    assert '"custom_attributes"' in error['content'] and 'Scope' in error['content']
    assert raw_api.query('select id from Scope where name is "{0}"'.format(name)) == []


def test_error_texts_have_no_braces(raw_api):
    """Upstream's client formats error texts with str.format: no braces."""
    error = raw_api.call([create('Scope', {'name': {'nested': {'deeper': 1}}})])
    assert error['exception'] == 'ValidationError'
    assert '{' not in error['content'] and '}' not in error['content']
    assert '"nested"' in error['content']
