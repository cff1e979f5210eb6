"""The interface every accessor implements."""

from __future__ import annotations

import abc

import ftrack_api.exception


class Accessor(abc.ABC):
    """Provide data access to a location.

    A location is one storage; an accessor is one way to reach it (local
    filesystem, a server, a cloud API...). Only the part of a path all
    accessors of a location understand is stored centrally: the *resource
    identifier*, passed to every method taking ``resource_identifier``.
    """

    def __init__(self, **kw):
        """Initialise accessor.

        Raise :exc:`TypeError` naming any unexpected keyword argument.
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
        """Return list of entries in *resource_identifier* container.

        Each entry is a valid resource identifier. Raise
        :exc:`~ftrack_api.exception.AccessorResourceNotFoundError` if
        *resource_identifier* does not exist or
        :exc:`~ftrack_api.exception.AccessorResourceInvalidError` if it is
        not a container.
        """

    @abc.abstractmethod
    def exists(self, resource_identifier):
        """Return whether *resource_identifier* exists."""

    @abc.abstractmethod
    def is_file(self, resource_identifier):
        """Return whether *resource_identifier* refers to a file."""

    @abc.abstractmethod
    def is_container(self, resource_identifier):
        """Return whether *resource_identifier* refers to a container."""

    @abc.abstractmethod
    def is_sequence(self, resource_identifier):
        """Return whether *resource_identifier* refers to a file sequence."""

    @abc.abstractmethod
    def open(self, resource_identifier, mode='rb'):
        """Return :class:`~ftrack_api.data.Data` for *resource_identifier*.

        *mode* is as for :func:`open`.
        """

    @abc.abstractmethod
    def remove(self, resource_identifier):
        """Remove *resource_identifier*.

        Raise :exc:`~ftrack_api.exception.AccessorResourceNotFoundError` if
        *resource_identifier* does not exist.
        """

    @abc.abstractmethod
    def make_container(self, resource_identifier, recursive=True):
        """Make a container at *resource_identifier*.

        If *recursive* is True, also make any intermediate containers.
        Existing containers are silently kept as they are.
        """

    @abc.abstractmethod
    def get_container(self, resource_identifier):
        """Return resource identifier of the container of *resource_identifier*.

        Raise
        :exc:`~ftrack_api.exception.AccessorParentResourceNotFoundError` if
        the container could not be determined.
        """

    def remove_container(self, resource_identifier):
        """Remove container at *resource_identifier*."""
        return self.remove(resource_identifier)

    def get_filesystem_path(self, resource_identifier):
        """Return filesystem path for *resource_identifier*.

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
        """Return URL for *resource_identifier*.

        Raise :exc:`~ftrack_api.exception.AccessorFilesystemPathError` if
        the URL could not be determined from *resource_identifier* or
        :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError` if
        this accessor does not support URLs (the default).
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='get_url', resource_identifier=resource_identifier
        )
