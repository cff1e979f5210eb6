"""Versions: the API level implemented, and this distribution's own release.

``__version__`` is the upstream ``ftrack-python-api`` release whose
behaviour this package reproduces, because integrations compare it with
upstream versions (``>= 3.1.0`` and the like). The ``ftrack-api-ng``
distribution has its own version, :data:`distribution_version` (also what
``importlib.metadata.version('ftrack-api-ng')`` reports).
"""

__version__ = '3.1.0'

#: The release of the ftrack-api-ng distribution (read by setup.py).
distribution_version = '0.1.0'
