"""Session._request: the requests.Session the /api calls really go through."""

import requests

from ftrack_local_server.testing import connect


def test_request_headers_and_adapters_take_effect(ftrack_server):
    session = connect(ftrack_server, auto_connect_event_hub=False)
    try:
        assert isinstance(session._request, requests.Session)
        seen = []

        class Recording(requests.adapters.HTTPAdapter):
            def send(self, request, **kw):
                seen.append(dict(request.headers))
                return super(Recording, self).send(request, **kw)

        session._request.headers['x-studio'] = 'test'
        session._request.mount('http://', Recording())
        session.query('Priority').first()
        assert seen and seen[-1]['x-studio'] == 'test'
        assert seen[-1]['ftrack-user'] == ftrack_server.api_user
    finally:
        session.close()


def test_request_can_be_replaced(ftrack_server):
    session = connect(ftrack_server, auto_connect_event_hub=False)
    try:
        replacement = requests.Session()
        replacement.auth = session._request.auth
        replacement.headers.update(session._request.headers)
        session._request = replacement
        assert session._request is replacement
        assert session.query('Priority').first() is not None
    finally:
        session.close()
