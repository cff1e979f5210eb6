"""Structure following the project hierarchy, for centralised storage."""

from __future__ import annotations

import re
import unicodedata

import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api.structure.base import Structure, UnsupportedEntityError

#: Characters kept by :meth:`StandardStructure.sanitise_for_filesystem`.
_ILLEGAL_CHARACTERS = re.compile(r'[^\w.-]', re.ASCII)


def _is_unset(value):
    """Return whether *value* is missing (None or not loaded)."""
    return value is None or value is ftrack_api.symbol.NOT_SET


class StandardStructure(Structure):
    """Project hierarchy based structure that only supports Components.

    Identifiers are built from the project name, the names of the contexts
    between project and asset, the asset name and the version number, all
    sanitised::

        my_project/folder_a/folder_b/asset_name/v003/foo.jpg

    Sequences use a frame expression (``foo.%04d.jpg``) and their members
    their index (``foo.0042.jpg``); containers add a directory named after
    the container (``.../v003/bar/baz.pdf``). Nested containers are not
    supported.
    """

    def __init__(
        self, project_versions_prefix=None, illegal_character_substitute='_'
    ):
        """Initialise structure.

        If *project_versions_prefix* is given, it is inserted after the
        project name for versions published directly under the project
        (``my_project/<project_versions_prefix>/v001/foo.jpg``). Illegal
        characters in names are replaced with
        *illegal_character_substitute*; None keeps names unmodified.
        """
        super(StandardStructure, self).__init__()
        self.project_versions_prefix = project_versions_prefix
        self.illegal_character_substitute = illegal_character_substitute

    def sanitise_for_filesystem(self, value):
        """Return *value* with illegal filesystem characters replaced.

        Accents are dropped (``é`` becomes ``e``), other non ASCII
        characters removed, anything but letters, digits, ``_``, ``.`` and
        ``-`` (spaces included) replaced by the substitute given on
        initialisation, and the result lower-cased. Without a substitute,
        *value* is returned unmodified.
        """
        substitute = self.illegal_character_substitute
        if substitute is None:
            return value

        text = unicodedata.normalize('NFKD', str(value))
        text = text.encode('ascii', 'ignore').decode('ascii')
        # A function replacement keeps a substitute like "\\" literal.
        text = _ILLEGAL_CHARACTERS.sub(lambda match: substitute, text)
        return text.strip().lower()

    def get_resource_identifier(self, entity, context=None):
        """Return a resource identifier for supplied component *entity*.

        *context* is unused. Raise
        :exc:`~ftrack_api.exception.StructureError` if *entity* is not a
        component attached to a committed version with a committed asset
        in a parent context, and
        :exc:`~ftrack_api.structure.base.UnsupportedEntityError` (also a
        :exc:`NotImplementedError`) if it is not a component at all.
        """
        entity_type = entity.entity_type

        if entity_type == 'FileComponent':
            container = entity['container']
            if _is_unset(container):
                parts = self._get_parts(entity)
                parts.append(self._file_name(entity))
            elif container.entity_type == 'SequenceComponent':
                parts = self._get_parts(container)
                parts.append(
                    '{0}.{1}{2}'.format(
                        self.sanitise_for_filesystem(container['name']),
                        self._format_sequence_index(container, entity['name']),
                        self._file_type(entity),
                    )
                )
            else:
                parts = self._get_parts(container)
                parts.append(self.sanitise_for_filesystem(container['name']))
                parts.append(self._file_name(entity))

        elif entity_type == 'SequenceComponent':
            parts = self._get_parts(entity)
            parts.append(
                '{0}.{1}{2}'.format(
                    self.sanitise_for_filesystem(entity['name']),
                    self._get_sequence_expression(entity),
                    self._file_type(entity),
                )
            )

        elif entity_type == 'ContainerComponent':
            parts = self._get_parts(entity)
            parts.append(self.sanitise_for_filesystem(entity['name']))

        else:
            raise UnsupportedEntityError(
                'Cannot generate resource identifier for unsupported entity '
                '{entity!r}',
                details={'entity_type': entity_type, 'entity': entity},
            )

        return self.path_separator.join(parts)

    def _file_name(self, component):
        """Return sanitised name and file type of *component*."""
        return '{0}{1}'.format(
            self.sanitise_for_filesystem(component['name']),
            self._file_type(component),
        )

    def _format_version(self, number):
        """Return version *number* as ``v###``."""
        return 'v{0:03d}'.format(int(number))

    def _get_version(self, component):
        """Return the committed version of *component*.

        Raise :exc:`~ftrack_api.exception.StructureError` when it has none
        or the version has not been committed.
        """
        session = component.session
        version = component['version']
        if _is_unset(version):
            version_id = component['version_id']
            if not _is_unset(version_id):
                version = session.get('AssetVersion', version_id)

        uncommitted = not _is_unset(version) and any(
            created is version for created in session.created
        )
        if _is_unset(version) or uncommitted:
            raise self._unattached_error(component)
        return version

    def _unattached_error(self, component):
        """Return the error for *component* lacking a committed version."""
        return ftrack_api.exception.StructureError(
            'Component {component!r} must be attached to a committed version '
            'and a committed asset with a parent context.',
            details={'component': component},
        )

    def _get_parts(self, entity):
        """Return sanitised path parts down to the version of component *entity*."""
        component = entity
        session = component.session
        version = self._get_version(component)

        link = version['link']
        if _is_unset(link) or not link:
            raise self._unattached_error(component)

        # The link runs from the project to the version itself; what lies
        # between are the contexts the asset is published under.
        context_names = [item['name'] for item in link[1:-1]]
        project = session.get('Project', link[0]['id'])
        asset = version['asset']
        if _is_unset(asset) or project is None:
            raise self._unattached_error(component)

        parts = [project['name']]
        if context_names:
            parts.extend(context_names)
        elif self.project_versions_prefix:
            parts.append(self.project_versions_prefix)
        parts.append(asset['name'])
        parts.append(self._format_version(version['version']))

        return [self.sanitise_for_filesystem(part) for part in parts]
