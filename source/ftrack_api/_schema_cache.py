"""On-disk cache of the schemas a server answers to ``query_schemas``.

One file per server (protocol §9.3 describes the file's content and how it
is validated against the server's ``schema_hash``), written atomically so a
crash or a concurrent session never leaves a truncated file behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile

logger = logging.getLogger(__name__)

#: Name of the cache file of the reference client; ours adds a server hash.
FILE_PREFIX = 'ftrack_api_schema_cache'


def compute_schema_hash(schemas):
    """Return the MD5 hex digest of *schemas* as servers compute it.

    The list is serialised with sorted keys, default separators and ASCII
    escaping before hashing.
    """
    text = json.dumps(schemas, sort_keys=True)
    return hashlib.md5(text.encode('utf-8')).hexdigest()


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


def cache_file_path(directory, server_url):
    """Return the cache file for *server_url* inside *directory*.

    Each server gets its own file so sessions alternating between servers
    do not overwrite each other's cache.
    """
    digest = hashlib.sha1(server_url.encode('utf-8')).hexdigest()[:16]
    return os.path.join(directory, '{0}_{1}.json'.format(FILE_PREFIX, digest))


def load(path):
    """Return the schemas stored at *path*, or None when unusable.

    A missing file gives None silently; an unreadable or invalid one is
    logged and ignored.
    """
    try:
        with open(path, 'r', encoding='utf-8') as handle:
            schemas = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.warning('Ignoring unreadable schema cache %s: %s', path, error)
        return None
    if not isinstance(schemas, list):
        logger.warning(
            'Ignoring schema cache %s: expected a JSON list, found %s.',
            path, type(schemas).__name__,
        )
        return None
    return schemas


def save(path, schemas):
    """Write *schemas* to *path* atomically (temporary file then rename).

    Failures are logged, never raised: the cache is only an optimisation.
    """
    directory = os.path.dirname(path)
    temporary = None
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix='.' + FILE_PREFIX, suffix='.tmp', dir=directory
        )
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            json.dump(schemas, stream, indent=4)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        logger.warning('Could not write schema cache %s: %s', path, error)
    finally:
        if temporary is not None:
            try:
                os.remove(temporary)
            except OSError:
                pass


def load_valid(path, schema_hash):
    """Return the cached schemas at *path* if their hash is *schema_hash*."""
    if path is None or not schema_hash:
        return None
    schemas = load(path)
    if schemas is None:
        return None
    if compute_schema_hash(schemas) != schema_hash:
        logger.debug('Schema cache %s is out of date.', path)
        return None
    return schemas
