"""The ``get_widget_url`` action (protocol §2.8) and its access tokens.

Request ``{"action": "get_widget_url", "name": "tasks", "theme": "light"}``,
plus ``entity_type`` and ``entity_key`` for a widget about one entity.
Result ``{"widget_url": "<server>/widget/?widget=...&theme=...&token=..."}``.
The URL is authenticated by a random token that expires after six
minutes; the file endpoints serve the page it points to
(:mod:`ftrack_local_server.files.pages`). An unknown theme becomes
``dark``, as on a real server.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Dict, Optional
from urllib.parse import urlencode

from .. import errors
from ..rules.common import load
from ..rules.writer import writer_for
from . import action, base_url_of

#: The widgets a server offers.
WIDGET_NAMES = ('info', 'tasks', 'tasks_browser')

#: Widgets that show one entity and so need ``entity_type`` / ``entity_key``.
ENTITY_WIDGETS = ('info',)

#: Themes a widget can be drawn in; anything else means the first.
THEMES = ('dark', 'light')

#: Seconds a widget URL stays usable.
TOKEN_LIFETIME = 6 * 60.0

#: Seconds an expired token is kept, so its page can say "expired" rather
#: than "unknown".
EXPIRED_TOKEN_RETENTION = 24 * 3600.0

#: Table of the tokens handed out.
TOKEN_TABLE = '_ls_widget_token'

_CREATE_TABLE = (
    'CREATE TABLE IF NOT EXISTS {0} ('
    'token TEXT PRIMARY KEY, widget TEXT NOT NULL, theme TEXT NOT NULL, '
    'entity_type TEXT, entity_id TEXT, user_id TEXT, username TEXT, '
    'created_at REAL NOT NULL, expires_at REAL NOT NULL)'
).format(TOKEN_TABLE)


def ensure_table(tx: Any) -> None:
    """Create the token table in transaction *tx* if it is missing."""
    tx.execute(_CREATE_TABLE)


def find_token(tx: Any, token: str) -> Optional[Dict[str, Any]]:
    """Return the row of widget *token* as a mapping (with ``expires_at``), or ``None``."""
    ensure_table(tx)
    row = tx.query_one('SELECT * FROM {0} WHERE token = ?'.format(TOKEN_TABLE), (token,))
    return dict(row) if row is not None else None


def _entity(context: Any, operation: Dict[str, Any]) -> Any:
    entity_type = operation.get('entity_type')
    entity_key = operation.get('entity_key')
    if entity_type is None and entity_key is None:
        return None, None
    if not isinstance(entity_type, str) or context.tx.catalogue.find(entity_type) is None:
        raise errors.ValidationError(
            'get_widget_url "entity_type" must name an entity type, got {0}.'.format(
                errors.excerpt(entity_type))
        )
    if entity_key is None:
        raise errors.ValidationError(
            'get_widget_url was given entity_type {0} but no "entity_key".'.format(
                errors.excerpt(entity_type))
        )
    key = writer_for(context).parse_key(entity_type, entity_key)
    entity = load(context.tx, entity_type, key)
    if entity is None:
        raise errors.NotFoundError(
            'get_widget_url: no {0} with key {1} exists.'.format(entity_type, errors.excerpt(entity_key))
        )
    return entity.type_name, ','.join(str(value) for value in key)


@action('get_widget_url')
def get_widget_url(operation: Dict[str, Any], context: Any) -> Dict[str, str]:
    """Answer ``{"widget_url": ...}``: an authenticated URL of the widget ``name``.

    Raise :class:`~ftrack_local_server.errors.ValidationError` for an
    unknown widget name, a widget that needs an entity given none, or a
    malformed entity; :class:`~ftrack_local_server.errors.NotFoundError`
    for an entity that does not exist.
    """
    name = operation.get('name')
    if name not in WIDGET_NAMES:
        raise errors.ValidationError(
            'get_widget_url: unknown widget name {0}; the widgets are {1}.'.format(
                errors.excerpt(name), ', '.join(WIDGET_NAMES))
        )
    theme = operation.get('theme')
    if theme not in THEMES:
        theme = THEMES[0]
    entity_type, entity_id = _entity(context, operation)
    if name in ENTITY_WIDGETS and entity_type is None:
        raise errors.ValidationError(
            'The "{0}" widget shows one entity: give "entity_type" and "entity_key".'.format(name)
        )
    base_url = base_url_of(context, 'get_widget_url')
    tx = context.tx
    ensure_table(tx)
    now = time.time()
    tx.execute(
        'DELETE FROM {0} WHERE expires_at < ?'.format(TOKEN_TABLE), (now - EXPIRED_TOKEN_RETENTION,)
    )
    token = secrets.token_urlsafe(32)
    tx.insert(TOKEN_TABLE, {
        'token': token, 'widget': name, 'theme': theme,
        'entity_type': entity_type, 'entity_id': entity_id,
        'user_id': context.user.get('id'), 'username': context.user.get('username'),
        'created_at': now, 'expires_at': now + TOKEN_LIFETIME,
    })
    parameters = [('widget', name), ('theme', theme)]
    if entity_type is not None:
        parameters += [('entityType', entity_type), ('entityId', entity_id)]
    parameters.append(('token', token))
    return {'widget_url': '{0}/widget/?{1}'.format(base_url, urlencode(parameters))}
