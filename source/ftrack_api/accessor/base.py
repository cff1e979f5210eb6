"""The interface every accessor implements."""

from __future__ import annotations

import abc

import ftrack_api.exception


class Accessor(abc.ABC):
    """Reads and writes the data of one location.

    A location is one storage; an accessor is one way to reach it (local
    filesystem, a server, a cloud API...). Only the part of a path all
    accessors of a location understand is stored centrally: the *resource
    identifier*, passed to every method taking ``resource_identifier``.
    """

    def __init__(self, **kw):
        """Make an accessor; subclasses take their own settings as keywords.

        The base class takes none: *kw* must be empty. Raise
        :exc:`TypeError` naming any unexpected keyword argument.
        """
        if kw:
            raise TypeError(
                '{0} got unexpected keyword argument(s): {1}.'.format(
                    type(self).__name__, ', '.join(sorted(kw))
                )
            )
        super(Accessor, self).__init__()

    @abc.abstractmethod
    def list(self, resource_identifier):
        """Return the resource identifiers inside the container *resource_identifier*.

        Raise
        :exc:`~ftrack_api.exception.AccessorResourceNotFoundError` if
        *resource_identifier* does not exist or
        :exc:`~ftrack_api.exception.AccessorResourceInvalidError` if it is
        not a container.
        """

    @abc.abstractmethod
    def exists(self, resource_identifier):
        """True if something is stored at *resource_identifier*."""

    @abc.abstractmethod
    def is_file(self, resource_identifier):
        """True if *resource_identifier* names a file."""

    @abc.abstractmethod
    def is_container(self, resource_identifier):
        """True if *resource_identifier* names a container (a folder)."""

    @abc.abstractmethod
    def is_sequence(self, resource_identifier):
        """True if *resource_identifier* names a sequence of files."""

    @abc.abstractmethod
    def open(self, resource_identifier, mode='rb'):
        """Open *resource_identifier*; return a :class:`~ftrack_api.data.Data`.

        *mode* is as for :func:`open`.
        """

    @abc.abstractmethod
    def remove(self, resource_identifier):
        """Delete what is stored at *resource_identifier*.

        Raise :exc:`~ftrack_api.exception.AccessorResourceNotFoundError` if
        *resource_identifier* does not exist.
        """

    @abc.abstractmethod
    def make_container(self, resource_identifier, recursive=True):
        """Create the container *resource_identifier*.

        With *recursive*, missing parents are created too; a container
        that already exists is left alone.
        """

    @abc.abstractmethod
    def get_container(self, resource_identifier):
        """Return the identifier of the container holding *resource_identifier*.

        Raise
        :exc:`~ftrack_api.exception.AccessorParentResourceNotFoundError` if
        the container could not be determined.
        """

    def remove_container(self, resource_identifier):
        """Delete the container at *resource_identifier*."""
        return self.remove(resource_identifier)

    def get_filesystem_path(self, resource_identifier):
        """Return the local path *resource_identifier* is stored at.

        Raise :exc:`~ftrack_api.exception.AccessorFilesystemPathError` if
        the path could not be determined from *resource_identifier* or
        :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError` if
        this accessor does not support filesystem paths (the default).
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='get_filesystem_path',
            resource_identifier=resource_identifier,
        )

    def get_url(self, resource_identifier):
        """Return an address *resource_identifier* can be fetched from.

        Raise :exc:`~ftrack_api.exception.AccessorFilesystemPathError` if
        the URL could not be determined from *resource_identifier* or
        :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError` if
        this accessor does not support URLs (the default).
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='get_url', resource_identifier=resource_identifier
        )
