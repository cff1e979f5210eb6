"""HTTP transport to a server's ``/api`` endpoint (protocol §1)."""

from __future__ import annotations

import logging
import random
import re
import time
import uuid

import requests
import requests.auth

import ftrack_api.exception

logger = logging.getLogger(__name__)


class SessionAuthentication(requests.auth.AuthBase):
    """Attach ftrack session authentication information to requests.

    Adds the ``ftrack-api-key`` and ``ftrack-user`` headers for *api_key*
    and *api_user*. The key never appears in the representation.
    """

    def __init__(self, api_key, api_user):
        super(SessionAuthentication, self).__init__()
        self.api_key = api_key
        self.api_user = api_user

    def __call__(self, request):
        request.headers.update({
            'ftrack-api-key': self.api_key,
            'ftrack-user': self.api_user,
        })
        return request

    def __repr__(self):
        return '<{0} user={1!r}>'.format(type(self).__name__, self.api_user)


#: Actions that change nothing on the server: a batch made only of them is
#: retried after a connection failure or a 502/503/504 answer.
READ_ONLY_ACTIONS = frozenset([
    'query', 'query_schemas', 'query_server_information', 'get_widget_url',
])

#: Statuses of a gateway or proxy that could not reach the server.
_RETRIED_STATUSES = (502, 503, 504)


_ACTION = re.compile(r'"action": "([a-z_]+)"')


def body_is_read_only(body):
    """Return whether the JSON batch text *body* only reads.

    Every ``"action": "..."`` in the text must be a read-only action. Text
    values cannot fake one (their quotes are escaped), and an entity value
    named ``action`` can only make a batch look like a write, so the
    answer is never wrongly "read-only". Only computed when a request
    failed.
    """
    actions = _ACTION.findall(body)
    return bool(actions) and all(action in READ_ONLY_ACTIONS for action in actions)


def _request_was_sent(error):
    """Return whether the request may have reached the server before *error*."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return False
    import urllib3.exceptions

    reason = getattr(error.args[0], 'reason', None) if error.args else None
    return not isinstance(reason, urllib3.exceptions.NewConnectionError)


#: Headers of every ``/api`` request, on top of the session's own.
_JSON_HEADERS = {'content-type': 'application/json', 'accept': 'application/json'}

#: Header carrying the token of one batch when writes may be retried; a
#: server that keeps tokens sends it back.
IDEMPOTENCY_HEADER = 'Idempotency-Key'


_API_KEY_VALUE = re.compile(r'("api_key"\s*:\s*")[^"]*(")')


class _Masked(object):
    """JSON text shown in a log line with its ``api_key`` values hidden.

    Formatting happens only when the line is written; ``%r`` of it is the
    ``repr`` of the text (as upstream logs it) with each key replaced by
    ``***`` (a new key from ``reset_remote`` must not reach a log file).
    """

    __slots__ = ('text',)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return repr(_API_KEY_VALUE.sub(r'\1***\2', self.text))


class Transport(object):
    """Send JSON batches to ``{server_url}/api`` and map errors.

    *timeout* (seconds) applies to every request. *headers* and *cookies*
    are sent with every request. *strict_api* is sent as the
    ``ftrack-strict-api`` header. *verify* is passed to requests: True
    (default) verifies TLS certificates with the system or
    ``REQUESTS_CA_BUNDLE`` authorities, a path names a CA bundle.
    """

    def __init__(
        self, server_url, api_user, api_key, timeout=60, headers=None,
        cookies=None, strict_api=False, verify=None,
    ):
        self.endpoint = server_url + '/api'
        self.timeout = timeout
        self._http = requests.Session()
        self._http.auth = SessionAuthentication(api_key, api_user)
        if headers:
            self._http.headers.update(headers)
        self._http.headers['ftrack-strict-api'] = 'true' if strict_api else 'false'
        if cookies:
            self._http.cookies.update(cookies)
        if verify is not None:
            self._http.verify = verify

    @property
    def http_session(self):
        """The :class:`requests.Session` every request goes through."""
        return self._http

    @http_session.setter
    def http_session(self, value):
        self._http = value

    def __repr__(self):
        return '<{0} {1}>'.format(type(self).__name__, self.endpoint)

    def post(self, body, token=None):
        """POST *body* (JSON text) and return the :class:`requests.Response`.

        *token* is sent as the :data:`IDEMPOTENCY_HEADER` header. Network
        failures (refused connection, timeout) raise the requests exception
        unchanged.
        """
        headers = _JSON_HEADERS
        if token is not None:
            headers = dict(_JSON_HEADERS)
            headers[IDEMPOTENCY_HEADER] = token
        return self._http.post(
            self.endpoint,
            data=body.encode('ascii'),
            headers=headers,
            timeout=self.timeout,
        )

    #: Whether every batch carries an :data:`IDEMPOTENCY_HEADER` token
    #: (``Session(retry_writes=True)``), so that a write whose answer was
    #: lost can be retried once the server showed that it keeps tokens.
    retry_writes = False

    #: Whether the server sent a batch's token back (it keeps tokens and
    #: answers a repeated one without applying the batch again).
    server_keeps_tokens = False

    #: Where calls and the errors reported by the server are logged (the
    #: session sets its own logger, ``ftrack_api.session.<class name>``).
    session_logger = logging.getLogger('ftrack_api.session.Session')

    #: Retries of a read-only batch after a connection failure or a
    #: 502/503/504 answer, the first delay and the longest one (seconds;
    #: the delay doubles, with jitter).
    retry_attempts = 3
    retry_delay = 0.25
    retry_max_delay = 2.0

    def call(self, body, decode):
        """Send *body* and return the decoded result list.

        *decode* turns the response text into Python values. A batch that
        only reads (see :func:`body_is_read_only`) is retried after a
        connection failure or a 502/503/504 answer (:attr:`retry_attempts`
        times).

        Raise :exc:`ftrack_api.exception.ServerError` when the server
        reports an error, answers with an error status, or answers
        something that is not JSON; a network failure raises the requests
        exception (for a batch that changes data and may have reached the
        server, its message says so and what to do).
        """
        # The three debug lines upstream writes for every call (formatted
        # only when debug logging is on).
        self.session_logger.debug('Calling server %s with %r', self.endpoint, _Masked(body))
        started = time.perf_counter()
        response = self._post_retrying(body)
        self.session_logger.debug('Call took: %s', round(time.perf_counter() - started, 6))
        text = response.text
        self.session_logger.debug('Response: %r', _Masked(text))
        try:
            result = decode(text)
        except ftrack_api.exception.Error:
            raise
        except Exception:
            raise ftrack_api.exception.ServerError(
                'Server reported error in unexpected format. Raw error was: '
                '{0}'.format(text)
            ) from None

        if isinstance(result, dict) and 'exception' in result:
            message = 'Server reported error: {0}({1})'.format(
                result['exception'], result.get('content'))
            # Upstream logs the server's error at ERROR on the session's
            # logger before raising it; handlers and tests may count on it.
            self.session_logger.exception(message)
            raise ftrack_api.exception.ServerError(message)

        if response.status_code >= 400:
            try:
                response.raise_for_status()
            except requests.HTTPError as error:
                raise ftrack_api.exception.ServerError(str(error)) from None

        if not isinstance(result, list):
            raise ftrack_api.exception.ServerError(
                'Server reported error in unexpected format. Raw error was: '
                '{0}'.format(text)
            )
        return result

    def _post_retrying(self, body):
        """POST *body*, retrying a read-only batch; return the response.

        With :attr:`retry_writes` the batch carries a new token, the same on
        every retry, and once :attr:`server_keeps_tokens` a write is retried
        like a read.
        """
        attempt = 0
        read_only = None  # worked out on the first failure only
        token = uuid.uuid4().hex if self.retry_writes else None
        while True:
            try:
                response = self._post_with_token(body, token)
            except requests.ConnectionError as error:
                if read_only is None:
                    read_only = self._may_repeat(body, token)
                if read_only and attempt < self.retry_attempts:
                    attempt = self._wait_before_retry(attempt, error)
                    continue
                if not read_only and _request_was_sent(error):
                    raise _possibly_applied(error, self.endpoint) from error
                raise
            except requests.Timeout as error:
                if token is not None and self.server_keeps_tokens:
                    if attempt < self.retry_attempts:
                        # The server may still be running the batch: the
                        # repeat waits for it and gets its answer.
                        attempt = self._wait_before_retry(attempt, error)
                        continue
                    raise
                if read_only is None:
                    read_only = body_is_read_only(body)
                if not read_only:
                    raise _possibly_applied(error, self.endpoint) from error
                raise
            if (
                response.status_code in _RETRIED_STATUSES
                and attempt < self.retry_attempts
            ):
                if read_only is None:
                    read_only = self._may_repeat(body, token)
                if not read_only:
                    return response
                response.close()
                attempt = self._wait_before_retry(
                    attempt, 'HTTP {0}'.format(response.status_code)
                )
                continue
            return response

    def _may_repeat(self, body, token):
        """Return whether *body* may be sent again: it only reads, or it
        carries *token* and the server keeps tokens."""
        return body_is_read_only(body) or (token is not None and self.server_keeps_tokens)

    def _post_with_token(self, body, token):
        if token is None:
            return self.post(body)
        response = self.post(body, token=token)
        if response.headers.get(IDEMPOTENCY_HEADER) == token:
            self.server_keeps_tokens = True
        return response

    def _wait_before_retry(self, attempt, cause):
        delay = min(self.retry_delay * 2 ** attempt, self.retry_max_delay)
        delay *= random.uniform(1.0, 1.5)
        logger.info(
            'Retrying a request to %s in %.2f s (attempt %d of %d) '
            'after: %s', self.endpoint, delay, attempt + 1, self.retry_attempts,
            cause,
        )
        time.sleep(delay)
        return attempt + 1

    def close(self):
        """Close the HTTP connections."""
        self._http.close()


def _possibly_applied(error, endpoint):
    """Return *error* (same class) explaining that a write may have been applied."""
    message = (
        '{0} The request to {1} changed data and the server may have applied '
        'it before the connection failed. Check on the server (query what '
        'the batch created or changed) before committing again: the session '
        'still holds the changes, and rollback() discards them. '
        'Session(retry_writes=True) retries such writes safely with a server '
        'that keeps batch tokens (Idempotency-Key), as the local server does.'.format(
            error, endpoint
        )
    )
    return type(error)(message, request=error.request, response=error.response)
