"""A local, ftrack-compatible server backed by SQLite."""
