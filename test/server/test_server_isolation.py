"""Isolated tests: every test using ``ftrack_server`` starts from the same data.

The plugin side runs small user suites with ``pytester``; the
:meth:`LocalServer.snapshot` / :meth:`LocalServer.restore` pair underneath
is tested directly.
"""

from __future__ import annotations

import pytest

import ftrack_local_server.app  # noqa: F401
import ftrack_local_server.state  # noqa: F401
from ftrack_local_server import LocalServer, LocalServerError, actions
from ftrack_local_server.testing import RawApi

# See test_server_cli_pytest_plugin: keep pytester from dropping the modules
# a server registers its actions from.
actions.load_all()

DUPLICATE_PROJECTS = '''
import pytest


def _create_dup(session):
    schema = session.query("ProjectSchema").first()
    session.create("Project", {
        "name": "dup", "full_name": "Duplicate", "project_schema": schema})
    session.commit()


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_create_dup(ftrack_session, attempt):
    assert ftrack_session.query('Project where name is "dup"').all() == []
    _create_dup(ftrack_session)
'''


def _api(server):
    return RawApi(server.url, server.api_user, server.api_key)


def _project_names(api):
    result = api.call([{'action': 'query', 'expression': 'select name from Project'}])
    return sorted(row['name'] for row in result[0]['data'])


def test_tests_creating_the_same_project_do_not_collide(pytester):
    pytester.makepyfile(test_dup=DUPLICATE_PROJECTS)
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    result.assert_outcomes(passed=3)


def test_ini_opt_out_shares_the_data(pytester):
    pytester.makeini('[pytest]\nftrack_server_isolated = false\n')
    pytester.makepyfile(test_dup=DUPLICATE_PROJECTS)
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    # The first creates "dup"; the later ones find it already there.
    result.assert_outcomes(passed=1, failed=2)


WIDER_FIXTURES = '''
import pytest
import requests


def call(server, *operations):
    return requests.post(
        server.url + "/api", json=list(operations),
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key},
        timeout=60,
    ).json()


def category_names(server):
    rows = call(server, {"action": "query", "expression": "select name from ListCategory"})
    return sorted(row["name"] for row in rows[0]["data"])


def create_category(server, name):
    result = call(server, {"action": "create", "entity_type": "ListCategory",
                           "entity_data": {"name": name}})
    assert "exception" not in result[0], result


@pytest.fixture(scope="module")
def module_category(ftrack_server):
    create_category(ftrack_server, "from the module fixture")
    return "from the module fixture"


@pytest.fixture
def test_category(ftrack_server):
    create_category(ftrack_server, "from a function fixture")


def test_first(ftrack_server, module_category, test_category):
    names = category_names(ftrack_server)
    assert module_category in names
    assert names.count("from a function fixture") == 1
    create_category(ftrack_server, "from a test")


def test_second(ftrack_server, module_category, test_category):
    names = category_names(ftrack_server)
    assert module_category in names
    assert names.count("from a function fixture") == 1
    assert "from a test" not in names


def test_through_another_fixture_only(module_category, ftrack_server):
    names = category_names(ftrack_server)
    assert "from a function fixture" not in names
    assert "from a test" not in names
'''


def test_wider_fixture_data_is_kept_and_test_changes_are_undone(pytester):
    pytester.makepyfile(test_wider=WIDER_FIXTURES)
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    result.assert_outcomes(passed=3)


NEXT_MODULE = '''
from test_wider import category_names


def test_later_module_sees_none_of_the_earlier_modules_data(ftrack_server):
    names = category_names(ftrack_server)
    assert "from a test" not in names
    assert "from a function fixture" not in names
    # Torn down with its module, the module fixture took its data along.
    assert "from the module fixture" not in names
'''


def test_a_later_module_starts_without_the_changes_of_earlier_modules(pytester):
    pytester.makepyfile(test_wider=WIDER_FIXTURES, test_wider_next=NEXT_MODULE)
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    result.assert_outcomes(passed=4)


MODULE_PROJECT = '''
import pytest


@pytest.fixture(scope="module")
def project(ftrack_server):
    import ftrack_api

    session = ftrack_api.Session(
        server_url=ftrack_server.url, api_user=ftrack_server.api_user,
        api_key=ftrack_server.api_key, auto_connect_event_hub=False)
    schema = session.query("ProjectSchema").first()
    session.create("Project", {
        "name": "dup", "full_name": "Module MODULE", "project_schema": schema})
    session.commit()
    yield "dup"
    session.close()


def test_project_exists(ftrack_session, project):
    found = ftrack_session.query('Project where name is "dup"').one()
    assert found["full_name"] == "Module MODULE"


def test_project_still_there_for_the_next_test(ftrack_session, project):
    assert ftrack_session.query('Project where name is "dup"').one()
'''


def test_modules_whose_fixtures_create_the_same_project_do_not_collide(pytester):
    pytester.makepyfile(test_first=MODULE_PROJECT.replace('MODULE', 'one'),
                        test_second=MODULE_PROJECT.replace('MODULE', 'two'))
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    result.assert_outcomes(passed=4)


def test_opt_out_keeps_module_fixture_data(pytester):
    pytester.makeini('[pytest]\nftrack_server_isolated = false\n')
    pytester.makepyfile(test_first=MODULE_PROJECT.replace('MODULE', 'one'),
                        test_second=MODULE_PROJECT.replace('MODULE', 'two'))
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', '-q')
    # The second module's fixture finds "dup" already there.
    result.assert_outcomes(passed=2, errors=2)


def test_restore_undoes_changes_and_reports_whether_it_copied():
    with LocalServer() as server:
        api = _api(server)
        server.snapshot()
        before = _project_names(api)
        assert server.restore() is False
        schema = api.call([{'action': 'query',
                            'expression': 'select id from ProjectSchema'}])[0]['data'][0]
        api.call([{'action': 'create', 'entity_type': 'Project', 'entity_data': {
            'name': 'restored_away', 'full_name': 'Restored away',
            'project_schema_id': schema['id']}}])
        assert 'restored_away' in _project_names(api)
        assert server.restore() is True
        assert _project_names(api) == before
        # The same snapshot can be restored again and again.
        api.call([{'action': 'create', 'entity_type': 'Project', 'entity_data': {
            'name': 'again', 'full_name': 'Again', 'project_schema_id': schema['id']}}])
        assert server.restore() is True
        assert _project_names(api) == before


def test_restore_forgets_keys_added_after_the_snapshot():
    with LocalServer() as server:
        api = _api(server)
        server.snapshot()
        result = api.call([{'action': 'create', 'entity_type': 'User', 'entity_data': {
            'username': 'later.user', 'is_active': True}}])
        assert 'exception' not in result[0], result
        server.restore()
        found = api.call([{'action': 'query',
                           'expression': 'select id from User where username is "later.user"'}])
        assert found[0]['data'] == []
        # The administrator's credentials still work after the restore.
        assert api.call([{'action': 'query_server_information'}])[0]['version']


def test_restore_needs_a_snapshot_and_a_running_thread_server():
    server = LocalServer()
    with pytest.raises(LocalServerError, match=r'restore\(\) needs a running server'):
        server.restore()
    with server:
        with pytest.raises(LocalServerError, match=r'call snapshot\(\) first'):
            server.restore()
        server.snapshot()
    # Stopping releases the snapshot: a new start needs a new one.
    with server:
        with pytest.raises(LocalServerError, match=r'call snapshot\(\) first'):
            server.restore()


def test_snapshot_in_process_mode_names_the_mode():
    with LocalServer(mode='process') as server:
        with pytest.raises(LocalServerError, match='thread mode only; this server runs in process mode'):
            server.snapshot()
