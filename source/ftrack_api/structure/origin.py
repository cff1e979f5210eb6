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
                'Could not generate resource identifier as no source resource '
                'identifier found in passed context.',
                details={'entity': entity, 'context': context},
            )
        return resource_identifier
