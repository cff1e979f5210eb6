"""Project schema entity helpers: statuses and types per object type."""

from __future__ import annotations

import ftrack_api.entity.base
import ftrack_api.symbol


class ProjectSchema(ftrack_api.entity.base.Entity):
    """Class representing ProjectSchema."""

    def get_statuses(self, schema, type_id=None):
        """Return statuses for *schema* and optional *type_id*.

        *schema* is an entity type name (``'Task'``, ``'AssetVersion'``,
        ``'Shot'``, ...). *type_id* is the id of a task ``Type``: when the
        workflow is overridden for that type, the override's statuses are
        returned. Raise :exc:`ValueError` naming *schema* when it is unknown,
        has no statuses, or the project schema defines none for it.
        """
        if schema == 'Task':
            if type_id is not None:
                for override in self['_overrides']:
                    if override['type_id'] == type_id:
                        return override['workflow_schema']['statuses'][:]
            return self['_task_workflow']['statuses'][:]

        if schema == 'AssetVersion':
            return self['_version_workflow']['statuses'][:]

        return self._object_schema_items(
            schema, 'statuses', 'SchemaStatus', 'task_status'
        )

    def get_types(self, schema):
        """Return types for *schema*.

        Raise :exc:`ValueError` naming *schema* when it is unknown, has no
        types, or the project schema defines none for it.
        """
        if schema == 'Task':
            return self['_task_type_schema']['types'][:]

        return self._object_schema_items(schema, 'types', 'SchemaType', 'task_type')

    def _object_schema_items(self, schema, what, link_type, attribute):
        """Return the *attribute* of each *link_type* of the *schema*'s ``Schema``.

        *what* names the items in errors (see :meth:`_object_schema_id`).
        """
        result = self.session.query(
            'select {0} from {1} where schema_id is {2}'.format(
                attribute, link_type, self._object_schema_id(schema, what)
            )
        )
        return [item[attribute] for item in result]

    def _object_schema_id(self, schema, what):
        """Return the id of this project schema's ``Schema`` for *schema*."""
        entity_class = self.session.types.get(schema)
        if entity_class is None:
            raise ValueError('Schema {0} does not exist.'.format(schema))
        attribute = entity_class.attributes.get('object_type_id')
        object_type_id = getattr(attribute, 'default_value', ftrack_api.symbol.NOT_SET)
        if attribute is None or object_type_id is ftrack_api.symbol.NOT_SET:
            raise ValueError(
                'Schema {0} does not have {1}.'.format(schema, what)
            )
        for object_schema in self['_schemas']:
            if object_schema['type_id'] == object_type_id:
                return object_schema['id']
        raise ValueError(
            'No valid {0} were found for schema {1}.'.format(what, schema)
        )
