"""Warn when ftrack-python-api is installed next to this package.

Both distributions provide the import package ``ftrack_api``. An installed
ftrack-api-ng keeps its packages apart (``site-packages/ftrack_api_ng_lib``,
put first on ``sys.path`` by its ``.pth`` file), so neither install breaks
the other and ``import ftrack_api`` gives ftrack-api-ng; this module tells
the user, once per process, that the other one is present and how to
choose.
"""

from __future__ import annotations

import os
import site
import sys
import warnings

#: Start of the metadata folder names of the upstream distribution.
_UPSTREAM_PREFIXES = ('ftrack_python_api-', 'ftrack-python-api-')


class CoexistenceWarning(UserWarning):
    """Another distribution providing ``ftrack_api`` is installed."""


def _site_directories(package_directory):
    """Return the folders where another ``ftrack_api`` could be installed."""
    directories = []
    parent = os.path.dirname(package_directory)
    if os.path.basename(parent) == 'ftrack_api_ng_lib':
        directories.append(os.path.dirname(parent))
    try:
        directories.extend(site.getsitepackages())
    except AttributeError:  # Old virtualenv builds lack it.
        pass
    if site.ENABLE_USER_SITE:
        directories.append(site.getusersitepackages())
    seen = []
    for directory in directories:
        directory = os.path.abspath(directory)
        if directory not in seen and os.path.isdir(directory):
            seen.append(directory)
    return seen


def find_upstream(package_directory):
    """Return ``(version, folder)`` of an installed ftrack-python-api, or None."""
    for directory in _site_directories(package_directory):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            lowered = name.lower()
            if lowered.startswith(_UPSTREAM_PREFIXES) and lowered.endswith(
                ('.dist-info', '.egg-info')
            ):
                version = name.split('-', 1)[1].rsplit('.', 1)[0]
                return version, directory
    return None


def check(package_directory, distribution_version):
    """Warn (:class:`CoexistenceWarning`) if ftrack-python-api is installed too."""
    found = find_upstream(package_directory)
    if found is None:
        return
    version, directory = found
    warnings.warn(
        'Two distributions provide the import package ftrack_api: ftrack-api-ng '
        '{0} (in use, from {1}) and ftrack-python-api {2} (in {3}). '
        'ftrack-api-ng takes precedence. To use ftrack-python-api instead, run '
        '"{4} -m pip uninstall ftrack-api-ng"; to keep ftrack-api-ng and '
        'silence this warning, run "{4} -m pip uninstall ftrack-python-api".'.format(
            distribution_version, package_directory, version, directory,
            os.path.basename(sys.executable) or 'python',
        ),
        CoexistenceWarning,
        stacklevel=3,
    )
