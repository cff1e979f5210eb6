"""Transfers to the ftrack.server location: parts, resume, fallback, progress, errors (issue 10 §4)."""

import os

import pytest
import requests

import ftrack_api
import ftrack_api.accessor._transfer as transfer
from ftrack_api.accessor.server import transfer_progress

PART = 256 * 1024


@pytest.fixture
def small_parts(monkeypatch):
    """Upload anything above 1 MiB in 256 KiB parts, one attempt per part."""
    monkeypatch.setenv('FTRACK_API_MULTIPART_THRESHOLD', str(1024 * 1024))
    monkeypatch.setenv('FTRACK_API_UPLOAD_PART_SIZE', str(PART))
    monkeypatch.setattr(transfer, 'PART_ATTEMPTS', 1)


@pytest.fixture
def put_counter(monkeypatch):
    """Count the PUTs per URL kind and fail chosen part numbers (failure injection)."""
    real_put = requests.put
    record = {'parts': [], 'single': 0, 'fail': set()}

    def put(url, *args, **kwargs):
        if '/parts/' in url:
            number = int(url.rsplit('/', 1)[1])
            record['parts'].append(number)
            if number in record['fail']:
                raise requests.ConnectionError('injected failure of part {0}'.format(number))
        else:
            record['single'] += 1
        return real_put(url, *args, **kwargs)

    monkeypatch.setattr(requests, 'put', put)
    return record


def _file(tmp_path, size, name='plate.bin'):
    path = tmp_path / name
    data = os.urandom(size)
    path.write_bytes(data)
    return str(path), data


def _session(server):
    return ftrack_api.Session(server_url=server.url, api_key=server.api_key,
                              api_user=server.api_user, auto_connect_event_hub=False)


def _download(location, component):
    handle = location.accessor.open(location.get_resource_identifier(component), 'rb')
    try:
        return handle.read()
    finally:
        handle.close()


def test_large_file_goes_in_parts_with_progress(ftrack_session, tmp_path, small_parts,
                                               put_counter):
    path, data = _file(tmp_path, 5 * PART + 1000)
    location = ftrack_session.query('Location where name is "ftrack.server"').one()
    seen = []
    component = ftrack_session.create_component(
        path, location=location, progress=lambda done, total: seen.append((done, total)))
    assert sorted(put_counter['parts']) == [1, 2, 3, 4, 5, 6]
    assert put_counter['single'] == 0
    assert seen[0] == (0, len(data)) and seen[-1] == (len(data), len(data))
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
    assert _download(location, component) == data


def test_failed_part_is_resumed_without_resending_the_others(ftrack_session, tmp_path,
                                                             small_parts, put_counter):
    path, data = _file(tmp_path, 6 * PART)
    location = ftrack_session.query('Location where name is "ftrack.server"').one()
    put_counter['fail'] = {3}
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        ftrack_session.create_component(path, location=location)
    assert 'part 3' in str(raised.value)
    assert sorted(put_counter['parts']) == [1, 2, 3, 4, 5, 6]
    # create_component discarded the failed component, so its retry would
    # be a new component and a fresh upload. Resume is per component: make
    # the component first, then add it until it succeeds.
    put_counter['parts'][:] = []
    put_counter['fail'] = {3}
    component = ftrack_session.create_component(path, location=None)
    origin = ftrack_session.query('Location where name is "ftrack.origin"').one()
    with pytest.raises(ftrack_api.exception.LocationError):
        location.add_component(component, origin)
    assert sorted(put_counter['parts']) == [1, 2, 3, 4, 5, 6]
    put_counter['parts'][:] = []
    put_counter['fail'] = set()
    seen = []
    location.add_component(component, origin,
                           progress=lambda done, total: seen.append(done))
    assert put_counter['parts'] == [3]
    assert seen[0] == 5 * PART  # progress starts at what the server already has
    assert _download(location, component) == data


def test_server_without_parts_gets_one_put(ftrack_server_factory, tmp_path, small_parts,
                                           put_counter):
    server = ftrack_server_factory(options={'multipart_uploads': False})
    session = _session(server)
    try:
        path, data = _file(tmp_path, 5 * PART)
        location = session.query('Location where name is "ftrack.server"').one()
        seen = []
        with transfer_progress(lambda done, total: seen.append(done)):
            component = session.create_component(path, location=location)
        assert put_counter['parts'] == [] and put_counter['single'] == 1
        assert seen[-1] == len(data)
        downloaded = []
        with transfer_progress(lambda done, total: downloaded.append((done, total))):
            assert _download(location, component) == data
        assert downloaded[-1] == (len(data), len(data))
    finally:
        session.close()


def test_refused_upload_carries_the_status_and_the_text(ftrack_server_factory, tmp_path):
    # Upload URLs that are already expired when the PUT arrives.
    server = ftrack_server_factory(options={'upload_url_lifetime': 1e-6})
    session = _session(server)
    try:
        path, _data = _file(tmp_path, 1000)
        location = session.query('Location where name is "ftrack.server"').one()
        with pytest.raises(ftrack_api.exception.LocationError) as raised:
            session.create_component(path, location=location)
        cause = raised.value.__cause__ or raised.value.__context__
        while cause is not None and not hasattr(cause, 'status_code'):
            cause = cause.__cause__ or cause.__context__
        assert cause is not None, repr(raised.value)
        assert 400 <= cause.status_code < 500
        assert cause.response_text
        assert 'HTTP {0}'.format(cause.status_code) in str(raised.value)
    finally:
        session.close()
