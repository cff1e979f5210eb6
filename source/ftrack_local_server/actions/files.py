"""Upload actions: ``get_upload_metadata`` and ``complete_multipart_upload`` (protocol §6.3, §6.4).

``get_upload_metadata`` takes ``component_id``, ``file_name``,
``file_size``, ``checksum`` (base64 MD5, optional) and ``parts`` (the
JavaScript client's part count, optional). The component does not have
to exist yet; when it exists, a missing ``file_name`` / ``file_size`` is
taken from it. Without parts (or with one) the answer is::

    {"url": "<upload URL>", "headers": {"Content-Length": "13",
     "Content-Type": "application/json", "Content-MD5": "<checksum>"},
     "component_id": "<id>"}

(``Content-MD5`` only when a checksum was given). With two or more parts::

    {"urls": [{"part_number": 1, "signed_url": "<URL>"}, ...],
     "upload_id": "<id>", "component_id": "<id>"}

``complete_multipart_upload`` (``upload_id``, ``component_id``,
``parts``: ``[{"part_number", "e_tag"}]`` in ascending order) joins the
parts into the component's data and answers
``{"action": "complete_multipart_upload", "component_id", "url"}``.

Data written by a batch becomes visible only if the batch commits (see
:mod:`ftrack_local_server.files.storage`). At the end of every batch the
data of components the batch deleted is dropped with them.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from .. import errors
from ..files import uploads
from ..files.storage import discard, forget_rows
from ..rules.common import Entity, load
from . import action, base_url_of, required_string

logger = logging.getLogger(__name__)

def file_server_of(context: Any, action_name: str) -> Any:
    """Return the running file server of *context*'s server.

    Raise :class:`~ftrack_local_server.errors.ApiError` naming *action_name*
    when the server runs without file endpoints (e.g. seeding a database).
    """
    server = getattr(context.server, 'file_server', None)
    if server is None:
        raise errors.ApiError(
            '{0} needs the file endpoints, which this server is running without.'.format(action_name)
        )
    return server


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def component_file_name(component: Entity) -> str:
    """Return the file name of *component*: its name plus its file type (``data.json``)."""
    name = component.get('name') or 'main'
    file_type = (component.get('file_type') or '').lstrip('.')
    return '{0}.{1}'.format(name, file_type) if file_type else name


@action('get_upload_metadata')
def get_upload_metadata(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Hand out the URL(s) to upload a component's data; see the module documentation.

    Raise :class:`~ftrack_local_server.errors.ValidationError` naming the
    bad value: a missing ``component_id``, a component that is not a
    ``FileComponent``, a missing ``file_name`` / ``file_size`` for a
    component not created yet, a negative size, a checksum that is not a
    base64 MD5 digest, or a part count outside 1 to 10000.
    """
    name = 'get_upload_metadata'
    file_server = file_server_of(context, name)
    base_url = base_url_of(context, name)
    component_id = required_string(operation, 'component_id', name)
    component = load(context.tx, 'Component', (component_id,))
    if component is not None and not component.entity_type.is_a('FileComponent'):
        raise errors.ValidationError(
            'Component {0} is a {1}; only a FileComponent holds data to upload.'.format(
                component_id, component.type_name)
        )
    file_name = operation.get('file_name')
    if file_name is None and component is not None:
        file_name = component_file_name(component)
    if not isinstance(file_name, str) or not file_name:
        raise errors.ValidationError(
            '{0} needs a "file_name" string for component {1}, which does not exist yet; '
            'got {2}.'.format(name, component_id, errors.excerpt(file_name))
        )
    file_size = operation.get('file_size')
    if file_size is None and component is not None:
        file_size = component.get('size')
    if not _whole_number(file_size) or file_size < 0:
        raise errors.ValidationError(
            '{0} needs "file_size", a number of bytes (0 or more), for component {1}; '
            'got {2}.'.format(name, component_id, errors.excerpt(file_size))
        )
    checksum = operation.get('checksum')
    if checksum is not None and (not isinstance(checksum, str) or uploads.decode_checksum(checksum) is None):
        raise errors.ValidationError(
            '{0} "checksum" must be the base64 form of the 16-byte MD5 digest of the '
            'file (RFC 1864), got {1}.'.format(name, errors.excerpt(checksum))
        )
    parts = operation.get('parts')
    if parts is not None and (not _whole_number(parts) or not 1 <= parts <= uploads.MAX_PARTS):
        raise errors.ValidationError(
            '{0} "parts" must be null or a whole number from 1 to {1}, got {2}.'.format(
                name, uploads.MAX_PARTS, errors.excerpt(parts))
        )
    if parts == 1 or not context.server.config.options.get('multipart_uploads', True):
        # One part, or a server set to behave as one without multipart
        # support (option multipart_uploads false): a single PUT.
        parts = None
    upload = uploads.create_upload(
        context.tx, component_id, file_name, file_size, checksum, parts,
        context.user.get('id'), file_server.upload_lifetime,
    )
    url = '{0}/file-upload/{1}'.format(base_url, upload.token)
    if parts is None:
        headers = {'Content-Length': str(file_size), 'Content-Type': upload.content_type}
        if checksum is not None:
            headers['Content-MD5'] = checksum
        return {'url': url, 'headers': headers, 'component_id': component_id}
    return {
        'urls': [
            {'part_number': number, 'signed_url': '{0}/parts/{1}'.format(url, number)}
            for number in range(1, parts + 1)
        ],
        'upload_id': upload.upload_id,
        'component_id': component_id,
    }


def _listed_parts(operation: Dict[str, Any], upload: uploads.Upload) -> List[Dict[str, Any]]:
    name = 'complete_multipart_upload'
    parts = operation.get('parts')
    if not isinstance(parts, list) or not parts:
        raise errors.ValidationError(
            '{0} needs "parts", a list of {{"part_number", "e_tag"}} objects, got {1}.'.format(
                name, errors.excerpt(parts))
        )
    listed = []
    for index, part in enumerate(parts):
        number = part.get('part_number') if isinstance(part, dict) else None
        e_tag = part.get('e_tag') if isinstance(part, dict) else None
        if not _whole_number(number) or not isinstance(e_tag, str):
            raise errors.ValidationError(
                '{0} part {1} must be an object with a whole "part_number" and an "e_tag" '
                'string, got {2}.'.format(name, index, errors.excerpt(part))
            )
        if listed and number <= listed[-1]['part_number']:
            raise errors.ValidationError(
                '{0} parts must be listed in ascending order of part_number without '
                'repeats; part {1} has part_number {2} after {3}.'.format(
                    name, index, number, listed[-1]['part_number'])
            )
        listed.append({'part_number': number, 'e_tag': e_tag.strip().strip('"')})
    expected = list(range(1, upload.parts + 1))
    missing = sorted(set(expected) - {part['part_number'] for part in listed})
    extra = [part['part_number'] for part in listed if part['part_number'] not in expected]
    if missing or extra:
        raise errors.ValidationError(
            '{0}: upload {1} has parts 1 to {2}; {3}.'.format(
                name, upload.upload_id, upload.parts,
                'parts {0} are missing from "parts"'.format(missing) if missing
                else 'there is no part {0}'.format(extra))
        )
    return listed


@action('complete_multipart_upload')
def complete_multipart_upload(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Join the parts of a multipart upload into the component's data.

    Raise :class:`~ftrack_local_server.errors.NotFoundError` for an unknown
    ``upload_id`` and :class:`~ftrack_local_server.errors.ValidationError`
    for a ``component_id`` that is not the upload's, a malformed or
    incomplete ``parts`` list, a part never uploaded, an ``e_tag`` that is
    not the one answered for the part, or joined data whose size or
    checksum differ from what ``get_upload_metadata`` was told.
    """
    name = 'complete_multipart_upload'
    file_server = file_server_of(context, name)
    base_url = base_url_of(context, name)
    tx = context.tx
    upload_id = required_string(operation, 'upload_id', name)
    upload = uploads.find_by_id(tx, upload_id)
    if upload is None:
        raise errors.NotFoundError(
            '{0}: no upload with upload_id {1} is open (it was completed, it expired, or '
            'it never existed).'.format(name, errors.excerpt(upload_id))
        )
    if not upload.is_multipart:
        raise errors.ValidationError(
            '{0}: upload {1} is a single-part upload; its data is stored by the PUT '
            'itself.'.format(name, upload_id)
        )
    component_id = operation.get('component_id')
    if component_id is not None and component_id != upload.component_id:
        raise errors.ValidationError(
            '{0}: upload {1} is for component {2}, not {3}.'.format(
                name, upload_id, upload.component_id, errors.excerpt(component_id))
        )
    listed = _listed_parts(operation, upload)
    received = uploads.received_parts(tx, upload)
    for part in listed:
        stored = received.get(part['part_number'])
        if stored is None:
            raise errors.ValidationError(
                '{0}: part {1} of upload {2} was never uploaded.'.format(
                    name, part['part_number'], upload_id)
            )
        if part['e_tag'] != stored['e_tag']:
            raise errors.ValidationError(
                '{0}: the e_tag {1} given for part {2} is not the ETag "{3}" the server '
                'answered when the part was uploaded.'.format(
                    name, errors.excerpt(part['e_tag']), part['part_number'], stored['e_tag'])
            )
    files = file_server.files
    try:
        written = files.stage_concatenation(
            files.part_path(received[part['part_number']]['blob']) for part in listed)
    except OSError as error:
        raise errors.ApiError('{0}: could not join the parts of upload {1}: {2}.'.format(
            name, upload_id, error))
    problem = _assembled_problem(upload, written)
    if problem is not None:
        discard(written.path)
        raise errors.ValidationError('{0}: {1}'.format(name, problem))
    blob = files.claim_blob(written.path)
    # A replaced blob, and the part files, stay until a sweep: this batch
    # may still roll back.
    files.record(tx, upload.component_id, blob, written.size, written.md5,
                 upload.content_type, upload.file_name)
    uploads.finish(tx, upload)
    logger.info('Joined %d parts (%d bytes) into the data of component %s.',
                len(listed), written.size, upload.component_id)
    return {
        'action': name,
        'component_id': upload.component_id,
        'url': '{0}/component/get?id={1}'.format(base_url, upload.component_id),
    }


def _assembled_problem(upload: uploads.Upload, written: Any) -> Optional[str]:
    if upload.file_size is not None and written.size != upload.file_size:
        return ('the joined parts have {0} bytes but get_upload_metadata declared file_size '
                '{1}; nothing was stored.'.format(written.size, upload.file_size))
    if upload.checksum is not None and uploads.decode_checksum(upload.checksum) != bytes.fromhex(written.md5):
        return ('the joined parts have MD5 {0}, not the checksum {1} given to '
                'get_upload_metadata; nothing was stored.'.format(
                    uploads.checksum_of_hex(written.md5), upload.checksum))
    return None


def finish_batch(context: Any) -> None:
    """Drop the stored data of the components the batch deleted (before commit).

    The blobs themselves are deleted by a later sweep, once nothing refers
    to them: the batch may still roll back.
    """
    catalogue = context.tx.catalogue
    removed = []
    for record in context.changes:
        if record.get('action') != 'remove':
            continue
        entity_type = catalogue.find(record.get('entity_type') or '')
        if entity_type is not None and entity_type.is_a('Component'):
            removed.append(record.get('entityId'))
    if removed:
        forget_rows(context.tx, removed)
