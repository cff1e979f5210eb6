"""What can be learnt about media without decoding it: size, frames, frame rate.

The local server cannot transcode, but ``encode_media`` still describes
its outputs in ``ftr_meta`` metadata as a real server does. This module
reads the headers of common formats to fill that in: width and height of
PNG, JPEG and GIF images, and width, height, frame count and frame rate
of the video track of MP4 / QuickTime files. Anything it cannot read is
left out rather than guessed.
"""

from __future__ import annotations

import struct
from typing import Any, BinaryIO, Dict, Iterator, Optional, Tuple

#: Boxes of an MP4 / QuickTime file that only contain other boxes.
_CONTAINER_BOXES = {b'moov', b'trak', b'mdia', b'minf', b'stbl'}

#: Most bytes of header read to find an image's dimensions.
_IMAGE_HEADER = 256 * 1024


def image_size(stream: BinaryIO) -> Optional[Tuple[int, int]]:
    """Return ``(width, height)`` of the PNG, JPEG or GIF image in *stream*, or ``None``."""
    stream.seek(0)
    head = stream.read(_IMAGE_HEADER)
    if head.startswith(b'\x89PNG\r\n\x1a\n') and head[12:16] == b'IHDR':
        return struct.unpack('>II', head[16:24])
    if head[:6] in (b'GIF87a', b'GIF89a') and len(head) >= 10:
        return struct.unpack('<HH', head[6:10])
    if head.startswith(b'\xff\xd8'):
        return _jpeg_size(head)
    return None


def _jpeg_size(data: bytes) -> Optional[Tuple[int, int]]:
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        length = struct.unpack('>H', data[position + 2:position + 4])[0]
        # Start-of-frame markers, except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack('>HH', data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None


def _boxes(stream: BinaryIO, start: int, end: int) -> Iterator[Tuple[bytes, int, int]]:
    """Yield ``(type, payload start, box end)`` of the boxes between *start* and *end*."""
    position = start
    while position + 8 <= end:
        stream.seek(position)
        header = stream.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack('>I4s', header)
        payload = position + 8
        if size == 1:
            large = stream.read(8)
            if len(large) < 8:
                return
            size = struct.unpack('>Q', large)[0]
            payload += 8
        elif size == 0:
            size = end - position
        if size < payload - position:
            return
        yield kind, payload, position + size
        position += size


def _read_at(stream: BinaryIO, position: int, count: int) -> bytes:
    stream.seek(position)
    return stream.read(count)


def _track(stream: BinaryIO, start: int, end: int, info: Dict[str, Any]) -> None:
    for kind, payload, box_end in _boxes(stream, start, end):
        if kind in _CONTAINER_BOXES:
            _track(stream, payload, box_end, info)
        elif kind == b'tkhd':
            data = _read_at(stream, payload, box_end - payload)
            if len(data) >= 8:
                width, height = struct.unpack('>II', data[-8:])
                info['width'], info['height'] = width >> 16, height >> 16
        elif kind == b'hdlr':
            data = _read_at(stream, payload, 12)
            info['handler'] = data[8:12]
        elif kind == b'mdhd':
            data = _read_at(stream, payload, 32)
            if data[:1] == b'\x01' and len(data) >= 24:
                info['timescale'] = struct.unpack('>I', data[20:24])[0]
            elif len(data) >= 16:
                info['timescale'] = struct.unpack('>I', data[12:16])[0]
        elif kind == b'stts':
            data = _read_at(stream, payload, 8)
            if len(data) < 8:
                continue
            count = struct.unpack('>I', data[4:8])[0]
            entries = _read_at(stream, payload + 8, min(count, 100000) * 8)
            frames = 0
            first_delta = None
            for index in range(0, len(entries) - 7, 8):
                samples, delta = struct.unpack('>II', entries[index:index + 8])
                frames += samples
                if first_delta is None and delta:
                    first_delta = delta
            info['frames'] = frames
            info['delta'] = first_delta


def video_info(stream: BinaryIO, size: int) -> Dict[str, Any]:
    """Return what the MP4 / QuickTime headers of *stream* (*size* bytes) tell.

    Keys, each only when known: ``width``, ``height``, ``frames`` (count)
    and ``frame_rate``. An empty mapping for other formats.
    """
    result: Dict[str, Any] = {}
    try:
        for kind, payload, end in _boxes(stream, 0, size):
            if kind != b'moov':
                continue
            for track_kind, track_payload, track_end in _boxes(stream, payload, end):
                if track_kind != b'trak':
                    continue
                info: Dict[str, Any] = {}
                _track(stream, track_payload, track_end, info)
                if info.get('handler') != b'vide':
                    continue
                if info.get('width') and info.get('height'):
                    result['width'], result['height'] = info['width'], info['height']
                if info.get('frames'):
                    result['frames'] = info['frames']
                if info.get('timescale') and info.get('delta'):
                    rate = info['timescale'] / float(info['delta'])
                    result['frame_rate'] = int(rate) if rate == int(rate) else round(rate, 3)
                return result
    except (struct.error, OSError, ValueError):
        return result
    return result
