"""Authenticated URLs of the web interface's widgets, for embedding.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/widget_urls.py``.
"""

import uuid

import ftrack_api


def main():
    """Print the URLs of the info and tasks widgets."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'widgets_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Widgets example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        session.commit()

        # "info" shows one entity; "tasks" shows the user's tasks. Each URL
        # logs the viewer in for a few minutes: ask for it when needed.
        info_url = session.get_widget_url('info', entity=shot, theme='light')
        tasks_url = session.get_widget_url('tasks', theme='dark')
        for name, url in (('info', info_url), ('tasks', tasks_url)):
            print('{0}: {1}'.format(name, url.split('?')[0]))
            assert url.startswith(session.server_url)


if __name__ == '__main__':
    main()
