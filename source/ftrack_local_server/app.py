"""The aiohttp application: routes only.

``POST /api`` checks the credentials of the headers before the body is
read, reads the body up to the ``max_body`` limit, then hands it to
:mod:`ftrack_local_server.dispatch` off the event loop: parsing and
checking on a reader thread, then the batch itself on a reader thread
(batches that only read, in parallel, each on its own read connection) or
on the single writer thread (batches that write, one at a time, in
arrival order). The answer is the JSON list of results, or the single
error object (HTTP 200, or the error's status with ``ftrack-strict-api:
true``). The event server (:mod:`.events`) and the file endpoints
(:mod:`.files`) add their own routes through their ``setup(app, state)``
functions.

Malformed HTTP requests (bad header lines, NUL bytes, ...) are answered
with the ftrack error object too; neither the answer nor any log line
quotes the request's header lines, which may hold the API key.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from . import dispatch, errors, events, files, idempotency, limits

logger = logging.getLogger(__name__)

#: Largest request body the other endpoints (file uploads) accept; ``/api``
#: has its own limit (option ``max_body``, see :mod:`.limits`).
CLIENT_MAX_SIZE = 1024 ** 3

#: Threads running read-only batches (and the parsing of every batch).
READER_THREADS = 4

#: Chunk size used while reading a request body.
_CHUNK = 256 * 1024

try:
    STATE_KEY: Any = web.AppKey('ftrack_local_server_state', object)
except AttributeError:  # aiohttp < 3.9 has no typed application keys.
    STATE_KEY = 'ftrack_local_server_state'


class _QuietRequestHandler(RequestHandler):
    """Answers malformed requests with the error object, quoting nothing of them."""

    def handle_error(self, request: Any, status: int = 500,
                     exc: Optional[BaseException] = None,
                     message: Optional[str] = None) -> web.StreamResponse:
        if status >= 500 and not _is_parse_error(exc):
            # A real failure of the server: keep the traceback (the
            # logger's SecretFilter masks keys in it).
            self.logger.error('Error handling request from %s', request.remote,
                              exc_info=exc)
        else:
            self.logger.info('Refused a malformed request from %s (HTTP %d): %s',
                             request.remote, status, _reason(exc, message))
        if request.writer.output_size > 0:
            raise ConnectionError(
                'Response is sent already, cannot send another response '
                'with the error message')
        if status >= 500 and _is_parse_error(exc):
            status = 400
        error = errors.ApiError(
            'The server could not read the HTTP request: {0}.'.format(
                _reason(exc, message)),
            exception='ValidationError' if status < 500 else 'ServerError',
            status=status)
        response = web.Response(text=json.dumps(error.to_json()), status=status,
                                content_type='application/json')
        response.force_close()
        return response


def _is_parse_error(exc: Optional[BaseException]) -> bool:
    from aiohttp import http_exceptions
    return isinstance(exc, http_exceptions.HttpProcessingError)


def _reason(exc: Optional[BaseException], message: Optional[str]) -> str:
    # aiohttp's parse errors quote the offending header line (with its
    # value) after the first line of the message: keep the first line only.
    text = getattr(exc, 'message', None) or message or (
        type(exc).__name__ if exc is not None else 'malformed request')
    first = str(text).strip().splitlines()[0] if str(text).strip() else 'malformed request'
    return mask_secrets(first.rstrip(':').strip())


class _QuietServer(web.Server):
    """Builds :class:`_QuietRequestHandler` for every connection."""

    def __call__(self) -> RequestHandler:
        return _QuietRequestHandler(self, loop=self._loop, **self._kwargs)


with warnings.catch_warnings():
    # aiohttp discourages subclassing; the subclass only swaps the class of
    # the protocol server it builds, nothing of the application's behaviour.
    warnings.simplefilter('ignore', DeprecationWarning)

    class _Application(web.Application):
        def _make_handler(self, *args: Any, **kwargs: Any) -> web.Server:
            server = super()._make_handler(*args, **kwargs)
            if type(server) is web.Server:
                server.__class__ = _QuietServer
            return server


_SECRET_PATTERNS = [
    re.compile(r'(?i)(ftrack-api-key\s*[:=]\s*)[^\s\'"\\,;&]*'),
    re.compile(r'(?i)(api_?key\s*[:=]\s*)[^\s\'"\\,;&]*'),
]


def mask_secrets(text: str) -> str:
    """Return *text* with the values of API key headers and parameters hidden."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r'\1<hidden>', text)
    return text


class SecretFilter(logging.Filter):
    """Hides API keys in the records of aiohttp's loggers (message and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        masked = mask_secrets(message)
        if record.exc_info and record.exc_info[0] is not None:
            import traceback
            masked += '\n' + mask_secrets(''.join(
                traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
            record.exc_text = None
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        return True


_FILTER = SecretFilter()


def _install_filters() -> None:
    for name in ('aiohttp.server', 'aiohttp.access', 'aiohttp.web', 'aiohttp.websocket',
                 'aiohttp.internal', 'aiohttp.client'):
        target = logging.getLogger(name)
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)


def create_app(state: Any) -> web.Application:
    """Return the application serving *state* (a :class:`~ftrack_local_server.state.ServerState`).

    Sets ``state.event_server`` / ``state.file_server``; they are closed
    when the application shuts down. The option ``max_body`` (bytes, in
    ``state.config.options``; ``max_request_size`` is an older name)
    bounds ``/api`` bodies (default 256 MiB); the option
    ``concurrent_reads`` (default true) set to false runs every batch on
    the writer thread, one at a time.
    """
    _install_filters()
    app = _Application(
        client_max_size=max(CLIENT_MAX_SIZE, _max_body(state)),
        middlewares=[_log_requests, _api_errors],
    )
    app[STATE_KEY] = state
    state.store.concurrent_reads = bool(state.config.options.get('concurrent_reads', True))
    app[_READERS_KEY] = ThreadPoolExecutor(
        max_workers=READER_THREADS, thread_name_prefix='ftrack-local-server-read')
    app[_MEMORY_KEY] = idempotency.RecentBatches()
    app.router.add_post('/api', handle_api)
    state.event_server = events.setup(app, state)
    state.file_server = files.setup(app, state)
    app.on_shutdown.append(_close_parts)
    return app


try:
    _READERS_KEY: Any = web.AppKey('ftrack_local_server_readers', object)
    _MEMORY_KEY: Any = web.AppKey('ftrack_local_server_batches', object)
except AttributeError:
    _READERS_KEY = 'ftrack_local_server_readers'
    _MEMORY_KEY = 'ftrack_local_server_batches'


def _max_body(state: Any) -> int:
    return int(limits.option(state.config.options, 'max_body'))


async def _close_parts(app: web.Application) -> None:
    state = app[STATE_KEY]
    for part in (state.event_server, state.file_server):
        try:
            await part.close()
        except Exception:
            logger.exception('Error while closing %r.', part)
    app[_READERS_KEY].shutdown(wait=False)


@web.middleware
async def _log_requests(request: web.Request, handler: Any) -> web.StreamResponse:
    # Only method and path: query strings may carry credentials (file
    # endpoints take apiKey there).
    response = await handler(request)
    logger.debug('%s %s -> %s', request.method, request.path, response.status)
    return response


@web.middleware
async def _api_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    # Every answer of /api is the ftrack error object, whatever failed.
    if request.path.rstrip('/') != '/api':
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return web.json_response(errors.ApiError(
            'The request to {0} failed: {1} {2}.'.format(
                request.path, error.status, error.reason),
            exception='ValidationError' if error.status < 500 else 'ServerError',
        ).to_json(), status=error.status)


def _header_token(value: Optional[str]) -> Optional[str]:
    # The JS client sends the literal "undefined" when it has no push token.
    if value is None or value == '' or value == 'undefined':
        return None
    return value


async def _read_body(request: web.Request, limit: int) -> bytes:
    """Return the body of *request*, refusing more than *limit* bytes."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise limits.BodyTooLargeError(declared, limit)
    chunks = []
    size = 0
    while True:
        chunk = await request.content.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise limits.BodyTooLargeError('more than {0}'.format(limit), limit)
        chunks.append(chunk)
    return b''.join(chunks)


async def handle_api(request: web.Request) -> web.Response:
    """Serve ``POST /api``: one batch of operations, one transaction.

    A request carrying an :data:`~ftrack_local_server.idempotency.HEADER`
    token gets it back in the same response header: the client then knows
    that a repeat of that token is answered without applying it twice.
    """
    response = await _serve_api(request)
    token = request.headers.get(idempotency.HEADER)
    if token is not None and idempotency.HEADER not in response.headers:
        try:
            token = idempotency.token_from(request.headers)
        except errors.ApiError:
            token = None
        if token is not None:
            response.headers[idempotency.HEADER] = token
    return response


async def _serve_api(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    readers = request.app[_READERS_KEY]
    headers = request.headers
    strict = headers.get('ftrack-strict-api', '').strip().lower() == 'true'
    loop = asyncio.get_running_loop()
    try:
        # Credentials first: an unknown caller gets nothing read or parsed.
        # Not on the reader threads: a failed check may reload the keys,
        # which waits for a running write.
        user = await loop.run_in_executor(
            None, dispatch.auth.check_credentials, state,
            headers.get('ftrack-user'), headers.get('ftrack-api-key'))
        body = await _read_body(request, _max_body(state))
        operations, read_only = await loop.run_in_executor(
            readers, dispatch.prepare_batch, state, body)
        token = idempotency.token_from(headers)
        job = functools.partial(
            dispatch.run_batch,
            state,
            operations,
            user,
            client_token=_header_token(headers.get('ftrack-clienttoken')),
            push_token=_header_token(headers.get('ftrack-pushtoken')),
            strict=strict,
            encode=True,
            read_only=read_only,
        )
        if read_only and state.store.concurrent_reads and not state.store.in_memory:
            text = await loop.run_in_executor(readers, job)
        elif token is not None and not read_only:
            memory = request.app[_MEMORY_KEY]
            text = await loop.run_in_executor(
                state.executor, memory.run_once, state.store, user, token, body, job)
        else:
            text = await loop.run_in_executor(state.executor, job)
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
    response = web.Response(
        text=json.dumps(error.to_json()),
        status=error.status if strict else 200,
        content_type='application/json',
    )
    if isinstance(error, limits.BodyTooLargeError):
        # The rest of the body was not read: this connection cannot be reused.
        response.force_close()
    return response
