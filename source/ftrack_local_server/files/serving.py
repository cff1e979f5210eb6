"""Reading and removing stored data: ``/component/get``, ``/component/thumbnail``,
``/component/remove`` and the placeholder image ``/img/thumbnail2.png``.

Every ``/component/*`` endpoint takes the component id as ``id`` and the
credentials as the ``username`` / ``apiKey`` query parameters (protocol
§6.1, §6.2, §6.5). Answers: 200 with the data; 400 for a malformed
request; 401 for missing or rejected credentials; 404 when the component
has no data (never uploaded, or removed); 415 for a thumbnail that is not
an image.
"""

from __future__ import annotations

import logging
import os
from typing import Any, BinaryIO, List, Optional, Tuple

from aiohttp import web

from .http import HttpProblem, authenticate, content_disposition, in_thread, required_parameter
from .storage import CHUNK_SIZE, StoredFile, forget_rows
from .thumbnails import MAX_SIZE, scale, sniff_image_type

logger = logging.getLogger(__name__)

#: The placeholder image, shipped as package data.
PLACEHOLDER_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'data', 'thumbnail2.png')

#: Largest stored image the thumbnail endpoint reads into memory to scale.
MAX_THUMBNAIL_SOURCE = 256 * 1024 * 1024


def _component_exists(tx: Any, component_id: str) -> bool:
    return tx.load('Component', (component_id,)) is not None


def _missing(component_id: str, exists: bool) -> HttpProblem:
    if exists:
        return HttpProblem(
            404, 'Component {0} has no data in the ftrack.server location (it was '
            'never uploaded, or it was removed).'.format(component_id)
        )
    return HttpProblem(
        404, 'No component with id {0} exists and no data was uploaded for it.'.format(component_id)
    )


def _open(server: Any, component_id: str) -> Tuple[StoredFile, BinaryIO]:
    """Return the stored file of *component_id* and its open blob.

    The lookup runs on a read connection, in parallel with a write batch;
    should a concurrent remove delete the blob between the lookup and the
    open, the lookup is made again inside a write transaction (which keeps
    removes out), so the answer is the current one.
    """
    try:
        with server.state.store.read_transaction() as tx:
            return _lookup_and_open(server, tx, component_id, retry=True)
    except FileNotFoundError:
        with server.state.store.transaction() as tx:
            return _lookup_and_open(server, tx, component_id, retry=False)


def _lookup_and_open(server: Any, tx: Any, component_id: str,
                     retry: bool) -> Tuple[StoredFile, BinaryIO]:
    stored = server.files.lookup(tx, component_id)
    if stored is None:
        raise _missing(component_id, _component_exists(tx, component_id))
    try:
        return stored, server.files.open_blob(stored)
    except FileNotFoundError:
        if retry:
            raise
        logger.error('The data file of component %s is missing from %s.',
                     component_id, server.files.blob_directory)
        raise HttpProblem(
            404, 'The data of component {0} is missing from the server storage '
            'directory.'.format(component_id)
        )


async def handle_get(server: Any, request: web.Request) -> web.StreamResponse:
    """Serve ``GET /component/get``: stream the stored data of a component."""
    try:
        await authenticate(request, server.state, server.executor)
        component_id = required_parameter(request, 'id')
        stored, handle = await in_thread(server.executor, _open, server, component_id)
    except HttpProblem as problem:
        return problem.response()
    try:
        response = web.StreamResponse(status=200)
        response.content_type = stored.content_type or 'application/octet-stream'
        response.content_length = stored.size
        disposition = content_disposition(stored.file_name)
        if disposition:
            response.headers['Content-Disposition'] = disposition
        response.headers['ETag'] = '"{0}"'.format(stored.md5)
        await response.prepare(request)
        if request.method != 'HEAD':
            while True:
                chunk = await in_thread(server.executor, handle.read, CHUNK_SIZE)
                if not chunk:
                    break
                await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        handle.close()


def _read_image(server: Any, component_id: str) -> Tuple[StoredFile, bytes]:
    stored, handle = _open(server, component_id)
    with handle:
        if stored.size > MAX_THUMBNAIL_SOURCE:
            raise HttpProblem(
                415, 'Component {0} has {1} bytes of data, too large for a thumbnail '
                '(at most {2}).'.format(component_id, stored.size, MAX_THUMBNAIL_SOURCE)
            )
        return stored, handle.read()


def _thumbnail_size(request: web.Request) -> Optional[int]:
    text = request.query.get('size')
    if text is None or text == '':
        return None
    try:
        size = int(text)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_SIZE:
        raise HttpProblem(
            400, 'Invalid thumbnail size {0!r}: expected a whole number of pixels from '
            '1 to {1}.'.format(text, MAX_SIZE)
        )
    return size


async def handle_thumbnail(server: Any, request: web.Request) -> web.StreamResponse:
    """Serve ``GET /component/thumbnail``: the image, scaled to fit ``size`` when given."""
    try:
        await authenticate(request, server.state, server.executor)
        component_id = required_parameter(request, 'id')
        size = _thumbnail_size(request)
        stored, data = await in_thread(server.executor, _read_image, server, component_id)
        content_type = sniff_image_type(data[:16]) or stored.content_type or ''
        if not content_type.startswith('image/'):
            raise HttpProblem(
                415, 'Component {0} is not an image (its data is {1}), so it cannot be '
                'used as a thumbnail.'.format(component_id, content_type or 'of unknown type')
            )
        if size is not None:
            data, content_type = await in_thread(server.executor, scale, data, size, content_type)
    except HttpProblem as problem:
        return problem.response()
    return web.Response(body=data, content_type=content_type, headers={'Cache-Control': 'private, max-age=60'})


def _remove(server: Any, component_id: str) -> None:
    with server.state.store.transaction() as tx:
        stored = server.files.lookup(tx, component_id)
        exists = _component_exists(tx, component_id)
        if stored is None and not exists:
            raise _missing(component_id, exists)
        orphaned: List[str] = forget_rows(tx, [component_id]) if stored is not None else []
    server.files.delete_blobs(orphaned)
    if stored is not None:
        logger.info('Removed the data of component %s.', component_id)


async def handle_remove(server: Any, request: web.Request) -> web.StreamResponse:
    """Serve ``GET /component/remove``: delete the stored data of a component.

    Removing the data of a component that exists but has none succeeds
    (so a client can always finish removing a component from the
    location); an unknown component id answers 404.
    """
    try:
        await authenticate(request, server.state, server.executor)
        component_id = required_parameter(request, 'id')
        await in_thread(server.executor, _remove, server, component_id)
    except HttpProblem as problem:
        return problem.response()
    return web.Response(status=200, text='Removed the data of component {0}.\n'.format(component_id))


def read_placeholder() -> bytes:
    """Return the bytes of the placeholder image shipped with the package."""
    with open(PLACEHOLDER_PATH, 'rb') as stream:
        return stream.read()


async def handle_placeholder(server: Any, request: web.Request) -> web.StreamResponse:
    """Serve ``GET /img/thumbnail2.png``: the image shown where no thumbnail exists."""
    if server.placeholder is None:
        server.placeholder = await in_thread(server.executor, read_placeholder)
    return web.Response(
        body=server.placeholder, content_type='image/png',
        headers={'Cache-Control': 'public, max-age=86400'},
    )
