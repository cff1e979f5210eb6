"""The interface every structure implements."""

from __future__ import annotations

import abc

import ftrack_api.exception


class UnsupportedEntityError(
    ftrack_api.exception.StructureError, NotImplementedError
):
    """Raise when a structure cannot place an entity of this type.

    Also a :exc:`NotImplementedError`, which earlier releases raised.
    """


class MissingContextError(ftrack_api.exception.StructureError, ValueError):
    """Raise when the context lacks information a structure needs.

    Also a :exc:`ValueError`, which earlier releases raised.
    """


class Structure(abc.ABC):
    """Decide the resource identifier data is stored at in a location.

    A structure maps an entity (typically a component) to a resource
    identifier that the location's accessor understands.
    """

    def __init__(self, prefix=''):
        """Initialise structure with *prefix*, prepended to identifiers."""
        super(Structure, self).__init__()
        self.prefix = prefix
        #: Separator between the parts of generated identifiers.
        self.path_separator = '/'

    @abc.abstractmethod
    def get_resource_identifier(self, entity, context=None):
        """Return a resource identifier for supplied *entity*.

        *context* can be a mapping that supplies additional information.
        """

    def _get_sequence_expression(self, sequence):
        """Return the frame expression of *sequence* component.

        ``%04d`` for a padding of 4, ``%d`` when unpadded.
        """
        padding = sequence['padding']
        if padding:
            return '%0{0}d'.format(padding)
        return '%d'

    def _format_sequence_index(self, sequence, index):
        """Return member *index* of *sequence* formatted like its expression.

        A member name that is not an integer is returned unchanged.
        """
        try:
            number = int(index)
        except (TypeError, ValueError):
            return str(index)
        return self._get_sequence_expression(sequence) % number

    def _file_type(self, component):
        """Return the file type of *component*, empty when it has none."""
        file_type = component['file_type']
        if not file_type:
            return ''
        return file_type

    def _prefix_part(self):
        """Return the prefix without trailing separators (``/`` kept)."""
        return self.prefix.rstrip(self.path_separator) or self.prefix
