"""The ``encode_media`` action (protocol §2.9): review media from a stored component.

Request ``{"action": "encode_media", "component_id": <id>, "version_id":
<id or null>, "keep_original": <bool>}``; result ``{"job_id": <id>}``.

**No transcoding happens.** A real server encodes the media in the
background; the local one finishes at once, with a ``Job`` of status
``done`` whose ``data`` is the JSON text::

    {"output": [{"format": "video/mp4", "component_id": "..."},
                {"format": "image/jpeg", "component_id": "..."}],
     "source_component_id": "...", "keep_original": true}

Every output is a new ``FileComponent`` in ``ftrack.server`` whose data is
the source data unchanged (shared, not copied), named as the web player
expects: a video gives ``ftrackreview-mp4`` (``video/mp4``) and
``thumbnail`` (``image/jpeg``); an image gives ``ftrackreview-image`` and
``thumbnail`` (both ``image/jpeg``). Each output carries ``ftr_meta``
metadata with what the source headers tell (see
:mod:`ftrack_local_server.files.media_info`), or the source's own
``ftr_meta``. Outputs are linked to the job by ``JobComponent`` rows and,
with a ``version_id``, to that version (which also gets the thumbnail
output as thumbnail when it has none). With ``keep_original`` false the
source component is deleted, as a real server does once it has encoded
it. Media the server does not know as video or image gives a ``failed``
job with an ``error`` in its data and no outputs.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Tuple

from .. import errors
from ..dispatch import query_first, quote
from ..files import media_info
from ..files.uploads import guess_content_type
from ..query.computed import SERVER_LOCATION_ID
from ..encoding import now_text
from ..rules.common import load
from ..rules.writer import writer_for
from . import action, required_string
from .files import file_server_of

logger = logging.getLogger(__name__)

#: Job type recorded for encoding jobs.
JOB_TYPE = 'encode_media'

VIDEO_EXTENSIONS = frozenset((
    '.mov', '.mp4', '.m4v', '.avi', '.mkv', '.webm', '.mxf', '.mpg', '.mpeg',
    '.wmv', '.flv', '.ogv', '.3gp', '.m2ts', '.mts',
))

IMAGE_EXTENSIONS = frozenset((
    '.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.exr', '.dpx', '.tga',
    '.psd', '.webp', '.hdr', '.jp2', '.heic', '.gif',
))

#: Outputs per kind of media: (component name, format, file type).
OUTPUTS = {
    'video': (('ftrackreview-mp4', 'video/mp4', '.mp4'), ('thumbnail', 'image/jpeg', '.jpg')),
    'image': (('ftrackreview-image', 'image/jpeg', '.jpg'), ('thumbnail', 'image/jpeg', '.jpg')),
}


def media_kind(file_type: Optional[str], content_type: Optional[str]) -> Optional[str]:
    """Return ``'video'``, ``'image'`` or ``None`` for a source of *file_type* / *content_type*."""
    extension = (file_type or '').lower()
    if extension and not extension.startswith('.'):
        extension = '.' + extension
    if extension in VIDEO_EXTENSIONS:
        return 'video'
    if extension in IMAGE_EXTENSIONS:
        return 'image'
    content_type = content_type or ''
    if content_type.startswith('video/'):
        return 'video'
    if content_type.startswith('image/'):
        return 'image'
    return None


def _source(context: Any, operation: Dict[str, Any]) -> Any:
    component_id = required_string(operation, 'component_id', 'encode_media')
    component = load(context.tx, 'Component', (component_id,))
    if component is None:
        raise errors.NotFoundError('encode_media: no component with id {0} exists.'.format(component_id))
    if not component.entity_type.is_a('FileComponent'):
        raise errors.ValidationError(
            'encode_media: component {0} is a {1}; only a FileComponent can be encoded.'.format(
                component_id, component.type_name))
    in_server = query_first(
        context,
        'select id from ComponentLocation where component_id is {0} and location_id is '
        '{1}'.format(quote(component_id), quote(SERVER_LOCATION_ID)))
    if in_server is None:
        raise errors.ValidationError(
            'encode_media: component {0} is not in the ftrack.server location; add it there '
            'before encoding it.'.format(component_id))
    return component


def _version_id(context: Any, operation: Dict[str, Any]) -> Optional[str]:
    version_id = operation.get('version_id')
    if version_id is None:
        return None
    if not isinstance(version_id, str) or not version_id:
        raise errors.ValidationError(
            'encode_media "version_id" must be null or the id of an AssetVersion, got {0}.'.format(
                errors.excerpt(version_id)))
    if load(context.tx, 'AssetVersion', (version_id,)) is None:
        raise errors.NotFoundError('encode_media: no AssetVersion with id {0} exists.'.format(version_id))
    return version_id


def _keep_original(operation: Dict[str, Any]) -> bool:
    keep = operation.get('keep_original', True)
    if keep is None:
        return True
    if not isinstance(keep, bool):
        raise errors.ValidationError(
            'encode_media "keep_original" must be true or false, got {0}.'.format(errors.excerpt(keep)))
    return keep


def _source_meta(context: Any, component_id: str) -> Optional[Dict[str, Any]]:
    found = query_first(
        context,
        'select value from Metadata where parent_id is {0} and key is "ftr_meta"'.format(
            quote(component_id)))
    if found is None:
        return None
    try:
        value = json.loads(found.get('value') or '')
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _ftr_meta(files: Any, stored: Any, kind: str, source_meta: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    if source_meta:
        return dict(source_meta)
    try:
        with files.open_blob(stored) as stream:
            if kind == 'image':
                size = media_info.image_size(stream)
                meta: Dict[str, Any] = {'format': 'image'}
                if size is not None:
                    meta['width'], meta['height'] = size
                return meta
            info = media_info.video_info(stream, stored.size)
    except OSError as error:
        logger.warning('Could not read the data of component %s: %s', stored.component_id, error)
        return {'format': 'image'} if kind == 'image' else {}
    meta = {}
    if 'frames' in info:
        meta['frameIn'] = 0
        meta['frameOut'] = info['frames']
    if 'frame_rate' in info:
        meta['frameRate'] = info['frame_rate']
    for name in ('width', 'height'):
        if name in info:
            meta[name] = info[name]
    return meta


def _create_output(context: Any, stored: Any, output: Tuple[str, str, str],
                   version_id: Optional[str], meta: Dict[str, Any], files: Any) -> str:
    name, _, file_type = output
    writer = writer_for(context)
    data = {'name': name, 'file_type': file_type, 'size': stored.size}
    if version_id is not None:
        data['version_id'] = version_id
    component = writer.create('FileComponent', data).entity
    component_id = component.key[0]
    writer.create('ComponentLocation', {
        'component_id': component_id, 'location_id': SERVER_LOCATION_ID,
        'resource_identifier': component_id,
    })
    writer.create('Metadata', {
        'parent_id': component_id, 'parent_type': 'FileComponent',
        'key': 'ftr_meta', 'value': json.dumps(meta, sort_keys=True),
    })
    file_name = name + file_type
    files.share(context.tx, stored, component_id, guess_content_type(file_name), file_name)
    return component_id


@action('encode_media')
def encode_media(operation: Dict[str, Any], context: Any) -> Dict[str, str]:
    """Create the encoding job and its outputs; see the module documentation.

    Raise :class:`~ftrack_local_server.errors.NotFoundError` for an unknown
    component or version, and
    :class:`~ftrack_local_server.errors.ValidationError` for a component that
    is not a ``FileComponent`` with data in ``ftrack.server`` or a bad
    ``version_id`` / ``keep_original``.
    """
    files = file_server_of(context, 'encode_media').files
    source = _source(context, operation)
    source_id = source.key[0]
    version_id = _version_id(context, operation)
    keep_original = _keep_original(operation)
    stored = files.lookup(context.tx, source_id)
    if stored is None:
        raise errors.ValidationError(
            'encode_media: component {0} has no data in the ftrack.server location; upload '
            'it before encoding it.'.format(source_id))
    kind = media_kind(source.get('file_type'), stored.content_type)
    writer = writer_for(context)
    job_data: Dict[str, Any] = {'output': [], 'source_component_id': source_id,
                                'keep_original': keep_original}
    output_ids: List[str] = []
    if kind is None:
        job_data['error'] = (
            'The media of component {0} ({1}) is neither a video nor an image the server '
            'can encode.'.format(source_id, source.get('file_type') or stored.content_type))
        status = 'failed'
    else:
        meta = _ftr_meta(files, stored, kind, _source_meta(context, source_id))
        for output in OUTPUTS[kind]:
            component_id = _create_output(context, stored, output, version_id, meta, files)
            output_ids.append(component_id)
            job_data['output'].append({'format': output[1], 'component_id': component_id})
        status = 'done'
    job = writer.create('Job', {
        'type': JOB_TYPE, 'status': status, 'user_id': context.user.get('id'),
        'data': json.dumps(job_data), 'finished_at': now_text(),
    }).entity
    job_id = job.key[0]
    for component_id in output_ids:
        writer.create('JobComponent', {'job_id': job_id, 'component_id': component_id})
    if version_id is not None and output_ids:
        version = load(context.tx, 'AssetVersion', (version_id,))
        if version is not None and version.get('thumbnail_id') is None:
            writer.update('AssetVersion', [version_id], {'thumbnail_id': output_ids[-1]})
    if status == 'done' and not keep_original:
        writer.delete(source.type_name, [source_id])
    logger.info('encode_media of component %s: job %s %s with %d output(s).',
                source_id, job_id, status, len(output_ids))
    return {'job_id': job_id}
