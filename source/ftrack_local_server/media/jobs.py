"""The life of an ``encode_media`` job: queued, running, then done, failed or killed.

The ``encode_media`` action creates the :class:`Job` (``queued``) and a
row of :data:`JOB_TABLE` saying what to encode, then hands the job id to
the server's :class:`MediaService`. A bounded pool of worker threads
(option ``media_workers``, default 2) each runs one encoder process at a
time:

1. the job becomes ``running`` (its ``data`` gains ``"progress": 0.0``);
2. the source is probed (:mod:`.probe`); media that is neither a video
   nor an image fails the job with the reason;
3. one ffmpeg process writes every output (:mod:`.transcode`); the
   fraction done is written to ``data["progress"]`` as it grows (at most
   every :data:`PROGRESS_INTERVAL` seconds);
4. the outputs are probed, stored as ``FileComponent`` entities in the
   ``ftrack.server`` location with their ``ftr_meta`` metadata, linked to
   the job and the version, and the job becomes ``done``.

Every change is a committed write published as ``ftrack.update``, like a
client's. A client setting the job's status to ``killed`` stops its
encoder (within :data:`CHECK_INTERVAL` seconds) and its partial outputs
are deleted. Jobs left ``queued`` or ``running`` by a server that stopped
are marked ``failed`` when the server stops or, after a crash, when it
starts again, with a reason saying so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
import time
from typing import Any, Callable, Dict, List, Optional

from ..context import RequestContext
from ..encoding import now_text
from ..query.computed import SERVER_LOCATION_ID
from ..rules.writer import writer_for
from . import encoder as encoders
from . import probe as probing
from . import transcode as transcoding

logger = logging.getLogger(__name__)

#: Job type of encoding jobs.
JOB_TYPE = 'encode_media'

#: Private table: what each encoding job encodes.
JOB_TABLE = '_ls_media_job'

#: Workers of the pool unless the ``media_workers`` option says otherwise.
DEFAULT_WORKERS = 2

#: Shortest time between two progress writes of one job, in seconds.
PROGRESS_INTERVAL = 0.5

#: Seconds between two checks of whether a running job was killed.
CHECK_INTERVAL = 0.2

#: Statuses after which a job no longer changes.
FINISHED = ('done', 'failed', 'killed')

_CREATE_TABLE = (
    'CREATE TABLE IF NOT EXISTS {0} (job_id TEXT PRIMARY KEY, component_id TEXT NOT NULL, '
    'version_id TEXT, keep_original INTEGER NOT NULL, created_at REAL NOT NULL)'
).format(JOB_TABLE)

#: The user the service writes as.
SERVICE_USER: Dict[str, Any] = {
    'id': None, 'username': 'ftrack-local-server', 'first_name': 'ftrack',
    'last_name': 'local server',
}


def ensure_table(tx: Any) -> None:
    """Create :data:`JOB_TABLE` in transaction *tx* if it is missing."""
    tx.execute(_CREATE_TABLE)


def record_job(tx: Any, job_id: str, component_id: str, version_id: Optional[str],
               keep_original: bool) -> None:
    """Remember in *tx* what job *job_id* encodes (called by the action, inside its batch)."""
    ensure_table(tx)
    tx.insert(JOB_TABLE, {'job_id': job_id, 'component_id': component_id,
                          'version_id': version_id, 'keep_original': int(bool(keep_original)),
                          'created_at': time.time()})


def workers_option(options: Any) -> int:
    """Return the ``media_workers`` option: a whole number of at least 1 (default 2).

    Raise :class:`ValueError` naming the option and the value otherwise.
    """
    value = options.get('media_workers', DEFAULT_WORKERS)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or number < 1 or str(number) != str(value).strip():
        raise ValueError('The option media_workers must be a whole number of at least 1, '
                         'got {0!r}.'.format(value))
    return number


class JobFailed(Exception):
    """A job cannot be done; the message is what its ``data["error"]`` says."""


class _Stopped(Exception):
    """The job was killed or the server is stopping."""


class MediaService(object):
    """The encoding jobs of one running server (*file_server*: its :class:`~..files.server.FileServer`).

    Attributes: *workers* (pool size), *running* (job id to the
    :class:`~.transcode.Transcode` of each running job).
    """

    def __init__(self, file_server: Any) -> None:
        self.file_server = file_server
        self.state = file_server.state
        self.files = file_server.files
        self.workers = workers_option(self.state.config.options)
        self.running: Dict[str, Any] = {}
        self._queue: 'queue.Queue[Optional[str]]' = queue.Queue()
        self._threads: List[threading.Thread] = []
        self._lock = threading.Lock()
        self._closing = False

    # -- writing -----------------------------------------------------------------

    def _transact(self, function: Callable[[RequestContext], Any]) -> Any:
        """Run *function(context)* as one committed batch, then publish its changes."""
        with self.state.store.transaction() as tx:
            ensure_table(tx)
            context = RequestContext(server=self.state, tx=tx, user=dict(SERVICE_USER))
            result = function(context)
            if context.writer is not None:
                context.writer.finish()
        event_server = getattr(self.state, 'event_server', None)
        if context.changes and event_server is not None:
            try:
                event_server.publish_update(context)
            except Exception:
                logger.exception('Could not publish the changes of encoding job work.')
        return result

    @staticmethod
    def _job(context: RequestContext, job_id: str) -> Optional[Dict[str, Any]]:
        row = context.tx.query_one('SELECT status, data FROM "Job" WHERE id = ?', (job_id,)) \
            if _has_job_table(context.tx) else None
        if row is None:
            return None
        try:
            data = json.loads(row['data'] or '{}')
        except ValueError:
            data = {}
        return {'status': row['status'], 'data': data if isinstance(data, dict) else {}}

    def _update_job(self, context: RequestContext, job_id: str, values: Dict[str, Any],
                    data: Dict[str, Any]) -> None:
        values = dict(values, data=json.dumps(data))
        writer_for(context).update('Job', [job_id], values)

    # -- the pool ----------------------------------------------------------------

    def submit(self, job_id: str) -> None:
        """Queue job *job_id*; a worker starts it once its batch is committed."""
        with self._lock:
            if self._closing:
                return
            while len(self._threads) < self.workers:
                thread = threading.Thread(target=self._work, daemon=True,
                                          name='ftrack-local-server-encode-{0}'.format(len(self._threads)))
                self._threads.append(thread)
                thread.start()
        self._queue.put(job_id)

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                self.run_job(job_id)
            except Exception:
                logger.exception('Encoding job %s failed unexpectedly.', job_id)
                try:
                    self._fail(job_id, 'The server failed unexpectedly while encoding; see its log.')
                except Exception:
                    logger.exception('Could not mark encoding job %s failed.', job_id)

    # -- one job -----------------------------------------------------------------

    def _start(self, context: RequestContext, job_id: str) -> Optional[Dict[str, Any]]:
        job = self._job(context, job_id)
        if job is None or job['status'] != 'queued':
            # Rolled back with its batch, or killed while it waited.
            return None
        row = context.tx.query_one('SELECT * FROM {0} WHERE job_id = ?'.format(JOB_TABLE), (job_id,))
        if row is None:
            return None
        task = dict(row)
        task['data'] = job['data']
        task['stored'] = self.files.lookup(context.tx, task['component_id'])
        component = context.tx.query_one('SELECT file_type FROM "Component" WHERE id = ?',
                                         (task['component_id'],)) if task['stored'] else None
        task['file_type'] = component['file_type'] if component is not None else None
        data = dict(job['data'], progress=0.0)
        self._update_job(context, job_id, {'status': 'running'}, data)
        task['data'] = data
        return task

    def run_job(self, job_id: str) -> None:
        """Run job *job_id* to its end (called by a worker thread)."""
        task = self._transact(lambda context: self._start(context, job_id))
        if task is None:
            return
        outputs: List[transcoding.Output] = []
        try:
            try:
                outputs = self._encode(job_id, task)
                done = self._transact(lambda context: self._finish(context, job_id, task, outputs))
                if not done:
                    self._discard(outputs)
            except JobFailed as error:
                self._discard(outputs)
                self._fail(job_id, str(error))
            except _Stopped:
                self._discard(outputs)
                self._stopped(job_id)
        finally:
            with self._lock:
                self.running.pop(job_id, None)

    def _encode(self, job_id: str, task: Dict[str, Any]) -> List[transcoding.Output]:
        source_id = task['component_id']
        stored = task['stored']
        if stored is None:
            raise JobFailed('Component {0} has no data in the ftrack.server location any more '
                            '(it was removed before the job started).'.format(source_id))
        source = self.files.blob_path(stored.blob)
        try:
            encoder = encoders.find_encoder(self.state.config.options)
            encoder.encoders
        except encoders.EncoderMissing as error:
            raise JobFailed(str(error))
        described = '{0} ({1})'.format(source_id, task['file_type'] or stored.file_name or 'no file type')
        try:
            info = probing.probe(encoder, source)
        except probing.ProbeError as error:
            raise JobFailed('The data of component {0} could not be read as a video or an '
                            'image: {1}'.format(described, error))
        if info.video is None:
            raise JobFailed('The media of component {0} holds no video or image stream (found: '
                            '{1}); only videos and images can be encoded.'.format(
                                described, ', '.join(s.kind + ' ' + s.codec for s in info.streams)))
        outputs = transcoding.plan(encoder, info, source, self.files.staging_directory)
        try:
            arguments = transcoding.command(encoder, info, source, outputs)
        except encoders.EncoderMissing as error:
            self._discard(outputs)
            raise JobFailed(str(error))
        last = [0.0, 0.0]
        last_check = [0.0]

        def on_progress(fraction: float) -> None:
            now = time.monotonic()
            if fraction < 1.0 and now - last[1] < PROGRESS_INTERVAL:
                return
            last[0], last[1] = fraction, now
            self._progress(job_id, task, fraction)

        def should_stop() -> bool:
            if self._closing:
                return True
            now = time.monotonic()
            if now - last_check[0] < CHECK_INTERVAL:
                return False
            last_check[0] = now
            return self._status(job_id) != 'running'

        try:
            run = transcoding.Transcode(arguments, None if info.is_image else info.duration, on_progress)
            with self._lock:
                self.running[job_id] = run
            run.start()
            try:
                while True:
                    code = run.wait(CHECK_INTERVAL / 2)
                    if code is not None:
                        break
                    if should_stop():
                        run.stop()
                        raise _Stopped()
                if self._status(job_id) != 'running':
                    raise _Stopped()
                if code != 0:
                    raise JobFailed('The encoder could not encode component {0} (exit status {1}): '
                                    '{2}'.format(described, code, run.error_text()))
            finally:
                run.close()
        except transcoding.TranscodeError as error:
            raise JobFailed(str(error))
        except BaseException:
            self._discard(outputs)
            raise
        for output in outputs:
            if not os.path.exists(output.path) or os.path.getsize(output.path) == 0:
                self._discard(outputs)
                raise JobFailed('The encoder wrote no {0} for component {1}.'.format(
                    output.name, described))
        return outputs

    def _status(self, job_id: str) -> Optional[str]:
        with self.state.store.read_transaction() as tx:
            row = tx.query_one('SELECT status FROM "Job" WHERE id = ?', (job_id,))
        return row['status'] if row is not None else None

    def _progress(self, job_id: str, task: Dict[str, Any], fraction: float) -> None:
        def write(context: RequestContext) -> None:
            job = self._job(context, job_id)
            if job is None or job['status'] != 'running':
                return
            data = dict(job['data'], progress=round(fraction, 4))
            self._update_job(context, job_id, {}, data)
        self._transact(write)

    def _meta(self, encoder: Any, output: transcoding.Output) -> Dict[str, Any]:
        info = probing.probe(encoder, output.path)
        video = info.video
        if output.format.startswith('image/') or video is None:
            meta: Dict[str, Any] = {'format': 'image'}
            if video is not None and video.width:
                meta['width'], meta['height'] = video.width, video.height
            return meta
        frames = probing.count_frames(encoder, output.path)
        if frames is None and info.duration and video.frame_rate:
            frames = int(round(info.duration * video.frame_rate))
        meta = {'frameIn': 0, 'frameOut': frames or 0,
                'frameRate': probing.rate_value(video.frame_rate) or 0,
                'width': video.width, 'height': video.height}
        return meta

    def _finish(self, context: RequestContext, job_id: str, task: Dict[str, Any],
                outputs: List[transcoding.Output]) -> bool:
        job = self._job(context, job_id)
        if job is None or job['status'] != 'running':
            return False
        encoder = encoders.find_encoder(self.state.config.options)
        writer = writer_for(context)
        version_id = task['version_id']
        if version_id is not None and context.tx.load('AssetVersion', (version_id,)) is None:
            version_id = None
        listed = []
        thumbnail_id = None
        for output in outputs:
            meta = self._meta(encoder, output)
            size = os.path.getsize(output.path)
            data: Dict[str, Any] = {'name': output.name, 'file_type': output.file_type, 'size': size}
            if version_id is not None:
                data['version_id'] = version_id
            component_id = writer.create('FileComponent', data).entity.key[0]
            writer.create('ComponentLocation', {
                'component_id': component_id, 'location_id': SERVER_LOCATION_ID,
                'resource_identifier': component_id})
            writer.create('Metadata', {
                'parent_id': component_id, 'parent_type': 'FileComponent',
                'key': 'ftr_meta', 'value': json.dumps(meta, sort_keys=True)})
            writer.create('JobComponent', {'job_id': job_id, 'component_id': component_id})
            blob = self.files.claim_blob(output.path)
            output.path = self.files.blob_path(blob)
            self.files.record(context.tx, component_id, blob, size, _md5(output.path),
                              output.format, output.name + output.file_type)
            listed.append({'format': output.format, 'component_id': component_id})
            if output.name == 'thumbnail':
                thumbnail_id = component_id
        if version_id is not None and thumbnail_id is not None:
            writer.update('AssetVersion', [version_id], {'thumbnail_id': thumbnail_id})
        data = dict(job['data'], output=listed, progress=1.0)
        self._update_job(context, job_id, {'status': 'done', 'finished_at': now_text()}, data)
        if not task['keep_original']:
            source = context.tx.query_one('SELECT id FROM "Component" WHERE id = ?',
                                          (task['component_id'],))
            if source is not None:
                writer.delete('FileComponent', [task['component_id']])
        logger.info('Encoding job %s done: %s.', job_id, ', '.join(o.name for o in outputs))
        return True

    def _fail(self, job_id: str, message: str) -> None:
        def write(context: RequestContext) -> None:
            job = self._job(context, job_id)
            if job is None or job['status'] in FINISHED:
                return
            data = dict(job['data'], error=message)
            self._update_job(context, job_id, {'status': 'failed', 'finished_at': now_text()}, data)
        logger.info('Encoding job %s failed: %s', job_id, message)
        self._transact(write)

    def _stopped(self, job_id: str) -> None:
        if self._closing:
            self._fail(job_id, 'The server stopped while the job was running; create a new '
                       'encode_media job for the same component to encode it again.')
            return

        def write(context: RequestContext) -> None:
            job = self._job(context, job_id)
            if job is None or job['status'] != 'killed':
                return
            data = dict(job['data'], error='The job was killed; its encoder was stopped and '
                        'its partial outputs removed.')
            self._update_job(context, job_id, {'finished_at': now_text()}, data)
        logger.info('Encoding job %s was killed; its encoder was stopped.', job_id)
        self._transact(write)

    @staticmethod
    def _discard(outputs: List[transcoding.Output]) -> None:
        for output in outputs:
            try:
                os.remove(output.path)
            except OSError:
                pass

    # -- start and stop ------------------------------------------------------------

    def recover(self) -> int:
        """Mark jobs a previous run of the server left unfinished ``failed``; return how many."""
        def write(context: RequestContext) -> int:
            if not _has_job_table(context.tx):
                return 0
            rows = context.tx.query(
                'SELECT id, status FROM "Job" WHERE type = ? AND status IN (?, ?)',
                (JOB_TYPE, 'queued', 'running'))
            for row in rows:
                job = self._job(context, row['id'])
                data = dict(job['data'] if job else {}, error=(
                    'The server stopped while the job was {0}; it was never finished. Create a '
                    'new encode_media job for the same component to encode it again.'.format(
                        row['status'])))
                self._update_job(context, row['id'], {'status': 'failed',
                                                      'finished_at': now_text()}, data)
            return len(rows)
        count = self._transact(write)
        if count:
            logger.warning('Marked %d encoding job(s) left unfinished by a previous run failed.', count)
        return count

    def close(self, timeout: float = 10.0) -> None:
        """Stop every encoder, mark unfinished jobs failed and stop the workers."""
        with self._lock:
            self._closing = True
            threads = list(self._threads)
            running = list(self.running.values())
        for run in running:
            run.stop()
        for _ in threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        try:
            self.recover()
        except Exception:
            logger.exception('Could not mark unfinished encoding jobs failed at shutdown.')


def _has_job_table(tx: Any) -> bool:
    return tx.query_one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'Job'") is not None


def _md5(path: str) -> str:
    digest = hashlib.md5()
    with open(path, 'rb') as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b''):
            digest.update(chunk)
    return digest.hexdigest()
