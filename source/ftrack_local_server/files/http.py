"""Small HTTP helpers shared by the file endpoints."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, Optional, TypeVar
from urllib.parse import quote, unquote

from aiohttp import web

from .. import auth

logger = logging.getLogger(__name__)

T = TypeVar('T')

#: Headers letting a browser (the JavaScript client) PUT data and read the
#: ``ETag`` of a part, as a storage service's CORS rules would.
CORS_HEADERS = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, PUT, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, Content-MD5, Content-Length, Content-Disposition',
    'Access-Control-Expose-Headers': 'ETag',
}


class HttpProblem(Exception):
    """A request the file endpoints refuse: *status* and a *message* for the caller."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self, cors: bool = False) -> web.Response:
        """Return the plain-text error response."""
        headers: Dict[str, str] = dict(CORS_HEADERS) if cors else {}
        if self.status == 401:
            headers['WWW-Authenticate'] = 'ftrack-api-key'
        return web.Response(status=self.status, text=self.message + '\n', headers=headers)


async def in_thread(executor: Any, function: Callable[..., T], *arguments: Any) -> T:
    """Run *function* with *arguments* on *executor* and return its result."""
    return await asyncio.get_running_loop().run_in_executor(executor, function, *arguments)


def required_parameter(request: web.Request, name: str) -> str:
    """Return the query parameter *name*; raise :class:`HttpProblem` (400) if it is missing."""
    value = request.query.get(name)
    if not value:
        raise HttpProblem(400, 'The query parameter "{0}" is missing or empty.'.format(name))
    return value


def _raw_parameter(request: web.Request, name: str) -> Optional[str]:
    # The Python client inserts the username into URLs without encoding it,
    # so a "+" in it arrives raw; form decoding would turn it into a space.
    for pair in request.rel_url.raw_query_string.split('&'):
        key, _, value = pair.partition('=')
        if unquote(key) == name:
            return unquote(value)
    return None


async def authenticate(request: web.Request, state: Any, executor: Any) -> Dict[str, Any]:
    """Return the user the ``username`` / ``apiKey`` query parameters log in as.

    The ``ftrack-user`` / ``ftrack-api-key`` headers of ``/api`` requests
    are accepted instead. Raise :class:`HttpProblem` with status 401 naming
    the missing parameter or saying the credentials were rejected (never
    echoing the key).
    """
    username = request.query.get('username') or request.headers.get(auth.USER_HEADER)
    api_key = request.query.get('apiKey') or request.headers.get(auth.API_KEY_HEADER)
    if not username:
        raise HttpProblem(401, 'No credentials: the query parameter "username" is missing or empty.')
    if not api_key:
        raise HttpProblem(
            401, 'No credentials for user "{0}": the query parameter "apiKey" is '
            'missing or empty.'.format(username)
        )
    user = await in_thread(executor, auth.authenticate, state, username, api_key)
    if user is None:
        raw_username = _raw_parameter(request, 'username')
        if raw_username and raw_username != username:
            user = await in_thread(executor, auth.authenticate, state, raw_username, api_key)
    if user is None:
        raise HttpProblem(
            401, 'The credentials were rejected: user "{0}" does not exist or the '
            'apiKey is not valid for it.'.format(username)
        )
    return user


def content_disposition(file_name: Optional[str], disposition: str = 'inline') -> Optional[str]:
    """Return a ``Content-Disposition`` value naming *file_name*, or ``None`` without one."""
    if not file_name:
        return None
    fallback = ''.join(
        character if 32 <= ord(character) < 127 and character not in '"\\' else '_'
        for character in file_name
    )
    return '{0}; filename="{1}"; filename*=UTF-8\'\'{2}'.format(
        disposition, fallback, quote(file_name, safe='')
    )
