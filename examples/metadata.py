"""Key/value metadata on entities, and queries on it.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example ``python -m ftrack_local_server run -- python examples/metadata.py``.
"""

import uuid

import ftrack_api


def main():
    """Write, read, replace and query metadata of a sequence."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'metadata_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Metadata example', 'project_schema': schema,
        })
        sequence = session.create('Sequence', {'name': 'seq', 'parent': project})
        session.commit()

        # Metadata behaves like a dictionary of text values.
        sequence['metadata']['frame_padding'] = '4'
        sequence['metadata']['focal_length'] = '70'
        session.commit()
        print('Keys:', sorted(sequence['metadata'].keys()))
        print('Items:', sorted(sequence['metadata'].items()))
        print('Padding:', sequence['metadata']['frame_padding'])

        # Assigning a dictionary replaces all keys.
        sequence['metadata'] = {'frame_padding': '5'}
        session.commit()
        assert dict(sequence['metadata']) == {'frame_padding': '5'}

        found = session.query(
            'Sequence where metadata any '
            '(key is "frame_padding" and value is "5")'
        ).all()
        assert sequence in found


if __name__ == '__main__':
    main()
