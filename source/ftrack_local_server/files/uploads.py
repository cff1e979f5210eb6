"""Upload URLs: what ``get_upload_metadata`` hands out and the PUTs accept.

An upload is a row of ``_ls_upload``: the component it is for, the file
name and size the client declared, the MD5 checksum it promised (base64,
RFC 1864), the number of parts (``None`` for a single PUT), and when its
URLs expire. Its URLs carry a random token of 256 bits, so they cannot be
guessed; they need no other credentials, like the signed storage URLs of
a real server. The row is written in the transaction of the batch that
asked for it, so a failed batch hands out no usable URL.

Parts of a multipart upload are recorded in ``_ls_upload_part`` as they
arrive; ``complete_multipart_upload`` joins them into the component's data.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import secrets
import time
import uuid
from typing import Any, Dict, List, Optional

from .storage import PART_TABLE, UPLOAD_TABLE, ensure_tables

#: Seconds an upload URL stays valid unless the ``upload_url_lifetime``
#: option says otherwise.
DEFAULT_UPLOAD_LIFETIME = 3600.0

#: Most parts one multipart upload may have (as S3 allows).
MAX_PARTS = 10000

#: Content types of file extensions the standard library may not know.
_EXTRA_TYPES = {
    '.exr': 'image/x-exr',
    '.dpx': 'image/x-dpx',
    '.tga': 'image/x-tga',
    '.psd': 'image/vnd.adobe.photoshop',
    '.mov': 'video/quicktime',
    '.mp4': 'video/mp4',
    '.m4v': 'video/mp4',
    '.webm': 'video/webm',
    '.mkv': 'video/x-matroska',
    '.webp': 'image/webp',
    '.json': 'application/json',
    '.abc': 'application/octet-stream',
}


def guess_content_type(file_name: Optional[str]) -> str:
    """Return the content type of *file_name* from its extension.

    ``application/octet-stream`` when the extension is unknown or missing.
    """
    if not file_name:
        return 'application/octet-stream'
    extension = '.' + file_name.rsplit('.', 1)[-1].lower() if '.' in file_name else ''
    if extension in _EXTRA_TYPES:
        return _EXTRA_TYPES[extension]
    guessed, _ = mimetypes.guess_type(file_name, strict=False)
    return guessed or 'application/octet-stream'


def decode_checksum(checksum: str) -> Optional[bytes]:
    """Return the 16 MD5 bytes of the base64 *checksum*, or ``None`` if it is not one."""
    try:
        raw = base64.b64decode(checksum.encode('ascii'), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return raw if len(raw) == 16 else None


def checksum_of_hex(md5_hex: str) -> str:
    """Return the base64 ``Content-MD5`` form of the hex MD5 digest *md5_hex*."""
    return base64.b64encode(binascii.unhexlify(md5_hex)).decode('ascii')


class Upload(object):
    """One upload row. Attributes mirror the columns of ``_ls_upload``."""

    __slots__ = (
        'upload_id', 'token', 'component_id', 'file_name', 'file_size',
        'content_type', 'checksum', 'parts', 'user_id', 'created_at', 'expires_at',
    )

    def __init__(self, row: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, row[name])

    @property
    def is_multipart(self) -> bool:
        """Whether the data arrives in several part PUTs."""
        return self.parts is not None

    def expired(self, now: Optional[float] = None) -> bool:
        """Whether the upload's URLs no longer accept data."""
        return (time.time() if now is None else now) >= self.expires_at


def create_upload(
    tx: Any,
    component_id: str,
    file_name: str,
    file_size: Optional[int],
    checksum: Optional[str],
    parts: Optional[int],
    user_id: Optional[str],
    lifetime: float,
) -> Upload:
    """Record a new upload in *tx* and return it (with a fresh secret token).

    The arguments are already validated: *parts* is ``None`` for a single
    PUT or the number of parts (2 or more); *lifetime* is in seconds.
    """
    ensure_tables(tx)
    now = time.time()
    values = {
        'upload_id': uuid.uuid4().hex,
        'token': secrets.token_urlsafe(32),
        'component_id': component_id,
        'file_name': file_name,
        'file_size': file_size,
        'content_type': guess_content_type(file_name),
        'checksum': checksum,
        'parts': parts,
        'user_id': user_id,
        'created_at': now,
        'expires_at': now + lifetime,
    }
    tx.insert(UPLOAD_TABLE, values)
    return Upload(values)


def find_by_token(tx: Any, token: str) -> Optional[Upload]:
    """Return the upload whose URL carries *token*, or ``None``."""
    ensure_tables(tx)
    row = tx.query_one('SELECT * FROM {0} WHERE token = ?'.format(UPLOAD_TABLE), (token,))
    return Upload(row) if row is not None else None


def find_by_id(tx: Any, upload_id: str) -> Optional[Upload]:
    """Return the upload *upload_id*, or ``None``."""
    ensure_tables(tx)
    row = tx.query_one('SELECT * FROM {0} WHERE upload_id = ?'.format(UPLOAD_TABLE), (upload_id,))
    return Upload(row) if row is not None else None


def record_part(tx: Any, upload: Upload, part_number: int, e_tag: str, size: int, blob: str) -> Optional[str]:
    """Record part *part_number* of *upload*; return the blob of a part it replaces."""
    previous = tx.query_one(
        'SELECT blob FROM {0} WHERE upload_id = ? AND part_number = ?'.format(PART_TABLE),
        (upload.upload_id, part_number),
    )
    tx.execute(
        'INSERT OR REPLACE INTO {0} (upload_id, part_number, e_tag, size, blob, received_at) '
        'VALUES (?, ?, ?, ?, ?, ?)'.format(PART_TABLE),
        (upload.upload_id, part_number, e_tag, size, blob, time.time()),
    )
    return previous['blob'] if previous is not None else None


def received_parts(tx: Any, upload: Upload) -> Dict[int, Dict[str, Any]]:
    """Return part number -> ``{'e_tag', 'size', 'blob'}`` of the parts received."""
    rows = tx.query(
        'SELECT part_number, e_tag, size, blob FROM {0} WHERE upload_id = ? '
        'ORDER BY part_number'.format(PART_TABLE),
        (upload.upload_id,),
    )
    return {
        row['part_number']: {'e_tag': row['e_tag'], 'size': row['size'], 'blob': row['blob']}
        for row in rows
    }


def finish(tx: Any, upload: Upload) -> List[str]:
    """Delete *upload* and its part rows; return the part blobs (deleted by a later sweep)."""
    blobs = [part['blob'] for part in received_parts(tx, upload).values()]
    tx.execute('DELETE FROM {0} WHERE upload_id = ?'.format(PART_TABLE), (upload.upload_id,))
    tx.execute('DELETE FROM {0} WHERE upload_id = ?'.format(UPLOAD_TABLE), (upload.upload_id,))
    return blobs
