"""Put ftrack-api-ng's packages ahead of another ``ftrack_api``.

Run at interpreter start by the ``ftrack-api-ng.pth`` file an installed
(non-editable) ftrack-api-ng places in site-packages. Its packages live in
``site-packages/ftrack_api_ng_lib`` rather than in site-packages itself, so
no file is shared with ``ftrack-python-api`` (which installs the same import
name): installing or uninstalling either one never breaks the other. This
inserts that folder just before site-packages on ``sys.path``, so when both
are installed ``import ftrack_api`` gives ftrack-api-ng (and warns; see
``ftrack_api._coexistence``).
"""

import os
import sys

#: The folder, next to this module, holding the packages.
LIBRARY_FOLDER = 'ftrack_api_ng_lib'


def _install():
    here = os.path.dirname(os.path.abspath(__file__))
    library = os.path.join(here, LIBRARY_FOLDER)
    if not os.path.isdir(library) or library in sys.path:
        return
    try:
        index = sys.path.index(here)
    except ValueError:
        index = len(sys.path)
    sys.path.insert(index, library)


_install()
