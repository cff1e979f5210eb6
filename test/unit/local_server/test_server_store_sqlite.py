"""Tests for the SQLite store (ftrack_local_server.store)."""

import json
import os
import sqlite3
import threading

import pytest

from ftrack_local_server.schema import Catalogue, load_raw_schemas
from ftrack_local_server.store import Store, StoreError


@pytest.fixture(scope='module')
def catalogue():
    return Catalogue.load()


@pytest.fixture
def store(catalogue):
    with Store(catalogue=catalogue) as store:
        yield store


def test_new_in_memory_store(store):
    assert store.is_new
    assert store.in_memory
    with store.transaction() as tx:
        tables = {row[0] for row in tx.query(
            "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {'context', 'component', 'taskstatus', 'meta'} <= tables


def test_transaction_commits(store):
    with store.transaction() as tx:
        tx.insert('scope', {'id': 's1', 'name': 'London'})
    with store.transaction() as tx:
        assert tx.select_one('scope', {'id': 's1'})['name'] == 'London'


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(ValueError):
        with store.transaction() as tx:
            tx.insert('scope', {'id': 's1', 'name': 'London'})
            tx.insert('scope', {'id': 's2', 'name': 'Paris'})
            raise ValueError('boom')
    with store.transaction() as tx:
        assert tx.select('scope', {}) == []


def test_closed_transaction_cannot_be_used(store):
    with store.transaction() as tx:
        pass
    with pytest.raises(StoreError):
        tx.execute('SELECT 1')


def test_nested_transaction_is_refused(store):
    with store.transaction():
        with pytest.raises(StoreError):
            with store.transaction():
                pass


def test_file_database_persists_across_reopen(tmp_path, catalogue):
    path = str(tmp_path / 'server.db')
    with Store(path, catalogue=catalogue) as store:
        assert store.is_new
        with store.transaction() as tx:
            tx.insert('scope', {'id': 's1', 'name': 'London'})
    with Store(path, catalogue=catalogue) as store:
        assert not store.is_new
        with store.transaction() as tx:
            assert tx.select_one('scope', {'id': 's1'})['name'] == 'London'


def test_reopening_adds_indexes_missing_from_an_older_database(tmp_path, catalogue):
    path = str(tmp_path / 'server.db')
    with Store(path, catalogue=catalogue):
        pass
    connection = sqlite3.connect(path)
    connection.execute('DROP INDEX "ix_context_name"')
    connection.commit()
    connection.close()
    with Store(path, catalogue=catalogue) as store:
        with store.transaction() as tx:
            names = [row[0] for row in tx.query(
                "SELECT name FROM sqlite_master WHERE type = 'index'")]
    assert 'ix_context_name' in names


def test_file_database_uses_wal(tmp_path, catalogue):
    with Store(str(tmp_path / 'server.db'), catalogue=catalogue) as store:
        with store.transaction() as tx:
            assert tx.query_one('PRAGMA journal_mode')[0] == 'wal'


def test_database_of_another_schema_is_refused(tmp_path, catalogue):
    path = str(tmp_path / 'server.db')
    Store(path, catalogue=catalogue).close()
    schemas = load_raw_schemas()
    schemas[0] = json.loads(json.dumps(schemas[0]))
    schemas[0]['required'] = schemas[0]['required'] + ['name']
    with pytest.raises(StoreError) as info:
        Store(path, catalogue=Catalogue(schemas))
    assert path in str(info.value)
    assert 'schema' in str(info.value)


def test_foreign_database_is_refused(tmp_path, catalogue):
    path = str(tmp_path / 'other.db')
    connection = sqlite3.connect(path)
    connection.execute('CREATE TABLE things (id TEXT)')
    connection.commit()
    connection.close()
    with pytest.raises(StoreError) as info:
        Store(path, catalogue=catalogue)
    assert 'not a local ftrack server database' in str(info.value)


def test_missing_directory_is_named(tmp_path, catalogue):
    path = str(tmp_path / 'missing' / 'server.db')
    with pytest.raises(StoreError) as info:
        Store(path, catalogue=catalogue)
    assert os.path.dirname(path) in str(info.value)


@pytest.mark.parametrize('table, column', [
    ('context', 'parent_id'),
    ('context', 'object_type_id'),
    ('context', 'context_type'),
    ('context', 'status_id'),
    ('context', 'project_id'),
    ('note', 'parent_id'),
    ('assetversion', 'asset_id'),
    ('component', 'version_id'),
    ('component', 'system_type'),
    ('componentlocation', 'component_id'),
    ('variable_value', 'entity_id'),
    ('listobject', 'entity_id'),
    ('workflowschemastatus', 'status_id'),
    ('context', 'name'),
    ('taskstatus', 'name'),
])
def test_foreign_keys_and_discriminators_are_indexed(store, table, column):
    with store.transaction() as tx:
        plan = tx.query(
            'EXPLAIN QUERY PLAN SELECT * FROM "{0}" WHERE "{1}" = ?'.format(
                table, column), ['x'])
    detail = ' '.join(row[3] for row in plan)
    assert 'USING INDEX' in detail or 'USING PRIMARY KEY' in detail, detail
    assert 'SCAN' not in detail


def test_primary_key_lookup_is_indexed(store):
    with store.transaction() as tx:
        plan = tx.query(
            'EXPLAIN QUERY PLAN SELECT * FROM "context" WHERE "id" = ?', ['x'])
    assert 'sqlite_autoindex_context' in plan[0][3]


def test_private_tables(store):
    with store.transaction() as tx:
        tx.execute('CREATE TABLE _ls_test (key TEXT PRIMARY KEY, value TEXT)')
        tx.execute('INSERT INTO _ls_test VALUES (?, ?)', ['a', 'b'])
    with store.transaction() as tx:
        assert tx.query_one('SELECT value FROM _ls_test')[0] == 'b'


def test_load_checks_the_type(store):
    with store.transaction() as tx:
        tx.insert('context', {
            'id': 'p1', 'context_type': 'show', 'name': 'project'})
        assert tx.load('Project', ['p1'])['name'] == 'project'
        assert tx.load('Context', ['p1'])['name'] == 'project'
        assert tx.load('Task', ['p1']) is None
        assert tx.load('Project', ['missing']) is None


def test_rows_come_in_creation_order(store):
    with store.transaction() as tx:
        for name in ['c', 'a', 'b']:
            tx.insert('scope', {'id': name, 'name': name})
        assert [row['id'] for row in tx.select('scope', {})] == ['c', 'a', 'b']


def test_transactions_are_serialised_across_threads(store):
    with store.transaction() as tx:
        tx.insert('scope', {'id': 'counter', 'name': '0'})
    failures = []

    def increment():
        try:
            for _ in range(20):
                with store.transaction() as tx:
                    row = tx.select_one('scope', {'id': 'counter'})
                    tx.update('scope', {'id': 'counter'},
                              {'name': str(int(row['name']) + 1)})
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=increment) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with store.transaction() as tx:
        assert tx.select_one('scope', {'id': 'counter'})['name'] == '80'
