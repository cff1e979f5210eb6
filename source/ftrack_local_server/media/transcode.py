"""The encoder command lines of ``encode_media`` and running them with progress.

One ``ffmpeg`` process makes every output of a job (the input is decoded
once): for a video ``ftrackreview-mp4`` (H.264 + AAC, yuv420p, faststart),
``ftrackreview-webm`` (VP9 or VP8 + Opus or Vorbis) and a JPEG
``thumbnail`` from the middle of the clip; for an image
``ftrackreview-image`` and ``thumbnail``, both JPEG. Review media are
scaled down to at most :data:`REVIEW_WIDTH` by :data:`REVIEW_HEIGHT`
(never up), with even dimensions as H.264 in yuv420p needs.

:class:`Transcode` runs the command, turns the encoder's
``-progress pipe:1`` output into a fraction done, and can be stopped.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

from .encoder import AAC_ENCODERS, H264_ENCODERS, WEBM_AUDIO_ENCODERS, WEBM_VIDEO_ENCODERS, Encoder
from .probe import MediaInfo

#: Largest width and height of review media.
REVIEW_WIDTH = 1280
REVIEW_HEIGHT = 720

#: Largest width and height of review images.
IMAGE_WIDTH = 1920
IMAGE_HEIGHT = 1080

#: Largest width and height of thumbnails.
THUMBNAIL_WIDTH = 600
THUMBNAIL_HEIGHT = 400


@dataclass
class Output:
    """One output of a job: component *name*, *file_type*, MIME *format* and staging *path*."""

    name: str
    file_type: str
    format: str
    path: str


def _fit(width: int, height: int) -> str:
    """Return a scale filter fitting within *width* x *height*, never enlarging, even sides."""
    return (
        "scale=w='trunc(min(1,min({0}/iw,{1}/ih))*iw/2)*2':"
        "h='trunc(min(1,min({0}/iw,{1}/ih))*ih/2)*2':flags=bicubic".format(width, height)
    )


def plan(encoder: Encoder, info: MediaInfo, source: str, directory: str) -> List[Output]:
    """Return the outputs made from *source* (probed as *info*), to be written in *directory*."""
    def path(suffix: str) -> str:
        handle, name = tempfile.mkstemp(prefix='encode-', suffix=suffix, dir=directory)
        os.close(handle)
        return name

    if info.is_image:
        return [Output('ftrackreview-image', '.jpg', 'image/jpeg', path('.jpg')),
                Output('thumbnail', '.jpg', 'image/jpeg', path('.jpg'))]
    return [Output('ftrackreview-mp4', '.mp4', 'video/mp4', path('.mp4')),
            Output('ftrackreview-webm', '.webm', 'video/webm', path('.webm')),
            Output('thumbnail', '.jpg', 'image/jpeg', path('.jpg'))]


def command(encoder: Encoder, info: MediaInfo, source: str, outputs: Sequence[Output]) -> List[str]:
    """Return the ffmpeg command line writing every one of *outputs* from *source*.

    Raise :class:`~.encoder.EncoderMissing` when the ffmpeg lacks an
    encoder the outputs need.
    """
    arguments = [encoder.ffmpeg, '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
                 '-progress', 'pipe:1', '-nostats', '-i', source]
    if info.is_image:
        review, thumbnail = outputs
        for output, (width, height) in ((review, (IMAGE_WIDTH, IMAGE_HEIGHT)),
                                        (thumbnail, (THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT))):
            arguments += ['-map', '0:v:0', '-frames:v', '1',
                          '-vf', _fit(width, height) + ',format=yuvj420p',
                          '-c:v', 'mjpeg', '-q:v', '2', '-f', 'image2', '-update', '1', output.path]
        return arguments
    mp4, webm, thumbnail = outputs
    h264 = encoder.pick(H264_ENCODERS, 'H.264 video')
    vp = encoder.pick(WEBM_VIDEO_ENCODERS, 'VP9 or VP8 video')
    review_filter = _fit(REVIEW_WIDTH, REVIEW_HEIGHT) + ',format=yuv420p'
    has_audio = info.audio is not None
    arguments += ['-map', '0:v:0']
    if has_audio:
        arguments += ['-map', '0:a:0']
    arguments += ['-vf', review_filter, '-c:v', h264, '-pix_fmt', 'yuv420p']
    if h264 == 'libx264':
        arguments += ['-preset', 'veryfast', '-crf', '23', '-profile:v', 'high']
    else:
        arguments += ['-b:v', '2M']
    if has_audio:
        arguments += ['-c:a', encoder.pick(AAC_ENCODERS, 'AAC audio'), '-b:a', '128k', '-ac', '2']
    arguments += ['-movflags', '+faststart', '-f', 'mp4', mp4.path]
    arguments += ['-map', '0:v:0']
    if has_audio:
        arguments += ['-map', '0:a:0']
    arguments += ['-vf', review_filter, '-c:v', vp, '-deadline', 'realtime', '-cpu-used', '8']
    if vp == 'libvpx-vp9':
        arguments += ['-row-mt', '1', '-b:v', '0', '-crf', '36']
    else:
        arguments += ['-b:v', '1500k']
    if has_audio:
        audio = encoder.pick(WEBM_AUDIO_ENCODERS, 'Opus or Vorbis audio')
        arguments += ['-c:a', audio, '-b:a', '96k', '-ac', '2']
        if audio in ('opus', 'vorbis'):
            arguments += ['-strict', '-2']
    arguments += ['-f', 'webm', webm.path]
    frames = (info.duration or 0) * (info.video.frame_rate or 0) if info.video else 0
    middle = int(frames // 2)
    arguments += ['-map', '0:v:0', '-vf',
                  r'select=gte(n\,{0}),'.format(middle) + _fit(THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT)
                  + ',format=yuvj420p',
                  '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-update', '1',
                  thumbnail.path]
    return arguments


class TranscodeError(RuntimeError):
    """The encoder failed; the message carries its explanation."""


class Transcode(object):
    """One run of an encoder command line, with progress and a way to stop it.

    *arguments* is the command line, *duration* the input's duration in
    seconds (``None`` for an image: progress then jumps from 0 to 1) and
    *on_progress* is called with the fraction done (0 to 1) from the
    thread reading the encoder's progress output.
    """

    def __init__(self, arguments: Sequence[str], duration: Optional[float],
                 on_progress: Optional[Callable[[float], None]] = None) -> None:
        self.arguments = list(arguments)
        self.duration = duration
        self.on_progress = on_progress
        self.progress = 0.0
        self.stopped = False
        self._process: Optional[subprocess.Popen] = None
        self._errors = tempfile.TemporaryFile()
        self._reader: Optional[threading.Thread] = None

    def start(self) -> None:
        """Start the encoder process; raise :class:`TranscodeError` if it cannot start."""
        try:
            self._process = subprocess.Popen(
                self.arguments, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=self._errors)
        except OSError as error:
            raise TranscodeError('The encoder {0} could not be started: {1}.'.format(
                self.arguments[0], error))
        self._reader = threading.Thread(target=self._read_progress, daemon=True,
                                        name='ftrack-local-server-encode-progress')
        self._reader.start()

    @property
    def pid(self) -> Optional[int]:
        """The encoder's process id once started."""
        return self._process.pid if self._process is not None else None

    def _read_progress(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        total = (self.duration or 0) * 1e6
        for raw in self._process.stdout:
            key, _, value = raw.decode('ascii', 'replace').strip().partition('=')
            fraction = None
            if key == 'out_time_us' and total > 0:
                try:
                    fraction = min(max(int(value) / total, 0.0), 1.0)
                except ValueError:
                    continue
            elif key == 'progress' and value == 'end':
                fraction = 1.0
            if fraction is not None and fraction > self.progress:
                self.progress = fraction
                if self.on_progress is not None:
                    self.on_progress(fraction)

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        """Wait up to *timeout* seconds for the encoder; return its exit status or ``None``."""
        assert self._process is not None
        try:
            code = self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        if self._reader is not None:
            self._reader.join(5.0)
        return code

    def stop(self) -> None:
        """Stop the encoder (terminate, then kill after a second)."""
        self.stopped = True
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(1.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def error_text(self) -> str:
        """Return the last lines the encoder wrote on its error output."""
        self._errors.seek(0)
        lines = [line.strip() for line in self._errors.read().decode('utf-8', 'replace').splitlines()
                 if line.strip()]
        return ' / '.join(lines[-3:]) or 'no explanation given'

    def close(self) -> None:
        """Release the error output file."""
        self._errors.close()


def run(arguments: Sequence[str], duration: Optional[float],
        on_progress: Optional[Callable[[float], None]] = None,
        should_stop: Optional[Callable[[], bool]] = None, check_interval: float = 0.2) -> Transcode:
    """Run *arguments* to the end (or until *should_stop* answers true); return the run.

    Raise :class:`TranscodeError` with the encoder's explanation when it
    exits with an error (not when it was stopped).
    """
    transcode = Transcode(arguments, duration, on_progress)
    transcode.start()
    try:
        while True:
            code = transcode.wait(check_interval)
            if code is not None:
                break
            if should_stop is not None and should_stop():
                transcode.stop()
                return transcode
        if code != 0 and not transcode.stopped:
            raise TranscodeError('The encoder failed (exit status {0}): {1}'.format(
                code, transcode.error_text()))
        return transcode
    finally:
        transcode.close()


def elapsed(function: Callable[[], object]) -> float:
    """Return the seconds *function* takes to run (for benchmarks)."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start
