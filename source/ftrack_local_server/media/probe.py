"""What a media file holds, read by the encoder: an ``ffprobe`` equivalent.

:func:`probe` answers a :class:`MediaInfo` (container format, duration,
video and audio streams with codec, size and frame rate). It runs
``ffprobe`` when there is one and otherwise parses the stream summary
``ffmpeg -i`` prints (the ``imageio-ffmpeg`` package ships ffmpeg alone).
:func:`count_frames` counts the video frames of a file exactly, by
remuxing its video stream to nowhere.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Dict, List, Optional

#: Container formats ffmpeg reads single images with.
IMAGE_FORMATS = frozenset(('image2', 'png_pipe', 'jpeg_pipe', 'bmp_pipe', 'tiff_pipe',
                           'webp_pipe', 'exr_pipe', 'dpx_pipe', 'psd_pipe', 'tga',
                           'jpegls_pipe', 'j2k_pipe', 'gif_pipe', 'pgm_pipe', 'ppm_pipe',
                           'hdr_pipe', 'qoi_pipe', 'sgi_pipe', 'pam_pipe'))

#: Seconds a probe may take.
PROBE_TIMEOUT = 120.0


class ProbeError(RuntimeError):
    """The file could not be read as media; the message says why."""


@dataclass
class Stream:
    """One stream: *kind* (``'video'`` / ``'audio'``), *codec* and, for video, size and rate."""

    kind: str
    codec: str
    width: Optional[int] = None
    height: Optional[int] = None
    frame_rate: Optional[float] = None


@dataclass
class MediaInfo:
    """What :func:`probe` found: *format* names, *duration* (seconds or ``None``), *streams*."""

    format: str
    duration: Optional[float]
    streams: List[Stream] = field(default_factory=list)

    @property
    def video(self) -> Optional[Stream]:
        """The first video stream, or ``None``."""
        return next((stream for stream in self.streams if stream.kind == 'video'), None)

    @property
    def audio(self) -> Optional[Stream]:
        """The first audio stream, or ``None``."""
        return next((stream for stream in self.streams if stream.kind == 'audio'), None)

    @property
    def is_image(self) -> bool:
        """Whether the file is a still image (an image format, or a one-frame video codec)."""
        formats = set(self.format.split(','))
        return bool(formats & IMAGE_FORMATS) or (
            self.video is not None and self.duration is None and self.audio is None)

    def describe(self) -> Dict[str, Any]:
        """Return the information as plain data (for logs and job data)."""
        return {
            'format': self.format, 'duration': self.duration,
            'streams': [dict(vars(stream)) for stream in self.streams],
        }


def probe(encoder: Any, path: str) -> MediaInfo:
    """Return what the media file at *path* holds, read with *encoder*.

    Raise :class:`ProbeError` for a file that is not media (or that the
    encoder cannot read), with the encoder's own explanation.
    """
    if encoder.ffprobe:
        return _probe_with_ffprobe(encoder.ffprobe, path)
    return _probe_with_ffmpeg(encoder.ffmpeg, path)


def _run(command: List[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ProbeError('Reading the media took longer than {0:.0f} seconds.'.format(PROBE_TIMEOUT))
    except OSError as error:
        raise ProbeError('The encoder {0} could not be run: {1}.'.format(command[0], error))


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else 'no explanation given'


def _probe_with_ffprobe(ffprobe: str, path: str) -> MediaInfo:
    completed = _run([ffprobe, '-v', 'error', '-print_format', 'json', '-show_format',
                      '-show_streams', path])
    if completed.returncode != 0:
        raise ProbeError(_last_line(completed.stderr.decode('utf-8', 'replace')))
    try:
        found = json.loads(completed.stdout.decode('utf-8', 'replace'))
    except ValueError as error:
        raise ProbeError('ffprobe answered something that is not JSON ({0}).'.format(error))
    container = found.get('format') or {}
    duration = _number(container.get('duration'))
    streams = []
    for item in found.get('streams') or []:
        kind = item.get('codec_type')
        if kind not in ('video', 'audio'):
            continue
        stream = Stream(kind=kind, codec=str(item.get('codec_name') or 'unknown'))
        if kind == 'video':
            stream.width = item.get('width')
            stream.height = item.get('height')
            stream.frame_rate = _rate(item.get('avg_frame_rate')) or _rate(item.get('r_frame_rate'))
        streams.append(stream)
    return MediaInfo(format=str(container.get('format_name') or 'unknown'),
                     duration=duration, streams=streams)


_INPUT = re.compile(r'^Input #0, (\S+), from ', re.MULTILINE)
_DURATION = re.compile(r'^\s*Duration: (?:(\d+):(\d+):(\d+(?:\.\d+)?)|N/A)', re.MULTILINE)
_STREAM = re.compile(r'^\s*Stream #0:\d+[^:]*: (Video|Audio): (\S+?)[,\s](.*)$', re.MULTILINE)
_SIZE = re.compile(r'[ ,](\d+)x(\d+)(?=[\s,\[]|$)')
_FPS = re.compile(r'(\d+(?:\.\d+)?)(k?) fps')
_TBR = re.compile(r'(\d+(?:\.\d+)?)(k?) tbr')


def _probe_with_ffmpeg(ffmpeg: str, path: str) -> MediaInfo:
    completed = _run([ffmpeg, '-hide_banner', '-nostdin', '-i', path])
    text = completed.stderr.decode('utf-8', 'replace')
    found = _INPUT.search(text)
    if found is None:
        raise ProbeError(_last_line(text))
    duration = None
    matched = _DURATION.search(text, found.end())
    if matched is not None and matched.group(1) is not None:
        hours, minutes, seconds = matched.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    streams = []
    for kind, codec, rest in _STREAM.findall(text, found.end()):
        stream = Stream(kind=kind.lower(), codec=codec)
        if stream.kind == 'video':
            size = _SIZE.search(' ' + rest)
            if size is not None:
                stream.width, stream.height = int(size.group(1)), int(size.group(2))
            rate = _FPS.search(rest) or _TBR.search(rest)
            if rate is not None:
                stream.frame_rate = float(rate.group(1)) * (1000 if rate.group(2) else 1)
        streams.append(stream)
    if not streams:
        raise ProbeError('The file holds no video, image or audio stream ({0}).'.format(_last_line(text)))
    return MediaInfo(format=found.group(1), duration=duration, streams=streams)


_FRAME = re.compile(r'frame=\s*(\d+)')


def count_frames(encoder: Any, path: str) -> Optional[int]:
    """Return the number of video frames of the file at *path*, or ``None`` if unknown."""
    completed = _run([encoder.ffmpeg, '-hide_banner', '-nostdin', '-i', path, '-map', '0:v:0',
                      '-c', 'copy', '-f', 'null', '-'])
    if completed.returncode != 0:
        return None
    counts = _FRAME.findall(completed.stderr.decode('utf-8', 'replace'))
    return int(counts[-1]) if counts else None


def _number(value: Any) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _rate(value: Any) -> Optional[float]:
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return float(rate) if rate > 0 else None


def rate_value(rate: Optional[float]) -> Optional[Any]:
    """Return *rate* as the ``frameRate`` of ``ftr_meta``: whole numbers as ``int``."""
    if rate is None:
        return None
    rounded = round(rate, 3)
    return int(rounded) if rounded == int(rounded) else rounded
