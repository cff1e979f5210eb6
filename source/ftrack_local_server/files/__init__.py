"""The file endpoints: component data in the ``ftrack.server`` location.

Routes (protocol §6):

``PUT /file-upload/<token>`` and ``PUT /file-upload/<token>/parts/<n>``
    The upload URLs ``get_upload_metadata`` hands out
    (:mod:`.transfer`); ``complete_multipart_upload`` joins the parts.
``GET /component/get``, ``/component/thumbnail[&size=N]``, ``/component/remove``
    Download, thumbnail and removal of a component's data, with the
    ``id``, ``username`` and ``apiKey`` query parameters (:mod:`.serving`).
``GET /img/thumbnail2.png``
    The placeholder image clients show where there is no thumbnail.
``GET /widget/``
    The page behind a ``get_widget_url`` URL (:mod:`.pages`).

Data is kept on disk next to the database (``<database>.files``) or, for
an in-memory database, in a temporary directory removed when the server
stops (:mod:`.storage`). A storage directory belongs to one database:
data no row of that database refers to is swept away. Options
(``ServerConfig.options``):
``file_storage`` (directory), ``multipart_uploads`` (default true; false
answers every ``get_upload_metadata`` with one upload URL, as a server
without multipart support), ``upload_url_lifetime`` (seconds, default
3600) and ``file_sweep_interval`` (seconds, default 600).
"""

from __future__ import annotations

from typing import Any

from .server import FileServer, storage_directory

__all__ = ['FileServer', 'setup', 'storage_directory']


def setup(app: Any, state: Any) -> FileServer:
    """Add the file endpoints to the aiohttp *app* for server *state*; return the file server.

    Raise :class:`ValueError` for a bad option in ``state.config.options``.
    """
    server = FileServer(state)
    server.add_routes(app)
    return server
