"""Structure passing through the resource identifier data already has."""

from __future__ import annotations

from ftrack_api.structure.base import MissingContextError, Structure


class OriginStructure(Structure):
    """Origin structure that passes through existing resource identifier."""

    def get_resource_identifier(self, entity, context=None):
        """Return the ``source_resource_identifier`` of *context*.

        *entity* (the component) is not looked at: the data keeps the
        identifier it has in its origin.

        *context* must be a mapping holding ``source_resource_identifier``,
        the identifier to pass through. Raise
        :exc:`~ftrack_api.structure.base.MissingContextError` (a
        :exc:`~ftrack_api.exception.StructureError` and :exc:`ValueError`)
        if it is missing.
        """
        resource_identifier = (context or {}).get('source_resource_identifier')
        if resource_identifier is None:
            raise MissingContextError(
                'Cannot generate a resource identifier for {entity!r}: the '
                'context has no "source_resource_identifier" (context was '
                '{context!r}).',
                details={'entity': entity, 'context': context},
            )
        return resource_identifier
