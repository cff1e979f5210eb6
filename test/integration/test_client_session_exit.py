"""What a session does when the interpreter exits with it still open."""

import subprocess
import sys


def test_open_session_with_pending_work_exits_silently(ftrack_server):
    # As upstream: the pending-operations warning is only for close().
    script = (
        'import logging, ftrack_api\n'
        'logging.basicConfig(level=logging.DEBUG)\n'
        'session = ftrack_api.Session(server_url={0!r}, api_user={1!r}, api_key={2!r},\n'
        '    auto_connect_event_hub=False)\n'
        'session.create("Scope", {{"name": "never committed"}})\n'
        'print("closed" if session.closed else "open")\n'
    ).format(ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key)
    child = subprocess.run(
        [sys.executable, '-c', script], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == 'open'
    assert 'pending operations' not in child.stderr
    # It was still closed at exit (its connections released).
    assert 'Session closed.' in child.stderr


def test_explicit_close_still_warns(ftrack_session, caplog):
    ftrack_session.create('Scope', {'name': 'pending'})
    ftrack_session.close()
    assert 'Closing session with pending operations not persisted.' in caplog.text
