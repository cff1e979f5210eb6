"""HTTP transport to a server's ``/api`` endpoint (protocol §1)."""

from __future__ import annotations

import logging

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


#: Headers of every ``/api`` request, on top of the session's own.
_JSON_HEADERS = {'content-type': 'application/json', 'accept': 'application/json'}


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

    def post(self, body):
        """POST *body* (JSON text) and return the :class:`requests.Response`.

        Network failures (refused connection, timeout) raise the requests
        exception unchanged.
        """
        logger.debug('POST %s (%d bytes)', self.endpoint, len(body))
        return self._http.post(
            self.endpoint,
            data=body.encode('ascii'),
            headers=_JSON_HEADERS,
            timeout=self.timeout,
        )

    def call(self, body, decode):
        """Send *body* and return the decoded result list.

        *decode* turns the response text into Python values. Raise
        :exc:`ftrack_api.exception.ServerError` when the server reports an
        error, answers with an error status, or answers something that is
        not JSON.
        """
        response = self.post(body)
        text = response.text
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
            raise ftrack_api.exception.ServerError(
                'Server reported error: {0}({1})'.format(
                    result['exception'], result.get('content')
                )
            )

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

    def close(self):
        """Close the HTTP connections."""
        self._http.close()
