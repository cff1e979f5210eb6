"""Component helpers without a server: availability maths, location picking,
sequence parsing, file types and the upload naming and checksum rules.

Sessions here use the recording transport of :mod:`ftrack_local_server.testing`;
requests the helpers make are answered from prepared results or echoed as
a server accepting them would.
"""

from __future__ import annotations

import io
import os
import uuid

import pytest

import ftrack_api
import ftrack_api.accessor.disk
import ftrack_api.accessor.server
import ftrack_api.exception
import ftrack_api.structure.id
import ftrack_api.symbol
from ftrack_local_server.testing import OfflineSession, offline_session

SERVER = ftrack_api.symbol.SERVER_LOCATION_ID
ORIGIN = ftrack_api.symbol.ORIGIN_LOCATION_ID
UNMANAGED = ftrack_api.symbol.UNMANAGED_LOCATION_ID
REVIEW = ftrack_api.symbol.REVIEW_LOCATION_ID


@pytest.fixture
def session():
    yield from offline_session()


def _uid():
    return str(uuid.uuid4())


def _location(session, name, priority=None, accessor=True):
    location = session.create(
        'Location', {'id': _uid(), 'name': name}, reconstructing=True
    )
    if accessor:
        location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix='')
        location.structure = ftrack_api.structure.id.IdStructure()
    if priority is not None:
        location.priority = priority
    return location


def _file(session, location_ids=()):
    """Return a persisted file component linked to *location_ids*."""
    links = [
        session.create(
            'ComponentLocation',
            {'id': _uid(), 'location_id': location_id, 'component_id': None},
            reconstructing=True,
        )
        for location_id in location_ids
    ]
    return session.create(
        'FileComponent',
        {'id': _uid(), 'name': 'main', 'component_locations': links},
        reconstructing=True,
    )


def _sequence(session, members):
    return session.create(
        'SequenceComponent',
        {'id': _uid(), 'name': 'seq', 'padding': 4, 'members': members,
         'component_locations': []},
        reconstructing=True,
    )


def _locations_answer(*locations):
    return [{
        'action': 'query',
        'data': [{'__entity_type__': 'Location', 'id': location['id']} for location in locations],
        'metadata': {'next': {'offset': None}},
    }]


# Availability maths.
def test_single_file_is_all_or_nothing(session):
    here = _location(session, 'here')
    there = _location(session, 'there')
    component = _file(session, [here['id']])
    assert session.get_component_availability(component, locations=[here, there]) == {
        here['id']: 100.0, there['id']: 0.0,
    }


def test_sequence_availability_is_the_mean_of_its_members(session):
    here = _location(session, 'here')
    there = _location(session, 'there')
    members = [_file(session, [here['id']]) for _ in range(2)] + [
        _file(session, [here['id'], there['id']]),
    ] + [_file(session) for _ in range(3)]
    sequence = _sequence(session, members)
    availability = session.get_component_availability(sequence, locations=[here, there])
    assert availability == {here['id']: 50.0, there['id']: pytest.approx(16.666666667)}
    # Rounded to 9 decimals: no quantisation noise such as 16.66666666666667.
    assert availability[there['id']] == round(100.0 / 6, 9)


def test_thirds_add_up_to_exactly_one_hundred(session):
    here = _location(session, 'here')
    sequence = _sequence(session, [_file(session, [here['id']]) for _ in range(3)])
    assert session.get_component_availability(sequence, locations=[here]) == {here['id']: 100.0}


def test_empty_sequence_uses_its_own_registrations(session):
    here = _location(session, 'here')
    link = session.create(
        'ComponentLocation', {'id': _uid(), 'location_id': here['id']}, reconstructing=True
    )
    sequence = session.create(
        'SequenceComponent',
        {'id': _uid(), 'members': [], 'component_locations': [link]},
        reconstructing=True,
    )
    assert session.get_component_availability(sequence, locations=[here]) == {here['id']: 100.0}


def test_availabilities_follow_component_order_and_ignore_other_locations(session):
    here = _location(session, 'here')
    elsewhere_id = _uid()
    first = _file(session, [elsewhere_id])
    second = _file(session, [here['id']])
    result = session.get_component_availabilities([first, second], locations=[here])
    assert result == [{here['id']: 0.0}, {here['id']: 100.0}]


def test_availability_without_locations_reports_every_server_location(session):
    here = _location(session, 'here')
    component = _file(session, [here['id']])
    session.transport.responses.append(_locations_answer(here, session.get('Location', SERVER)))
    assert component.get_availability() == {here['id']: 100.0, SERVER: 0.0}
    assert session.transport.requests[0][0]['expression'].startswith('select id from Location')


def test_location_availability_helpers(session):
    here = _location(session, 'here')
    present = _file(session, [here['id']])
    absent = _file(session)
    assert here.get_component_availability(present) == 100.0
    assert here.get_component_availabilities([present, absent]) == [100.0, 0.0]


def test_origin_registrations_do_not_count_as_available(session):
    # As upstream: only server-side ComponentLocations count, so a new
    # component is 0 in every location, the origin it was created in too.
    origin = session.get('Location', ORIGIN)
    component = session.create_component('/some/where/file.txt', location=None)
    assert origin.get_resource_identifier(component) == '/some/where/file.txt'
    assert session.get_component_availability(component, locations=[origin]) == {ORIGIN: 0.0}
    assert all(
        value == 0.0 for value in session.get_component_availability(component).values()
    )


def test_populate_fetches_links_per_component_type(session):
    here = _location(session, 'here')
    member = _file(session, [here['id']])
    sequence = _sequence(session, [member])
    other = _file(session)
    session.get_component_availabilities([sequence, other], locations=[here])
    expressions = [
        operation['expression'] for request in session.transport.requests
        for operation in request
    ]
    assert any(
        'select members, component_locations.location_id from SequenceComponent' in expression
        for expression in expressions
    )
    assert any(
        'select component_locations.location_id from FileComponent' in expression
        for expression in expressions
    )


# Picking locations.
def test_pick_location_prefers_the_lowest_priority_number(session):
    low = _location(session, 'low', priority=5)
    high = _location(session, 'high', priority=50)
    unconfigured = _location(session, 'bare', priority=1, accessor=False)
    session.transport.responses.append(_locations_answer(high, unconfigured, low))
    assert session.pick_location() is low


def test_pick_location_without_candidates_is_none(session):
    session.transport.responses.append(_locations_answer())
    assert session.pick_location() is None


def test_pick_locations_picks_the_best_location_holding_each_component(session):
    low = _location(session, 'low', priority=5)
    high = _location(session, 'high', priority=50)
    in_high = _file(session, [high['id']])
    in_both = _file(session, [high['id'], low['id']])
    nowhere = _file(session)
    session.transport.responses.append(_locations_answer(high, low))
    assert session.pick_locations([in_high, in_both, nowhere]) == [high, low, None]


def test_pick_location_for_partly_available_sequence(session):
    low = _location(session, 'low', priority=5)
    sequence = _sequence(session, [_file(session, [low['id']]), _file(session)])
    session.transport.responses.append(_locations_answer(low))
    assert session.pick_location(sequence) is low


def test_builtin_priorities_make_unmanaged_the_default_pick(session):
    builtins = [session.get('Location', key) for key in (ORIGIN, UNMANAGED, REVIEW, SERVER)]
    assert [location.priority for location in builtins] == [100, 90, 110, 150]
    session.transport.responses.append(_locations_answer(*builtins))
    assert session.pick_location()['id'] == UNMANAGED


# Creating components (no location: the origin only, no request).
def test_single_file_component_from_path(session, tmp_path):
    path = tmp_path / 'image.jpg'
    path.write_bytes(b'x' * 42)
    component = session.create_component(str(path), data={'name': 'plate'}, location=None)
    assert component.entity_type == 'FileComponent'
    assert (component['name'], component['size'], component['file_type']) == ('plate', 42, '.jpg')
    origin = session.get('Location', ORIGIN)
    assert origin.get_resource_identifier(component) == str(path)
    assert session.transport.requests == []


def test_missing_file_has_size_zero(session):
    component = session.create_component('/no/such/file.mov', location=None)
    assert component['size'] == 0
    assert component['file_type'] == '.mov'


def test_create_component_does_not_change_callers_data(session):
    data = {'name': 'plate'}
    session.create_component('/no/such/file.mov', data=data, location=None)
    assert data == {'name': 'plate'}


def test_sequence_expression_creates_sequence_and_members(session, tmp_path):
    for index, size in ((1, 3), (2, 5), (3, 7), (5, 11)):
        (tmp_path / 'plate.{0:04d}.exr'.format(index)).write_bytes(b'x' * size)
    expression = str(tmp_path / 'plate.%04d.exr') + ' [1-3, 5]'
    sequence = session.create_component(expression, location=None)

    assert sequence.entity_type == 'SequenceComponent'
    assert (sequence['padding'], sequence['file_type'], sequence['size']) == (4, '.exr', 26)
    members = list(sequence['members'])
    assert [member['name'] for member in members] == ['0001', '0002', '0003', '0005']
    assert [member['size'] for member in members] == [3, 5, 7, 11]
    assert all(member['container'] is sequence for member in members)
    assert all(member['file_type'] == '.exr' for member in members)

    origin = session.get('Location', ORIGIN)
    assert origin.get_resource_identifier(sequence) == str(tmp_path / 'plate.%04d.exr')
    assert origin.get_resource_identifiers(members) == [
        str(tmp_path / 'plate.{0:04d}.exr'.format(index)) for index in (1, 2, 3, 5)
    ]


def test_sequence_size_given_is_shared_between_members(session):
    sequence = session.create_component(
        '/nowhere/f.%d.dpx [1-4]', data={'size': 10}, location=None
    )
    assert sequence['padding'] == 0
    assert sequence['size'] == 10
    assert [member['size'] for member in sequence['members']] == [2, 2, 2, 2]
    assert [member['name'] for member in sequence['members']] == ['1', '2', '3', '4']


def test_text_that_is_not_a_sequence_is_one_file(session):
    component = session.create_component('/tmp/notes [draft].txt', location=None)
    assert component.entity_type == 'FileComponent'


def test_file_type_from_plugin_event(session):
    def file_type(event):
        if event['data']['file_path'].endswith('.tar.gz'):
            return '.tar.gz'
        return None

    session.event_hub.subscribe(
        'topic=ftrack.api.session.get-file-type-from-string', file_type
    )
    assert session.create_component('/a/b.tar.gz', location=None)['file_type'] == '.tar.gz'
    assert session.create_component('/a/b.txt', location=None)['file_type'] == '.txt'


def test_bad_arguments_are_named(session):
    with pytest.raises(TypeError, match='42'):
        session.create_component(42, location=None)
    with pytest.raises(ValueError, match="'ftrack.server'"):
        session.create_component('/a/b.txt', location='ftrack.server')
    assert session.created == []


def test_auto_location_sends_review_names_to_review(session):
    component = session.create_component(
        '/media/clip.mp4', data={'name': 'ftrackreview-mp4'}
    )
    created = [
        operation for request in session.transport.requests for operation in request
        if operation['action'] == 'create' and operation['entity_type'] == 'ComponentLocation'
    ]
    assert len(created) == 1
    entity_data = created[0]['entity_data']
    assert entity_data['location'] == {'__entity_type__': 'Location', 'id': REVIEW}
    assert entity_data['resource_identifier'] == '/media/clip.mp4'
    assert entity_data['component']['id'] == component['id']


def test_version_helper_sets_the_version_and_defaults_to_no_location(session):
    version = session.create('AssetVersion', {'id': _uid()}, reconstructing=True)
    component = version.create_component(
        '/a/b.txt', data={'version_id': 'ignored', 'name': 'doc'}
    )
    assert component['version'] is version
    assert component['name'] == 'doc'
    assert session.transport.requests == []


def test_get_availability_of_a_link_entity_uses_its_component(session):
    here = _location(session, 'here')
    component = _file(session, [here['id']])
    attachment = session.create(
        'JobComponent', {'component_id': component['id'], 'job_id': _uid(),
                         'component': component},
        reconstructing=True,
    )
    assert here.get_component_availability(attachment) == 100.0


# Upload naming, checksum and URLs.
def test_checksum_is_base64_md5():
    data = io.BytesIO(b'{"foo":"bar"}')
    assert ftrack_api.accessor.server._checksum(data) == 'm7WPJhkuS6APAeLnsTa72A=='


def test_checksum_reads_in_chunks(monkeypatch):
    monkeypatch.setattr(ftrack_api.symbol, 'CHUNK_SIZE', 3)
    data = io.BytesIO(b'{"foo":"bar"}')
    assert ftrack_api.accessor.server._checksum(data) == 'm7WPJhkuS6APAeLnsTa72A=='


@pytest.mark.parametrize('name, file_type, expected', [
    ('data', '.json', 'data.json'),
    ('data', 'json', 'data.json'),
    ('data', '', 'data'),
    ('data', None, 'data'),
    ('My file', '.tar.gz', 'My file.tar.gz'),
])
def test_upload_file_name(session, name, file_type, expected):
    component = session.create('FileComponent', {'name': name, 'file_type': file_type})
    assert ftrack_api.accessor.server._file_name(component) == expected


def _server_location_with(session, component):
    server = session.get('Location', SERVER)
    session.transport.responses.append([{
        'action': 'query',
        'data': [{
            '__entity_type__': 'ComponentLocation', 'id': _uid(),
            'component_id': component['id'], 'resource_identifier': component['id'],
        }],
        'metadata': {'next': {'offset': None}},
    }])
    return server


def test_server_url_keeps_credentials_raw_and_ordered():
    session = OfflineSession(api_user='jane+test@example.com', api_key='k/e+y')
    try:
        component = _file(session)
        server = _server_location_with(session, component)
        assert server.get_url(component) == (
            'http://offline.invalid/component/get?id={0}&username='
            'jane+test@example.com&apiKey=k/e+y'.format(component['id'])
        )
    finally:
        session.close()


@pytest.mark.parametrize('size, suffix', [(None, ''), (100, '&size=100'), (500, '&size=500')])
def test_thumbnail_url(session, size, suffix):
    component = _file(session)
    server = _server_location_with(session, component)
    assert server.get_thumbnail_url(component, size=size) == (
        'http://offline.invalid/component/thumbnail?id={0}&username=tester&'
        'apiKey=not-a-real-key{1}'.format(component['id'], suffix)
    )


def test_thumbnail_url_needs_a_capable_accessor(session):
    server = session.get('Location', SERVER)
    server.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix='')
    with pytest.raises(ftrack_api.exception.AccessorUnsupportedOperationError):
        server.get_thumbnail_url(_file(session))


def test_server_file_modes(session):
    with pytest.raises(ValueError, match="'xb'"):
        ftrack_api.accessor.server.ServerFile('id', session, mode='xb')
    reading = ftrack_api.accessor.server.ServerFile('id', session, mode='rb')
    with pytest.raises(ValueError, match='not for writing'):
        reading.write(b'data')
    reading.close()
    writing = ftrack_api.accessor.server.ServerFile('id', session, mode='wb')
    with pytest.raises(ValueError, match='not for reading'):
        writing.read()
    writing._discard()
    assert writing.closed


def test_server_accessor_reports_unsupported_operations(session):
    accessor = ftrack_api.accessor.server._ServerAccessor(session)
    for name in ('is_file', 'is_container', 'is_sequence', 'list'):
        with pytest.raises(ftrack_api.exception.AccessorUnsupportedOperationError):
            getattr(accessor, name)('id')
    with pytest.raises(ftrack_api.exception.AccessorParentResourceNotFoundError):
        accessor.get_container('id')
    accessor.make_container('id')
    with pytest.raises(TypeError, match='prefix'):
        ftrack_api.accessor.server._ServerAccessor(session, prefix='x')


def test_server_location_is_configured_with_the_server_accessor(session):
    server = session.get('Location', SERVER)
    assert isinstance(server.accessor, ftrack_api.accessor.server._ServerAccessor)
    assert server.priority == 150


def test_unreachable_server_fails_reads_without_leaking_the_key(session):
    session._server_url = 'http://127.0.0.1:9'
    data = ftrack_api.accessor.server.ServerFile('abc', session, mode='rb')
    with pytest.raises(ftrack_api.exception.AccessorOperationFailedError) as error:
        data.read()
    assert 'Failed to read data' in str(error.value)
    assert session.api_key not in str(error.value)
    data.close()


def test_encode_media_argument_errors(session):
    with pytest.raises(ValueError, match='keep_original'):
        session.encode_media('/a.mov', keep_original='yes')
    with pytest.raises(ValueError, match='Unable to encode media'):
        session.encode_media(42)
    sequence = _sequence(session, [])
    with pytest.raises(ValueError, match='SequenceComponent'):
        session.encode_media(sequence)


def test_os_pathlike_paths_are_accepted(session, tmp_path):
    path = tmp_path / 'a.txt'
    path.write_bytes(b'abc')
    component = session.create_component(path, location=None)
    assert component['size'] == 3
    origin = session.get('Location', ORIGIN)
    assert origin.get_resource_identifier(component) == os.fspath(path)


def test_encode_media_on_a_server_without_it(session):
    component = _file(session)
    session.transport.echo = False
    session.transport.responses.append({
        'exception': 'ServerError', 'content': "Invalid action u'encode_media'",
    })
    with pytest.raises(ftrack_api.exception.ServerCompatibilityError, match='encode_media'):
        session.encode_media(component)


def test_encode_media_request_and_job(session):
    component = _file(session)
    job_id = _uid()
    session.transport.echo = False
    session.transport.responses.append([{'job_id': job_id}])
    session.transport.responses.append([{
        'action': 'query',
        'data': [{'__entity_type__': 'Job', 'id': job_id, 'status': 'queued'}],
        'metadata': {'next': {'offset': None}},
    }])
    job = session.encode_media(component, version_id='v1')
    assert job['id'] == job_id
    assert session.transport.requests[0] == [{
        'action': 'encode_media', 'component_id': component['id'],
        'version_id': 'v1', 'keep_original': True,
    }]


def test_add_component_without_source_picks_one(session, tmp_path):
    low = _location(session, 'low', priority=5)
    low.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(tmp_path))
    component = _file(session, [low['id']])
    target = _location(session, 'target', priority=50)
    target.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(tmp_path / 'target'))
    session.transport.responses.append(_locations_answer(low, target))
    nothing = [{'action': 'query', 'data': [], 'metadata': {'next': {'offset': None}}}]
    # Populating the component's links, then checking it is not in target yet.
    session.transport.responses.extend([nothing, nothing])
    (tmp_path / 'stored.txt').write_bytes(b'abc')
    session.transport.responses.append([{
        'action': 'query',
        'data': [{'__entity_type__': 'ComponentLocation', 'id': _uid(),
                  'component_id': component['id'], 'resource_identifier': 'stored.txt'}],
        'metadata': {'next': {'offset': None}},
    }])
    target.add_component(component)
    copied = ftrack_api.structure.id.IdStructure().get_resource_identifier(component)
    assert (tmp_path / 'target' / copied).read_bytes() == b'abc'


def test_add_component_without_source_needs_an_available_one(session):
    target = _location(session, 'target', priority=50)
    component = _file(session)
    session.transport.responses.append(_locations_answer(target))
    with pytest.raises(ftrack_api.exception.ComponentNotInAnyLocationError) as error:
        target.add_component(component)
    assert component['id'] in str(error.value)
