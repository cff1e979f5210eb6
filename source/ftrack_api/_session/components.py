"""Creating components from files and encoding media (protocol §6.7, §2.9).

A component is first registered in the in-memory ``ftrack.origin``
location, with the file path as its resource identifier, so it can then be
added to any other location: that transfer copies the data with the
accessors and registers the component there.
"""

from __future__ import annotations

import os

import clique

import ftrack_api._session.component_transfer as _transfer
import ftrack_api.entity.base
import ftrack_api.event.base
import ftrack_api.exception
import ftrack_api.query
import ftrack_api.symbol

#: Component names that ``location='auto'`` sends to ``ftrack.review``.
REVIEW_COMPONENT_NAMES = ('ftrackreview-mp4', 'ftrackreview-webm', 'ftrackreview-image')

#: Topic asking local plugins for the file type of a path.
FILE_TYPE_TOPIC = 'ftrack.api.session.get-file-type-from-string'


def _as_path(path):
    """Return *path* as a string; raise :exc:`TypeError` naming anything else."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise TypeError(
            'Component path must be a non-empty string, got {0!r}.'.format(path)
        )
    return path


def parse_sequence(path):
    """Return the :class:`clique.Collection` *path* describes, or None.

    A sequence is written ``{head}{padding}{tail} [{ranges}]``, for
    instance ``/path/file.%04d.exr [1-5, 7]``; anything else is one file.
    """
    try:
        return clique.parse(path)
    except ValueError:
        return None


def filesystem_size(path):
    """Return the size in bytes of the file at *path*, 0 if unreadable."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def file_type(session, path):
    """Return the file type of *path*, asking local plugins first.

    The first non-empty answer to the synchronous
    ``ftrack.api.session.get-file-type-from-string`` event (data
    ``file_path``) wins; otherwise the extension, with its dot.
    """
    results = session.event_hub.publish(
        ftrack_api.event.base.Event(topic=FILE_TYPE_TOPIC, data={'file_path': path}),
        synchronous=True,
    )
    for result in results or []:
        if result:
            return result
    return os.path.splitext(path)[-1]


def resolve_location(session, location, data):
    """Return the location *location* asks for (None for none).

    ``'auto'`` gives ``ftrack.review`` for review component names and
    otherwise :meth:`Session.pick_location`; a query result gives its one
    location. Raise :exc:`ValueError` naming anything else.
    """
    import ftrack_api.entity.location

    if isinstance(location, str):
        if location != 'auto':
            raise ValueError(
                "location must be a Location, 'auto' or None, got {0!r}.".format(
                    location
                )
            )
        if data.get('name') in REVIEW_COMPONENT_NAMES:
            return session.get('Location', ftrack_api.symbol.REVIEW_LOCATION_ID)
        return session.pick_location()
    if isinstance(location, ftrack_api.query.QueryResult):
        location = location.one()
    if location is not None and not isinstance(
        location, ftrack_api.entity.location.Location
    ):
        raise ValueError(
            "location must be a Location, 'auto' or None, got {0!r}.".format(location)
        )
    return location


def _origin(session):
    return session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)


def create_component(session, path, data=None, location='auto'):
    """Create and return a component for the file or sequence at *path*.

    See :meth:`ftrack_api.session.Session.create_component`. When adding
    the component to *location* fails, the components created here are
    discarded from the session (other recorded work stays) and the error
    is raised.
    """
    path = _as_path(path)
    data = dict(data or {})
    location = resolve_location(session, location, data)
    collection = parse_sequence(path)

    created = []
    try:
        if collection is None:
            component = _create_file_component(session, path, data, created)
            if location:
                location.add_component(component, _origin(session), recursive=False)
            return component
        container = _create_sequence(session, collection, data, created)
        if location:
            location.add_component(container, _origin(session), recursive=True)
        return container
    except BaseException:
        _discard(session, created)
        raise


def _discard(session, created):
    """Forget *created* components: recorded operations and origin entries."""
    origin = _origin(session)
    for component in reversed(created):
        _transfer.discard_created(session, component)
        if origin is not None:
            origin._deregister_components_in_location([component])


def _create_registered(session, entity_type, path, data, created):
    """Create an *entity_type* component and register *path* in the origin."""
    component = session.create(entity_type, data)
    created.append(component)
    _origin(session).add_component(component, path, recursive=False)
    return component


def _create_file_component(session, path, data, created):
    if 'size' not in data:
        data['size'] = filesystem_size(path)
    if 'file_type' not in data:
        data['file_type'] = file_type(session, path)
    return _create_registered(session, 'FileComponent', path, data, created)


def _create_sequence(session, collection, data, created):
    """Create a sequence component and a member per index of *collection*."""
    members = list(collection)
    member_sizes = {}
    container_size = data.get('size')
    if container_size is not None:
        if members:
            share = int(round(container_size / len(members)))
            member_sizes = {member: share for member in members}
    else:
        container_size = 0
        for member in members:
            member_sizes[member] = filesystem_size(member)
            container_size += member_sizes[member]

    container_path = collection.format('{head}{padding}{tail}')
    data.setdefault('padding', collection.padding)
    if 'file_type' not in data:
        data['file_type'] = file_type(session, container_path)
    data.setdefault('size', container_size)
    container = _create_registered(
        session, 'SequenceComponent', container_path, data, created
    )

    for member_path in members:
        member = _create_registered(session, 'FileComponent', member_path, {
            'name': collection.match(member_path).group('index'),
            'container': container,
            'size': member_sizes[member_path],
            'file_type': file_type(session, member_path),
        }, created)
        container['members'].append(member)
    return container


def encode_media(session, media, version_id=None, keep_original='auto'):
    """Ask the server to encode *media*; return the encoding ``Job``.

    See :meth:`ftrack_api.session.Session.encode_media`. Raise
    :exc:`ValueError` for media that is neither a path nor a
    ``FileComponent`` and for a *keep_original* other than ``'auto'``,
    True or False, and :exc:`ftrack_api.exception.ServerCompatibilityError`
    when the server cannot encode media.
    """
    if not (isinstance(keep_original, bool) or keep_original == 'auto'):
        raise ValueError(
            "keep_original must be 'auto', True or False, got {0!r}.".format(
                keep_original
            )
        )
    if isinstance(media, (str, os.PathLike)):
        if keep_original == 'auto':
            keep_original = False
        data = {'version_id': version_id} if keep_original else None
        component = create_component(
            session, media, data=data,
            location=session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID),
        )
        # The server encodes what it stores: the component must exist there.
        session.commit()
    elif (
        isinstance(media, ftrack_api.entity.base.Entity)
        and media.entity_type == 'FileComponent'
    ):
        component = media
        if keep_original == 'auto':
            keep_original = True
    else:
        raise ValueError(
            'Unable to encode media of type {0}: expected a file path or a '
            'FileComponent, got {1!r}.'.format(type(media).__name__, media)
        )

    result = session._call_optional_action([{
        'action': 'encode_media',
        'component_id': component['id'],
        'version_id': version_id,
        'keep_original': keep_original,
    }])
    return session.get('Job', result[0]['job_id'])
