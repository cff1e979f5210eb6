"""Asset version entity."""

from __future__ import annotations

import ftrack_api.entity.base


class AssetVersion(ftrack_api.entity.base.Entity):
    """Represent asset version.

    Component creation and media encoding helpers come with the file
    transfer support (they depend on locations moving data).
    """
