"""What a real server does to notes when the batch that wrote them ends.

* A note created with explicit recipients also gets its author (the
  calling user) as a recipient, so the author sees replies: a note sent
  to one user ends with two ``Recipient`` rows.
* ``Note.category`` follows the note's first ``NoteLabelLink`` when the
  client sent labels instead of a ``category_id`` (clients whose schema
  has ``NoteLabel`` do that; categories and labels are one table).

:func:`created` notes what a create touched; :func:`finish` applies both
rules once every operation of the batch has run, since clients send the
recipients and labels as operations after the note's own create.
"""

from __future__ import annotations

from typing import Any, Optional

from .common import load


def created(tx: Any, entity: Any) -> None:
    """Remember the note that creating *entity* (a Note, Recipient or label link) touched."""
    if entity.type_name == 'Note':
        note_id = entity.key[0]
        tx.state.setdefault('notes_created', set()).add(note_id)
    elif entity.type_name in ('Recipient', 'NoteLabelLink'):
        note_id = entity.get('note_id')
    else:
        return
    tx.state.setdefault('notes_touched', set()).add(note_id)


def finish(writer: Any, user_id: Optional[str]) -> None:
    """Add authors to recipient lists and categories from labels (see module doc).

    *writer* is the batch's :class:`~ftrack_local_server.rules.writer.Writer`
    (the rows it adds are recorded as changes); *user_id* the calling user,
    None for the server's own writes (the note's ``user_id`` is used then).
    """
    tx = writer.tx
    created_notes = tx.state.pop('notes_created', set())
    touched = tx.state.pop('notes_touched', set())
    model = tx.model
    recipient_table = model.table('Recipient').name
    link_table = model.table('NoteLabelLink').name
    recipient_note = model.layout('Recipient').columns['note_id']
    recipient_resource = model.layout('Recipient').columns['resource_id']
    link_note = model.layout('NoteLabelLink').columns['note_id']
    link_label = model.layout('NoteLabelLink').columns['label_id']
    for note_id in sorted(touched, key=str):
        note = load(tx, 'Note', (note_id,))
        if note is None:
            continue
        if note_id in created_notes:
            author = user_id or note.get('user_id')
            rows = tx.select(recipient_table, {recipient_note: note_id})
            if rows and author is not None and \
                    author not in {row[recipient_resource] for row in rows}:
                writer.create('Recipient', {'note_id': note_id, 'resource_id': author})
        if note.get('category_id') is None:
            first = tx.query(
                'SELECT "{0}" FROM "{1}" WHERE "{2}" = ? ORDER BY rowid LIMIT 1'.format(
                    link_label, link_table, link_note), [note_id])
            if first:
                writer.update('Note', [note_id], {'category_id': first[0][0]})
