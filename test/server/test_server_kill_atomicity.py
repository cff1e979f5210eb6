"""kill -9 in the middle of a large commit: after a restart the batch is all or nothing.

The server runs in a subprocess on a database file; a client sends one batch
of many creates, and the process is killed with SIGKILL at a random moment
while the batch is in flight. A new server on the same file must find
either every entity of the batch or none, and a database that passes
SQLite's integrity and foreign key checks. A few iterations here;
``bench/fuzz.py --kill N`` runs more.
"""

import os
import random
import signal
import sqlite3
import sys
import threading
import time
import uuid

import pytest
import requests

from ftrack_local_server import LocalServer
from ftrack_local_server.testing import RawApi, create_operation

pytestmark = pytest.mark.skipif(sys.platform == 'win32', reason='SIGKILL is POSIX')

CREATES = 3000


def _server_process(server):
    process = getattr(getattr(server, '_runner', None), '_process', None)
    assert process is not None, 'the server does not run in a subprocess'
    return process


def kill_during_commit(database, seed, creates=CREATES):
    """Kill a server mid-batch; return (tasks found after restart, creates sent)."""
    random_ = random.Random(seed)
    server = LocalServer(database=database, mode='process',
                         options={'batch_time_limit': 600})
    server.start()
    api = RawApi(server.url, server.api_user, server.api_key)
    project = api.create_project('kill-' + uuid.uuid4().hex[:8])
    tag = uuid.uuid4().hex[:8]
    operations = [
        create_operation('Task', {'id': str(uuid.uuid4()), 'name': '{0}-{1}'.format(tag, index),
                                  'parent_id': project['id']})
        for index in range(creates)]
    outcome = {}

    def send():
        try:
            outcome['answer'] = api.post(operations).json()
        except requests.RequestException as error:
            outcome['error'] = error

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(random_.uniform(0.05, 1.2))
    process = _server_process(server)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    sender.join(60)
    try:
        server.stop()
    except Exception:
        pass  # the process is gone already
    again = LocalServer(database=database)
    again.start()
    try:
        api = RawApi(again.url, again.api_user, again.api_key)
        found = api.query(
            'select id from Task where parent_id is "{0}"'.format(project['id']))
    finally:
        again.stop()
    if isinstance(outcome.get('answer'), list):
        # The server answered before it died: the batch must be there.
        assert len(found) == creates
    return len(found), creates


def check_database(database):
    connection = sqlite3.connect(database)
    try:
        assert connection.execute('PRAGMA integrity_check').fetchall() == [('ok',)]
        assert connection.execute('PRAGMA foreign_key_check').fetchall() == []
    finally:
        connection.close()


@pytest.mark.parametrize('seed', [1, 2, 3])
def test_killed_commit_is_all_or_nothing(tmp_path, seed):
    database = str(tmp_path / 'killed.sqlite')
    found, sent = kill_during_commit(database, seed)
    assert found in (0, sent), '{0} of {1} creates survived the kill'.format(found, sent)
    check_database(database)
