"""File-like data objects returned by accessors.

Data moves between locations in chunks: readers are called repeatedly with
a *limit* (see :data:`ftrack_api.symbol.CHUNK_SIZE`) and writers are given
one chunk at a time.
"""

from __future__ import annotations

import abc
import os


class Data(abc.ABC):
    """File-like object interface for data held by an accessor.

    Usable as a context manager, which closes the object on exit.
    """

    def __init__(self):
        """Initialise an open data object."""
        self.closed = False

    @abc.abstractmethod
    def read(self, limit=None):
        """Return up to *limit* bytes, or everything left when None."""

    @abc.abstractmethod
    def write(self, content):
        """Write *content* at the current position."""

    def flush(self):
        """Flush buffered content (nothing to do by default)."""

    def seek(self, offset, whence=os.SEEK_SET):
        """Move the current position by *offset* relative to *whence*.

        Raise :exc:`NotImplementedError` when the data cannot be seeked.
        """
        raise NotImplementedError('Seek not supported.')

    def tell(self):
        """Return the current position.

        Raise :exc:`NotImplementedError` when the position is unknown.
        """
        raise NotImplementedError('Tell not supported.')

    def close(self):
        """Flush buffers and prevent further access."""
        self.flush()
        self.closed = True

    def _validate_open(self):
        """Raise :exc:`ValueError` if the object has been closed."""
        if self.closed:
            raise ValueError(
                'I/O operation on closed {0}.'.format(type(self).__name__)
            )

    def __enter__(self):
        """Return this object for use in a ``with`` block."""
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        """Close the object when leaving the ``with`` block."""
        self.close()


class FileWrapper(Data):
    """Data backed by an open Python file object.

    Every operation goes straight to the wrapped file, so a closed file
    raises the file's own :exc:`ValueError`.
    """

    def __init__(self, wrapped_file):
        """Initialise wrapping *wrapped_file*, an open file object."""
        self.wrapped_file = wrapped_file
        super(FileWrapper, self).__init__()

    def read(self, limit=None):
        """Return up to *limit* units of content, or everything left when None."""
        if limit is None:
            limit = -1
        return self.wrapped_file.read(limit)

    def write(self, content):
        """Write *content* at the current position of the wrapped file."""
        self.wrapped_file.write(content)

    def flush(self):
        """Flush the wrapped file's buffers."""
        self.wrapped_file.flush()

    def seek(self, offset, whence=os.SEEK_SET):
        """Move the current position by *offset* relative to *whence*."""
        self.wrapped_file.seek(offset, whence)

    def tell(self):
        """Return the current position in the wrapped file."""
        return self.wrapped_file.tell()

    def close(self):
        """Flush, close the wrapped file and prevent further access."""
        if self.closed:
            return
        super(FileWrapper, self).close()
        self.wrapped_file.close()


class File(FileWrapper):
    """Data in a file on disk."""

    def __init__(self, path, mode='rb'):
        """Open the file at *path* with *mode* (as for :func:`open`).

        Raise :exc:`OSError` if the file cannot be opened.
        """
        self.path = path
        self.mode = mode
        super(File, self).__init__(open(path, mode))


class String(FileWrapper):
    """In-memory style data, spooled to a temporary file.

    The content is stored as UTF-8 bytes in a temporary file, which keeps
    large content out of memory. Once text (:class:`str`) has been written,
    :meth:`read` decodes and returns text; content only ever given as bytes
    is read back as bytes.
    """

    def __init__(self, content=None):
        """Initialise holding *content* (str or bytes), positioned at start."""
        import tempfile  # imported when first needed

        super(String, self).__init__(tempfile.TemporaryFile())
        self._text = False
        if content is not None:
            self.write(content)
            self.seek(0)

    def write(self, content):
        """Write *content* (str or bytes) at the current position.

        Raise :exc:`TypeError` naming the type for anything else.
        """
        if isinstance(content, str):
            self._text = True
            content = content.encode('utf-8')
        elif isinstance(content, (bytearray, memoryview)):
            content = bytes(content)
        elif not isinstance(content, bytes):
            raise TypeError(
                'String data accepts str or bytes, got {0}.'.format(
                    type(content).__name__
                )
            )
        super(String, self).write(content)

    def read(self, limit=None):
        """Return up to *limit* bytes of content (everything left when None).

        The bytes are decoded as UTF-8 when text was written, so a *limit*
        cutting a character in two raises :exc:`UnicodeDecodeError`.
        """
        content = super(String, self).read(limit)
        if self._text:
            content = content.decode('utf-8')
        return content
