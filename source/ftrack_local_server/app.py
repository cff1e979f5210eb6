"""The aiohttp application: routes only.

``POST /api`` hands the request to :func:`ftrack_local_server.dispatch.serve_request`
on the state's batch worker thread and turns the outcome into a response:
the JSON list of results, or the single error object (HTTP 200, or the
error's status with ``ftrack-strict-api: true``). The event server
(:mod:`.events`) and the file endpoints (:mod:`.files`) add their own routes
through their ``setup(app, state)`` functions.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any, Optional

from aiohttp import web

from . import dispatch, errors, events, files

logger = logging.getLogger(__name__)

#: Largest request body accepted. Batches of many thousand creates are
#: normal for pipeline scripts; aiohttp's default (1 MiB) is far too small.
CLIENT_MAX_SIZE = 1024 ** 3

try:
    STATE_KEY: Any = web.AppKey('ftrack_local_server_state', object)
except AttributeError:  # aiohttp < 3.9 has no typed application keys.
    STATE_KEY = 'ftrack_local_server_state'


def create_app(state: Any) -> web.Application:
    """Return the application serving *state* (a :class:`~ftrack_local_server.state.ServerState`).

    Sets ``state.event_server`` / ``state.file_server``; they are closed
    when the application shuts down. The option
    ``max_request_size`` (bytes, in ``state.config.options``) bounds request
    bodies (default :data:`CLIENT_MAX_SIZE`).
    """
    app = web.Application(
        client_max_size=_max_request_size(state),
        middlewares=[_log_requests],
    )
    app[STATE_KEY] = state
    app.router.add_post('/api', handle_api)
    state.event_server = events.setup(app, state)
    state.file_server = files.setup(app, state)
    app.on_shutdown.append(_close_parts)
    return app


def _max_request_size(state: Any) -> int:
    return int(state.config.options.get('max_request_size', CLIENT_MAX_SIZE))


async def _close_parts(app: web.Application) -> None:
    state = app[STATE_KEY]
    for part in (state.event_server, state.file_server):
        try:
            await part.close()
        except Exception:
            logger.exception('Error while closing %r.', part)


@web.middleware
async def _log_requests(request: web.Request, handler: Any) -> web.StreamResponse:
    # Only method and path: query strings may carry credentials (file
    # endpoints take apiKey there).
    response = await handler(request)
    logger.debug('%s %s -> %s', request.method, request.path, response.status)
    return response


def _header_token(value: Optional[str]) -> Optional[str]:
    # The JS client sends the literal "undefined" when it has no push token.
    if value is None or value == '' or value == 'undefined':
        return None
    return value


async def handle_api(request: web.Request) -> web.Response:
    """Serve ``POST /api``: one batch of operations, one transaction."""
    state = request.app[STATE_KEY]
    headers = request.headers
    strict = headers.get('ftrack-strict-api', '').strip().lower() == 'true'
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _error_response(
            errors.ValidationError(
                'The request body is too large ({0} bytes; at most {1} are '
                'accepted): split the batch.'.format(
                    request.content_length, _max_request_size(state)
                ),
                status=413,
            ),
            strict,
        )
    job = functools.partial(
        dispatch.serve_request,
        state,
        body,
        username=headers.get('ftrack-user'),
        api_key=headers.get('ftrack-api-key'),
        client_token=_header_token(headers.get('ftrack-clienttoken')),
        push_token=_header_token(headers.get('ftrack-pushtoken')),
        strict=strict,
    )
    try:
        text = await asyncio.get_running_loop().run_in_executor(state.executor, job)
    except errors.ApiError as error:
        return _error_response(error, strict)
    except Exception as error:
        logger.exception('Unexpected failure while serving /api.')
        return _error_response(
            errors.ApiError(
                'The server failed unexpectedly: {0}: {1}. Nothing of the '
                'batch was applied.'.format(type(error).__name__, error)
            ),
            strict,
        )
    return web.Response(text=text, content_type='application/json')


def _error_response(error: errors.ApiError, strict: bool) -> web.Response:
    return web.Response(
        text=json.dumps(error.to_json()),
        status=error.status if strict else 200,
        content_type='application/json',
    )
