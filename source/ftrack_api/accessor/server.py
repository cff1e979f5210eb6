"""Accessor for the ``ftrack.server`` location: data held by the server.

The server addresses stored data by component id (the location uses the
entity-id structure). Data is read with a streaming GET of
``/component/get``, written by buffering into a temporary file that is
uploaded when the file is closed -- in one PUT, or above a threshold in
parallel parts that survive a failure (protocol §6.1, §6.3, §6.4; see
:mod:`ftrack_api.accessor._transfer`) -- and removed through
``/component/remove`` (§6.5). :func:`transfer_progress` reports the
progress of these transfers. Credentials travel in the
query string of these endpoints, so URLs are never logged whole.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re

import requests

import ftrack_api.data
import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api.accessor import _transfer
from ftrack_api.accessor._transfer import transfer_progress  # noqa: F401 - public.
from ftrack_api.accessor.base import Accessor
from ftrack_api.data import String  # noqa: F401 - upstream's module has it.

logger = logging.getLogger(__name__)


def _file_name(component):
    """Return the upload file name of *component*: name, dot, file type.

    The file type's leading dot is not doubled (``data`` and ``.json`` give
    ``data.json``); without a file type the name is used alone.
    """
    name = component['name']
    file_type = component['file_type']
    if file_type and file_type is not ftrack_api.symbol.NOT_SET:
        return '{0}.{1}'.format(name, file_type.lstrip('.'))
    return name


def _checksum(wrapped_file, from_start=True):
    """Return the base64 MD5 digest of *wrapped_file* (RFC 1864 Content-MD5).

    The file is read in chunks of :data:`~ftrack_api.symbol.CHUNK_SIZE`,
    from its start (or, without *from_start*, from its current position);
    its position is left at the end.
    """
    digest = hashlib.md5()
    if from_start:
        wrapped_file.seek(0)
    for chunk in iter(lambda: wrapped_file.read(ftrack_api.symbol.CHUNK_SIZE), b''):
        digest.update(chunk)
    return base64.b64encode(digest.digest()).decode('ascii')


def _describe_response(response, server_url, endpoint, resource_identifier):
    """Return a text describing a failed *response* without credentials.

    ``requests`` quotes the full URL in its errors, which here holds the API
    key; this names the endpoint and the id instead.
    """
    return 'HTTP {0} {1} from {2}{3} for id {4!r}'.format(
        response.status_code, response.reason or '', server_url, endpoint,
        resource_identifier,
    )


class _MaskApiKey(logging.Filter):
    """Replace the value of ``apiKey=`` in log records with ``<hidden>``.

    urllib3 logs the request line of every request at debug level, and the
    file endpoints take the key in the URL (as for upstream's client); this
    filter, installed on urllib3's connection pool logger, keeps the key out
    of logs at every level.
    """

    _pattern = re.compile(r'(apiKey=)[^&\s"\']+')

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        if 'apiKey=' in message:
            record.msg = self._pattern.sub(r'\1<hidden>', message)
            record.args = None
        return True


_KEY_FILTER = _MaskApiKey()
logging.getLogger('urllib3.connectionpool').addFilter(_KEY_FILTER)


def _credentials(session, resource_identifier):
    """Return the query parameters addressing *resource_identifier*.

    Order matters to servers matching URLs literally: id, username, apiKey.
    """
    return [
        ('id', resource_identifier),
        ('username', session.api_user),
        ('apiKey', session.api_key),
    ]


def _get(
    session, endpoint, resource_identifier, operation, message=None, stream=False
):
    """Return the response to a GET of *endpoint* for *resource_identifier*.

    The credentials of *session* travel in the query string. Raise
    :exc:`~ftrack_api.exception.AccessorOperationFailedError` for
    *operation* (with *message*, if given) when the server cannot be
    reached; the error names the endpoint, not the authenticated URL.
    """
    try:
        return requests.get(
            session.server_url + endpoint,
            params=_credentials(session, resource_identifier),
            stream=stream, timeout=session.request_timeout,
        )
    except requests.RequestException as error:
        raise ftrack_api.exception.AccessorOperationFailedError(
            operation=operation, resource_identifier=resource_identifier,
            error='{0} while requesting {1}{2}'.format(
                type(error).__name__, session.server_url, endpoint
            ),
            message=message,
        ) from None


def _status_error(
    response, session, endpoint, resource_identifier, operation, message=None,
    error_class=ftrack_api.exception.AccessorOperationFailedError,
):
    """Return *error_class* for the failed *response* to *endpoint*.

    *operation* and *message* are as for :func:`_get`.
    """
    return error_class(
        operation=operation, resource_identifier=resource_identifier,
        error=_describe_response(
            response, session.server_url, endpoint, resource_identifier
        ),
        message=message,
    )


class ServerFile(ftrack_api.data.String):
    """Representation of a file stored by the ftrack server.

    Content is kept in a temporary file. In a reading mode it is downloaded
    from the server on the first :meth:`read`; in a writing mode everything
    written is uploaded in one request when the file is closed.
    """

    def __init__(self, resource_identifier, session, mode='rb'):
        """Initialise file for *resource_identifier* (a component id).

        *session* is the :class:`ftrack_api.session.Session` giving the
        server, credentials and request timeout. *mode* is as for
        :func:`open` (``'rb'`` reads, ``'wb'`` writes). Raise
        :exc:`ValueError` for a mode that neither reads nor writes.
        """
        if not any(flag in mode for flag in 'rwa+'):
            raise ValueError(
                'Invalid mode {0!r} for ServerFile {1!r}: expected a reading '
                'or writing mode such as "rb" or "wb".'.format(mode, resource_identifier)
            )
        self.mode = mode
        self.resource_identifier = resource_identifier
        self._session = session
        self._downloaded = False
        self._discarded = False
        super(ServerFile, self).__init__()

    def _readable(self):
        return 'r' in self.mode or '+' in self.mode

    def _writable(self):
        return any(flag in self.mode for flag in 'wa+')

    def read(self, limit=None):
        """Return up to *limit* bytes from the current position (all if None).

        The data is downloaded first when this is the first read. Raise
        :exc:`ValueError` if closed or not opened for reading and
        :exc:`~ftrack_api.exception.AccessorOperationFailedError` when the
        download fails.
        """
        self._validate_open()
        if not self._readable():
            raise ValueError(
                'ServerFile {0!r} was opened with mode {1!r}, not for '
                'reading.'.format(self.resource_identifier, self.mode)
            )
        if 'r' in self.mode and not self._downloaded:
            self._download()
        return super(ServerFile, self).read(limit)

    def write(self, content):
        """Write *content* (bytes or str) at the current position.

        Nothing is sent before :meth:`close`. Raise :exc:`ValueError` if
        closed or not opened for writing.
        """
        self._validate_open()
        if not self._writable():
            raise ValueError(
                'ServerFile {0!r} was opened with mode {1!r}, not for '
                'writing.'.format(self.resource_identifier, self.mode)
            )
        if 'r' in self.mode and not self._downloaded:
            # Updating existing data: its current content comes first.
            self._download()
        super(ServerFile, self).write(content)

    def close(self):
        """Flush buffers, upload written data and prevent further access.

        In a writing mode the whole content is uploaded (see
        :meth:`ftrack_api.session.Session.get_upload_metadata`); the
        temporary file is released even when that fails. Raise
        :exc:`~ftrack_api.exception.AccessorOperationFailedError` when the
        upload fails.
        """
        if self.closed:
            return
        try:
            self.flush()
            if self._writable() and not self._discarded:
                self._upload()
        finally:
            super(ServerFile, self).close()

    # Upstream's names for the steps of a ServerFile.
    def _read(self):
        """Download the component's data into the temporary file."""
        self._download()

    def _write(self):
        """Upload the temporary file's content as the component's data."""
        self._upload()

    def _get_size(self):
        """Return the size in bytes of the content held."""
        self.wrapped_file.flush()
        return os.fstat(self.wrapped_file.fileno()).st_size

    def _compute_checksum(self):
        """Return the base64 MD5 checksum of the content from the position on.

        As upstream, the data from the current position to the end is
        summed (so call it at position 0 for the whole content); the
        position is left where it was.
        """
        self.wrapped_file.flush()
        position = self.wrapped_file.tell()
        try:
            return _checksum(self.wrapped_file, from_start=False)
        finally:
            self.wrapped_file.seek(position)

    def _discard(self):
        """Close without uploading anything (used when a copy failed)."""
        self._discarded = True
        self.close()

    def _download(self):
        """Fill the temporary file with the server's data, keeping position."""
        session = self._session
        server_url = session.server_url
        position = self.wrapped_file.tell()
        logger.debug(
            'Downloading %s/component/get id=%s.', server_url, self.resource_identifier
        )
        message = 'Failed to read data: {error}.'
        response = _get(
            session, '/component/get', self.resource_identifier, 'read',
            message=message, stream=True,
        )
        with response:
            if not 200 <= response.status_code < 300:
                raise _status_error(
                    response, session, '/component/get', self.resource_identifier,
                    'read', message=message,
                )
            self.wrapped_file.seek(0)
            self.wrapped_file.truncate()
            length = response.headers.get('Content-Length')
            reporter = _transfer.Reporter(
                _transfer.current_progress(),
                int(length) if length and length.isdigit() else None)
            try:
                for block in response.iter_content(ftrack_api.symbol.CHUNK_SIZE):
                    self.wrapped_file.write(block)
                    reporter.add(len(block))
            except requests.RequestException as error:
                raise ftrack_api.exception.AccessorOperationFailedError(
                    operation='read', resource_identifier=self.resource_identifier,
                    error='{0} while downloading from {1}/component/get'.format(
                        type(error).__name__, server_url
                    ),
                    message=message,
                ) from None
        self.wrapped_file.flush()
        self._downloaded = True
        self.wrapped_file.seek(position)

    def _upload(self):
        """Upload the whole temporary file as the component's data."""
        session = self._session
        component = session.get('FileComponent', self.resource_identifier)
        if component is None:
            raise ftrack_api.exception.AccessorOperationFailedError(
                operation='write', resource_identifier=self.resource_identifier,
                error='no FileComponent with this id in the session or on the server',
                message='Unable to upload data of component {resource_identifier!r}: '
                '{error}.',
            )
        wrapped = self.wrapped_file
        wrapped.flush()
        size = os.fstat(wrapped.fileno()).st_size
        checksum = _checksum(wrapped)
        if size > _transfer.multipart_threshold():
            try:
                if _transfer.upload_in_parts(
                        session, self.resource_identifier, _file_name(component),
                        wrapped, size, checksum, session.request_timeout):
                    return
            except ftrack_api.exception.AccessorOperationFailedError:
                raise
            except ftrack_api.exception.Error as error:
                raise ftrack_api.exception.AccessorOperationFailedError(
                    operation='write', resource_identifier=self.resource_identifier,
                    error=error, message='Failed to upload in parts: {error}.',
                ) from error
        try:
            metadata = session.get_upload_metadata(
                component_id=self.resource_identifier,
                file_name=_file_name(component),
                file_size=size,
                checksum=checksum,
            )
        except ftrack_api.exception.Error as error:
            raise ftrack_api.exception.AccessorOperationFailedError(
                operation='write', resource_identifier=self.resource_identifier,
                error=error, message='Failed to get put metadata: {error}.',
            ) from error

        headers = {
            str(key): str(value)
            for key, value in (metadata.get('headers') or {}).items()
        }
        wrapped.seek(0)
        logger.debug(
            'Uploading %d bytes for component %s.', size, self.resource_identifier
        )
        reporter = _transfer.Reporter(_transfer.current_progress(), size)
        try:
            response = requests.put(
                # An empty file object would be sent chunked, contradicting
                # the Content-Length header storage services insist on.
                metadata['url'],
                data=_transfer.ProgressReader(wrapped, 0, size, reporter) if size else b'',
                headers=headers, timeout=session.request_timeout,
            )
        except requests.RequestException as error:
            raise ftrack_api.exception.AccessorOperationFailedError(
                operation='write', resource_identifier=self.resource_identifier,
                error='{0} while uploading'.format(type(error).__name__),
                message='Failed to put file to server: {error}.',
            ) from None
        with response:
            if not 200 <= response.status_code < 300:
                raise _transfer.http_error(
                    'write', self.resource_identifier, response, 'the upload URL',
                    'Failed to put file to server: {error}.')


class _ServerAccessor(Accessor):
    """Provide access to the data the ftrack server stores.

    Resource identifiers are component ids. The server's storage is flat:
    containers are implicit, so making one does nothing.
    """

    def __init__(self, session, **kw):
        """Initialise accessor for the server of *session*.

        Raise :exc:`TypeError` naming any unexpected keyword argument.
        """
        super(_ServerAccessor, self).__init__(**kw)
        self._session = session

    def _url(self, endpoint, resource_identifier):
        # Built by plain formatting, as real clients do: the values are not
        # URL-encoded (protocol §6.1).
        return '{0}{1}?id={2}&username={3}&apiKey={4}'.format(
            self._session.server_url, endpoint, resource_identifier,
            self._session.api_user, self._session.api_key,
        )

    def open(self, resource_identifier, mode='rb'):
        """Return a :class:`ServerFile` for *resource_identifier* in *mode*."""
        return ServerFile(resource_identifier, session=self._session, mode=mode)

    def remove(self, resourceIdentifier):  # noqa: N803 - upstream's parameter name.
        """Remove the data of *resourceIdentifier* (a component id) from the server.

        Raise :exc:`~ftrack_api.exception.AccessorOperationFailedError` when
        the server answers with an error status or cannot be reached.
        """
        resource_identifier = resourceIdentifier
        session = self._session
        logger.debug(
            'Removing %s/component/remove id=%s.', session.server_url,
            resource_identifier,
        )
        message = 'Failed to remove file: {error}.'
        response = _get(
            session, '/component/remove', resource_identifier, 'remove',
            message=message,
        )
        with response:
            if response.status_code == 404:
                # Nothing stored under this id: reported as missing data so
                # locations can still drop the registration.
                raise _status_error(
                    response, session, '/component/remove', resource_identifier,
                    'remove', message=message,
                    error_class=ftrack_api.exception.AccessorResourceNotFoundError,
                )
            if not 200 <= response.status_code < 300:
                raise _status_error(
                    response, session, '/component/remove', resource_identifier,
                    'remove', message=message,
                )

    def exists(self, resource_identifier):
        """Return whether the server holds data for *resource_identifier*.

        Asks ``/component/get`` without downloading the body: a success
        status means the data exists, 404 that it does not. Raise
        :exc:`~ftrack_api.exception.AccessorOperationFailedError` for any
        other answer or when the server cannot be reached.
        """
        session = self._session
        response = _get(
            session, '/component/get', resource_identifier, 'exists', stream=True
        )
        with response:
            if 200 <= response.status_code < 300:
                return True
            if response.status_code == 404:
                return False
            raise _status_error(
                response, session, '/component/get', resource_identifier, 'exists'
            )

    def is_file(self, resource_identifier):
        """Return whether *resource_identifier* refers to a file.

        Raise :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError`:
        the server does not tell files from containers.
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='is_file', resource_identifier=resource_identifier
        )

    def is_container(self, resource_identifier):
        """Return whether *resource_identifier* refers to a container.

        Raise :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError`:
        the server does not tell files from containers.
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='is_container', resource_identifier=resource_identifier
        )

    def is_sequence(self, resource_identifier):
        """Return whether *resource_identifier* refers to a file sequence.

        Raise :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError`.
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='is_sequence', resource_identifier=resource_identifier
        )

    def list(self, resource_identifier):
        """Return entries of container *resource_identifier*.

        Raise :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError`:
        the server's storage cannot be listed.
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='list', resource_identifier=resource_identifier
        )

    def make_container(self, resource_identifier, recursive=True):
        """Make a container at *resource_identifier*: nothing to do.

        Server storage is flat; members of containers are stored by their
        own ids.
        """

    def get_container(self, resource_identifier):
        """Return the container of *resource_identifier*.

        Raise
        :exc:`~ftrack_api.exception.AccessorParentResourceNotFoundError`:
        server storage has no containers.
        """
        raise ftrack_api.exception.AccessorParentResourceNotFoundError(
            operation='get_container', resource_identifier=resource_identifier,
            error='server storage has no containers',
        )

    def get_url(self, resource_identifier):
        """Return the authenticated download URL of *resource_identifier*.

        ``{server}/component/get?id=…&username=…&apiKey=…``; the values are
        inserted as they are, not URL-encoded.
        """
        return self._url('/component/get', resource_identifier)

    def get_thumbnail_url(self, resource_identifier, size=None):
        """Return the authenticated thumbnail URL of *resource_identifier*.

        With *size*, ``&size=<size>`` asks for an image downscaled to fit
        *size* x *size* pixels.
        """
        url = self._url('/component/thumbnail', resource_identifier)
        if size:
            url += '&size={0}'.format(size)
        return url
