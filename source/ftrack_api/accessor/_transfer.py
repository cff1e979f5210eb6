"""Transfers of the server accessor: progress reports and multipart uploads.

An addition of this package (upstream's client has neither).

*Progress*: :func:`transfer_progress` installs a callback for the
transfers the current thread makes through the ``ftrack.server``
location; it is called as ``callback(bytes_done, bytes_total)`` as data
moves (``bytes_total`` is None when the server does not say).

*Multipart uploads*: data of more than :func:`multipart_threshold` bytes
is uploaded in parts, as a real server offers (protocol §6.4): the parts
are sent in parallel, each retried with jittered back-off, then joined by
``complete_multipart_upload``. A server that answers without part URLs
gets one PUT instead. When parts fail, the upload is remembered by the
session (by component id, size and checksum): uploading the same data for
the same component again, for instance by repeating the
``add_component`` that failed, sends only the parts the server has not
acknowledged.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import logging
import os
import random
import threading
import time

import requests

import ftrack_api.exception

logger = logging.getLogger('ftrack_api.accessor.server')

_PROGRESS = contextvars.ContextVar('ftrack_api_transfer_progress', default=None)

MiB = 1024 * 1024

#: Part size by file size, as the JavaScript client chooses it: up to the
#: first bound, the second value.
PART_SIZES = (
    (128 * MiB, 8 * MiB),
    (1024 * MiB, 16 * MiB),
    (8 * 1024 * MiB, 32 * MiB),
    (64 * 1024 * MiB, 64 * MiB),
)
LARGEST_PART = 128 * MiB

#: Bytes read from the file per send.
BLOCK_SIZE = 1024 * 1024

#: Parts sent at the same time.
PARALLEL_PARTS = 6

#: Attempts per part, first delay and longest delay (seconds) between them.
PART_ATTEMPTS = 5
PART_RETRY_DELAY = 0.5
PART_RETRY_MAX_DELAY = 8.0


@contextlib.contextmanager
def transfer_progress(callback):
    """Report the progress of this thread's server transfers to *callback* in the block.

    *callback* is called as ``callback(bytes_done, bytes_total)`` for
    uploads to and downloads from the ``ftrack.server`` location (None
    does nothing). Blocks nest; the innermost callback is used.
    """
    token = _PROGRESS.set(callback)
    try:
        yield callback
    finally:
        _PROGRESS.reset(token)


def current_progress():
    """Return the callback installed by :func:`transfer_progress`, or None."""
    return _PROGRESS.get()


def multipart_threshold():
    """Return the size in bytes above which data is uploaded in parts.

    ``FTRACK_API_MULTIPART_THRESHOLD`` (bytes) when set, else 16 MiB: at
    most two 8 MiB parts go as one PUT, as the JavaScript client does.
    """
    value = os.environ.get('FTRACK_API_MULTIPART_THRESHOLD')
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            logger.warning('Ignoring FTRACK_API_MULTIPART_THRESHOLD=%r: not a whole '
                           'number of bytes.', value)
    return 2 * PART_SIZES[0][1]


def part_size_for(size):
    """Return the part size for data of *size* bytes (``FTRACK_API_UPLOAD_PART_SIZE`` wins)."""
    value = os.environ.get('FTRACK_API_UPLOAD_PART_SIZE')
    if value:
        try:
            # Never more than 10,000 parts (what servers accept).
            return max(1, int(value), -(-size // 10000))
        except ValueError:
            logger.warning('Ignoring FTRACK_API_UPLOAD_PART_SIZE=%r: not a whole number '
                           'of bytes.', value)
    for bound, part in PART_SIZES:
        if size <= bound:
            return part
    return LARGEST_PART


class Reporter(object):
    """Counts transferred bytes and reports them to a progress *callback* (thread-safe)."""

    def __init__(self, callback, total, done=0):
        self.callback = callback
        self.total = total
        self.done = done
        self._lock = threading.Lock()
        if callback is not None:
            callback(done, total)

    def add(self, count):
        """Record *count* more bytes transferred."""
        if self.callback is None or not count:
            return
        with self._lock:
            self.done += count
            done = self.done
        self.callback(done, self.total)


class ProgressReader(object):
    """A file-like body for ``requests`` reading *length* bytes of *handle* from *offset*.

    Each read is reported to *reporter*. ``len()`` gives the length, so the
    request carries a ``Content-Length`` and is not chunked.
    """

    def __init__(self, handle, offset, length, reporter):
        self._handle = handle
        self._offset = offset
        self._left = length
        self._length = length
        self._reporter = reporter

    def __len__(self):
        return self._length

    def __iter__(self):
        # requests sends an iterable body block by block; large blocks
        # (not http.client's 8 KiB reads) keep the upload fast.
        while True:
            block = self.read(BLOCK_SIZE)
            if not block:
                return
            yield block

    def read(self, size=-1):
        if self._left <= 0:
            return b''
        if size is None or size < 0 or size > self._left:
            size = self._left
        data = _read_at(self._handle, size, self._offset)
        self._offset += len(data)
        self._left -= len(data)
        self._reporter.add(len(data))
        return data


_SEEK_LOCK = threading.Lock()


def _read_at(handle, size, offset):
    """Return up to *size* bytes of *handle* at *offset*, leaving no shared position."""
    if hasattr(os, 'pread'):
        return os.pread(handle.fileno(), size, offset)
    with _SEEK_LOCK:  # Windows: no pread; parts read one at a time.
        handle.seek(offset)
        return handle.read(size)


def http_error(operation, resource_identifier, response, what, message):
    """Return an AccessorOperationFailedError for the failed *response* to *what*.

    The error names the status, the reason and the start of the response
    text, and carries them as ``status_code`` and ``response_text``.
    """
    text = (response.text or '')[:500]
    error = ftrack_api.exception.AccessorOperationFailedError(
        operation=operation, resource_identifier=resource_identifier,
        error='HTTP {0} {1} from {2} for id {3!r}{4}'.format(
            response.status_code, response.reason or '', what, resource_identifier,
            ': {0}'.format(text.strip()) if text.strip() else ''),
        message=message,
    )
    error.status_code = response.status_code
    error.response_text = text
    return error


class MultipartUpload(object):
    """A multipart upload in progress: its id, part URLs and the parts acknowledged."""

    def __init__(self, upload_id, urls, part_size):
        self.upload_id = upload_id
        self.urls = urls
        self.part_size = part_size
        self.etags = {}

    @property
    def missing(self):
        """Part numbers the server has not acknowledged yet, in order."""
        return [number for number in sorted(self.urls) if number not in self.etags]


def _states(session):
    states = session.__dict__.get('_ftrack_multipart_uploads')
    if states is None:
        states = session.__dict__.setdefault('_ftrack_multipart_uploads', {})
    return states


def upload_in_parts(session, component_id, file_name, handle, size, checksum, timeout):
    """Upload *size* bytes of the open file *handle* for *component_id* in parts.

    Return False when the server offers no parts (the caller then sends one
    PUT), True once the parts are joined. Raise
    :exc:`~ftrack_api.exception.AccessorOperationFailedError` when a part
    still fails after its retries (the upload is kept for a later attempt)
    or the server refuses to join them.
    """
    key = (component_id, size, checksum)
    states = _states(session)
    upload = states.get(key)
    part_size = upload.part_size if upload is not None else part_size_for(size)
    if upload is None:
        parts = -(-size // part_size)
        result = session.call([{
            'action': 'get_upload_metadata', 'component_id': component_id,
            'file_name': file_name, 'file_size': size, 'parts': parts,
        }])[0]
        if not result.get('urls'):
            return False
        upload = MultipartUpload(
            result['upload_id'],
            {int(item['part_number']): item['signed_url'] for item in result['urls']},
            part_size)
        states[key] = upload
    else:
        logger.info('Resuming the upload of component %s: %d of %d parts to send.',
                    component_id, len(upload.missing), len(upload.urls))
    done = sum(_part_length(upload, number, size) for number in upload.etags)
    reporter = Reporter(current_progress(), size, done)
    failures = []
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=min(PARALLEL_PARTS, max(1, len(upload.missing)))) as pool:
        futures = {
            pool.submit(_send_part, upload, number, handle, size, reporter, timeout,
                        component_id): number
            for number in upload.missing}
        for future in concurrent.futures.as_completed(futures):
            number = futures[future]
            try:
                upload.etags[number] = future.result()
            except ftrack_api.exception.AccessorOperationFailedError as error:
                failures.append((number, error))
    if failures:
        number, error = min(failures, key=lambda item: item[0])
        raise ftrack_api.exception.AccessorOperationFailedError(
            operation='write', resource_identifier=component_id,
            error='{0} of {1} parts failed (part {2}: {3}); the {4} parts sent are '
            'kept: add the component again to send the rest'.format(
                len(failures), len(upload.urls), number, error.details.get('error'),
                len(upload.etags)),
            message='Failed to put file to server: {error}.',
        )
    session.call([{
        'action': 'complete_multipart_upload', 'upload_id': upload.upload_id,
        'component_id': component_id,
        'parts': [{'part_number': number, 'e_tag': upload.etags[number]}
                  for number in sorted(upload.etags)],
    }])
    states.pop(key, None)
    return True


def _part_length(upload, number, size):
    start = (number - 1) * upload.part_size
    return max(0, min(upload.part_size, size - start))


def _send_part(upload, number, handle, size, reporter, timeout, component_id):
    """PUT part *number*, retrying; return its ETag."""
    offset = (number - 1) * upload.part_size
    length = _part_length(upload, number, size)
    message = 'Failed to put file to server: {error}.'
    attempt = 0
    while True:
        attempt += 1
        # Progress counts a part's bytes again when the part is resent.
        body = ProgressReader(handle, offset, length, reporter)
        try:
            response = requests.put(upload.urls[number], data=body, timeout=timeout)
        except requests.RequestException as error:
            failure = ftrack_api.exception.AccessorOperationFailedError(
                operation='write', resource_identifier=component_id,
                error='{0} while uploading part {1}'.format(type(error).__name__, number),
                message=message)
        else:
            with response:
                etag = response.headers.get('ETag', '').strip('"')
                if response.status_code == 200 and etag:
                    return etag
                failure = http_error('write', component_id, response,
                                     'the URL of part {0}'.format(number), message)
                if 400 <= response.status_code < 500 and response.status_code not in (
                        408, 429):
                    raise failure
        if attempt >= PART_ATTEMPTS:
            raise failure
        delay = min(PART_RETRY_DELAY * 2 ** (attempt - 1), PART_RETRY_MAX_DELAY)
        delay += random.uniform(0, 0.5)
        logger.info('Retrying part %d of component %s in %.2f s (attempt %d of %d): %s',
                    number, component_id, delay, attempt + 1, PART_ATTEMPTS,
                    failure.details.get('error'))
        time.sleep(delay)
