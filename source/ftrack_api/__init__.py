"""ftrack Python API client."""

from ._version import __version__  # noqa: F401
