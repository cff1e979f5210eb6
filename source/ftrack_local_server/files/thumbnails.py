"""Thumbnail images: recognising image data and scaling it down.

Scaling needs Pillow, which is optional: without it a thumbnail request
with a ``size`` is answered with the original image (and a warning is
logged once per process).
"""

from __future__ import annotations

import io
import logging
import threading
from typing import Optional, Tuple

logger = logging.getLogger(__name__)

#: Largest ``size`` a thumbnail request may ask for.
MAX_SIZE = 4096

#: Magic numbers of the image formats a browser can show.
_SIGNATURES = (
    (b'\x89PNG\r\n\x1a\n', 'image/png'),
    (b'\xff\xd8\xff', 'image/jpeg'),
    (b'GIF87a', 'image/gif'),
    (b'GIF89a', 'image/gif'),
    (b'BM', 'image/bmp'),
    (b'II*\x00', 'image/tiff'),
    (b'MM\x00*', 'image/tiff'),
)

_warned_lock = threading.Lock()
_warned = False


def sniff_image_type(head: bytes) -> Optional[str]:
    """Return the image content type the first bytes *head* show, or ``None``."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return 'image/webp'
    return None


def _pillow() -> Optional[object]:
    try:
        from PIL import Image
    except ImportError:
        return None
    return Image


def scale(data: bytes, size: int, content_type: str) -> Tuple[bytes, str]:
    """Return *data* (an image of *content_type*) scaled down to fit *size* x *size*.

    The aspect ratio is kept and small images are not enlarged. JPEG stays
    JPEG; other formats become PNG (keeping transparency). Without Pillow,
    or for data Pillow cannot read, the original *data* and *content_type*
    are returned.
    """
    image_module = _pillow()
    if image_module is None:
        _warn_once()
        return data, content_type
    try:
        image = image_module.open(io.BytesIO(data))
        image.load()
    except Exception as error:
        logger.warning('Cannot read a %s thumbnail to scale it (%s); serving it unscaled.',
                       content_type, error)
        return data, content_type
    if image.width <= size and image.height <= size:
        return data, content_type
    image.thumbnail((size, size))
    output = io.BytesIO()
    if content_type == 'image/jpeg':
        if image.mode not in ('RGB', 'L'):
            image = image.convert('RGB')
        image.save(output, format='JPEG', quality=90)
        return output.getvalue(), 'image/jpeg'
    if image.mode not in ('RGB', 'RGBA', 'L', 'LA', 'P'):
        image = image.convert('RGBA')
    image.save(output, format='PNG')
    return output.getvalue(), 'image/png'


def _warn_once() -> None:
    global _warned
    with _warned_lock:
        if _warned:
            return
        _warned = True
    logger.warning(
        'Pillow is not installed, so thumbnails are served at their original '
        'size; install Pillow to scale them to the requested size.'
    )
