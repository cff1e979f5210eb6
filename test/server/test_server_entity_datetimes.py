"""Date-times at the edges through real HTTP (protocol §3.2).

Whatever a client sends (offsets, fractions, dates only, early years), the
server keeps and reads back naive UTC ``YYYY-MM-DDTHH:MM:SS`` with
four-digit years (a write is answered with the value as submitted,
microseconds included), so that clients can read it and values order correctly; what it
cannot read gets an error object naming the attribute and the value.
"""

import pytest

from ftrack_local_server.testing import datetime_value, new_id, update_operation


@pytest.fixture
def task(raw_api):
    project = raw_api.create_project('datetimes-' + new_id())
    shot = raw_api.create('Shot', {'name': 'sh', 'parent_id': project['id']})
    return raw_api.create('Task', {'name': 't', 'parent_id': shot['id']})


def start_date(raw_api, task):
    return raw_api.one('select start_date from Task where id is "{0}"'.format(
        task['id']))['start_date']


@pytest.mark.parametrize('sent, kept', [
    ('2023-10-10T09:50:34-05:00', '2023-10-10T14:50:34'),
    ('2023-10-10T09:50:34Z', '2023-10-10T09:50:34'),
    ('2023-10-10T09:50:34.123456789', '2023-10-10T09:50:34'),
    ('2023-10-10T09:50:34+0530', '2023-10-10T04:20:34'),
    ('2023-10-10T09:50', '2023-10-10T09:50:00'),
    ('2023-10-10', '2023-10-10T00:00:00'),
    ('0001-01-01T00:00:00', '0001-01-01T00:00:00'),
    ('0999-12-31', '0999-12-31T00:00:00'),
    ('9999-12-31T23:59:59', '9999-12-31T23:59:59'),
])
def test_values_are_kept_as_naive_utc(raw_api, task, sent, kept):
    result = raw_api.ok([update_operation('Task', [task['id']], {
        'start_date': datetime_value(sent)})])[0]['data']
    # The write is answered as submitted (to the microsecond), the value is
    # kept in whole seconds.
    answered = kept + '.123456' if '.123456789' in sent else kept
    assert result['start_date'] == datetime_value(answered)
    assert start_date(raw_api, task) == datetime_value(kept)


def test_early_years_order_before_later_ones(raw_api, task):
    raw_api.ok([update_operation('Task', [task['id']], {
        'start_date': datetime_value('0999-12-31T00:00:00')})])
    base = 'select id from Task where id is "{0}" and '.format(task['id'])
    assert raw_api.query(base + 'start_date < "2000-01-01"')
    assert raw_api.query(base + 'start_date > "0999-01-01"')
    assert raw_api.query(base + 'start_date after "2000-01-01"') == []


@pytest.mark.parametrize('sent', [
    '0001-01-01T00:30:00+01:00',   # before the first representable moment
    '9999-12-31T23:30:00-01:00',   # after the last one
    '2020-02-30', '2020-13-01', '2020-01-01T25:00:00', '20200101', '',
])
def test_unreadable_or_unrepresentable_values_are_refused(raw_api, task, sent):
    before = start_date(raw_api, task)
    error = raw_api.call([update_operation('Task', [task['id']], {
        'start_date': datetime_value(sent)})])
    assert error['exception'] == 'ValidationError', error
    assert '"start_date"' in error['content']
    assert '"{0}"'.format(sent) in error['content']
    assert start_date(raw_api, task) == before


@pytest.mark.parametrize('criteria', [
    'start_date > "0001-01-01T00:30:00+01:00"', 'start_date < "9999-12-31T23:30:00-01:00"',
])
def test_unrepresentable_values_in_criteria_are_refused(raw_api, task, criteria):
    error = raw_api.error('select id from Task where {0}'.format(criteria))
    assert error['exception'] == 'ValidationError', error
    assert '"start_date"' in error['content']


def test_review_session_starting_at_the_end_of_time(raw_api, task):
    project = raw_api.one('select project_id from Task where id is "{0}"'.format(
        task['id']))['project_id']
    session = raw_api.create('ReviewSession', {
        'name': 'late', 'project_id': project, 'description': '',
        'start_date': datetime_value('9999-12-30T00:00:00')})
    assert session['end_date'] == datetime_value('9999-12-31T23:59:59')
