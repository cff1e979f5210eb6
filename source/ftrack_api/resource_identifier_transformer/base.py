"""The default, identity, resource identifier transformer."""

from __future__ import annotations


class ResourceIdentifierTransformer(object):
    """Transform resource identifiers.

    :meth:`encode` runs before a resource identifier is stored centrally
    and :meth:`decode` after it is read back, before local use; for
    instance to store key/value metadata centrally and compose a local path
    from it. This default implementation changes nothing. It is separate
    from any transformation an accessor performs.
    """

    def __init__(self, session):
        """Initialise with *session*, used to communicate with the server."""
        super(ResourceIdentifierTransformer, self).__init__()
        self.session = session

    def encode(self, resource_identifier, context=None):
        """Return *resource_identifier* transformed for central storage.

        *context* may be a mapping of additional information (for example
        the ``component``). The default returns it unchanged.
        """
        return resource_identifier

    def decode(self, resource_identifier, context=None):
        """Return *resource_identifier* transformed for local use.

        *context* may be a mapping of additional information (for example
        the ``component``). The default returns it unchanged.
        """
        return resource_identifier
