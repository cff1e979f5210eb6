"""Task templates: list them, and create their tasks on a context.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/task_templates.py``.
"""

import uuid

import ftrack_api


def main():
    """Print the schema's templates and apply one to a new shot."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'templates_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Templates example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        session.commit()

        for task_template in project['project_schema']['task_templates']:
            print('Template {0}: {1}'.format(
                task_template['name'],
                ', '.join(item['task_type']['name']
                          for item in task_template['items']),
            ))

        # "Apply" a template: one task per task type it lists. (The status
        # is left to the server's default for the type.)
        template = next(
            item for item in schema['task_templates']
            if item['name'] == 'Shot tasks'
        )
        for item in template['items']:
            session.create('Task', {
                'name': item['task_type']['name'].lower(),
                'type': item['task_type'],
                'parent': shot,
            })
        session.commit()
        print('Created:', sorted(child['name'] for child in shot['children']))
        assert len(shot['children']) == len(template['items'])


if __name__ == '__main__':
    main()
