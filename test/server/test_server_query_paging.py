"""Paging through ``/api``: each page at the previous ``next`` offset, as clients do.

The pages continue where the previous page ended (see
:mod:`ftrack_local_server.query.paging`); through HTTP they must give the
same rows in the same order as one unpaged query, also when the data
changes between two pages.
"""

from __future__ import annotations

import pytest

from ftrack_local_server.testing import create_operation


@pytest.fixture(scope='module')
def paged_world(new_world, api):
    world = new_world('paging_', 'Paging')
    shot = api.create('Shot', {'name': 'sh010', 'parent_id': world.project})
    world.shot = shot['id']
    # Sibling names are unique; bids tie, to test paging through ties.
    api.ok([create_operation('Task', {'name': 'task{0:02d}'.format(index),
                                      'bid': index % 4,
                                      'parent_id': world.shot,
                                      'description': None if index % 3 else 'x'})
            for index in range(23)])
    return world


def _walk(api, expression, limit):
    offset, ids = 0, []
    while offset is not None:
        result = api.result('{0} offset {1} limit {2}'.format(expression, offset, limit))
        ids.extend(row['id'] for row in result['data'])
        offset = result['metadata']['next']['offset']
    return ids


@pytest.mark.parametrize('order', ['', ' order by bid desc', ' order by description, bid'])
def test_http_walk_equals_the_unpaged_result(api, paged_world, order):
    expression = 'select id from Task where parent_id is "{0}"{1}'.format(
        paged_world.shot, order)
    expected = [row['id'] for row in api.query(expression)]
    assert len(expected) == 23
    assert _walk(api, expression, 5) == expected


def test_rows_created_between_pages_shift_the_next_page_as_offset_does(raw_api, paged_world):
    expression = 'select id from Task where parent_id is "{0}" order by name'.format(
        paged_world.shot)
    first = raw_api.result(expression + ' offset 0 limit 5')
    assert first['metadata']['next']['offset'] == 5
    # Sorts first: every later row moves one place down.
    raw_api.create('Task', {'name': 'a first task', 'parent_id': paged_world.shot})
    expected = [row['id'] for row in raw_api.query(expression)]
    second = raw_api.result(expression + ' offset 5 limit 5')
    assert [row['id'] for row in second['data']] == expected[5:10]
