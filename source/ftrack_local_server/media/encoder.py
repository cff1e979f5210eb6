"""Finding the encoder: an ``ffmpeg`` binary and the codecs it offers.

The server looks for ``ffmpeg`` in this order: the ``media_encoder``
option (a path; ``False``, ``''`` or ``'none'`` turns encoding off), the
``PATH``, then the binary shipped by the ``imageio-ffmpeg`` package (the
``media`` extra). ``ffprobe`` is used for probing when it sits next to the
chosen ``ffmpeg`` or on the ``PATH``; otherwise probing parses what
``ffmpeg -i`` prints (:mod:`.probe`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from typing import Any, Dict, FrozenSet, Mapping, Optional, Sequence

#: The distribution extra that installs an encoder.
MEDIA_EXTRA = 'ftrack-api-ng[media]'

#: H.264 encoders, best first.
H264_ENCODERS = ('libx264', 'libopenh264', 'h264')

#: WebM video encoders, best first: VP9, then VP8.
WEBM_VIDEO_ENCODERS = ('libvpx-vp9', 'libvpx')

#: WebM audio encoders, best first: Opus, then Vorbis.
WEBM_AUDIO_ENCODERS = ('libopus', 'opus', 'libvorbis', 'vorbis')

#: AAC encoders, best first.
AAC_ENCODERS = ('aac', 'libfdk_aac')

#: Values of the ``media_encoder`` option that turn encoding off.
_DISABLED = (False, '', 'none', 'off')


class EncoderMissing(RuntimeError):
    """No usable ``ffmpeg`` was found; the message says how to get one."""


def missing_message(detail: str) -> str:
    """Return the message of a job that cannot run because *detail* (no encoder)."""
    return (
        '{0} The local server encodes media with ffmpeg: put ffmpeg on the PATH of the '
        'server, or install the media extra with: pip install "{1}".'.format(detail, MEDIA_EXTRA)
    )


class Encoder(object):
    """One ``ffmpeg`` binary (*ffmpeg*, with *ffprobe* or ``None``) and its encoders."""

    def __init__(self, ffmpeg: str, ffprobe: Optional[str] = None) -> None:
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
        self._encoders: Optional[FrozenSet[str]] = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return '<Encoder {0!r}>'.format(self.ffmpeg)

    @property
    def encoders(self) -> FrozenSet[str]:
        """Names of the encoders ``ffmpeg -encoders`` lists (read once)."""
        with self._lock:
            if self._encoders is None:
                self._encoders = list_encoders(self.ffmpeg)
            return self._encoders

    def pick(self, candidates: Sequence[str], purpose: str) -> str:
        """Return the first of *candidates* this ffmpeg offers.

        Raise :class:`EncoderMissing` naming *purpose* and the candidates
        when it offers none of them.
        """
        for name in candidates:
            if name in self.encoders:
                return name
        raise EncoderMissing(
            'The ffmpeg at {0} has no encoder for {1} (looked for {2}).'.format(
                self.ffmpeg, purpose, ', '.join(candidates)))


def list_encoders(ffmpeg: str) -> FrozenSet[str]:
    """Return the encoder names *ffmpeg* offers; raise :class:`EncoderMissing` if it cannot run."""
    try:
        completed = subprocess.run(
            [ffmpeg, '-hide_banner', '-encoders'], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        raise EncoderMissing(missing_message('The encoder {0} could not be run ({1}).'.format(
            ffmpeg, error)))
    names = set()
    listing = False
    for line in completed.stdout.decode('utf-8', 'replace').splitlines():
        if line.strip().startswith('------'):
            listing = True
            continue
        parts = line.split()
        if listing and len(parts) >= 2:
            names.add(parts[1])
    if not names:
        raise EncoderMissing(missing_message(
            'The encoder {0} did not list any encoders (exit status {1}).'.format(
                ffmpeg, completed.returncode)))
    return frozenset(names)


def _imageio_ffmpeg() -> Optional[str]:
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (RuntimeError, OSError):
        return None


def _ffprobe_for(ffmpeg: str) -> Optional[str]:
    directory = os.path.dirname(ffmpeg)
    for name in ('ffprobe', 'ffprobe.exe'):
        candidate = os.path.join(directory, name)
        if directory and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which('ffprobe')


_CACHE: Dict[Any, Encoder] = {}
_CACHE_LOCK = threading.Lock()


def find_encoder(options: Mapping[str, Any]) -> Encoder:
    """Return the :class:`Encoder` the server with *options* uses.

    Raise :class:`EncoderMissing` (its message names the ``media`` extra)
    when encoding is turned off or no ffmpeg can be found.
    """
    explicit = options.get('media_encoder')
    if explicit is not None and (explicit in _DISABLED or str(explicit).lower() in _DISABLED):
        raise EncoderMissing(missing_message(
            'Encoding is turned off on this server (media_encoder option {0!r}).'.format(explicit)))
    if explicit is not None:
        path = shutil.which(os.fspath(explicit)) or os.fspath(explicit)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise EncoderMissing(missing_message(
                'The media_encoder option names {0!r}, which is not an executable file.'.format(
                    explicit)))
    else:
        path = shutil.which('ffmpeg') or _imageio_ffmpeg()
        if path is None:
            raise EncoderMissing(missing_message(
                'No encoder was found: there is no ffmpeg on the PATH and the imageio-ffmpeg '
                'package is not installed.'))
    with _CACHE_LOCK:
        encoder = _CACHE.get(path)
        if encoder is None:
            encoder = _CACHE[path] = Encoder(path, _ffprobe_for(path))
        return encoder
