"""SQLite persistence for the local server.

A :class:`Store` owns one SQLite connection, to a file or in memory. On
first open it creates one table per :class:`~ftrack_local_server.model.Table`
of the storage model, with its primary key and an index on every foreign
key and discriminator column, and records the schema hash in a private
table; later opens keep the data and refuse a database made for another
schema.

Writes happen inside :meth:`Store.transaction`, which gives exclusive
access (a lock serialises write transactions across threads), commits when
the block succeeds and rolls back when it raises. Reads that change nothing
may use :meth:`Store.read_transaction` instead: with a database file (WAL
journal) each runs on a read-only connection of its own and sees the data
as last committed, in parallel with the one write transaction; an
in-memory database serialises them with the writes. Rows of every table
keep SQLite's implicit ``rowid``, which grows with insertion: ordering by
``rowid`` gives creation order.

Other parts of the server keep private data in tables whose names start
with ``_ls_``; they create them with :meth:`Transaction.execute`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Sequence

from .model import Model, Table, quote
from .schema import Catalogue

logger = logging.getLogger(__name__)

#: Version of the table layout this module writes; bumped when the
#: layout derived by :mod:`ftrack_local_server.model` changes incompatibly.
LAYOUT_VERSION = '1'

#: Private table recording what a database was made for.
META_TABLE = '_ls_store_meta'


class StoreError(RuntimeError):
    """A database that cannot be used (wrong schema, bad path, ...)."""


class Store:
    """The SQLite database of one server.

    *path* is a file path, or None / ``':memory:'`` for an in-memory
    database. *catalogue* is the schema catalogue (default: the shipped
    schema) and *model* its storage model (default: built from the
    catalogue). :attr:`is_new` tells whether the database was created by
    this open (the server then loads its seed data).

    Raise :class:`StoreError` naming the path when the file cannot be
    opened or was made for a different schema or layout.
    """

    def __init__(self, path: Optional[str] = None,
                 catalogue: Optional[Catalogue] = None,
                 model: Optional[Model] = None) -> None:
        if model is not None:
            catalogue = model.catalogue
        self.catalogue = catalogue or Catalogue.load()
        self.model = model or Model(self.catalogue)
        self.path = path if path not in (None, '') else ':memory:'
        self.in_memory = self.path == ':memory:'
        self._lock = threading.RLock()
        self._owner: Optional[int] = None
        self._closed = False
        # total_changes also counts the rows a restore copies; they are
        # subtracted so that :attr:`changes` counts writes only.
        self._restored_changes = 0
        # The snapshot the database is known to equal, and the change count
        # it had then (a later write makes them differ).
        self._matching: Optional[tuple] = None
        self._restores = 0
        # Odd while a write transaction commits or rolls back; read
        # transactions use it to tell which state their snapshot shows.
        self._commits = 0
        self._readers: List[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        #: Whether :meth:`read_transaction` may run reads in parallel with
        #: the writer (file databases only; False serialises everything).
        self.concurrent_reads = True
        #: Data other parts keep per database, valid while
        #: :attr:`generation` stays the same (e.g. where query pages end).
        self.caches: Dict[str, Any] = {}
        if not self.in_memory:
            directory = os.path.dirname(os.path.abspath(self.path))
            if not os.path.isdir(directory):
                raise StoreError(
                    'Cannot open database {0!r}: directory {1!r} does not '
                    'exist.'.format(self.path, directory))
        created = not self.in_memory and not os.path.exists(self.path)
        if created:
            # The database holds API keys: readable by its owner only.
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except OSError as error:
                raise StoreError('Cannot create database {0!r}: {1}.'.format(
                    self.path, error)) from error
        try:
            self._connection = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError('Cannot open database {0!r}: {1}.'.format(
                self.path, error)) from error
        self._connection.row_factory = sqlite3.Row
        try:
            self._configure()
            self.is_new = self._initialise()
        except Exception:
            self._connection.close()
            raise

    # -- set-up --------------------------------------------------------------

    def _configure(self) -> None:
        cursor = self._connection.cursor()
        try:
            if not self.in_memory:
                cursor.execute('PRAGMA journal_mode=WAL')
                cursor.execute('PRAGMA synchronous=NORMAL')
            # Integrity is kept by the rules layer, which reports errors in
            # the real server's words; SQLite foreign keys stay off.
            cursor.execute('PRAGMA foreign_keys=OFF')
            cursor.execute('PRAGMA busy_timeout=10000')
            cursor.execute('PRAGMA temp_store=MEMORY')
            cursor.execute('PRAGMA cache_size=-32000')
        except sqlite3.DatabaseError as error:
            raise StoreError('Cannot use database {0!r}: {1}.'.format(
                self.path, error)) from error

    def _initialise(self) -> bool:
        """Create the tables of a new database; return whether it was new."""
        with self._lock:
            try:
                exists = self._connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name=?",
                    (META_TABLE,),
                ).fetchone()
            except sqlite3.DatabaseError as error:
                raise StoreError('Cannot read database {0!r}: {1}.'.format(
                    self.path, error)) from error
            if exists:
                self._check_meta()
                self._add_missing_indexes()
                return False
            others = self._connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table'"
            ).fetchone()[0]
            if others:
                raise StoreError(
                    'Database {0!r} is not a local ftrack server database '
                    '(it has tables but no {1} table).'.format(
                        self.path, META_TABLE))
            self._connection.execute('BEGIN IMMEDIATE')
            try:
                for statement in self.create_statements():
                    self._connection.execute(statement)
                self._connection.execute(
                    'CREATE TABLE {0} (key TEXT PRIMARY KEY, value TEXT)'.format(
                        META_TABLE))
                self._connection.executemany(
                    'INSERT INTO {0} (key, value) VALUES (?, ?)'.format(META_TABLE),
                    [('schema_hash', self.catalogue.schema_hash),
                     ('layout_version', LAYOUT_VERSION)],
                )
                self._connection.execute('COMMIT')
            except BaseException:
                self._connection.execute('ROLLBACK')
                raise
            logger.info('Created database %s.', self.path)
            return True

    def _check_meta(self) -> None:
        meta = dict(self._connection.execute(
            'SELECT key, value FROM {0}'.format(META_TABLE)).fetchall())
        stored_hash = meta.get('schema_hash')
        if stored_hash != self.catalogue.schema_hash:
            raise StoreError(
                'Database {0!r} was made for schema {1}, but the server uses '
                'schema {2}; use a new database or reset this one.'.format(
                    self.path, stored_hash, self.catalogue.schema_hash))
        stored_layout = meta.get('layout_version')
        if stored_layout != LAYOUT_VERSION:
            raise StoreError(
                'Database {0!r} uses storage layout {1}, but this server '
                'writes layout {2}; use a new database or reset this '
                'one.'.format(self.path, stored_layout, LAYOUT_VERSION))

    def _add_missing_indexes(self) -> None:
        # A database made by an earlier version gains the indexes added since.
        statements = [
            _create_index(table, columns)
            for table in self.model.tables.values() for columns in table.indexes
        ]
        try:
            self._connection.execute('BEGIN IMMEDIATE')
            for statement in statements:
                self._connection.execute(statement)
            self._connection.execute('COMMIT')
        except sqlite3.DatabaseError as error:
            self._connection.execute('ROLLBACK')
            raise StoreError('Cannot update the indexes of database {0!r}: {1}.'.format(
                self.path, error)) from error

    def create_statements(self) -> List[str]:
        """Return the SQL that creates every table and index of the model."""
        statements = []
        for table in self.model.tables.values():
            statements.append(_create_table(table))
            for columns in table.indexes:
                statements.append(_create_index(table, columns))
        return statements

    # -- use -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator['Transaction']:
        """Return a context manager giving exclusive access to the database.

        The block's reads and writes go through the yielded
        :class:`Transaction`; they are committed when the block ends
        normally and rolled back when it raises (the exception then
        propagates). Transactions of other threads wait; opening a
        transaction inside another one of the same thread raises
        :class:`StoreError`.
        """
        if self._closed:
            raise StoreError('Database {0!r} is closed.'.format(self.path))
        with self._lock:
            if self._owner is not None:
                raise StoreError('A transaction is already open in this thread.')
            self._owner = threading.get_ident()
            try:
                self._connection.execute('BEGIN IMMEDIATE')
                transaction = Transaction(self)
                try:
                    yield transaction
                except BaseException:
                    transaction._close()
                    # Undone writes still count in total_changes: the
                    # generation must change all the same.
                    self._restores += 1
                    self._commits += 1
                    try:
                        self._connection.execute('ROLLBACK')
                    finally:
                        self._commits += 1
                    raise
                else:
                    transaction._close()
                    self._commits += 1
                    try:
                        self._connection.execute('COMMIT')
                    finally:
                        self._commits += 1
            finally:
                self._owner = None

    @contextmanager
    def read_transaction(self) -> Iterator['Transaction']:
        """Return a context manager for a block that only reads.

        With a database file and :attr:`concurrent_reads`, the block runs
        on a read-only connection of its own, in parallel with the write
        transaction and other readers, and sees the data as committed when
        its first read ran. Otherwise (in-memory database, concurrent reads
        off, or inside a write transaction of this thread, whose
        uncommitted writes it must see) it is :meth:`transaction`. A write
        inside a parallel read block fails (``attempt to write a readonly
        database``) and is rolled back.
        """
        if (self.in_memory or not self.concurrent_reads
                or self._owner == threading.get_ident()):
            with self.transaction() as transaction:
                yield transaction
            return
        self._check_open()
        connection = self._reader()
        try:
            before = self._commits
            connection.execute('BEGIN')
            # The first read fixes the snapshot the block sees.
            connection.execute('SELECT 1 FROM sqlite_master LIMIT 1').fetchall()
            stable = before == self._commits and before % 2 == 0
            view = _ReaderView(self, ('read', before) if stable else object())
            transaction = Transaction(view, connection)
            try:
                yield transaction
            finally:
                transaction._close()
                connection.execute('ROLLBACK')
        except BaseException:
            self._discard_reader(connection)
            raise
        else:
            self._return_reader(connection)

    def _reader(self) -> sqlite3.Connection:
        with self._readers_lock:
            if self._readers:
                return self._readers.pop()
        try:
            connection = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None)
            connection.row_factory = sqlite3.Row
            for pragma in ('query_only=ON', 'busy_timeout=10000',
                           'temp_store=MEMORY', 'cache_size=-16000'):
                connection.execute('PRAGMA ' + pragma)
        except sqlite3.Error as error:
            raise StoreError('Cannot open a read connection to database {0!r}: '
                             '{1}.'.format(self.path, error)) from error
        return connection

    def _return_reader(self, connection: sqlite3.Connection) -> None:
        with self._readers_lock:
            if not self._closed and len(self._readers) < 16:
                self._readers.append(connection)
                return
        connection.close()

    def _discard_reader(self, connection: sqlite3.Connection) -> None:
        try:
            if connection.in_transaction:
                connection.execute('ROLLBACK')
        except sqlite3.Error:
            connection.close()
            return
        self._return_reader(connection)

    # -- snapshots -------------------------------------------------------------

    @property
    def changes(self) -> int:
        """Rows inserted, updated or deleted through this store since it opened.

        Restoring a snapshot does not count; compare two readings to tell
        whether anything was written in between.
        """
        with self._lock:
            self._check_open()
            return self._connection.total_changes - self._restored_changes

    @property
    def generation(self) -> Any:
        """A value that changes whenever the data may have changed.

        Writes through this store, restores, rolled back transactions and
        commits of other connections to the same file (``PRAGMA
        data_version``) all change it; equal values mean the same data.
        """
        with self._lock:
            self._check_open()
            version = self._connection.execute('PRAGMA data_version').fetchone()[0]
            return (self._connection.total_changes, self._restores, version)

    def snapshot(self) -> 'Snapshot':
        """Return a copy of the whole database as it is now, kept in memory.

        Waits for a running transaction of another thread; raise
        :class:`StoreError` inside a transaction of this thread or when the
        store is closed.
        """
        with self._lock:
            self._check_open()
            self._check_idle('take a snapshot')
            copy = sqlite3.connect(':memory:', check_same_thread=False)
            try:
                self._connection.backup(copy)
            except sqlite3.Error as error:
                copy.close()
                raise StoreError('Cannot copy database {0!r}: {1}.'.format(
                    self.path, error)) from error
            snapshot = Snapshot(copy)
            self._matching = (snapshot, self.changes)
            return snapshot

    def restore(self, snapshot: 'Snapshot') -> bool:
        """Make the database what it was when *snapshot* was taken.

        Nothing is copied when no row changed since the snapshot was taken
        or last restored; return whether a copy was made. Waits for a
        running transaction of another thread; raise :class:`StoreError`
        inside a transaction of this thread, when the store is closed or
        when *snapshot* was released.
        """
        with self._lock:
            self._check_open()
            self._check_idle('restore a snapshot')
            if snapshot.connection is None:
                raise StoreError('The snapshot of database {0!r} was released.'.format(
                    self.path))
            if self._matching == (snapshot, self.changes):
                return False
            before = self._connection.total_changes
            self._commits += 1
            try:
                snapshot.connection.backup(self._connection)
            except sqlite3.Error as error:
                raise StoreError('Cannot restore database {0!r}: {1}.'.format(
                    self.path, error)) from error
            finally:
                self._commits += 1
            self._restored_changes += self._connection.total_changes - before
            self._restores += 1
            self._matching = (snapshot, self.changes)
            return True

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError('Database {0!r} is closed.'.format(self.path))

    def _check_idle(self, what: str) -> None:
        if self._owner is not None:
            raise StoreError('Cannot {0} of database {1!r} inside a transaction.'.format(
                what, self.path))

    def close(self) -> None:
        """Close the database (waiting for a running transaction)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._connection.close()
            with self._readers_lock:
                readers, self._readers = self._readers, []
            for connection in readers:
                connection.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def __enter__(self) -> 'Store':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return '<Store {0}>'.format(self.path)


class _ReaderView:
    """What a read transaction sees of its :class:`Store`.

    The model, catalogue and caches of the store, and a :attr:`generation`
    fixed when the read began: equal values mean the same data.
    """

    def __init__(self, store: Store, generation: Any) -> None:
        self.store = store
        self.model = store.model
        self.catalogue = store.catalogue
        self.caches = store.caches
        self.path = store.path
        self.in_memory = store.in_memory
        self.generation = generation

    def __repr__(self) -> str:
        return '<Store {0} (read)>'.format(self.path)


class Snapshot:
    """A copy of a whole database, made by :meth:`Store.snapshot`.

    *connection* is the in-memory SQLite database holding the copy, or
    ``None`` once released.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection: Optional[sqlite3.Connection] = connection

    def release(self) -> None:
        """Free the memory of the copy; safe to call twice."""
        connection, self.connection = self.connection, None
        if connection is not None:
            connection.close()


class Transaction:
    """The open transaction of one :meth:`Store.transaction` block.

    :attr:`store`, :attr:`model` and :attr:`catalogue` give access to the
    layout. SQL runs with :meth:`execute` / :meth:`query`; rows are
    :class:`sqlite3.Row` (index by column name). The row helpers take
    table names and column-name mappings and quote identifiers themselves.
    """

    def __init__(self, store: Any, connection: Optional[sqlite3.Connection] = None) -> None:
        self.store = store
        self.model = store.model
        self.catalogue = store.catalogue
        self._connection = connection if connection is not None else store._connection
        self._closed = False
        #: Free-form state the rules share within one transaction (e.g.
        #: entities removed earlier in the same batch).
        self.state: Dict[str, Any] = {}
        #: :func:`time.monotonic` value past which SQL statements of this
        #: transaction are interrupted (``None``: no limit).
        self.deadline: Optional[float] = None

    def set_deadline(self, deadline: Optional[float]) -> None:
        """Interrupt SQL of this transaction once :func:`time.monotonic` passes *deadline*.

        A statement running past it fails with ``sqlite3.OperationalError:
        interrupted``; the caller rolls back. ``None`` removes the limit.
        """
        self.deadline = deadline
        if deadline is None:
            self._connection.set_progress_handler(None, 0)
            return

        def past_deadline() -> int:
            return 1 if time.monotonic() > deadline else 0

        self._connection.set_progress_handler(past_deadline, 20000)

    def _close(self) -> None:
        self._closed = True
        if self.deadline is not None:
            self._connection.set_progress_handler(None, 0)
            self.deadline = None

    def _check(self) -> None:
        if self._closed:
            raise StoreError('The transaction is closed.')

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run *sql* with *params* and return the cursor."""
        self._check()
        return self._connection.execute(sql, tuple(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> List[sqlite3.Row]:
        """Run *sql* and return every row."""
        return self.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> Optional[sqlite3.Row]:
        """Run *sql* and return the first row, or None."""
        return self.execute(sql, params).fetchone()

    # -- row helpers -------------------------------------------------------------

    def select(self, table: str, where: Dict[str, Any],
               columns: Optional[Sequence[str]] = None,
               order_by_rowid: bool = True) -> List[sqlite3.Row]:
        """Return rows of *table* whose columns equal the values of *where*.

        A value that is a list or tuple means "one of these". *columns*
        limits the selected columns (default: all, plus ``rowid``).
        """
        clause, params = _where(where)
        selected = ', '.join(quote(c) for c in columns) if columns else 'rowid, *'
        sql = 'SELECT {0} FROM {1}{2}{3}'.format(
            selected, quote(table), clause,
            ' ORDER BY rowid' if order_by_rowid else '')
        return self.query(sql, params)

    def select_one(self, table: str, where: Dict[str, Any]) -> Optional[sqlite3.Row]:
        """Return the first row of *table* matching *where*, or None."""
        clause, params = _where(where)
        return self.query_one(
            'SELECT rowid, * FROM {0}{1} LIMIT 1'.format(quote(table), clause),
            params)

    def insert(self, table: str, values: Dict[str, Any]) -> None:
        """Insert one row of *values* (column -> value) into *table*."""
        names = list(values)
        self.execute(
            'INSERT INTO {0} ({1}) VALUES ({2})'.format(
                quote(table), ', '.join(quote(n) for n in names),
                ', '.join('?' * len(names))),
            [values[n] for n in names])

    def update(self, table: str, where: Dict[str, Any], values: Dict[str, Any]) -> int:
        """Set *values* on the rows of *table* matching *where*; return the count."""
        if not values:
            return 0
        clause, params = _where(where)
        names = list(values)
        cursor = self.execute(
            'UPDATE {0} SET {1}{2}'.format(
                quote(table), ', '.join('{0} = ?'.format(quote(n)) for n in names),
                clause),
            [values[n] for n in names] + params)
        return cursor.rowcount

    def delete(self, table: str, where: Dict[str, Any]) -> int:
        """Delete the rows of *table* matching *where*; return the count."""
        clause, params = _where(where)
        if not clause:
            raise StoreError('Refusing to delete every row of {0}.'.format(table))
        return self.execute(
            'DELETE FROM {0}{1}'.format(quote(table), clause), params).rowcount

    def load(self, type_name: str, key: Sequence[Any]) -> Optional[sqlite3.Row]:
        """Return the stored row of entity *type_name* with primary key *key*.

        *key* holds the key values in the type's primary-key order. Only a
        row of that type (or a subtype) is returned; None when missing.
        """
        layout = self.model.layout(type_name)
        where = dict(zip(layout.primary_key_columns, key))
        clause, params = _where(where)
        condition, condition_params = self.model.type_condition(type_name)
        if condition != '1':
            clause += ' AND ' + condition
            params += condition_params
        return self.query_one(
            'SELECT rowid, * FROM {0}{1} LIMIT 1'.format(
                quote(layout.table.name), clause), params)


def _where(where: Dict[str, Any]) -> Any:
    parts = []
    params: List[Any] = []
    for column, value in where.items():
        if isinstance(value, (list, tuple, set, frozenset)):
            values = list(value)
            if not values:
                parts.append('0')
                continue
            parts.append('{0} IN ({1})'.format(
                quote(column), ', '.join('?' * len(values))))
            params.extend(values)
        elif value is None:
            parts.append('{0} IS NULL'.format(quote(column)))
        else:
            parts.append('{0} = ?'.format(quote(column)))
            params.append(value)
    if not parts:
        return '', params
    return ' WHERE ' + ' AND '.join(parts), params


def _create_table(table: Table) -> str:
    columns = ['{0} {1}'.format(quote(column.name), column.sql_type).rstrip()
               for column in table.columns.values()]
    if table.primary_key:
        columns.append('PRIMARY KEY ({0})'.format(
            ', '.join(quote(c) for c in table.primary_key)))
    return 'CREATE TABLE {0} ({1})'.format(quote(table.name), ', '.join(columns))


def _create_index(table: Table, columns: Sequence[str]) -> str:
    name = 'ix_{0}_{1}'.format(table.name, '_'.join(columns))
    return 'CREATE INDEX IF NOT EXISTS {0} ON {1} ({2})'.format(
        quote(name), quote(table.name), ', '.join(quote(c) for c in columns))
