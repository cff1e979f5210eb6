"""Structure naming data after the entity id."""

from __future__ import annotations

from ftrack_api.structure.base import Structure


class EntityIdStructure(Structure):
    """Entity id pass-through structure: the identifier is the entity id.

    Used by the server location, whose storage is addressed by component id.
    """

    def get_resource_identifier(self, entity, context=None):
        """Return the ``id`` of *entity*; *context* is unused."""
        return entity['id']
