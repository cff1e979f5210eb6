"""examples/tutorial.py runs end to end against a LocalServer."""

import os
import subprocess
import sys

SCRIPT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples', 'tutorial.py'
)


def test_tutorial_script(ftrack_server, tmp_path):
    environment = dict(os.environ)
    environment.update({
        'FTRACK_SERVER': ftrack_server.url,
        'FTRACK_API_USER': ftrack_server.api_user,
        'FTRACK_API_KEY': ftrack_server.api_key,
        'FTRACK_API_SCHEMA_CACHE_PATH': str(tmp_path),
    })
    process = subprocess.run(
        [sys.executable, SCRIPT], env=environment, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, universal_newlines=True, timeout=120,
    )
    assert process.returncode == 0, process.stdout
    assert 'state CREATED' in process.stdout
    assert 'Queried back the same instance: True' in process.stdout
    assert 'After commit the sequence is gone.' in process.stdout
    assert 'Session closed: True.' in process.stdout
