"""Tests for :mod:`ftrack_api.symbol`."""

import copy
import os
import pickle
import subprocess
import sys

import pytest

import ftrack_api.symbol
from ftrack_api.symbol import Symbol


def test_not_set_is_falsy_and_prints_its_name():
    """NOT_SET is false, prints its name and has the documented repr."""
    assert not ftrack_api.symbol.NOT_SET
    assert str(ftrack_api.symbol.NOT_SET) == 'NOT_SET'
    assert repr(ftrack_api.symbol.NOT_SET) == 'Symbol(NOT_SET)'


@pytest.mark.parametrize('name', ['CREATED', 'MODIFIED', 'DELETED'])
def test_state_symbols_are_truthy(name):
    """State symbols are true and named after their attribute."""
    symbol = getattr(ftrack_api.symbol, name)
    assert symbol
    assert str(symbol) == name
    assert repr(symbol) == 'Symbol({0})'.format(name)


def test_job_sync_users_ldap_symbol():
    """JOB_SYNC_USERS_LDAP is named SYNC_USERS_LDAP as documented."""
    assert repr(ftrack_api.symbol.JOB_SYNC_USERS_LDAP) == (
        'Symbol(SYNC_USERS_LDAP)'
    )


def test_symbols_compare_by_identity():
    """Two symbols of the same name are different values."""
    other = Symbol('NOT_SET', False)
    assert other is not ftrack_api.symbol.NOT_SET
    assert other != ftrack_api.symbol.NOT_SET


@pytest.mark.parametrize(
    'symbol',
    [
        ftrack_api.symbol.NOT_SET,
        ftrack_api.symbol.CREATED,
        ftrack_api.symbol.MODIFIED,
        ftrack_api.symbol.DELETED,
        ftrack_api.symbol.JOB_SYNC_USERS_LDAP,
    ],
)
def test_symbols_survive_copy_deepcopy_and_pickle(symbol):
    """Copies and unpickled values are the same object."""
    assert copy.copy(symbol) is symbol
    assert copy.deepcopy({'a': [symbol]})['a'][0] is symbol
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(symbol, protocol)) is symbol


def test_unknown_symbol_unpickles_with_its_value():
    """A symbol not registered in this process is recreated."""
    restored = ftrack_api.symbol._restore('NOT_REGISTERED_ANYWHERE', False)
    assert restored.name == 'NOT_REGISTERED_ANYWHERE'
    assert not restored


def test_topics_and_location_ids():
    """Topics and builtin location identifiers have documented values."""
    symbol = ftrack_api.symbol
    assert symbol.COMPONENT_ADDED_TO_LOCATION_TOPIC == (
        'ftrack.location.component-added'
    )
    assert symbol.COMPONENT_REMOVED_FROM_LOCATION_TOPIC == (
        'ftrack.location.component-removed'
    )
    assert symbol.ORIGIN_LOCATION_ID == 'ce9b348f-8809-11e3-821c-20c9d081909b'
    assert symbol.UNMANAGED_LOCATION_ID == (
        'cb268ecc-8809-11e3-a7e2-20c9d081909b'
    )
    assert symbol.REVIEW_LOCATION_ID == 'cd41be70-8809-11e3-b98a-20c9d081909b'
    assert symbol.CONNECT_LOCATION_ID == (
        '07b82a97-8cf9-11e3-9383-20c9d081909b'
    )
    assert symbol.SERVER_LOCATION_ID == '3a372bde-05bc-11e4-8908-20c9d081909b'


@pytest.mark.parametrize(
    'environ, expected',
    [
        ({}, 1048576),
        ({'FTRACK_API_FILE_CHUNK_SIZE': ''}, 1048576),
        ({'FTRACK_API_FILE_CHUNK_SIZE': '0'}, 1048576),
        ({'FTRACK_API_FILE_CHUNK_SIZE': '4096'}, 4096),
        ({'FTRACK_API_FILE_CHUNK_SIZE': ' 512 '}, 512),
    ],
)
def test_read_chunk_size(environ, expected):
    """The chunk size comes from the environment when set and non-zero."""
    assert ftrack_api.symbol._read_chunk_size(environ) == expected


@pytest.mark.parametrize('value', ['big', '1.5', '-3'])
def test_read_chunk_size_rejects_bad_values(value):
    """A bad value raises an error naming the variable and the value."""
    with pytest.raises(ValueError) as error:
        ftrack_api.symbol._read_chunk_size(
            {'FTRACK_API_FILE_CHUNK_SIZE': value}
        )
    assert 'FTRACK_API_FILE_CHUNK_SIZE' in str(error.value)
    assert repr(value) in str(error.value)


def _import_symbol_with(value):
    """Return the completed process importing the module with *value* set."""
    environ = dict(os.environ, FTRACK_API_FILE_CHUNK_SIZE=value)
    return subprocess.run(
        [
            sys.executable,
            '-c',
            'import ftrack_api.symbol as s; print(s.CHUNK_SIZE)',
        ],
        env=environ,
        capture_output=True,
        text=True,
    )


def test_chunk_size_read_at_import():
    """CHUNK_SIZE reflects the variable when the module is imported."""
    result = _import_symbol_with('2048')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '2048'


def test_chunk_size_non_integer_fails_import():
    """A non-integer variable makes the import fail with a clear error."""
    result = _import_symbol_with('lots')
    assert result.returncode != 0
    assert 'FTRACK_API_FILE_CHUNK_SIZE' in result.stderr
    assert "'lots'" in result.stderr
