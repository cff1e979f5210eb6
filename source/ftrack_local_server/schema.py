"""The schema catalogue: the entity types the server knows.

The schema is the real server's ``query_schemas`` answer, shipped as
package data (``data/query_schemas.json``). :func:`load_raw_schemas` returns
it as the list the ``query_schemas`` action sends, and
:func:`compute_schema_hash` the hash ``query_server_information`` reports
(protocol §9.3), which clients compare with their schema cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Dict, List, Optional

#: Path of the schema shipped with the package.
DEFAULT_SCHEMA_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'data', 'query_schemas.json'
)


def load_raw_schemas(path: Optional[str] = None) -> List[Dict[str, Any]]:
    """Return the schema list stored at *path* (default: the shipped one).

    Raise :class:`ValueError` naming *path* if the file is not a JSON list.
    """
    path = path or DEFAULT_SCHEMA_PATH
    with open(path, encoding='utf-8') as handle:
        schemas = json.load(handle)
    if not isinstance(schemas, list):
        raise ValueError(
            'Schema file {0!r} must hold a JSON list of schemas, '
            'found {1}.'.format(path, type(schemas).__name__)
        )
    return schemas


def compute_schema_hash(schemas: List[Dict[str, Any]]) -> str:
    """Return the MD5 hex digest clients use to validate their schema cache.

    The list is serialised with sorted keys, the default separators and
    ASCII escaping, exactly as clients do before hashing (protocol §9.3).
    """
    text = json.dumps(schemas, sort_keys=True)
    return hashlib.md5(text.encode('utf-8')).hexdigest()
