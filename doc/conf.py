"""Sphinx configuration of the ftrack-api-ng documentation.

Build with ``sphinx-build -W --keep-going -b html doc doc/_build/html``
after ``pip install -e '.[doc]'``. Nothing is fetched from the network:
intersphinx is not used.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Document the checkout being built, even when another copy is installed.
sys.path.insert(0, os.path.join(ROOT, 'source'))

import ftrack_api  # noqa: E402
import ftrack_api._version  # noqa: E402

project = 'ftrack-api-ng'
author = 'the ftrack-api-ng contributors'
copyright = 'the ftrack-api-ng contributors'
release = ftrack_api._version.distribution_version
version = release

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.viewcode',
]

exclude_patterns = ['_build']
templates_path = []
master_doc = 'index'
root_doc = 'index'

html_theme = 'furo'
html_title = 'ftrack-api-ng {0}'.format(release)
html_static_path = []

# API reference: members in source order, with their bases; the signature
# is shown once, in the class line (not repeated for __init__).
autodoc_default_options = {
    'members': True,
    'undoc-members': True,
    'show-inheritance': True,
    'member-order': 'bysource',
}
autoclass_content = 'both'
autodoc_typehints = 'signature'
autodoc_mock_imports = []

# The local server's optional dependencies (aiohttp, Pillow) come with the
# "server" extra; the reference is still built without them.
try:
    import aiohttp  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    autodoc_mock_imports.append('aiohttp')

pygments_style = 'sphinx'
