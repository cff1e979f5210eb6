"""Every script under examples/ runs to completion against a LocalServer.

The documentation includes these scripts (``literalinclude``), so this test
is what keeps the documented examples working. Each script is run in its
own interpreter, configured only through the environment variables a user
would set, and must exit with status 0.
"""

import glob
import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples'
))
SCRIPTS = sorted(glob.glob(os.path.join(EXAMPLES, '*.py')))


def test_examples_are_found():
    """The glob finds the example families the documentation shows."""
    names = {os.path.basename(path)[:-3] for path in SCRIPTS}
    expected = {
        'projects', 'notes', 'timers', 'custom_attributes', 'metadata',
        'link_attribute', 'scopes', 'jobs', 'lists', 'assignments',
        'entity_links', 'security_roles', 'task_templates', 'review_sessions',
        'invites', 'thumbnails', 'encode_media', 'publishing', 'web_review',
        'widget_urls', 'ldap_sync', 'tutorial',
    }
    assert expected <= names, 'missing examples: {0}'.format(
        sorted(expected - names)
    )


def test_every_example_is_in_the_documentation():
    """Each script is included (literalinclude) by a page under doc/."""
    documentation = os.path.join(os.path.dirname(EXAMPLES), 'doc')
    included = set()
    for directory, _folders, files in os.walk(documentation):
        if '_build' in directory.split(os.sep):
            continue
        for name in files:
            if name.endswith('.rst'):
                with open(os.path.join(directory, name), encoding='utf-8') as handle:
                    for line in handle:
                        if line.strip().startswith('.. literalinclude::'):
                            included.add(os.path.basename(line.split('::', 1)[1].strip()))
    missing = sorted(
        os.path.basename(path) for path in SCRIPTS
        if os.path.basename(path) not in included
    )
    assert missing == [], 'examples no documentation page includes: {0}'.format(missing)


@pytest.mark.parametrize(
    'script', SCRIPTS, ids=[os.path.basename(path) for path in SCRIPTS]
)
def test_example_runs(script, ftrack_server, tmp_path):
    """*script* exits with status 0 and prints no traceback."""
    environment = dict(os.environ)
    environment.update({
        'FTRACK_SERVER': ftrack_server.url,
        'FTRACK_API_USER': ftrack_server.api_user,
        'FTRACK_API_KEY': ftrack_server.api_key,
        'FTRACK_API_SCHEMA_CACHE_PATH': str(tmp_path),
        'PYTHONWARNINGS': 'error::DeprecationWarning:__main__',
    })
    environment.pop('FTRACK_EVENT_PLUGIN_PATH', None)
    process = subprocess.run(
        [sys.executable, script], env=environment, cwd=str(tmp_path),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, timeout=240,
    )
    assert process.returncode == 0, '{0} exited with {1}:\n{2}'.format(
        os.path.basename(script), process.returncode, process.stdout
    )
    assert 'Traceback' not in process.stdout, process.stdout
