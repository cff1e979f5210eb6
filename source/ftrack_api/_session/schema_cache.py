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

    ftrack_api_schema_cache_<server>_<schema hash>_<digest>.json

A session opens the file named after the server's current hash and checks
the digest (a fraction of the cost): a file whose bytes changed since it
was written is ignored, exactly as one whose hash does not match.
``<server>`` separates servers so sessions alternating between servers do
not overwrite each other's cache; writing a new file for a server removes
its older ones. The content is still the documented JSON list (only the
whitespace differs from an indented file), so the reference client reads
these files, and a file the reference client wrote
(``ftrack_api_schema_cache.json`` in the same directory) is used when no
file of ours is valid, after checking it the documented way (and a file of
ours is written from it).

Files are written atomically (temporary file, then rename), so a crash or
a concurrent session never leaves a truncated file behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zlib

logger = logging.getLogger(__name__)

#: Start of the cache file names (the reference client's file is this
#: followed by ``.json``).
FILE_PREFIX = 'ftrack_api_schema_cache'

#: Name of the file the reference client writes.
REFERENCE_FILE_NAME = FILE_PREFIX + '.json'


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


def resolve_directory(schema_cache_path):
    """Return the cache directory for *schema_cache_path*, or None if disabled.

    *schema_cache_path* is the session argument: False disables caching,
    None means ``FTRACK_API_SCHEMA_CACHE_PATH`` or else the per-user cache
    directory, anything else is the directory to use.
    """
    if schema_cache_path is False:
        return None
    if schema_cache_path is None:
        schema_cache_path = os.environ.get('FTRACK_API_SCHEMA_CACHE_PATH')
    if not schema_cache_path:
        schema_cache_path = default_directory()
    return os.path.abspath(os.path.expanduser(str(schema_cache_path)))


def server_prefix(server_url):
    """Return the start of the cache file names for *server_url*."""
    digest = hashlib.sha1(server_url.encode('utf-8')).hexdigest()[:16]
    return '{0}_{1}'.format(FILE_PREFIX, digest)


def usable_hash(schema_hash):
    """Return whether *schema_hash* (from the server) can name a cache file."""
    return bool(schema_hash) and isinstance(schema_hash, str) and (
        schema_hash.isascii() and schema_hash.isalnum()
    )


def cache_file_name(server_url, schema_hash, content):
    """Return the file name for *content* (bytes) of *server_url*'s schemas.

    *schema_hash* is the schema hash of the list *content* holds.
    """
    return '{0}_{1}_{2}.json'.format(
        server_prefix(server_url), schema_hash, _content_digest(content)
    )


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


def _own_files(directory, server_url):
    """Return the names of this server's cache files in *directory*."""
    prefix = server_prefix(server_url) + '_'
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [
        name for name in names
        if name.startswith(prefix) and name.endswith('.json')
    ]


def load_valid(directory, server_url, schema_hash):
    """Return the cached schemas of *server_url* if their hash is *schema_hash*.

    *directory* is the cache directory. Return None when no cached list is
    valid (missing, unreadable, modified since written or out of date).
    """
    if not usable_hash(schema_hash):
        return None
    start = '{0}_{1}_'.format(server_prefix(server_url), schema_hash)
    for name in _own_files(directory, server_url):
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
            return schemas
    return None


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


def save(directory, server_url, schema_hash, content):
    """Write the cached list *content* (bytes) of *server_url*; return the path.

    *schema_hash* is the schema hash of the list (as the server announced
    it when the list was fetched). The file is written atomically into
    *directory* and this server's older cache files are removed. Failures
    are logged, never raised (None is returned): the cache is only an
    optimisation.
    """
    name = cache_file_name(server_url, schema_hash, content)
    path = os.path.join(directory, name)
    temporary = None
    try:
        os.makedirs(directory, exist_ok=True)
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
    _remove_others(directory, server_url, name)
    return path


def _remove_others(directory, server_url, kept):
    stale = [name for name in _own_files(directory, server_url) if name != kept]
    # The single-file name earlier versions of this client used.
    legacy = server_prefix(server_url) + '.json'
    if os.path.exists(os.path.join(directory, legacy)):
        stale.append(legacy)
    for name in stale:
        try:
            os.remove(os.path.join(directory, name))
        except OSError:
            pass
