"""The page behind a widget URL from ``get_widget_url``: ``GET /widget/``.

A real server renders a web-interface panel; the local one has no web
interface, so it answers a small HTML page naming the widget, its theme,
the entity it is about and the user it was issued to. The ``token``
query parameter must be one the server issued less than six minutes ago;
otherwise the page answers 401 and says why.
"""

from __future__ import annotations

import html
import time
from typing import Any, Dict, Optional

from aiohttp import web

from ..actions.widgets import find_token
from .http import in_thread

_TITLES = {
    'info': 'Info',
    'tasks': 'My tasks',
    'tasks_browser': 'Tasks browser',
}

_COLOURS = {
    'dark': ('#2b2b2b', '#e6e6e6'),
    'light': ('#f5f5f5', '#1f1f1f'),
}


def _entity_name(tx: Any, entity_type: Optional[str], entity_id: Optional[str]) -> Optional[str]:
    if not entity_type or not entity_id or ',' in entity_id:
        return None
    row = tx.load(entity_type, (entity_id,))
    if row is None:
        return None
    layout = tx.model.layout(entity_type)
    for attribute in ('name', 'username', 'title'):
        column = layout.columns.get(attribute)
        if column is not None and row[column]:
            return str(row[column])
    return None


def _lookup(server: Any, token: str) -> Optional[Dict[str, Any]]:
    with server.state.store.transaction() as tx:
        found = find_token(tx, token)
        if found is not None:
            found['entity_name'] = _entity_name(tx, found['entity_type'], found['entity_id'])
        return found


def _page(status: int, title: str, body: str, theme: str = 'dark') -> web.Response:
    background, foreground = _COLOURS.get(theme, _COLOURS['dark'])
    text = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<title>{title}</title><style>body{{background:{bg};color:{fg};'
        'font-family:sans-serif;margin:2em}}dt{{font-weight:bold}}</style></head>'
        '<body data-theme="{theme}"><h1>{title}</h1>{body}</body></html>\n'
    ).format(title=html.escape(title), bg=background, fg=foreground,
             theme=html.escape(theme), body=body)
    return web.Response(status=status, text=text, content_type='text/html')


async def handle_widget(server: Any, request: web.Request) -> web.StreamResponse:
    """Serve ``GET /widget/``: the widget page, if its token is valid."""
    token = request.query.get('token')
    if not token:
        return _page(401, 'Widget unavailable', '<p>The widget URL has no token; ask '
                     'for a new one with get_widget_url.</p>')
    found = await in_thread(server.executor, _lookup, server, token)
    if found is None:
        return _page(401, 'Widget unavailable', '<p>The widget token is not known; ask '
                     'for a new URL with get_widget_url.</p>')
    if time.time() >= found['expires_at']:
        return _page(401, 'Widget link expired', '<p>This widget link expired (links are '
                     'valid for six minutes); ask for a new one with get_widget_url.</p>',
                     found['theme'])
    widget = found['widget']
    rows = [('Widget', widget), ('Theme', found['theme']),
            ('User', found['username'] or '')]
    if found['entity_type']:
        rows.append(('Entity', '{0} {1}'.format(found['entity_type'], found['entity_id'])))
        if found['entity_name']:
            rows.append(('Name', found['entity_name']))
    details = ''.join(
        '<dt>{0}</dt><dd>{1}</dd>'.format(html.escape(label), html.escape(value))
        for label, value in rows
    )
    body = (
        '<p>ftrack local server: the "{0}" widget. This server has no web interface, '
        'so the widget shows what it was opened for.</p><dl class="widget" '
        'data-widget="{0}">{1}</dl>'
    ).format(html.escape(widget), details)
    title = 'ftrack widget: {0}'.format(_TITLES.get(widget, widget))
    return _page(200, title, body, found['theme'])
