"""Session internals integrations reach into, against upstream 3.1.0."""

OPEN = 'session = ftrack_api.Session(auto_connect_event_hub=False)\n'


def test_close_with_pending_operations_warns(compat, ftrack_server):
    compat.compare(
        OPEN + 'session.create("Scope", {"name": "pending"})\n'
        'session.close()\n'
        'result = session.closed', server=ftrack_server)


def test_get_with_dict_values_and_unknown_type(compat, ftrack_server):
    compat.compare(
        OPEN + 'priority = session.query("Priority").first()\n'
        'same = session.get("Priority", {"id": priority["id"]}.values()) is priority\n'
        'try:\n'
        '    session.get("NoSuchType", "x")\n'
        'except KeyError:\n'
        '    unknown = "KeyError"\n'
        'session.close()\n'
        'result = [same, unknown]', server=ftrack_server)


def test_get_unknown_type_message(compat, ftrack_server):
    compat.compare(
        OPEN + 'session.get("NoSuchType", "x")', server=ftrack_server,
        fields=('raised',),
        kept='ours raises UnrecognisedEntityTypeError (also a KeyError) naming the type')


def test_request_is_the_requests_session(compat, ftrack_server):
    compat.compare(
        'import requests\n' + OPEN
        + 'session._request.headers["x-studio"] = "compat"\n'
        'session.query("Priority").first()\n'
        'result = [isinstance(session._request, requests.Session), '
        'api_headers[-1].get("x-studio"), api_headers[-1].get("ftrack-user") is not None]\n'
        'session.close()\n'
        'session._request', server=ftrack_server)


def test_request_timeout_is_settable(compat, ftrack_server):
    compat.compare(
        OPEN + 'session.request_timeout = 12\n'
        'value = session.request_timeout\n'
        'session.close()\n'
        'result = value', server=ftrack_server)


def test_local_cache_values_and_rollback(compat, ftrack_server):
    compat.compare(
        OPEN + 'scope = session.create("Scope", {"name": "cached"})\n'
        'before = scope in list(session._local_cache.values())\n'
        'session.rollback()\n'
        'after = scope in list(session._local_cache.values())\n'
        'session.close()\n'
        'result = [before, after]', server=ftrack_server)


def test_commit_goes_through_patched_call(compat, ftrack_server):
    compat.compare(
        OPEN + 'seen = []\n'
        'original = session.call\n'
        'def call(data):\n'
        '    seen.append([(op["action"], op["entity_type"]) for op in data])\n'
        '    return original(data)\n'
        'session.call = call\n'
        'session.create("Scope", {"name": "compat-patched-" + workdir[-6:]})\n'
        'session.commit()\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)
