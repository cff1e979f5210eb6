"""Build the ``ftrack.update`` event announcing the changes of a batch."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

#: ``source.applicationId`` of events the server publishes itself.
SERVER_APPLICATION_ID = 'ftrack.client.web'


def build_update_event(context: Any) -> Dict[str, Any]:
    """Return the wire ``ftrack.update`` event for the committed batch *context*.

    *context* is the batch's :class:`~ftrack_local_server.context.RequestContext`:
    its ``changes`` are the entity records (action, entityId, entityType,
    entity_type, objectTypeId, parentId, keys, changes, parents), its
    ``user`` the authenticated user and its tokens come from the request.
    """
    entities = list(context.changes)
    user = context.user or {}
    client_token = context.client_token
    return {
        'id': uuid.uuid4().hex,
        'topic': 'ftrack.update',
        'data': {
            'entities': entities,
            'parents': _parent_ids(entities),
            'pushToken': context.push_token,
            'clientToken': client_token,
            'user': {'userid': user.get('id'), 'name': _display_name(user)},
        },
        'source': {
            'clientToken': client_token,
            'applicationId': SERVER_APPLICATION_ID,
            'user': {'username': user.get('username'), 'id': user.get('id')},
            'id': client_token or uuid.uuid4().hex,
        },
        'target': '',
        'sent': None,
        'inReplyToEvent': None,
    }


def _parent_ids(entities: List[Dict[str, Any]]) -> List[str]:
    """Return the ids of every entity's ``parents``, each once, in order."""
    seen = set()
    ids = []
    for entity in entities:
        for parent in entity.get('parents') or []:
            identifier = parent.get('entityId') if isinstance(parent, dict) else None
            if identifier is not None and identifier not in seen:
                seen.add(identifier)
                ids.append(identifier)
    return ids


def _display_name(user: Dict[str, Any]) -> Optional[str]:
    """Return "First Last", or the username when the user has no name."""
    name = ' '.join(
        part for part in (user.get('first_name'), user.get('last_name')) if part
    )
    return name or user.get('username')
