"""Accessor for data on a local or mounted filesystem."""

from __future__ import annotations

import contextlib
import errno
import os
import sys  # noqa: F401 - upstream's module exposes it.

import ftrack_api._python_ntpath as ntpath  # noqa: F401 - as upstream's module.
import ftrack_api.data
import ftrack_api.exception
from ftrack_api.accessor.base import Accessor
# Integrations written for upstream import the accessor errors from here.
from ftrack_api.exception import (  # noqa: F401
    AccessorContainerNotEmptyError,
    AccessorFilesystemPathError,
    AccessorOperationFailedError,
    AccessorParentResourceNotFoundError,
    AccessorPermissionDeniedError,
    AccessorResourceInvalidError,
    AccessorResourceNotFoundError,
    AccessorUnsupportedOperationError,
)


@contextlib.contextmanager
def error_handler(**kw):
    """Turn an :exc:`OSError` raised in the block into an accessor error.

    Keyword arguments (*kw*) are passed to the raised error; accessors
    give *operation* (what was being done) and *resource_identifier*. The error
    class follows the error number as upstream's client chooses it: a
    missing file is :exc:`~ftrack_api.exception.AccessorResourceNotFoundError`,
    a directory that is not empty
    :exc:`~ftrack_api.exception.AccessorContainerNotEmptyError`, a file where
    a directory was expected (or the other way round)
    :exc:`~ftrack_api.exception.AccessorResourceInvalidError`, a refused
    access :exc:`~ftrack_api.exception.AccessorPermissionDeniedError` (a
    subclass of upstream's choice), anything else
    :exc:`~ftrack_api.exception.AccessorOperationFailedError`. The original
    error is chained and kept as the ``error`` detail. Other exceptions pass
    through unchanged.
    """
    try:
        yield
    except OSError as error:
        if error.errno == errno.ENOENT:
            error_class = ftrack_api.exception.AccessorResourceNotFoundError
        elif error.errno in (errno.EACCES, errno.EPERM):
            # Upstream raises the base AccessorOperationFailedError here;
            # this subclass of it says more and is still caught by it.
            error_class = ftrack_api.exception.AccessorPermissionDeniedError
        elif error.errno == errno.ENOTEMPTY:
            error_class = ftrack_api.exception.AccessorContainerNotEmptyError
        elif error.errno in (errno.ENOTDIR, errno.EISDIR):
            error_class = ftrack_api.exception.AccessorResourceInvalidError
        else:
            error_class = ftrack_api.exception.AccessorOperationFailedError
        details = dict(kw)
        details.setdefault('error', error)
        raise error_class(**details) from error


def _is_within(path, directory):
    """Return whether *path* is *directory* or inside it."""
    path = os.path.abspath(path)
    directory = os.path.abspath(directory)
    try:
        return os.path.commonpath([path, directory]) == directory
    except ValueError:
        # Different drives on Windows: certainly not inside.
        return False


class DiskAccessor(Accessor):
    """Provide disk access to a location.

    Resource identifiers are filesystem paths relative to *prefix* (an
    absolute path inside *prefix* is accepted too). With an empty prefix,
    identifiers are used as given: absolute paths, or paths relative to the
    current directory.
    """

    def __init__(self, prefix, **kw):
        """Initialise location accessor.

        *prefix* is the base folder for the disk based structure, in the
        syntax of the current OS, prepended to every resource identifier.
        Other keyword arguments (*kw*) go to :class:`Accessor`, which takes
        none: raise :exc:`TypeError` naming any unexpected one.
        """
        self.prefix = prefix
        super(DiskAccessor, self).__init__(**kw)

    def get_filesystem_path(self, resource_identifier):
        """Return filesystem path for *resource_identifier*.

        With prefix ``/mountpoint``, ``test.txt`` and
        ``/mountpoint/test.txt`` both give ``/mountpoint/test.txt``.

        Raise :exc:`~ftrack_api.exception.AccessorFilesystemPathError` if
        *resource_identifier* is not a path or resolves outside the prefix,
        through ``..`` or through symbolic links.
        """
        if isinstance(resource_identifier, os.PathLike):
            resource_identifier = os.fspath(resource_identifier)
        if not isinstance(resource_identifier, str):
            raise ftrack_api.exception.AccessorFilesystemPathError(
                resource_identifier
            )

        path = os.path.normpath(resource_identifier)
        if not self.prefix:
            return path

        prefix = os.path.normpath(self.prefix)
        if not os.path.isabs(path):
            path = os.path.normpath(os.path.join(prefix, path))
        # Symbolic links count: a link inside the prefix pointing outside it
        # must not give access there (upstream checks the text only).
        if not _is_within(path, prefix) or not _is_within(
            os.path.realpath(path), os.path.realpath(prefix)
        ):
            raise ftrack_api.exception.AccessorFilesystemPathError(
                resource_identifier,
                message='Could not determine access path for resource_identifier '
                'outside of configured prefix: {resource_identifier}.',
            )
        return path

    def list(self, resource_identifier):
        """Return list of entries in *resource_identifier* container.

        Entries are resource identifiers in the form of the one given,
        sorted by name. Raise
        :exc:`~ftrack_api.exception.AccessorResourceNotFoundError` if
        *resource_identifier* does not exist or
        :exc:`~ftrack_api.exception.AccessorResourceInvalidError` if it is
        not a container.
        """
        path = self.get_filesystem_path(resource_identifier)
        if not os.path.exists(path):
            raise ftrack_api.exception.AccessorResourceNotFoundError(
                operation='list', resource_identifier=resource_identifier
            )
        if not os.path.isdir(path):
            raise ftrack_api.exception.AccessorResourceInvalidError(
                operation='list',
                resource_identifier=resource_identifier,
                error='not a container',
            )

        with error_handler(operation='list', resource_identifier=resource_identifier):
            names = sorted(os.listdir(path))
        return [os.path.join(resource_identifier, name) for name in names]

    def exists(self, resource_identifier):
        """Return whether *resource_identifier* exists."""
        return os.path.exists(self.get_filesystem_path(resource_identifier))

    def is_file(self, resource_identifier):
        """Return whether *resource_identifier* refers to a file."""
        return os.path.isfile(self.get_filesystem_path(resource_identifier))

    def is_container(self, resource_identifier):
        """Return whether *resource_identifier* refers to a container."""
        return os.path.isdir(self.get_filesystem_path(resource_identifier))

    def is_sequence(self, resource_identifier):
        """Return whether *resource_identifier* refers to a file sequence.

        Raise :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError`:
        a filesystem has no notion of sequences.
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='is_sequence', resource_identifier=resource_identifier
        )

    def open(self, resource_identifier, mode='rb'):
        """Return :class:`~ftrack_api.data.File` for *resource_identifier*.

        *mode* is as for :func:`open`. Raise
        :exc:`~ftrack_api.exception.AccessorResourceNotFoundError` when
        reading a missing file,
        :exc:`~ftrack_api.exception.AccessorParentResourceNotFoundError`
        when writing into a missing directory and
        :exc:`~ftrack_api.exception.AccessorResourceInvalidError` when
        *resource_identifier* is a container.
        """
        path = self.get_filesystem_path(resource_identifier)
        if os.path.isdir(path):
            raise ftrack_api.exception.AccessorResourceInvalidError(
                operation='open',
                resource_identifier=resource_identifier,
                error='a container cannot be opened',
            )

        if 'r' in mode:
            if not os.path.exists(path):
                raise ftrack_api.exception.AccessorResourceNotFoundError(
                    operation='open', resource_identifier=resource_identifier
                )
        else:
            parent = os.path.dirname(path)
            if parent and not os.path.isdir(parent):
                raise ftrack_api.exception.AccessorParentResourceNotFoundError(
                    operation='open', resource_identifier=resource_identifier
                )

        with error_handler(operation='open', resource_identifier=resource_identifier):
            return ftrack_api.data.File(path, mode)

    def remove(self, resource_identifier):
        """Remove *resource_identifier*, a file or an empty container.

        Raise :exc:`~ftrack_api.exception.AccessorResourceNotFoundError` if
        it does not exist and
        :exc:`~ftrack_api.exception.AccessorContainerNotEmptyError` if it is
        a container holding entries.
        """
        path = self.get_filesystem_path(resource_identifier)
        with error_handler(operation='remove', resource_identifier=resource_identifier):
            if os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)
            elif os.path.lexists(path):
                os.remove(path)
            else:
                raise ftrack_api.exception.AccessorResourceNotFoundError(
                    operation='remove', resource_identifier=resource_identifier
                )

    def make_container(self, resource_identifier, recursive=True):
        """Make a container at *resource_identifier*.

        If *recursive* is True, also make any intermediate containers;
        otherwise raise
        :exc:`~ftrack_api.exception.AccessorParentResourceNotFoundError`
        when the parent is missing. An existing container is kept; an
        existing file raises
        :exc:`~ftrack_api.exception.AccessorResourceInvalidError`.
        """
        path = self.get_filesystem_path(resource_identifier)
        if os.path.isdir(path):
            return
        if os.path.exists(path):
            raise ftrack_api.exception.AccessorResourceInvalidError(
                operation='make_container',
                resource_identifier=resource_identifier,
                error='a file exists at this path',
            )

        with error_handler(operation='make_container', resource_identifier=resource_identifier):
            if recursive:
                os.makedirs(path, exist_ok=True)
                return

            parent = os.path.dirname(path)
            if parent and not os.path.isdir(parent):
                raise ftrack_api.exception.AccessorParentResourceNotFoundError(
                    operation='make_container',
                    resource_identifier=resource_identifier,
                )
            try:
                os.mkdir(path)
            except FileExistsError:
                # Created meanwhile by someone else; fine if a directory.
                if not os.path.isdir(path):
                    raise

    def get_container(self, resource_identifier):
        """Return resource identifier of the container of *resource_identifier*.

        With a prefix the result is relative to it (``''`` for the prefix
        itself), as upstream; without one it is the identifier's directory
        (``''`` for a bare name; a filesystem root is its own container). Raise
        :exc:`~ftrack_api.exception.AccessorParentResourceNotFoundError` for
        the prefix itself, whose container is outside the prefix.
        """
        path = self.get_filesystem_path(resource_identifier)
        parent = os.path.dirname(path)

        if self.prefix:
            prefix = os.path.normpath(self.prefix)
            if not _is_within(parent, prefix) or os.path.abspath(
                path
            ) == os.path.abspath(prefix):
                raise ftrack_api.exception.AccessorParentResourceNotFoundError(
                    resource_identifier=resource_identifier,
                    message='Could not determine container for '
                    '{resource_identifier} as container falls outside of '
                    'configured prefix.',
                )
            # As upstream: relative to the prefix, '' for the prefix itself.
            relative = os.path.relpath(parent, prefix)
            return '' if relative == os.curdir else relative

        # As upstream, a filesystem root is its own container.
        return parent
