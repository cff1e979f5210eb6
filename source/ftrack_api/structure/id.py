"""Structure deriving paths from component ids."""

from __future__ import annotations

import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api.structure.base import Structure, UnsupportedEntityError


class IdStructure(Structure):
    """Id based structure supporting Components only.

    The component id is split into four one-character directories and the
    remainder, so no directory holds millions of entries::

        prefix/1/2/3/4/56789.exr

    Members of a container are stored inside the container's path, named
    by their own id and file type; members of a sequence are named
    ``file.<index><file type>`` with the sequence's padding, matching the
    sequence's own ``file.%04d.exr`` expression.
    """

    def get_resource_identifier(self, entity, context=None):
        """Return a resource identifier for supplied *entity*.

        *entity* must be a ``FileComponent``, ``SequenceComponent`` or
        ``ContainerComponent``; *context* is unused. Raise
        :exc:`~ftrack_api.structure.base.UnsupportedEntityError` (a
        :exc:`~ftrack_api.exception.StructureError`) for other entities.
        """
        entity_type = entity.entity_type

        if entity_type == 'FileComponent':
            container = entity['container']
            if container is None or container is ftrack_api.symbol.NOT_SET:
                parts = self._get_parts(entity)
                parts[-1] += self._file_type(entity)
                return self.path_separator.join(parts)

            container_path = self.get_resource_identifier(container)
            if container.entity_type == 'SequenceComponent':
                # The container's path ends with its expression file name;
                # members live beside it, in the sequence's directory.
                directory = container_path.rsplit(self.path_separator, 1)[0]
                name = 'file.{0}{1}'.format(
                    self._format_sequence_index(container, entity['name']),
                    self._file_type(entity),
                )
                return self.path_separator.join([directory, name])

            name = '{0}{1}'.format(entity['id'], self._file_type(entity))
            return self.path_separator.join([container_path, name])

        if entity_type == 'SequenceComponent':
            parts = self._get_parts(entity)
            parts.append(
                'file.{0}{1}'.format(
                    self._get_sequence_expression(entity), self._file_type(entity)
                )
            )
            return self.path_separator.join(parts)

        if entity_type == 'ContainerComponent':
            return self.path_separator.join(self._get_parts(entity))

        raise UnsupportedEntityError(
            'Cannot generate path for unsupported entity {entity}',
            details={'entity_type': entity_type, 'entity': entity},
        )

    def _get_parts(self, entity):
        """Return prefix and id chunks forming the path of *entity*."""
        entity_id = entity['id']
        parts = [self._prefix_part()] if self.prefix else []
        parts.extend(entity_id[:4])
        parts.append(entity_id[4:])
        return parts
