"""The differential harness itself: both sides run, and differences show."""

import pytest


def test_both_sides_run_the_same_snippet(compat):
    upstream, ours = compat.run('import sys\nresult = sys.modules["ftrack_api"].__name__')
    assert upstream['result'] == ours['result'] == 'ftrack_api'


def test_upstream_side_is_the_real_upstream(compat):
    upstream, ours = compat.run(
        'import ftrack_api._version, os\n'
        'result = os.path.dirname(ftrack_api.__file__)')
    assert upstream['result'] != ours['result']


def test_a_difference_is_reported(compat):
    with pytest.raises(AssertionError, match='upstream and ours differ'):
        compat.compare('result = __import__("sys").executable')


def test_exceptions_and_logs_are_described(compat):
    upstream, _ = compat.run(
        'import logging\n'
        'logging.getLogger("ftrack_api.compat").warning("careful %s", 1)\n'
        'raise ftrack_api.exception.NotFoundError("gone")')
    assert upstream['raised'] == {
        'type': 'NotFoundError', 'bases': ['NotFoundError', 'Error'], 'message': 'gone'}
    assert upstream['logs'] == [['WARNING', 'careful 1']]


def test_api_calls_are_recorded(compat, ftrack_server):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'session.query("select name from Project where name is \\"none\\"").all()\n'
        'session.close()\n'
        'result = [call for call in api_calls if call[0]["action"] == "query"]',
        server=ftrack_server)
