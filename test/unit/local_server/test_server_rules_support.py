"""A small studio and a batch runner for the write-rule tests.

Not a test module of its own: ``conftest.py`` loads it once as the module
``server_rules_support``, which the ``test_server_rules_*`` modules import
(tests run with ``--import-mode=importlib``, so sibling modules are not
importable by name), and makes the ``studio`` fixture of it. The operation
builders are those of :mod:`ftrack_local_server.testing`, re-exported here.
Batches run through the real ``create`` / ``update`` / ``delete`` handlers
inside one store transaction, exactly as the dispatcher runs them.
"""

from ftrack_local_server import errors
from ftrack_local_server.actions import entity as entity_actions
from ftrack_local_server.context import RequestContext
from ftrack_local_server.model import Model
from ftrack_local_server.schema import Catalogue
from ftrack_local_server.store import Store
from ftrack_local_server.testing import create_operation, new_id, ref
from ftrack_local_server.testing import delete_operation as delete
from ftrack_local_server.testing import update_operation as update

HANDLERS = {
    'create': entity_actions.create,
    'update': entity_actions.update,
    'delete': entity_actions.delete,
}

OBJECT_TYPES = {
    'Folder': ('3c133785-51cb-11e3-980a-20c9d0831e59', False, False, False),
    'Episode': ('22139355-61da-4c8f-9db4-3abc870166bc', False, True, False),
    'Sequence': ('e5139355-61da-4c8f-9db4-3abc870166bc', False, True, False),
    'Shot': ('bad911de-3bd6-47b9-8b46-3476e237cb36', False, True, False),
    'AssetBuild': ('4be63b64-5010-42fb-bf1f-428af9d638f0', False, True, True),
    'Task': ('11c137c0-ee7e-4f9c-91c5-8c77cec22b2c', True, True, True),
    'Milestone': ('01decdd1-51cb-11e3-9d5b-20c9d0831e59', True, True, True),
}
PRIORITY = '9661b320-3a0c-11e2-81c1-0800200c9a66'

_MODEL = None


def model():
    """Return a storage model shared by the tests (building it takes a moment)."""
    global _MODEL
    if _MODEL is None:
        _MODEL = Model(Catalogue.load())
    return _MODEL


def create(entity_type, data, key=True):
    """Return a create operation; with *key* it carries ``entity_key`` like Py."""
    entity_key = [data['id']] if key and 'id' in data else None
    return create_operation(entity_type, data, entity_key)


class Studio:
    """A store holding a minimal studio: object types, statuses, a project schema.

    Attributes name the ids of what the tests use.
    """

    def __init__(self, path=None):
        self.store = Store(path, model=model())
        self.user = {'id': None, 'username': 'system'}
        ids = {}
        for name in ('not_started', 'in_progress', 'done', 'approved',
                     'shot_ready', 'override_status'):
            ids[name] = new_id()
        self.status = ids
        self.type_modeling = new_id()
        self.type_compositing = new_id()
        self.type_generic = new_id()
        self.task_workflow = new_id()
        self.version_workflow = new_id()
        self.override_workflow = new_id()
        self.task_type_schema = new_id()
        self.project_schema = new_id()
        self.user_type = 'ac9fa5aa-4361-11e0-b7cc-0019bb4983d8'
        self.admin = new_id()
        self.state = new_id()
        operations = [create('Priority', {'id': PRIORITY, 'name': 'Medium'}),
                      create('State', {'id': self.state, 'name': 'Not started',
                                       'short': 'NOT_STARTED'}),
                      create('UserType', {'id': self.user_type, 'name': 'user'})]
        for name, (identifier, leaf, statusable, typeable) in OBJECT_TYPES.items():
            operations.append(create('ObjectType', {
                'id': identifier, 'name': name, 'is_leaf': leaf,
                'is_statusable': statusable, 'is_typeable': typeable}))
        for sort, (name, identifier) in enumerate(ids.items()):
            operations.append(create('Status', {
                'id': identifier, 'name': name, 'sort': sort,
                'state': ref('State', self.state)}))
        for sort, (name, identifier) in enumerate([
                ('Generic', self.type_generic), ('Modeling', self.type_modeling),
                ('Compositing', self.type_compositing)]):
            operations.append(create('Type', {'id': identifier, 'name': name,
                                              'sort': sort}))
        operations += [
            create('WorkflowSchema', {'id': self.task_workflow, 'name': 'Tasks'}),
            create('WorkflowSchema', {'id': self.version_workflow, 'name': 'Versions'}),
            create('WorkflowSchema', {'id': self.override_workflow, 'name': 'Override'}),
            create('TaskTypeSchema', {'id': self.task_type_schema, 'name': 'Types'}),
        ]
        for workflow, statuses in (
                (self.task_workflow, ['not_started', 'in_progress', 'done']),
                (self.version_workflow, ['approved', 'in_progress']),
                (self.override_workflow, ['override_status'])):
            for status in statuses:
                operations.append(create('WorkflowSchemaStatus', {
                    'workflow_schema_id': workflow,
                    'status_id': ids[status]}, key=False))
        for type_id in (self.type_modeling, self.type_compositing):
            operations.append(create('TaskTypeSchemaType', {
                'task_type_schema_id': self.task_type_schema,
                'type_id': type_id}, key=False))
        operations.append(create('ProjectSchema', {
            'id': self.project_schema, 'name': 'VFX',
            'task_workflow_schema_id': self.task_workflow,
            'asset_version_workflow_schema_id': self.version_workflow,
            'task_type_schema_id': self.task_type_schema}))
        operations.append(create('ProjectSchemaOverride', {
            'project_schema_id': self.project_schema,
            'type_id': self.type_compositing,
            'workflow_schema_id': self.override_workflow}))
        self.shot_schema = new_id()
        operations.append(create('Schema', {
            'id': self.shot_schema, 'project_schema_id': self.project_schema,
            'object_type_id': OBJECT_TYPES['Shot'][0]}))
        operations.append(create('SchemaStatus', {
            'schema_id': self.shot_schema, 'status_id': ids['shot_ready'],
            'sort': 0}, key=False))
        self.admin_user = new_id()
        operations.append(create('User', {
            'id': self.admin_user, 'username': 'admin', 'is_active': True}))
        # The studio's administrator may do everything (the permission model).
        role = new_id()
        operations.append(create('SecurityRole', {
            'id': role, 'name': 'Administrator', 'type': 'PROJECT'}))
        operations.append(create('UserSecurityRole', {
            'id': new_id(), 'user_id': self.admin_user, 'security_role_id': role,
            'is_all_projects': True}))
        self.asset_type = new_id()
        operations.append(create('AssetType', {
            'id': self.asset_type, 'name': 'Geometry', 'short': 'geo'}))
        self.custom_types = {}
        for name in ('text', 'number', 'enumerator', 'boolean', 'date'):
            identifier = new_id()
            self.custom_types[name] = identifier
            operations.append(create('CustomAttributeType', {
                'id': identifier, 'name': name}))
        self.run(operations)
        self.user = {'id': self.admin_user, 'username': 'admin'}

    def run(self, operations, user=None):
        """Run *operations* as one batch; return ``(results, changes)``.

        Errors propagate after the transaction was rolled back.
        """
        with self.store.transaction() as tx:
            context = RequestContext(server=None, tx=tx, user=user or self.user)
            results = [HANDLERS[operation['action']](operation, context)
                       for operation in operations]
            entity_actions.finish_batch(context)
        return results, context.changes

    def one(self, operation):
        """Run one operation and return its result ``data``."""
        return self.run([operation])[0][0]['data']

    def row(self, table, **where):
        with self.store.transaction() as tx:
            row = tx.select_one(table, where)
            return dict(row) if row is not None else None

    def rows(self, table, **where):
        with self.store.transaction() as tx:
            return [dict(row) for row in tx.select(table, where)]

    def project(self, name=None):
        """Create a project and return its id."""
        identifier = new_id()
        self.one(create('Project', {
            'id': identifier, 'name': name or 'project_' + identifier[:8],
            'full_name': 'Project', 'project_schema': ref(
                'ProjectSchema', self.project_schema)}))
        return identifier

    def context(self, entity_type, parent, parent_type='Project', **data):
        """Create a typed context under *parent* and return its id."""
        identifier = new_id()
        values = {'id': identifier, 'name': data.pop('name', entity_type.lower()),
                  'parent': ref(parent_type, parent)}
        if entity_type == 'Task' and 'type' not in data:
            values['type'] = ref('Type', self.type_modeling)
        values.update(data)
        self.one(create(entity_type, values))
        return identifier

    def close(self):
        self.store.close()


def expect_error(studio, operations, error_class, *fragments):
    """Run *operations*, expect *error_class* whose content holds *fragments*."""
    try:
        studio.run(operations)
    except error_class as error:
        for fragment in fragments:
            assert fragment in error.content, (fragment, error.content)
        return error
    raise AssertionError('{0} not raised'.format(error_class.__name__))


__all__ = ['errors', 'create', 'delete', 'new_id', 'ref', 'update']
