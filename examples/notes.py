"""Write notes, replies, labels, recipients and attachments.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example ``python -m ftrack_local_server run -- python examples/notes.py``.
"""

import os
import tempfile
import uuid

import ftrack_api


def create_task(session):
    """Return a new, committed task in a new project."""
    schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
    project = session.create('Project', {
        'name': 'notes_{0}'.format(uuid.uuid4().hex[:8]),
        'full_name': 'Notes example', 'project_schema': schema,
    })
    task_type = schema.get_types('Task')[0]
    task = session.create('Task', {
        'name': 'compositing', 'parent': project, 'type': task_type,
        'status': schema.get_statuses('Task', task_type['id'])[0],
    })
    session.commit()
    return task


def main():
    """Create notes on a task in the ways the API offers."""
    with ftrack_api.Session() as session:
        task = create_task(session)
        user = session.query(
            'User where username is "{0}"'.format(session.api_user)
        ).one()

        # The helper creates the note and attaches it to the task.
        note = task.create_note('Please fix the shadows.', author=user)

        # Or create it by hand and append it to the task's notes.
        manual = session.create('Note', {
            'content': 'Keyed edges look soft.', 'author': user,
        })
        task['notes'].append(manual)

        # Replies: the helper, or the note's "replies" collection.
        note.create_reply('Done in v002.', author=user)
        reply = session.create('Note', {'content': 'Thanks!', 'author': user})
        note['replies'].append(reply)
        session.commit()

        # Labels, with the helper or through a NoteLabelLink.
        label = session.query('NoteLabel where name is "External Note"').one()
        labelled = task.create_note(
            'Client asked for more contrast.', author=user, labels=[label]
        )
        linked = session.create('Note', {
            'content': 'Approved by the client.', 'author': user,
        })
        session.create('NoteLabelLink', {
            'note_id': linked['id'], 'label_id': label['id'],
        })
        task['notes'].append(linked)

        # Recipients get the note in their inbox: users or groups.
        group = session.query('Group where name is "Compositing"').one()
        task.create_note(
            'Review at 3 pm.', author=user, recipients=[user, group]
        )
        session.commit()

        # Attach a file: put it in the server location, link it to a note.
        server_location = session.query(
            'Location where name is "ftrack.server"'
        ).one()
        handle, path = tempfile.mkstemp(suffix='.txt')
        with os.fdopen(handle, 'w') as stream:
            stream.write('Shadow reference notes.\n')
        try:
            component = session.create_component(
                path, data={'name': 'reference'}, location=server_location
            )
            session.create('NoteComponent', {
                'component_id': component['id'], 'note_id': labelled['id'],
            })
            session.commit()
        finally:
            os.remove(path)

        for note_component in labelled['note_components']:
            url = server_location.get_url(note_component['component'])
            # The URL carries credentials: show only where it points.
            print('Attachment at', url.split('?')[0])

        # Notes are found through the relation or by query on parent_id.
        notes = session.query(
            'select content, replies from Note where parent_id is "{0}"'
            .format(task['id'])
        ).all()
        for item in notes:
            print('{0!r} with {1} replies'.format(
                item['content'], len(item['replies'])
            ))
        assert len(task['notes']) == 5
        assert len(note['replies']) == 2


if __name__ == '__main__':
    main()
