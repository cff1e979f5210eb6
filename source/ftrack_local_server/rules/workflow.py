"""Statuses and types a project schema allows, as a real server derives them.

A project's schema (``ProjectSchema``) says which statuses and types each
kind of object may have, through the same relations the Python client's
``ProjectSchema.get_statuses`` / ``get_types`` read (protocol §4.4):

* tasks: the statuses of the workflow overriding the task's type
  (``_overrides``), else of the task workflow (``_task_workflow``); the
  types of the task type schema (``_task_type_schema``);
* asset versions: the statuses of the version workflow;
* other typed contexts: the ``Schema`` of their object type
  (``_schemas``), with its ``SchemaStatus`` / ``SchemaType`` rows by sort.

These lists give the default status and type of new entities.
"""

from __future__ import annotations

from typing import Any, List, Optional

from .common import Entity, asset_project_id, load

TASK_OBJECT_TYPE = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'


def project_schema_of(tx: Any, project_id: Any) -> Optional[str]:
    """Return the project schema id of project *project_id*, or None."""
    if project_id is None:
        return None
    project = load(tx, 'Project', (project_id,))
    return project.get('project_schema_id') if project else None


def _workflow_statuses(tx: Any, workflow_schema_id: Any) -> List[str]:
    if workflow_schema_id is None:
        return []
    rows = tx.query(
        'SELECT l.status_id FROM workflowschemastatus l '
        'JOIN taskstatus s ON s.id = l.status_id '
        'WHERE l.workflow_schema_id = ? ORDER BY s.sort, l.rowid',
        [workflow_schema_id])
    return [row[0] for row in rows]


def _object_schema(tx: Any, schema_id: Any, object_type_id: Any) -> Optional[str]:
    row = tx.query_one(
        'SELECT id FROM schema WHERE project_schema_id = ? AND object_type_id = ? '
        'ORDER BY rowid LIMIT 1', [schema_id, object_type_id])
    return row[0] if row else None


def statuses(tx: Any, schema_id: Any, object_type_id: Any,
             type_id: Any = None) -> List[str]:
    """Return the status ids allowed for an object type under project schema *schema_id*.

    *object_type_id* is the typed context's object type, or the string
    ``'AssetVersion'`` for versions; *type_id* a task's type.
    """
    if schema_id is None:
        return []
    project_schema = tx.select_one('projectscheme', {'id': schema_id})
    if project_schema is None:
        return []
    if object_type_id == 'AssetVersion':
        return _workflow_statuses(
            tx, project_schema['asset_version_workflow_schema_id'])
    if object_type_id == TASK_OBJECT_TYPE:
        if type_id is not None:
            override = tx.query_one(
                'SELECT workflow_schema_id FROM projectschemeoverride '
                'WHERE project_schema_id = ? AND type_id = ? ORDER BY rowid LIMIT 1',
                [schema_id, type_id])
            if override is not None:
                found = _workflow_statuses(tx, override[0])
                if found:
                    return found
        return _workflow_statuses(tx, project_schema['task_workflow_schema_id'])
    object_schema = _object_schema(tx, schema_id, object_type_id)
    if object_schema is None:
        return []
    rows = tx.query(
        'SELECT status_id FROM schemastatus WHERE schema_id = ? '
        'ORDER BY sort, rowid', [object_schema])
    return [row[0] for row in rows]


def types(tx: Any, schema_id: Any, object_type_id: Any) -> List[str]:
    """Return the type ids allowed for an object type under project schema *schema_id*."""
    if schema_id is None:
        return []
    project_schema = tx.select_one('projectscheme', {'id': schema_id})
    if project_schema is None:
        return []
    if object_type_id == TASK_OBJECT_TYPE:
        rows = tx.query(
            'SELECT l.type_id FROM tasktypeschematype l '
            'JOIN tasktype t ON t.id = l.type_id '
            'WHERE l.task_type_schema_id = ? ORDER BY t.sort, l.rowid',
            [project_schema['task_type_schema_id']])
        return [row[0] for row in rows]
    object_schema = _object_schema(tx, schema_id, object_type_id)
    if object_schema is None:
        return []
    rows = tx.query(
        'SELECT type_id FROM schematype WHERE schema_id = ? ORDER BY sort, rowid',
        [object_schema])
    return [row[0] for row in rows]


def object_type_flags(tx: Any, object_type_id: Any) -> dict:
    """Return the ObjectType flags (``is_statusable``, ...) of *object_type_id*.

    Unknown object types count as statusable and typeable.
    """
    row = tx.select_one('objecttype', {'id': object_type_id}) \
        if object_type_id else None
    if row is None:
        return {'is_statusable': True, 'is_typeable': True}
    return {
        'is_statusable': bool(row['is_statusable']) if row['is_statusable'] is not None else True,
        'is_typeable': bool(row['is_typeable']) if row['is_typeable'] is not None else True,
    }


def default_version_status(tx: Any, version: Entity) -> Optional[str]:
    """Return the first status of the version workflow of *version*'s project."""
    project_id = asset_project_id(tx, version.get('asset_id'))
    found = statuses(tx, project_schema_of(tx, project_id), 'AssetVersion')
    return found[0] if found else None
