"""pytest fixtures for test suites that use a local ftrack server."""
