"""Security roles: what a user may see and change.

Every ``/api`` batch runs with the :class:`~.access.Access` of its user
(:func:`access_for`): queries and the entities loaded with them are
filtered to the projects the user's roles cover (:mod:`.visibility`), and
every write is checked against the role table of :mod:`.roles`
(:mod:`.checks`). The server itself and administrators are never
restricted. ``doc/local_server.rst`` ("Permissions") describes the model
for users.
"""

from .access import Access, access_for, load_access
from .visibility import Visibility, visibility_of

__all__ = ['Access', 'Visibility', 'access_for', 'load_access', 'visibility_of']
