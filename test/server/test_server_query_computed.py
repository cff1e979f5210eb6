"""Computed attributes of query results through real HTTP.

``link``, ``ancestors``, ``descendants``, ``is_latest_version``,
``latest_version``, ``thumbnail_url``, ``url``, ``time_logged``,
``bid_time_logged_difference`` and ``is_open``, read from a studio created
through the ``create`` action (fixture ``world``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from ftrack_local_server.testing import RawApi
from ftrack_local_server.testing import datetime_value as dt

SERVER_LOCATION = '3a372bde-05bc-11e4-8908-20c9d081909b'


#: Ids of the studio the tests query.
World = SimpleNamespace


@pytest.fixture(scope='module')
def world(api: RawApi, new_world: Any) -> World:
    w = new_world('qcomp_', 'Computed')
    w.episode = api.create('Episode', {'name': 'EP1', 'parent_id': w.project})['id']
    w.sequence = api.create('Sequence', {'name': 'SQ1', 'parent_id': w.episode})['id']
    w.shot = api.create('Shot', {'name': 'SH010', 'parent_id': w.sequence})['id']
    w.other_shot = api.create('Shot', {'name': 'SH020', 'parent_id': w.sequence})['id']
    w.image = api.create('FileComponent', {'name': 'thumbnail', 'file_type': '.jpg'})['id']
    api.create('ComponentLocation', {'component_id': w.image,
                                     'location_id': SERVER_LOCATION,
                                     'resource_identifier': w.image})
    w.task = api.create('Task', {'name': 'anim', 'parent_id': w.shot, 'bid': 7200,
                                 'thumbnail_id': w.image})['id']
    w.idle_task = api.create('Task', {'name': 'idle', 'parent_id': w.other_shot})['id']
    w.user = api.create('User', {'username': 'comp_' + w.tag, 'first_name': 'C',
                                 'last_name': 'D'})['id']
    for start, duration in (('2021-01-01T09:00:00', 1800), ('2021-01-02T09:00:00', 600)):
        api.create('Timelog', {'user_id': w.user, 'context_id': w.task,
                               'duration': duration, 'start': dt(start)})
    asset_type = api.query('select id from AssetType')[0]['id']
    w.asset = api.create('Asset', {'name': 'hero', 'context_id': w.shot,
                                   'type_id': asset_type})['id']
    w.empty_asset = api.create('Asset', {'name': 'unused', 'context_id': w.shot,
                                         'type_id': asset_type})['id']
    w.v1 = api.create('AssetVersion', {'asset_id': w.asset, 'version': 1,
                                       'user_id': w.user})['id']
    w.v3 = api.create('AssetVersion', {'asset_id': w.asset, 'version': 3,
                                       'thumbnail_id': w.image, 'user_id': w.user})['id']
    w.v2 = api.create('AssetVersion', {'asset_id': w.asset, 'version': 2,
                                       'user_id': w.user})['id']
    w.group = api.create('Group', {'name': 'studio_' + w.tag, 'local': True})['id']
    w.subgroup = api.create('Group', {'name': 'anim_' + w.tag, 'local': True,
                                      'parent_id': w.group})['id']
    w.open_session = api.create('ReviewSession', {
        'name': 'open', 'project_id': w.project,
        'end_date': dt('2999-01-01T00:00:00')})['id']
    w.closed_session = api.create('ReviewSession', {
        'name': 'closed', 'project_id': w.project,
        'end_date': dt('2001-01-01T00:00:00')})['id']
    for name, version, order in (('a', w.v1, 1), ('b', w.v3, 2)):
        api.create('ReviewSessionObject', {
            'name': name, 'version': 'v', 'version_id': version,
            'review_session_id': w.open_session, 'sort_order': order})
    return w


def link(*entries):
    return [{'id': entry[0], 'name': entry[1], 'type': entry[2]} for entry in entries]


def test_link_of_typed_context(api, world):
    task = api.one('select link from Task where id is "{0}"'.format(world.task))
    assert task['link'] == link(
        (world.project, world.project_name, 'Project'), (world.episode, 'EP1', 'Episode'),
        (world.sequence, 'SQ1', 'Sequence'), (world.shot, 'SH010', 'Shot'),
        (world.task, 'anim', 'Task'))


def test_link_of_project_and_deprecated_name(api, world):
    project = api.one('select link, _link from Project where id is "{0}"'.format(
        world.project))
    assert project['link'] == link((world.project, world.project_name, 'Project'))
    assert project['_link'] == project['link']


def test_link_through_a_relation(api, world):
    # Seed example: select context.link, start, duration from Timelog ...
    data = api.query('select context.link, start, duration from Timelog where '
                     'user.username is "comp_{0}"'.format(world.tag))
    assert [row['duration'] for row in data] == [1800, 600]
    assert data[0]['start'] == {'__type__': 'datetime', 'value': '2021-01-01T09:00:00'}
    assert data[0]['context']['link'][-1] == {'id': world.task, 'name': 'anim',
                                              'type': 'Task'}


def test_link_of_asset_version(api, world):
    version = api.one('select link from AssetVersion where id is "{0}"'.format(
        world.v2))
    assert version['link'] == link(
        (world.project, world.project_name, 'Project'), (world.episode, 'EP1', 'Episode'),
        (world.sequence, 'SQ1', 'Sequence'), (world.shot, 'SH010', 'Shot'),
        (world.v2, 'hero v002', 'AssetVersion'))
    data = api.query('select link from AssetVersion where user.username is "comp_{0}"'
                     .format(world.tag))
    assert len(data) == 3


def test_link_of_group(api, world):
    group = api.one('select link from Group where id is "{0}"'.format(world.subgroup))
    assert group['link'] == link((world.group, 'studio_' + world.tag, 'Group'),
                                 (world.subgroup, 'anim_' + world.tag, 'Group'))


def test_ancestors_nearest_first_without_project(api, world):
    task = api.one('select ancestors.name from Task where id is "{0}"'.format(
        world.task))
    assert [(a['__entity_type__'], a['name']) for a in task['ancestors']] == [
        ('Shot', 'SH010'), ('Sequence', 'SQ1'), ('Episode', 'EP1')]


def test_descendants(api, world):
    project = api.one('select descendants.name from Project where id is "{0}"'.format(
        world.project))
    assert [(d['__entity_type__'], d['name']) for d in project['descendants']] == [
        ('Episode', 'EP1'), ('Sequence', 'SQ1'), ('Shot', 'SH010'), ('Shot', 'SH020'),
        ('Task', 'anim'), ('Task', 'idle')]
    task = api.one('select descendants from Task where id is "{0}"'.format(world.task))
    assert task['descendants'] == []


def test_is_latest_version(api, world):
    data = api.query('select version, is_latest_version from AssetVersion where '
                     'asset_id is "{0}" order by version'.format(world.asset))
    assert [(v['version'], v['is_latest_version']) for v in data] == [
        (1, False), (2, False), (3, True)]
    data = api.query('select id from AssetVersion where asset_id is "{0}" and '
                     'is_latest_version is true'.format(world.asset))
    assert [v['id'] for v in data] == [world.v3]


def test_latest_version(api, world):
    data = api.query('select latest_version.version from Asset where context_id is '
                     '"{0}"'.format(world.shot))
    by_id = {asset['id']: asset for asset in data}
    assert by_id[world.asset]['latest_version']['id'] == world.v3
    assert by_id[world.asset]['latest_version']['version'] == 3
    assert by_id[world.empty_asset]['latest_version'] is None
    data = api.query('select id from Asset where latest_version.version is 3 and '
                     'context_id is "{0}"'.format(world.shot))
    assert [asset['id'] for asset in data] == [world.asset]


def test_thumbnail_url(api, world):
    task = api.one('select thumbnail_url, thumbnail_id from Task where id is "{0}"'
                   .format(world.task))
    assert task['thumbnail_url'] == {
        'url': '{0}/component/thumbnail?id={1}'.format(api.url, world.image)}
    idle = api.one('select thumbnail_url from Task where id is "{0}"'.format(
        world.idle_task))
    assert idle['thumbnail_url'] is None


def test_review_session_computed_attributes(api, world):
    data = api.query('select is_open, thumbnail_id, thumbnail_url from ReviewSession '
                     'where project_id is "{0}" order by name'.format(world.project))
    closed, opened = data
    assert (closed['is_open'], opened['is_open']) == (False, True)
    # The first version with a thumbnail (v1 has none, v3 has one).
    assert opened['thumbnail_id'] == world.image
    assert closed['thumbnail_id'] is None
    assert opened['thumbnail_url'] == {
        'url': '{0}/component/thumbnail?id={1}'.format(api.url, world.image)}
    data = api.query('select id from ReviewSession where project_id is "{0}" and '
                     'is_open is true'.format(world.project))
    assert [row['id'] for row in data] == [world.open_session]


def test_component_location_url(api, world):
    data = api.query('select url from ComponentLocation where component_id is "{0}"'
                     .format(world.image))
    assert data[0]['url'] == {
        'url': '{0}/component/get?id={1}'.format(api.url, world.image)}


def test_time_logged(api, world):
    data = api.query('select time_logged, bid_time_logged_difference from Task where '
                     'id in ("{0}", "{1}")'.format(world.task, world.idle_task))
    assert [(t['time_logged'], t['bid_time_logged_difference']) for t in data] == [
        (2400, 4800), (0, 0)]
    data = api.query('select name from Task where parent.parent.id is "{0}" order by '
                     'time_logged desc'.format(world.sequence))
    assert [t['name'] for t in data] == ['anim', 'idle']
