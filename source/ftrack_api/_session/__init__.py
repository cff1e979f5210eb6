"""The private parts a :class:`ftrack_api.session.Session` is composed of.

Each module has one job (HTTP transport, start-up and the schema cache, the
identity map and merging, the unit of work and batching, encoding,
populating, ``ensure``, thread flags, server actions, built-in locations,
transfers). Nothing here is public API: import from the documented modules.
"""
