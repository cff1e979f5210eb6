"""The pytest plugin, exercised by running small user test suites with ``pytester``."""

from __future__ import annotations

import json

import ftrack_local_server.app  # noqa: F401
import ftrack_local_server.state  # noqa: F401
from ftrack_local_server import LocalServer, actions

# ``pytester`` restores ``sys.modules`` after each test, dropping modules
# first imported during it; importing the server (and registering its
# actions) now keeps a server started in a test from registering them twice.
actions.load_all()

USER_SUITE = '''
import requests


def _call(server, operations):
    return requests.post(
        server.url + "/api",
        json=operations,
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key},
        timeout=60,
    ).json()


SEEN = []


def test_server_answers(ftrack_server):
    info = _call(ftrack_server, [{"action": "query_server_information"}])[0]
    assert info["version"]
    SEEN.append(ftrack_server)


def test_same_server_for_the_session(ftrack_server):
    assert SEEN == [ftrack_server]
    assert _call(ftrack_server, [{"action": "query_schemas"}])[0]


def test_factory_starts_separate_servers(ftrack_server, ftrack_server_factory):
    bare = ftrack_server_factory(bare=True, api_user="factory.user")
    assert bare.url != ftrack_server.url
    assert bare.api_user == "factory.user"
    result = _call(bare, [{"action": "query", "expression": "select id from AssetType"}])
    assert result[0]["data"] == []
'''


def test_user_suite_uses_the_plugin_fixtures(pytester):
    pytester.makepyfile(test_user_suite=USER_SUITE)
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    result.assert_outcomes(passed=3)


def test_fixtures_are_listed_without_being_started(pytester):
    pytester.makepyfile(test_nothing='def test_nothing():\n    pass\n')
    result = pytester.runpytest_subprocess('--fixtures', '-q')
    for name in ('ftrack_server [[]session scope[]] -- *', 'ftrack_server_factory -- *',
                 'ftrack_session -- *'):
        result.stdout.fnmatch_lines([name])


def test_ini_fixture_files_seed_the_session_server(pytester):
    pytester.makefile('.json', studio=json.dumps([
        {'action': 'create', 'entity_type': 'ListCategory',
         'entity_data': {'name': 'From the ini fixture'}},
    ]))
    pytester.makeini(
        '[pytest]\nftrack_server_fixtures =\n    studio.json\nftrack_server_bare = true\n'
    )
    pytester.makepyfile(test_ini='''
import requests


def test_fixture_loaded(ftrack_server):
    result = requests.post(
        ftrack_server.url + "/api",
        json=[{"action": "query", "expression": "select name from ListCategory"}],
        headers={"ftrack-user": ftrack_server.api_user,
                 "ftrack-api-key": ftrack_server.api_key},
        timeout=60,
    ).json()
    assert [item["name"] for item in result[0]["data"]] == ["From the ini fixture"]
''')
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    result.assert_outcomes(passed=1)


def test_remote_server_option_uses_given_url_and_environment(pytester, monkeypatch):
    with LocalServer() as remote:
        monkeypatch.setenv('FTRACK_API_USER', remote.api_user)
        monkeypatch.setenv('FTRACK_API_KEY', remote.api_key)
        pytester.makepyfile(test_remote='''
import os


def test_remote(ftrack_server):
    assert ftrack_server.url == {url!r}
    assert ftrack_server.api_key == os.environ["FTRACK_API_KEY"]
    assert type(ftrack_server).__name__ == "RemoteServer"
'''.format(url=remote.url))
        result = pytester.runpytest_subprocess(
            '-p', 'no:cacheprovider', '-q', '--ftrack-server-url', remote.url + '/'
        )
        result.assert_outcomes(passed=1)


def test_remote_server_without_credentials_is_a_usage_error(pytester, monkeypatch):
    monkeypatch.delenv('FTRACK_API_USER', raising=False)
    monkeypatch.delenv('FTRACK_API_KEY', raising=False)
    pytester.makepyfile(test_remote='def test_remote(ftrack_server):\n    pass\n')
    result = pytester.runpytest_subprocess(
        '-p', 'no:cacheprovider', '--ftrack-server-url', 'http://127.0.0.1:9'
    )
    assert result.ret != 0
    result.stdout.fnmatch_lines(['*FTRACK_API_USER*FTRACK_API_KEY*'])


def test_ftrack_session_fixture_connects(pytester):
    pytester.makepyfile(test_session='''
def test_session(ftrack_session, ftrack_server):
    assert ftrack_session.server_url == ftrack_server.url
    assert ftrack_session.query("Location where name is \\"ftrack.server\\"").one()
''')
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    result.assert_outcomes(passed=1)
