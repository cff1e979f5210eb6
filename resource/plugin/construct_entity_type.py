"""Default plugin constructing the entity classes of a session.

Place this file on ``FTRACK_EVENT_PLUGIN_PATH`` (or pass its directory in
``plugin_paths``) and edit :class:`Factory` to customise the classes built
from the server's schemas: default projections, helper methods, base
classes.
"""

import logging

import ftrack_api.entity.factory


class Factory(ftrack_api.entity.factory.StandardFactory):
    """Entity class factory."""

    def create(self, schema, bases=None):
        """Create and return entity class from *schema*."""
        # Customise the class here before returning it.
        return super(Factory, self).create(schema, bases=bases)


def register(session):
    """Register the factory with *session*.

    Only sessions of the ftrack_api package are handled: other APIs that
    scan the same plugin paths pass something else.
    """
    import ftrack_api.session

    if not isinstance(session, ftrack_api.session.Session):
        logging.getLogger(__name__).debug(
            'Not a ftrack_api session, not registering: %r', session
        )
        return

    factory = Factory()

    def construct_entity_type(event):
        """Return class to represent the schema of *event*."""
        return factory.create(event['data']['schema'])

    session.event_hub.subscribe(
        'topic=ftrack.api.session.construct-entity-type',
        construct_entity_type,
    )
