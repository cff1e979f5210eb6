"""Custom attribute configurations, and reading and writing their values.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/custom_attributes.py``.
"""

import json
import uuid

import arrow

import ftrack_api
import ftrack_api.exception


def main():
    """Configure attributes of several types and use them on a shot."""
    suffix = uuid.uuid4().hex[:8]
    with ftrack_api.Session() as session:
        attribute_type = {
            item['name']: item for item in session.query('CustomAttributeType')
        }
        security_role = session.query(
            'SecurityRole where name is "Administrator"'
        ).one()
        shot_type = session.query('ObjectType where name is "Shot"').one()

        # "task" is the legacy name for TypedContext types (Shot, Task...):
        # object_type_id says which one.
        fstart = session.create('CustomAttributeConfiguration', {
            'entity_type': 'task',
            'object_type_id': shot_type['id'],
            'type': attribute_type['number'],
            'label': 'Frame start', 'key': 'fstart_' + suffix,
            'default': 1001,
            'config': json.dumps({'isdecimal': False}),
            'read_security_roles': [security_role],
            'write_security_roles': [security_role],
        })
        # An enumerator's config holds its options as a JSON string
        # inside the JSON config.
        session.create('CustomAttributeConfiguration', {
            'entity_type': 'task',
            'object_type_id': shot_type['id'],
            'type': attribute_type['enumerator'],
            'label': 'Delivery', 'key': 'delivery_' + suffix,
            'default': ['web'],
            'config': json.dumps({
                'multiSelect': True,
                'data': json.dumps([
                    {'menu': 'Web', 'value': 'web'},
                    {'menu': 'Cinema', 'value': 'cinema'},
                ]),
            }),
            'read_security_roles': [security_role],
            'write_security_roles': [security_role],
        })
        # A global text attribute on asset versions, and a date attribute.
        # (Date defaults are written with arrow; 'config' may be omitted.)
        session.create('CustomAttributeConfiguration', {
            'entity_type': 'assetversion',
            'type': attribute_type['text'],
            'label': 'Review note', 'key': 'review_note_' + suffix,
            'default': '', 'config': json.dumps({'markdown': False}),
            'read_security_roles': [security_role],
            'write_security_roles': [security_role],
        })
        session.create('CustomAttributeConfiguration', {
            'entity_type': 'task',
            'object_type_id': shot_type['id'],
            'type': attribute_type['date'],
            'label': 'Due', 'key': 'due_' + suffix,
            'default': arrow.Arrow(2017, 2, 8),
            'read_security_roles': [security_role],
            'write_security_roles': [security_role],
        })
        session.commit()

        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'attributes_' + suffix, 'full_name': 'Attributes example',
            'project_schema': schema,
        })
        # Create the entity first; set its custom attributes afterwards
        # (they cannot be passed to create()).
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        session.commit()

        key = 'fstart_' + suffix
        print('Keys:', sorted(shot['custom_attributes'].keys()))
        print('Default frame start:', shot['custom_attributes'][key])
        shot['custom_attributes'][key] = 1009
        shot['custom_attributes']['delivery_' + suffix] = ['web', 'cinema']
        session.commit()

        # Query by value with "custom_attributes any (...)".
        found = session.query(
            'Shot where custom_attributes any '
            '(key is "{0}" and value is 1009)'.format(key)
        ).all()
        assert [item['id'] for item in found] == [shot['id']]

        # The server checks the value's type.
        shot['custom_attributes'][key] = 'not a number'
        try:
            session.commit()
        except ftrack_api.exception.ServerError as error:
            print('Refused:', error)
            session.rollback()

        # Changing the default affects only entities created afterwards.
        fstart['default'] = 1
        session.commit()

        # A project-specific configuration can be made global.
        local = session.create('CustomAttributeConfiguration', {
            'entity_type': 'show', 'project_id': project['id'],
            'type': attribute_type['boolean'],
            'label': 'Archived', 'key': 'archived_' + suffix, 'default': False,
            'read_security_roles': [security_role],
            'write_security_roles': [security_role],
        })
        session.commit()
        local['project_id'] = None
        session.commit()
        print('Configurations:', len(
            session.query('CustomAttributeConfiguration').all()
        ))


if __name__ == '__main__':
    main()
