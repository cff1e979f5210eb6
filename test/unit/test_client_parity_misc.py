"""Upstream-compatible surface outside the documentation (issue: parity)."""

import logging
import sys
import warnings

import pytest

import ftrack_api
import ftrack_api.accessor.disk
import ftrack_api.entity.location
import ftrack_api.inspection
import ftrack_api.exception
import ftrack_api.logging
import ftrack_api.plugin
from ftrack_local_server.testing import OfflineSession, offline_session


@pytest.fixture
def session():
    yield from offline_session()


def test_version_reports_the_upstream_api_level():
    """__version__ is upstream's level; the distribution has its own."""
    assert tuple(int(part) for part in ftrack_api.__version__.split('.')) >= (3, 1, 0)
    assert ftrack_api.distribution_version != ftrack_api.__version__


def test_logging_module_is_an_attribute_of_the_package():
    assert ftrack_api.logging is sys.modules['ftrack_api.logging']


def test_load_source_executes_without_registering(tmp_path):
    path = tmp_path / 'plugin_module.py'
    path.write_text('VALUE = 6 * 7\n')
    module = ftrack_api.plugin.load_source('parity_loaded', str(path))
    assert module.VALUE == 42
    assert module.__name__ == 'parity_loaded'
    assert 'parity_loaded' not in sys.modules
    with pytest.raises(FileNotFoundError):
        ftrack_api.plugin.load_source('missing', str(tmp_path / 'none.py'))


def test_deprecation_warning_decorator():
    def add(a, b=1):
        return a + b

    wrapped = ftrack_api.logging.deprecation_warning('add is old')(add)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        assert wrapped(1, b=2) == 3
    assert wrapped.__name__ == 'add'
    assert [(w.category, str(w.message)) for w in seen] == [
        (PendingDeprecationWarning, 'add is old')]


@pytest.mark.parametrize('number, expected', [
    (2, ftrack_api.exception.AccessorResourceNotFoundError),
    (39, ftrack_api.exception.AccessorContainerNotEmptyError),
    (21, ftrack_api.exception.AccessorResourceInvalidError),
    (17, ftrack_api.exception.AccessorOperationFailedError),
])
def test_disk_error_handler(number, expected):
    with pytest.raises(expected) as raised:
        with ftrack_api.accessor.disk.error_handler(
                operation='open', resource_identifier='a/b'):
            raise OSError(number, 'failure')
    assert type(raised.value) is expected
    assert raised.value.details['resource_identifier'] == 'a/b'


def test_location_str_names_loaded_name_only(session):
    unnamed = session.create('Location', {})
    assert str(unnamed) == '<Location({0})>'.format(unnamed['id'])
    named = session.create('Location', {'name': 'studio.disk'})
    assert str(named) == '<Location("studio.disk", {0})>'.format(named['id'])


def test_location_mixins_are_mutable_mappings():
    import collections.abc

    for name in ('MemoryLocationMixin', 'UnmanagedLocationMixin',
                 'OriginLocationMixin', 'ServerLocationMixin'):
        assert issubclass(
            getattr(ftrack_api.entity.location, name), collections.abc.MutableMapping)


def test_closing_with_pending_operations_warns(caplog):
    session = OfflineSession()
    session.create('Scope', {'name': 'pending'})
    with caplog.at_level(logging.WARNING, logger='ftrack_api'):
        session.close()
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        'Closing session with pending operations not persisted.']


def test_closing_without_pending_operations_is_quiet(caplog):
    session = OfflineSession()
    with caplog.at_level(logging.WARNING, logger='ftrack_api'):
        session.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_request_timeout_is_settable(session):
    session.request_timeout = 7
    assert session.request_timeout == 7


def test_get_accepts_any_iterable_and_unknown_type_is_a_key_error(session):
    priority = session.create('Priority', {'id': 'p1', 'name': 'high'}, reconstructing=True)
    assert session.get('Priority', {'id': 'p1'}.values()) is priority
    assert session.get('Priority', iter(['p1'])) is priority
    with pytest.raises(KeyError):
        session.get('NoSuchType', 'x')
    with pytest.raises(ftrack_api.exception.UnrecognisedEntityTypeError) as raised:
        session.get('NoSuchType', 'x')
    assert str(raised.value) == 'Entity type "b\'NoSuchType\'" not recognised.'


def test_local_cache_holds_entities_and_rollback_removes_created(session):
    created = session.create('Scope', {'name': 'cached'})
    assert created in list(session._local_cache.values())
    session.rollback()
    assert created not in list(session._local_cache.values())


def test_commit_goes_through_a_patched_call(session):
    """A patched ``session.call`` sees the commit's operations (as upstream)."""
    seen = []
    original = session.call

    def call(data):
        seen.append(data)
        return original(data)

    session.call = call
    session.create('Scope', {'name': 'patched'})
    session.commit()
    assert [operation['action'] for operation in seen[0]] == ['create']
    assert seen[0][0]['entity_data']['name'] == 'patched'


def test_commit_goes_through_a_subclass_call():
    seen = []

    class Recording(OfflineSession):
        def call(self, data):
            seen.append([operation['action'] for operation in data])
            return super(Recording, self).call(data)

    session = Recording()
    session.transport.echo = True
    try:
        session.create('Scope', {'name': 'sub'})
        session.commit()
    finally:
        session.close()
    assert ['create'] in seen


def test_schema_cache_file_read_and_write(session, tmp_path):
    import hashlib
    import json

    path = str(tmp_path / 'schemas.json')
    assert session._read_schemas_from_cache(path) == ([], None)
    schemas = [{'id': 'B', 'x': 1}, {'id': 'A'}]
    assert session._write_schemas_to_cache(schemas, path) is None
    with open(path) as handle:
        assert handle.read() == json.dumps(schemas, indent=4)
    read, digest = session._read_schemas_from_cache(path)
    assert read == schemas
    assert digest == hashlib.md5(
        json.dumps(schemas, sort_keys=True).encode()).hexdigest()
    with open(path, 'w') as handle:
        handle.write('not json')
    with pytest.raises(ValueError):
        session._read_schemas_from_cache(path)


def test_entity_reference_uses_inspection_primary_key_at_call_time(session, monkeypatch):
    scope = session.create('Scope', {'name': 'ref'})
    assert session.entity_reference(scope) == {'__entity_type__': 'Scope', 'id': scope['id']}
    monkeypatch.setattr(ftrack_api.inspection, 'primary_key', lambda entity: {'id': 'patched'})
    assert session.entity_reference(scope) == {'__entity_type__': 'Scope', 'id': 'patched'}


def test_create_goes_through_overridable_private_create():
    made = []

    class Tracking(OfflineSession):
        def _create(self, entity_type, data, reconstructing):
            made.append((entity_type, reconstructing))
            return super(Tracking, self)._create(entity_type, data, reconstructing)

    session = Tracking()
    try:
        scope = session.create('Scope', {'name': 'tracked'})
        assert ('Scope', False) in made
        assert session._merge(scope, {}) is scope  # created entities are merged
    finally:
        session.close()
