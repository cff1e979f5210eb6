"""Pages continuing where the previous page ended give exactly OFFSET's rows.

Each walk reads a result page by page at the ``next`` offsets, as a client
does; the concatenated pages must equal the whole result read at once, in
the same order, for orders with duplicates, NULLs, descending keys and
paths through references. Positions are only used while the data is the
same.
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from ftrack_local_server.config import ServerConfig
from ftrack_local_server.dispatch import SYSTEM_USER, run_batch
from ftrack_local_server.query import paging
from ftrack_local_server.query.executor import execute
from ftrack_local_server.query.sql import Fragment
from ftrack_local_server.state import ServerState
from ftrack_local_server.store import Store
from ftrack_local_server.testing import create_operation as create

TASKS = 40

ORDERS = [
    '',
    'order by name',
    'order by name desc',
    'order by description',
    'order by description desc',
    'order by bid desc, name',
    'order by bid, name desc',
    'order by status.name, name desc',
    'order by parent.name desc, bid',
]


def _build(state):
    def run(operations):
        return run_batch(state, operations, SYSTEM_USER)

    schema_id = run([{'action': 'query', 'expression': 'select id from ProjectSchema'}])[0][
        'data'][0]['id']
    statuses = run([{'action': 'query', 'expression': 'select id from Status'}])[0]['data'][:3]
    project = str(uuid.uuid4())
    run([create('Project', {'id': project, 'name': 'paging', 'full_name': 'Paging',
                            'project_schema_id': schema_id})])
    # Sibling names are unique, so each task has a shot of its own, and each
    # shot a sequence: names still tie across parents.
    sequences = [str(uuid.uuid4()) for _ in range(TASKS + 1)]
    run([create('Sequence', {'id': sequence, 'name': 'sq{0}'.format(index),
                             'parent_id': project})
         for index, sequence in enumerate(sequences)])
    shots = [str(uuid.uuid4()) for _ in range(TASKS + 1)]
    run([create('Shot', {'id': shot, 'name': 'sh{0}'.format(index % 2),
                         'parent_id': sequences[index]})
         for index, shot in enumerate(shots)])
    operations = []
    for index in range(TASKS):
        data = {
            # Few distinct names and bids: many ties, broken by creation order.
            'name': 'task{0}'.format(index % 5),
            'parent_id': shots[index + 1],
            'status_id': statuses[index % 3]['id'],
            'description': None if index % 4 == 0 else 'd{0}'.format(index % 6),
        }
        if index % 3:
            data['bid'] = float(index % 4)
        operations.append(create('Task', data))
    run(operations)
    return {'project': project, 'schema': schema_id, 'shot': shots[0],
            'status': statuses[0]['id']}


@pytest.fixture(scope='module')
def world():
    state = ServerState.open(ServerConfig())
    ids = _build(state)
    yield state, ids
    state.close()


def _expression(order, offset=None, limit=None):
    text = 'select id, name from Task ' + order
    if offset is not None:
        text += ' offset {0}'.format(offset)
    if limit is not None:
        text += ' limit {0}'.format(limit)
    return text


def _walk(tx, order, limit, record=None):
    offset, ids = 0, []
    while offset is not None:
        result = execute(tx, _expression(order, offset, limit))
        ids.extend(row['id'] for row in result['data'])
        if record is not None:
            record.append(offset)
        offset = result['metadata']['next']['offset']
    return ids


def _offsets_used(tx, action):
    """Run *action*; return the OFFSET values the paged statements used."""
    used = []
    original = tx.query

    def spy(sql, params=()):
        if sql.endswith('LIMIT ? OFFSET ?'):
            used.append(params[-1])
        return original(sql, params)

    tx.query = spy
    try:
        action()
    finally:
        tx.query = original
    return used


@pytest.mark.parametrize('order', ORDERS)
@pytest.mark.parametrize('limit', [1, 3, 7, 39, 40, 100])
def test_walk_gives_the_whole_result_in_order(world, order, limit):
    state, _ = world
    with state.store.transaction() as tx:
        expected = [row['id'] for row in execute(tx, _expression(order))['data']]
        assert len(expected) == TASKS
        walked = _walk(tx, order, limit)
    assert walked == expected


@pytest.mark.parametrize('order', ORDERS)
def test_pages_after_the_first_skip_no_rows(world, order):
    state, _ = world
    with state.store.transaction() as tx:
        paging.positions(tx.store)._entries.clear()
        used = _offsets_used(tx, lambda: _walk(tx, order, 6))
    # Seven pages: the first starts at 0, the others continue after a key
    # (with a descending first key, in two reads: values, then NULLs).
    assert set(used) == {0}
    assert 7 <= len(used) <= 13


def test_an_offset_no_page_ended_at_uses_offset(world):
    state, _ = world
    with state.store.transaction() as tx:
        expected = [row['id'] for row in execute(tx, _expression('order by name'))['data']]
        execute(tx, _expression('order by name', 0, 3))
        used = []
        page = []

        def read():
            page.extend(row['id'] for row in execute(
                tx, _expression('order by name', 5, 3))['data'])

        used = _offsets_used(tx, read)
    assert used == [5]
    assert page == expected[5:8]


def test_a_write_between_pages_falls_back_to_offset():
    state = ServerState.open(ServerConfig())
    try:
        ids = _build(state)
        with state.store.transaction() as tx:
            first = execute(tx, _expression('order by name', 0, 10))
        # A task sorting before the end of the first page shifts every row.
        run_batch(state, [create('Task', {'name': 'task0', 'parent_id': ids['shot'],
                                          'status_id': ids['status']})], SYSTEM_USER)
        with state.store.transaction() as tx:
            expected = [row['id'] for row in execute(tx, _expression('order by name'))['data']]
            second = []
            used = _offsets_used(tx, lambda: second.extend(
                row['id'] for row in execute(tx, _expression('order by name', 10, 10))['data']))
        assert first['metadata']['next']['offset'] == 10
        assert used == [10]
        assert second == expected[10:20]
    finally:
        state.close()


def test_a_rolled_back_batch_forgets_the_positions_it_saw():
    state = ServerState.open(ServerConfig())
    try:
        ids = _build(state)
        with pytest.raises(RuntimeError):
            with state.store.transaction() as tx:
                tx.insert('context', {'id': str(uuid.uuid4())})
                execute(tx, _expression('', 0, 10))
                raise RuntimeError('undo')
        with state.store.transaction() as tx:
            used = _offsets_used(tx, lambda: execute(tx, _expression('', 10, 10)))
        assert used == [10]
        assert ids
    finally:
        state.close()


def test_restoring_a_snapshot_forgets_the_positions():
    state = ServerState.open(ServerConfig())
    try:
        _build(state)
        snapshot = state.snapshot()
        run_batch(state, [{'action': 'delete', 'entity_type': 'Task', 'entity_key': [
            row['id'] for row in run_batch(state, [{'action': 'query', 'expression':
                                                    'select id from Task limit 1'}],
                                           SYSTEM_USER)[0]['data']]}], SYSTEM_USER)
        with state.store.transaction() as tx:
            execute(tx, _expression('', 0, 10))
        assert state.restore(snapshot) is True
        with state.store.transaction() as tx:
            expected = [row['id'] for row in execute(tx, _expression(''))['data']]
            page = []
            used = _offsets_used(tx, lambda: page.extend(
                row['id'] for row in execute(tx, _expression('', 10, 10))['data']))
        assert used == [10]
        assert page == expected[10:20]
        snapshot.release()
    finally:
        state.close()


def test_generation_follows_other_connections(tmp_path):
    path = str(tmp_path / 'generation.sqlite')
    with Store(path=path) as store:
        before = store.generation
        assert store.generation == before
        other = sqlite3.connect(path)
        try:
            other.execute('INSERT INTO context (id) VALUES (?)', (str(uuid.uuid4()),))
            other.commit()
        finally:
            other.close()
        assert store.generation != before
        changed = store.generation
        with store.transaction() as tx:
            tx.insert('context', {'id': str(uuid.uuid4())})
        assert store.generation != changed


def test_positions_are_bounded_and_tied_to_a_generation():
    positions = paging.PagePositions(size=2)
    positions.put('a', 1, (1,))
    positions.put('b', 1, (2,))
    assert positions.get('a', 1) == (1,)
    positions.put('c', 1, (3,))
    # 'b' was used least recently.
    assert positions.get('b', 1) is None
    assert len(positions) == 2
    assert positions.get('a', 2) is None
    assert positions.get('a', 1) is None


def _rows_after(keys, values, rows, split=False):
    connection = sqlite3.connect(':memory:')
    connection.execute('CREATE TABLE t (a, b)')
    connection.execute('CREATE INDEX t_a ON t (a)')
    connection.executemany('INSERT INTO t (a, b) VALUES (?, ?)', rows)
    conditions = paging.continuations(keys, values) if split else [paging.after(keys, values)]
    order = ', '.join(value.sql + (' DESC' if descending else '') for value, descending in keys)
    found = []
    for condition in conditions:
        found += connection.execute(
            'SELECT a, b, rowid FROM t WHERE {0} ORDER BY {1}'.format(condition.sql, order),
            condition.params).fetchall()
    everything = connection.execute(
        'SELECT a, b, rowid FROM t ORDER BY {0}'.format(order)).fetchall()
    connection.close()
    return found, everything


@pytest.mark.parametrize('split', [False, True])
@pytest.mark.parametrize('descending', [(False, False), (True, False), (False, True),
                                        (True, True)])
def test_after_matches_sqlite_order_with_nulls(descending, split):
    rows = [(None, 1), (1, None), (1, 2), (None, None), (2, 2), (1, 1), ('x', 0), (2, None)]
    keys = [(Fragment('a', []), descending[0]), (Fragment('b', []), descending[1]),
            (Fragment('rowid', []), False)]
    _, everything = _rows_after(keys, (None, None, 0), rows)
    for index, row in enumerate(everything):
        found, _ = _rows_after(keys, row, rows, split)
        assert found == everything[index + 1:], (row, descending)


def test_a_descending_first_key_reads_values_then_nulls():
    keys = [(Fragment('a', []), True), (Fragment('rowid', []), False)]
    assert len(paging.continuations(keys, (5, 3))) == 2
    # After a NULL nothing but NULLs follow: one read.
    assert len(paging.continuations(keys, (None, 3))) == 1
    assert len(paging.continuations([(Fragment('a', []), False)] + keys[1:], (5, 3))) == 1
