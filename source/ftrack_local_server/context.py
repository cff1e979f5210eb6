"""State shared by the operations of one ``/api`` request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class RequestContext:
    """What an action handler may use while serving one batch.

    *server* is the running server's state (:class:`ftrack_local_server.state.ServerState`:
    catalogue, store, configuration). *tx* is the open store transaction of
    the batch: every read and write of the batch goes through it, and it is
    rolled back if any operation fails. *user* is the authenticated user
    (``{'id': ..., 'username': ..., 'first_name': ..., 'last_name': ...}``).
    *changes* collects one record per entity added, updated or removed by
    the batch, in the shape of an ``ftrack.update`` entity (protocol §8.12);
    they are published once the batch has been committed. *client_token* and
    *push_token* come from the ``ftrack-clienttoken`` and
    ``ftrack-pushtoken`` headers; *strict* tells whether the client asked
    for strict errors (``ftrack-strict-api``). *writer* is the batch's
    :class:`~ftrack_local_server.rules.writer.Writer`, made on first use by
    :func:`~ftrack_local_server.rules.writer.writer_for`, and *access* the
    user's :class:`~ftrack_local_server.permissions.access.Access`, made on
    first use by :func:`~ftrack_local_server.permissions.access_for`.
    """

    server: Any
    tx: Any
    user: Dict[str, Any]
    changes: List[Dict[str, Any]] = field(default_factory=list)
    client_token: Optional[str] = None
    push_token: Optional[str] = None
    strict: bool = False
    writer: Any = None
    access: Any = None
