"""Links between versions and between contexts (dependencies).

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/entity_links.py``.
"""

import uuid

import ftrack_api


def main():
    """Link a rig to a model, and an asset build to a shot."""
    with ftrack_api.Session() as session:
        schema = session.query('ProjectSchema where name is "VFX Scheme"').one()
        project = session.create('Project', {
            'name': 'links_{0}'.format(uuid.uuid4().hex[:8]),
            'full_name': 'Links example', 'project_schema': schema,
        })
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        build = session.create('AssetBuild', {
            'name': 'robot', 'parent': project,
            'type': session.query('Type where name is "Character"').first(),
        })
        geometry = session.query('AssetType where name is "Geometry"').one()
        model = session.create('AssetVersion', {'asset': session.create(
            'Asset', {'name': 'robot_model', 'parent': build, 'type': geometry}
        )})
        rig = session.create('AssetVersion', {'asset': session.create(
            'Asset', {'name': 'robot_rig', 'parent': build, 'type': geometry}
        )})
        session.commit()

        # A context link: the shot depends on the asset build.
        session.create('TypedContextLink', {'from': build, 'to': shot})
        # A version link made explicitly...
        session.create('AssetVersionLink', {'from': model, 'to': rig})
        session.commit()

        for link in shot['incoming_links']:
            print('{0} -> {1}'.format(link['from']['name'], link['to']['name']))

        # ...or through the shortcut relations, here the other way round.
        model['uses_versions'].append(rig)
        session.commit()
        for version in rig['used_in_versions']:
            print('{0} uses {1}'.format(
                version['asset']['name'], rig['asset']['name']
            ))
        assert [link['to'] for link in build['outgoing_links']] == [shot]


if __name__ == '__main__':
    main()
