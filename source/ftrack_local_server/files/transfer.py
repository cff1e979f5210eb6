"""The upload URLs: ``PUT`` of a whole file or of one part of a multipart upload.

``PUT /file-upload/<token>`` stores the body as the data of the upload's
component (protocol §6.3); ``PUT /file-upload/<token>/parts/<n>`` stores
part *n* and answers its ``ETag`` (§6.4). The body is streamed to a
staging file while its MD5 is computed, checked against the
``Content-MD5`` header and the checksum given to ``get_upload_metadata``,
and only then recorded, in one transaction; a refused or interrupted PUT
leaves any earlier data untouched.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, List, Optional

from aiohttp import web

from .http import CORS_HEADERS, HttpProblem, in_thread
from .storage import CHUNK_SIZE, Written, discard
from .uploads import Upload, checksum_of_hex, decode_checksum, find_by_token, record_part

logger = logging.getLogger(__name__)


async def handle_put(server: Any, request: web.Request) -> web.StreamResponse:
    """Serve ``PUT /file-upload/<token>``: the whole data of a single-part upload."""
    try:
        upload = await _valid_upload(server, request.match_info['token'])
        if upload.is_multipart:
            raise HttpProblem(
                400, 'This upload has {0} parts: PUT each part to its own URL from '
                'get_upload_metadata, then call complete_multipart_upload.'.format(upload.parts)
            )
        header_md5 = _content_md5_header(request)
        written = await _receive(server, request)
        try:
            _check_md5(written, header_md5, upload.checksum)
            if upload.file_size is not None and written.size != upload.file_size:
                raise HttpProblem(
                    400, 'The upload has {0} bytes but get_upload_metadata declared '
                    'file_size {1} for component {2}; nothing was stored.'.format(
                        written.size, upload.file_size, upload.component_id)
                )
            await in_thread(server.executor, _store_whole, server, upload.token, written)
        except BaseException:
            discard(written.path)
            raise
    except HttpProblem as problem:
        return problem.response(cors=True)
    logger.info('Stored %d bytes for component %s.', written.size, upload.component_id)
    return _stored_response(written)


async def handle_put_part(server: Any, request: web.Request) -> web.StreamResponse:
    """Serve ``PUT /file-upload/<token>/parts/<n>``: one part of a multipart upload."""
    try:
        upload = await _valid_upload(server, request.match_info['token'])
        if not upload.is_multipart:
            raise HttpProblem(
                400, 'This upload is a single PUT of the whole file to its upload URL, '
                'not a multipart upload.'
            )
        number = _part_number(request.match_info['number'], upload)
        header_md5 = _content_md5_header(request)
        written = await _receive(server, request)
        try:
            _check_md5(written, header_md5, None)
            await in_thread(server.executor, _store_part, server, upload.token, number, written)
        except BaseException:
            discard(written.path)
            raise
    except HttpProblem as problem:
        return problem.response(cors=True)
    logger.debug('Stored part %d (%d bytes) of upload %s.', number, written.size, upload.upload_id)
    return _stored_response(written)


def _stored_response(written: Written) -> web.Response:
    # The ETag is the data's MD5, which complete_multipart_upload checks.
    headers = dict(CORS_HEADERS)
    headers['ETag'] = '"{0}"'.format(written.md5)
    return web.Response(status=200, headers=headers)


async def handle_options(server: Any, request: web.Request) -> web.StreamResponse:
    """Answer a browser's CORS preflight for an upload URL."""
    return web.Response(status=200, headers=CORS_HEADERS)


async def _valid_upload(server: Any, token: str) -> Upload:
    upload = await in_thread(server.executor, server.transact, find_by_token, token)
    return _usable(upload)


def _usable(upload: Optional[Upload]) -> Upload:
    if upload is None:
        raise HttpProblem(
            404, 'This upload URL is not known: it was never issued, its multipart '
            'upload was completed, or it expired. Ask for a new one with '
            'get_upload_metadata.'
        )
    if upload.expired():
        raise HttpProblem(
            403, 'This upload URL for component {0} expired at {1} (UTC); ask for a '
            'new one with get_upload_metadata.'.format(
                upload.component_id,
                time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(upload.expires_at)))
        )
    return upload


def _part_number(text: str, upload: Upload) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= upload.parts:
        raise HttpProblem(
            400, 'Invalid part number {0!r}: this upload has parts 1 to {1}.'.format(text, upload.parts)
        )
    return number


def _content_md5_header(request: web.Request) -> Optional[bytes]:
    value = request.headers.get('Content-MD5')
    if value is None:
        return None
    raw = decode_checksum(value.strip())
    if raw is None:
        raise HttpProblem(
            400, 'The Content-MD5 header {0!r} is not the base64 form of a 16-byte '
            'MD5 digest (RFC 1864).'.format(value)
        )
    return raw


def _check_md5(written: Written, header_md5: Optional[bytes], promised: Optional[str]) -> None:
    actual = bytes.fromhex(written.md5)
    if header_md5 is not None and header_md5 != actual:
        raise HttpProblem(
            400, 'Content-MD5 mismatch: the header says {0} but the {1} bytes received '
            'have MD5 {2}; nothing was stored.'.format(
                checksum_of_hex(header_md5.hex()), written.size, checksum_of_hex(written.md5))
        )
    if promised is not None and decode_checksum(promised) != actual:
        raise HttpProblem(
            400, 'Checksum mismatch: get_upload_metadata was given checksum {0} but the '
            '{1} bytes received have MD5 {2}; nothing was stored.'.format(
                promised, written.size, checksum_of_hex(written.md5))
        )


async def _receive(server: Any, request: web.Request) -> Written:
    """Stream the request body into a new staging file and return what was written."""
    path, handle = await in_thread(server.executor, server.files.new_staging_file)
    digest = hashlib.md5()
    size = 0
    buffer = bytearray()
    try:
        try:
            async for chunk in request.content.iter_chunked(CHUNK_SIZE):
                digest.update(chunk)
                size += len(chunk)
                buffer.extend(chunk)
                if len(buffer) >= CHUNK_SIZE:
                    await in_thread(server.executor, handle.write, bytes(buffer))
                    buffer.clear()
            if buffer:
                await in_thread(server.executor, handle.write, bytes(buffer))
        finally:
            await in_thread(server.executor, handle.close)
    except BaseException:
        discard(path)
        raise
    return Written(path, size, digest.hexdigest())


def _store_whole(server: Any, token: str, written: Written) -> None:
    replaced: List[str] = []
    with server.state.store.transaction() as tx:
        upload = _usable(find_by_token(tx, token))
        blob = server.files.claim_blob(written.path)
        previous = server.files.record(
            tx, upload.component_id, blob, written.size, written.md5,
            upload.content_type, upload.file_name,
        )
        if previous is not None:
            replaced.append(previous)
    server.files.delete_blobs(replaced)


def _store_part(server: Any, token: str, number: int, written: Written) -> None:
    with server.state.store.transaction() as tx:
        upload = _usable(find_by_token(tx, token))
        blob = server.files.claim_part(written.path)
        previous = record_part(tx, upload, number, written.md5, written.size, blob)
    if previous is not None:
        discard(server.files.part_path(previous))
