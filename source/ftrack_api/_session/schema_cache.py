"""On-disk cache of the schemas a server answers to ``query_schemas``.

A cache file holds the JSON list the server returned, byte for byte as it
came over the wire (protocol §9.3 describes a 4-space indent; see below),
so any client can read it. The cache is valid when the schema hash of that
list (MD5 of the list serialised with sorted keys, default separators and
ASCII escaping) equals the ``schema_hash`` the server announces.

Computing that hash means serialising the whole list again, and writing
it indented means running the pure-Python JSON encoder: each cost more
than everything else a session start does. So neither is done on a
normal start. The file keeps the server's own bytes, and its name records
the schema hash the server announced when the list was fetched, with a
digest of the file's bytes::

    ftrack_api_schema_cache_<schema hash>_<digest>.json

A session opens the file named after the server's current hash and checks
the digest (a fraction of the cost): a file whose bytes changed since it
was written is ignored, exactly as one whose hash does not match. Servers
with the same schema (every local server of one version, for instance)
share one file. The content is still the documented JSON list (only the
whitespace differs from an indented file), so the reference client reads
these files, and a file the reference client wrote
(``ftrack_api_schema_cache.json`` in the same directory) is used when no
file of ours is valid, after checking it the documented way (and a file of
ours is written from it).

This naming is used in the per-user default directory only; a directory
given to the session holds upstream's single file instead (see
``Session._load_schemas``).

Files are written atomically (temporary file, then rename), so a crash or
a concurrent session never leaves a truncated file behind. Each write
prunes the directory: files of ours unused for :data:`MAX_AGE_DAYS` days
are removed, and only the :data:`MAX_FILES` most recently used are kept
(a file is marked used each time a session reads it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import zlib

logger = logging.getLogger(__name__)

#: Start of the cache file names (the reference client's file is this
#: followed by ``.json``).
FILE_PREFIX = 'ftrack_api_schema_cache'

#: Name of the file the reference client writes.
REFERENCE_FILE_NAME = FILE_PREFIX + '.json'

#: Most cache files of ours kept in a directory (the most recently used).
MAX_FILES = 8

#: Files of ours not used for this many days are removed.
MAX_AGE_DAYS = 30


def compute_schema_hash(schemas):
    """Return the MD5 hex digest of *schemas* as servers compute it.

    The list is serialised with sorted keys, default separators and ASCII
    escaping before hashing.
    """
    text = json.dumps(schemas, sort_keys=True)
    return hashlib.md5(text.encode('utf-8')).hexdigest()


def _content_digest(content):
    # A check against accidental changes (not an authentication): CRC-32
    # is the cheapest digest that catches them.
    return '{0:08x}'.format(zlib.crc32(content))


def default_directory():
    """Return the per-user cache directory of this platform."""
    import platformdirs

    return platformdirs.user_cache_dir()


def usable_hash(schema_hash):
    """Return whether *schema_hash* (from the server) can name a cache file."""
    return bool(schema_hash) and isinstance(schema_hash, str) and (
        schema_hash.isascii() and schema_hash.isalnum()
    )


def cache_file_name(schema_hash, content):
    """Return the file name for *content* (bytes), the list of *schema_hash*."""
    return '{0}_{1}_{2}.json'.format(FILE_PREFIX, schema_hash, _content_digest(content))


def _decode_list(content, path):
    try:
        schemas = json.loads(content.decode('utf-8'))
    except ValueError as error:
        logger.warning('Ignoring unreadable schema cache %s: %s', path, error)
        return None
    if not isinstance(schemas, list):
        logger.warning(
            'Ignoring schema cache %s: expected a JSON list, found %s.',
            path, type(schemas).__name__,
        )
        return None
    return schemas


def _read(path):
    """Return the bytes at *path*, or None (missing or unreadable, logged)."""
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning('Ignoring unreadable schema cache %s: %s', path, error)
        return None


def _own_files(directory):
    """Return the names of this client's cache files in *directory*.

    Files of earlier versions of this client (named per server) count too,
    so that pruning removes them.
    """
    prefix = FILE_PREFIX + '_'
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [
        name for name in names
        if name.startswith(prefix) and name.endswith('.json')
    ]


def load_valid(directory, schema_hash):
    """Return the cached schemas whose hash is *schema_hash*, or None.

    *directory* is the cache directory. Return None when no cached list is
    valid (missing, unreadable, modified since written or out of date). The
    file used is marked as used (for pruning).
    """
    if not usable_hash(schema_hash):
        return None
    start = '{0}_{1}_'.format(FILE_PREFIX, schema_hash)
    for name in _own_files(directory):
        if not name.startswith(start):
            continue
        path = os.path.join(directory, name)
        content = _read(path)
        if content is None:
            continue
        if name[len(start):-len('.json')] != _content_digest(content):
            logger.warning(
                'Ignoring schema cache %s: its content changed since it was '
                'written.', path,
            )
            continue
        schemas = _decode_list(content, path)
        if schemas is not None:
            _touch(path)
            return schemas
    return None


def _touch(path):
    try:
        os.utime(path)
    except OSError:
        pass


def load_reference(directory, schema_hash):
    """Return the schemas of the reference client's cache file if current.

    The file (``ftrack_api_schema_cache.json`` in *directory*) is checked
    the documented way: its list re-serialised must hash to *schema_hash*.
    Return None otherwise.
    """
    if not usable_hash(schema_hash):
        return None
    path = os.path.join(directory, REFERENCE_FILE_NAME)
    content = _read(path)
    if content is None:
        return None
    schemas = _decode_list(content, path)
    if schemas is None or compute_schema_hash(schemas) != schema_hash:
        logger.debug('Reference client schema cache %s is not current.', path)
        return None
    return schemas


def list_content(schemas, response_text=None):
    """Return the bytes to cache for *schemas* (the ``query_schemas`` list).

    *response_text* is the body of the response that carried the list as
    its only result: when given, the list's own text is cut out of it, so
    the server's bytes are kept without serialising anything. Otherwise
    (or when the body is not plain ASCII) the list is serialised.
    """
    if response_text is not None and response_text.isascii():
        text = response_text.strip()
        if text.startswith('[') and text.endswith(']'):
            inner = text[1:-1].strip()
            if inner.startswith('[') and inner.endswith(']'):
                return inner.encode('ascii')
    return json.dumps(schemas).encode('ascii')


def save(directory, schema_hash, content):
    """Write the cached list *content* (bytes) of *schema_hash*; return the path.

    The file is written atomically into *directory*, which is then pruned
    (see the module documentation). Failures are logged, never raised
    (None is returned): the cache is only an optimisation.
    """
    name = cache_file_name(schema_hash, content)
    path = os.path.join(directory, name)
    temporary = None
    try:
        os.makedirs(directory, exist_ok=True)
        import tempfile

        handle, temporary = tempfile.mkstemp(
            prefix='.' + FILE_PREFIX, suffix='.tmp', dir=directory
        )
        with os.fdopen(handle, 'wb') as stream:
            stream.write(content)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        logger.warning('Could not write schema cache %s: %s', path, error)
        return None
    finally:
        if temporary is not None:
            try:
                os.remove(temporary)
            except OSError:
                pass
    prune(directory, keep=name)
    return path


def prune(directory, keep=None, now=None):
    """Remove old cache files of ours from *directory*; return the names removed.

    Files unused for :data:`MAX_AGE_DAYS` days go, then all but the
    :data:`MAX_FILES` most recently used. *keep* (a file name) is never
    removed. *now* (seconds since the epoch) defaults to the current time.
    """
    now = time.time() if now is None else now
    used = []
    for name in _own_files(directory):
        try:
            used.append((os.stat(os.path.join(directory, name)).st_mtime, name))
        except OSError:
            continue
    used.sort(reverse=True)
    removed = []
    for index, (mtime, name) in enumerate(used):
        if name == keep:
            continue
        if index >= MAX_FILES or now - mtime > MAX_AGE_DAYS * 86400:
            try:
                os.remove(os.path.join(directory, name))
            except OSError:
                continue
            removed.append(name)
    return removed
