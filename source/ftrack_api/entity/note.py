"""Note entity helpers and the mixin adding notes to other entities."""

from __future__ import annotations

import warnings

import ftrack_api.entity.base


class Note(ftrack_api.entity.base.Entity):
    """Represent a note."""

    def create_reply(self, content, author):
        """Create and return a reply to this note with *content* by *author*.

        The reply is added to this note's ``replies``; nothing is sent until
        the session commits.
        """
        reply = self.session.create('Note', {
            'author': author,
            'content': content,
        })
        self['replies'].append(reply)
        return reply


class CreateNoteMixin(object):
    """Mixin to add create_note method on entity class."""

    def create_note(
        self, content, author, recipients=None, category=None, labels=None
    ):
        """Create and return a note on this entity with *content* by *author*.

        *recipients* is a list of users or groups to notify. *labels* is a
        list of ``NoteLabel`` entities. *category* is a ``NoteCategory`` on
        servers without note labels; on servers with labels it is used as a
        label (deprecated). Raise :exc:`ValueError` when *labels* are given
        and the server has no ``NoteLabel`` type. Nothing is sent until the
        session commits.
        """
        session = self.session
        has_labels = 'NoteLabel' in session.types
        labels = list(labels or [])
        data = {'content': content, 'author': author}

        if category is not None:
            if has_labels:
                warnings.warn(
                    'category argument is deprecated: use labels instead.',
                    DeprecationWarning,
                    stacklevel=2,
                )
                labels.append(category)
            else:
                data['category_id'] = category['id']

        if labels and not has_labels:
            raise ValueError(
                'Note labels are not supported by this server (no NoteLabel '
                'entity type); got labels {0!r}.'.format(labels)
            )

        note = session.create('Note', data)
        self['notes'].append(note)

        for resource in recipients or []:
            recipient = session.create('Recipient', {
                'note_id': note['id'],
                'resource_id': resource['id'],
            })
            note['recipients'].append(recipient)

        for label in labels:
            session.create('NoteLabelLink', {
                'label_id': label['id'],
                'note_id': note['id'],
            })

        return note
