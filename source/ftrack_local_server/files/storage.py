"""Where component data lives: blob files on disk indexed by database rows.

Data of a component in the ``ftrack.server`` location is one *blob* file
under ``<root>/blobs``. The server-private table ``_ls_file`` maps a
component id to its blob (with size, MD5, content type and file name).
The row, not the file, decides whether data exists: rows are written in
the same transaction as the batch or request that produced the data, so
data becomes visible only when that transaction commits, and a rolled
back batch leaves at most an unreferenced blob, which :meth:`FileStore.sweep`
deletes later. Several rows may share one blob (``encode_media`` outputs
made from unchanged source data), so a blob is only deleted when no row
refers to it any more.

Files are always written under ``<root>/staging`` first and moved into
``blobs`` (or ``parts``, for parts of multipart uploads) inside the
transaction that records them. A sweep runs inside a transaction too, so
it never sees a blob between its move and its row.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
import uuid
from typing import Any, BinaryIO, Dict, Iterable, Iterator, List, Optional, Set, Tuple

logger = logging.getLogger(__name__)

#: Table mapping a component id to its stored data.
FILE_TABLE = '_ls_file'

#: Table of upload URLs handed out by ``get_upload_metadata``.
UPLOAD_TABLE = '_ls_upload'

#: Table of the parts received for multipart uploads.
PART_TABLE = '_ls_upload_part'

#: Bytes read or written at a time when copying data.
CHUNK_SIZE = 1024 * 1024

#: Seconds a staged file may stay unclaimed before a sweep deletes it (an
#: upload still streaming in keeps its staged file fresh).
STAGING_GRACE = 24 * 3600.0

_SCHEMA = (
    'CREATE TABLE IF NOT EXISTS {0} ('
    'component_id TEXT PRIMARY KEY, blob TEXT NOT NULL, size INTEGER NOT NULL, '
    'md5 TEXT NOT NULL, content_type TEXT, file_name TEXT, '
    'created_at REAL NOT NULL)'.format(FILE_TABLE),
    'CREATE INDEX IF NOT EXISTS ix_{0}_blob ON {0} (blob)'.format(FILE_TABLE),
    'CREATE TABLE IF NOT EXISTS {0} ('
    'upload_id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, '
    'component_id TEXT NOT NULL, file_name TEXT, file_size INTEGER, '
    'content_type TEXT, checksum TEXT, parts INTEGER, user_id TEXT, '
    'created_at REAL NOT NULL, expires_at REAL NOT NULL)'.format(UPLOAD_TABLE),
    'CREATE TABLE IF NOT EXISTS {0} ('
    'upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, e_tag TEXT NOT NULL, '
    'size INTEGER NOT NULL, blob TEXT NOT NULL, received_at REAL NOT NULL, '
    'PRIMARY KEY (upload_id, part_number))'.format(PART_TABLE),
)


def ensure_tables(tx: Any) -> None:
    """Create the file tables in the transaction *tx* if they are missing.

    Free once :func:`prepare_tables` has committed them for the store.
    """
    store = getattr(tx, 'store', None)
    # A read transaction's store is a view of the real one.
    store = getattr(store, 'store', store)
    if getattr(store, '_ls_file_tables_ready', False):
        return
    for statement in _SCHEMA:
        tx.execute(statement)


def prepare_tables(store: Any) -> None:
    """Create the file tables of *store* in a transaction of their own.

    Only a committed creation may be remembered: tables created inside a
    batch that then rolls back are gone again.
    """
    with store.transaction() as tx:
        for statement in _SCHEMA:
            tx.execute(statement)
    store._ls_file_tables_ready = True


class StoredFile(object):
    """The stored data of one component, as its ``_ls_file`` row says.

    Attributes: *component_id*, *blob* (file name under the blob
    directory), *size* (bytes), *md5* (hex digest), *content_type*,
    *file_name* and *created_at* (seconds since the epoch).
    """

    __slots__ = ('component_id', 'blob', 'size', 'md5', 'content_type', 'file_name', 'created_at')

    def __init__(self, row: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, row[name])


class Written(object):
    """A file written to the staging directory: *path*, *size*, *md5* (hex)."""

    __slots__ = ('path', 'size', 'md5')

    def __init__(self, path: str, size: int, md5: str) -> None:
        self.path = path
        self.size = size
        self.md5 = md5


class FileStore(object):
    """The directory holding component data, and the rows that index it.

    *root* is the directory (created if missing). Methods taking *tx* work
    inside that open store transaction; the others only touch the disk.
    """

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.blob_directory = os.path.join(self.root, 'blobs')
        self.part_directory = os.path.join(self.root, 'parts')
        self.staging_directory = os.path.join(self.root, 'staging')
        # Component data is private to the server's owner, like the database.
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        for directory in (self.blob_directory, self.part_directory, self.staging_directory):
            os.makedirs(directory, exist_ok=True)

    # -- paths -----------------------------------------------------------------

    def blob_path(self, blob: str) -> str:
        """Return the path of the blob named *blob*."""
        # Two characters of fan-out keep directories small with many blobs.
        return os.path.join(self.blob_directory, blob[:2], blob)

    def part_path(self, blob: str) -> str:
        """Return the path of the part file named *blob*."""
        return os.path.join(self.part_directory, blob)

    # -- staging ---------------------------------------------------------------

    def new_staging_file(self) -> Tuple[str, BinaryIO]:
        """Return ``(path, file)``: a new staging file open for binary writing."""
        path = os.path.join(self.staging_directory, uuid.uuid4().hex)
        return path, open(path, 'xb')

    def stage_concatenation(self, paths: Iterable[str]) -> Written:
        """Write the files *paths* one after another into a new staging file.

        Return what was written. Raise :class:`OSError` if a file cannot be
        read; the partial staging file is then removed.
        """
        path, handle = self.new_staging_file()
        digest = hashlib.md5()
        size = 0
        try:
            with handle:
                for source in paths:
                    with open(source, 'rb') as stream:
                        for chunk in iter(lambda: stream.read(CHUNK_SIZE), b''):
                            digest.update(chunk)
                            handle.write(chunk)
                            size += len(chunk)
        except BaseException:
            discard(path)
            raise
        return Written(path, size, digest.hexdigest())

    def claim_blob(self, staged_path: str) -> str:
        """Move the staging file *staged_path* into the blob directory; return its name.

        Call inside the transaction that records the blob.
        """
        blob = uuid.uuid4().hex
        target = self.blob_path(blob)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(staged_path, target)
        return blob

    def claim_part(self, staged_path: str) -> str:
        """Move the staging file *staged_path* into the part directory; return its name."""
        blob = uuid.uuid4().hex
        os.replace(staged_path, self.part_path(blob))
        return blob

    # -- rows --------------------------------------------------------------------

    def lookup(self, tx: Any, component_id: str) -> Optional[StoredFile]:
        """Return the stored data of *component_id*, or ``None``."""
        ensure_tables(tx)
        row = tx.query_one(
            'SELECT * FROM {0} WHERE component_id = ?'.format(FILE_TABLE), (component_id,)
        )
        return StoredFile(row) if row is not None else None

    def record(
        self,
        tx: Any,
        component_id: str,
        blob: str,
        size: int,
        md5: str,
        content_type: Optional[str],
        file_name: Optional[str],
    ) -> Optional[str]:
        """Make *blob* the data of *component_id* (replacing any previous data).

        Return the replaced blob's name when no row refers to it any more
        (delete it with :meth:`delete_blobs` after commit), else ``None``.
        """
        previous = self.lookup(tx, component_id)
        _write_row(tx, component_id, blob, size, md5, content_type, file_name)
        if previous is None or previous.blob == blob:
            return None
        return previous.blob if not blob_referenced(tx, previous.blob) else None

    def share(
        self,
        tx: Any,
        source: StoredFile,
        component_id: str,
        content_type: Optional[str],
        file_name: Optional[str],
    ) -> None:
        """Give *component_id* the same data as *source*, without copying it."""
        ensure_tables(tx)
        _write_row(tx, component_id, source.blob, source.size, source.md5, content_type,
                   file_name)

    # -- reading -----------------------------------------------------------------

    def open_blob(self, stored: StoredFile) -> BinaryIO:
        """Return the data of *stored* open for binary reading.

        Raise :class:`FileNotFoundError` when the blob file is missing (the
        storage directory was tampered with).
        """
        return open(self.blob_path(stored.blob), 'rb')

    # -- deleting ----------------------------------------------------------------

    def delete_blobs(self, blobs: Iterable[str]) -> None:
        """Delete the blob files *blobs*; call after the forgetting transaction committed."""
        for blob in blobs:
            discard(self.blob_path(blob))

    def sweep(self, tx: Any, now: Optional[float] = None) -> Dict[str, int]:
        """Delete what no row refers to; return counts of what was deleted.

        Inside the open transaction *tx* (which keeps every writer out):
        expired uploads and their parts, data rows of components that
        never came to exist (left by a client whose commit failed after its
        upload), blob and part files without a row, and staging files older
        than :data:`STAGING_GRACE`.
        """
        ensure_tables(tx)
        now = time.time() if now is None else now
        counts = {'uploads': 0, 'orphan_rows': 0, 'blobs': 0, 'parts': 0, 'staging': 0}
        expired = [row['upload_id'] for row in tx.query(
            'SELECT upload_id FROM {0} WHERE expires_at < ?'.format(UPLOAD_TABLE), (now,))]
        for upload_id in expired:
            tx.execute('DELETE FROM {0} WHERE upload_id = ?'.format(PART_TABLE), (upload_id,))
            tx.execute('DELETE FROM {0} WHERE upload_id = ?'.format(UPLOAD_TABLE), (upload_id,))
        counts['uploads'] = len(expired)
        counts['orphan_rows'] = self._forget_orphans(tx, now)
        referenced = {row['blob'] for row in tx.query('SELECT DISTINCT blob FROM {0}'.format(FILE_TABLE))}
        for path in _files_under(self.blob_directory):
            if os.path.basename(path) not in referenced:
                discard(path)
                counts['blobs'] += 1
        parts = {row['blob'] for row in tx.query('SELECT blob FROM {0}'.format(PART_TABLE))}
        for path in _files_under(self.part_directory):
            if os.path.basename(path) not in parts:
                discard(path)
                counts['parts'] += 1
        for path in _files_under(self.staging_directory):
            try:
                age = now - os.path.getmtime(path)
            except OSError:
                continue
            if age > STAGING_GRACE:
                discard(path)
                counts['staging'] += 1
        return counts

    def _forget_orphans(self, tx: Any, now: float) -> int:
        model = tx.model
        table = model.table('Component').name
        column = model.column('Component', 'id')
        # Data may be uploaded before its component is created (the Python
        # client commits the component afterwards); only rows that stayed
        # without a component for a whole grace period are orphans.
        cutoff = now - STAGING_GRACE
        rows = tx.query(
            'SELECT component_id FROM {0} WHERE created_at < ? AND component_id NOT IN '
            '(SELECT "{2}" FROM "{1}")'.format(FILE_TABLE, table, column),
            (cutoff,),
        )
        ids = [row['component_id'] for row in rows]
        forget_rows(tx, ids)
        return len(ids)

    def remove_all(self) -> None:
        """Delete the whole storage directory (for temporary storage)."""
        shutil.rmtree(self.root, ignore_errors=True)


def _write_row(tx: Any, component_id: str, blob: str, size: int, md5: str,
               content_type: Optional[str], file_name: Optional[str]) -> None:
    # Replaces the component's previous row, if any.
    tx.execute(
        'INSERT OR REPLACE INTO {0} (component_id, blob, size, md5, content_type, '
        'file_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'.format(FILE_TABLE),
        (component_id, blob, size, md5, content_type, file_name, time.time()),
    )


def forget_rows(tx: Any, component_ids: Iterable[str]) -> List[str]:
    """Remove the data rows of *component_ids* in the transaction *tx*.

    Return the names of blobs no row refers to any more; delete them
    (:meth:`FileStore.delete_blobs`) only once the transaction has
    committed, since until then it may roll back.
    """
    ensure_tables(tx)
    ids = list(component_ids)
    blobs: Set[str] = set()
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        marks = ', '.join('?' * len(chunk))
        for row in tx.query(
            'SELECT blob FROM {0} WHERE component_id IN ({1})'.format(FILE_TABLE, marks), chunk
        ):
            blobs.add(row['blob'])
        tx.execute('DELETE FROM {0} WHERE component_id IN ({1})'.format(FILE_TABLE, marks), chunk)
    return sorted(blob for blob in blobs if not blob_referenced(tx, blob))


def blob_referenced(tx: Any, blob: str) -> bool:
    """Return whether any data row in *tx* refers to *blob*."""
    return tx.query_one(
        'SELECT 1 FROM {0} WHERE blob = ? LIMIT 1'.format(FILE_TABLE), (blob,)
    ) is not None


def _files_under(directory: str) -> Iterator[str]:
    for base, _, names in os.walk(directory):
        for name in names:
            yield os.path.join(base, name)


def discard(path: str) -> None:
    """Delete the file *path* if it exists; log (not raise) other failures."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        # Windows refuses to delete an open file; a later sweep retries.
        logger.warning('Could not delete %s: %s', path, error)
