"""Permissions seen through the client: ``ftrack_session_for`` and a restricted user's view."""

import pytest

import ftrack_api
from ftrack_local_server.testing import unique_name


def _project(session, name):
    schema = session.query('ProjectSchema').first()
    project = session.create('Project', {'name': unique_name(name), 'full_name': name,
                                         'project_schema': schema})
    session.create('Shot', {'name': 'sh010', 'parent': project})
    session.commit()
    return project


def test_artist_sees_only_its_projects(ftrack_session, ftrack_session_for):
    shown, hidden = _project(ftrack_session, 'shown'), _project(ftrack_session, 'hidden')
    artist = ftrack_session_for(role='User', projects=[shown])
    names = {project['name'] for project in artist.query('Project').all()}
    assert shown['name'] in names and hidden['name'] not in names
    assert artist.get('Project', hidden['id']) is None
    shots = artist.query('Shot where project.id is "{0}"'.format(hidden['id'])).all()
    assert shots == []
    assert len(artist.query('Shot where project.id is "{0}"'.format(shown['id'])).all()) == 1


def test_refused_commit_keeps_the_recorded_work(ftrack_session, ftrack_session_for):
    shown = _project(ftrack_session, 'refused')
    artist = ftrack_session_for(role='User', projects=[shown.get('name')])
    project = artist.get('Project', shown['id'])
    artist.create('Sequence', {'name': 'sq010', 'parent': project})
    with pytest.raises(ftrack_api.exception.ServerError) as raised:
        artist.commit()
    assert 'PermissionError' in str(raised.value)
    assert 'may not create Sequence' in str(raised.value)
    assert artist.recorded_operations  # nothing of the user's work is lost
    artist.rollback()
    shot = artist.query('Shot where project.id is "{0}"'.format(shown['id'])).one()
    shot['description'] = 'comp notes'
    artist.commit()
    assert ftrack_session.query(
        'select description from Shot where id is "{0}"'.format(shot['id'])).one()[
        'description'] == 'comp notes'


def test_restricted_user_may_write_notes_but_not_publish(ftrack_session, ftrack_session_for):
    shown = _project(ftrack_session, 'restricted')
    reviewer = ftrack_session_for(role='Restricted User', projects=[shown['id']])
    shot = reviewer.query('Shot where project.id is "{0}"'.format(shown['id'])).one()
    me = reviewer.query('User where username is "{0}"'.format(reviewer.api_user)).one()
    shot.create_note('Looks good', author=me)
    reviewer.commit()
    asset_type = reviewer.query('AssetType').first()
    reviewer.create('Asset', {'name': 'plate', 'parent': shot, 'type': asset_type})
    with pytest.raises(ftrack_api.exception.ServerError):
        reviewer.commit()
    reviewer.rollback()


def test_unknown_role_is_a_clear_error(ftrack_session_for):
    with pytest.raises(ValueError) as raised:
        ftrack_session_for(role='Wizard')
    assert "'Wizard'" in str(raised.value)


def test_role_on_all_projects(ftrack_session, ftrack_session_for):
    first, second = _project(ftrack_session, 'all1'), _project(ftrack_session, 'all2')
    supervisor = ftrack_session_for(role='Supervisor')
    names = {project['name'] for project in supervisor.query('Project').all()}
    assert {first['name'], second['name']} <= names
