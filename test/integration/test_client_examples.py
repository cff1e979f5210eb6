"""Usage examples of the documentation (projects, metadata, custom attributes,
notes, lists, timers, links, jobs), against a LocalServer."""

import json

import pytest

import ftrack_api
import ftrack_api.collection
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_local_server.testing import connect as new_session
from ftrack_local_server.testing import create_project, create_task
from ftrack_local_server.testing import unique_name as unique


@pytest.fixture
def project(ftrack_session):
    return create_project(ftrack_session, 'example')


def test_creating_a_project(ftrack_server, ftrack_session):
    session = ftrack_session
    name = unique('projectname')
    project_schema = session.query('ProjectSchema').first()
    project = session.create('Project', {
        'name': name, 'full_name': name + '_full', 'project_schema': project_schema,
    })
    default_shot_status = project_schema.get_statuses('Shot')[0]
    default_task_type = project_schema.get_types('Task')[0]
    default_task_status = project_schema.get_statuses(
        'Task', default_task_type['id']
    )[0]
    for sequence_number in range(1, 5):
        sequence = session.create('Sequence', {
            'name': 'seq_{0}'.format(sequence_number), 'parent': project,
        })
        for shot_number in range(1, 5):
            shot = session.create('Shot', {
                'name': '{0}0'.format(shot_number).zfill(3),
                'parent': sequence, 'status': default_shot_status,
            })
            for task_number in range(1, 5):
                session.create('Task', {
                    'name': 'task_{0}'.format(task_number), 'parent': shot,
                    'status': default_task_status, 'type': default_task_type,
                })
    session.commit()

    with new_session(ftrack_server) as other:
        tasks = other.query(
            'select name, status_id, type_id from Task where project_id is "{0}"'
            .format(project['id'])
        ).all()
        assert len(tasks) == 64
        assert {task['status_id'] for task in tasks} == {default_task_status['id']}
        shots = other.query(
            'select status_id from Shot where project_id is "{0}"'.format(project['id'])
        ).all()
        assert {shot['status_id'] for shot in shots} == {default_shot_status['id']}


def test_project_schema_errors(ftrack_session):
    schema = ftrack_session.query('ProjectSchema').first()
    with pytest.raises(ValueError):
        schema.get_statuses('NoSuchSchema')
    with pytest.raises(ValueError):
        schema.get_types('User')
    assert schema.get_statuses('AssetVersion')


def test_metadata(ftrack_server, ftrack_session, project):
    session = ftrack_session
    new_sequence = session.create('Sequence', {'name': 'meta', 'parent': project})
    new_sequence['metadata']['frame_padding'] = '4'
    new_sequence['metadata']['focal_length'] = '70'
    session.commit()

    with new_session(ftrack_server) as other:
        loaded = other.get('Sequence', new_sequence['id'])
        assert sorted(loaded['metadata'].keys()) == ['focal_length', 'frame_padding']
        assert sorted(loaded['metadata'].items()) == [
            ('focal_length', '70'), ('frame_padding', '4'),
        ]
        assert loaded['metadata']['frame_padding'] == '4'
        loaded['metadata']['frame_padding'] = '5'
        other.commit()
        loaded['metadata'] = {'frame_padding': '4'}
        other.commit()

    with new_session(ftrack_server) as other:
        loaded = other.get('Sequence', new_sequence['id'])
        assert dict(loaded['metadata'].items()) == {'frame_padding': '4'}
        found = other.query(
            'Sequence where metadata any (key is "frame_padding" and value is "4") '
            'and id is "{0}"'.format(new_sequence['id'])
        ).all()
        assert found == [loaded]


def _configuration(session, key, entity_type='task', type_name='text', **extra):
    custom_attribute_type = session.query(
        'CustomAttributeType where name is "{0}"'.format(type_name)
    ).one()
    data = {
        'entity_type': entity_type, 'type': custom_attribute_type,
        'label': key, 'key': key, 'default': extra.pop('default', ''),
    }
    data.update(extra)
    configuration = session.create('CustomAttributeConfiguration', data)
    session.commit()
    return configuration


def test_custom_attributes(ftrack_server, ftrack_session, project):
    session = ftrack_session
    key = unique('my_text_field')
    task_object_type = session.query('ObjectType where name is "Task"').one()
    _configuration(
        session, key, object_type_id=task_object_type['id'], default='default text'
    )
    schema = project['project_schema']
    task_type = schema.get_types('Task')[0]
    task = session.create('Task', {
        'name': 'ca', 'parent': project, 'type': task_type,
        'status': schema.get_statuses('Task', task_type['id'])[0],
    })
    session.commit()

    with new_session(ftrack_server) as other:
        loaded = other.get('Task', task['id'])
        assert key in loaded['custom_attributes'].keys()
        assert loaded['custom_attributes'][key] == 'default text'
        loaded['custom_attributes'][key] = 'bar'
        other.commit()
        found = other.query(
            'Task where custom_attributes any (key is "{0}" and value is "bar")'
            .format(key)
        ).all()
        assert found == [loaded]
        assert (key, 'bar') in loaded['custom_attributes'].items()
        with pytest.raises(KeyError):
            loaded['custom_attributes'][unique('not_configured')] = 1


def test_deleting_a_custom_attribute_key_restores_the_default(
    ftrack_server, ftrack_session, project
):
    session = ftrack_session
    key = unique('deleted_field')
    task_object_type = session.query('ObjectType where name is "Task"').one()
    _configuration(
        session, key, object_type_id=task_object_type['id'], default='default text'
    )
    task = create_task(session, project)
    task['custom_attributes'][key] = 'bar'
    session.commit()

    custom_attributes = task['custom_attributes']
    # Dense values: a key/value mapping as the reference client has it.
    assert isinstance(
        custom_attributes, ftrack_api.collection.KeyValueMappedCollectionProxy
    )
    value = next(
        item for item in custom_attributes.collection if item['key'] == key
    )
    del custom_attributes[key]
    assert ftrack_api.inspection.state(value) is ftrack_api.symbol.DELETED
    session.commit()

    with new_session(ftrack_server) as other:
        assert other.get('Task', task['id'])['custom_attributes'][key] == (
            'default text'
        )


def test_configuration_created_in_the_session_applies_to_new_entities(
    ftrack_server, ftrack_session, project
):
    session = ftrack_session
    asset_type = session.query('AssetType where name is "Geometry"').one()
    first_key = unique('asset_field')
    _configuration(session, first_key, entity_type='asset')
    first = session.create('Asset', {
        'name': 'first', 'parent': project, 'type': asset_type,
    })
    first['custom_attributes'][first_key] = 'one'  # Configurations fetched.
    session.commit()

    # Created after the configurations were fetched by this session.
    later_key = unique('asset_field')
    _configuration(session, later_key, entity_type='asset')
    second = session.create('Asset', {
        'name': 'second', 'parent': project, 'type': asset_type,
    })
    second['custom_attributes'][later_key] = 'two'
    session.commit()

    with new_session(ftrack_server) as other:
        assert other.get('Asset', first['id'])['custom_attributes'][first_key] == 'one'
        assert other.get('Asset', second['id'])['custom_attributes'][later_key] == 'two'


def test_custom_attributes_on_new_entity(ftrack_server, ftrack_session, project):
    session = ftrack_session
    key = unique('new_entity_field')
    task_object_type = session.query('ObjectType where name is "Task"').one()
    _configuration(session, key, object_type_id=task_object_type['id'])
    schema = project['project_schema']
    task_type = schema.get_types('Task')[0]
    with new_session(ftrack_server) as other:
        task = other.create('Task', {
            'name': 'new', 'parent': other.get('Project', project['id']),
            'type': other.get('Type', task_type['id']),
        })
        task['custom_attributes'][key] = 'bar'
        other.commit()
    with new_session(ftrack_server) as other:
        assert other.get('Task', task['id'])['custom_attributes'][key] == 'bar'


def test_custom_attribute_validation(ftrack_session, project):
    session = ftrack_session
    key = unique('fstart')
    task_object_type = session.query('ObjectType where name is "Shot"').one()
    _configuration(
        session, key, type_name='number', object_type_id=task_object_type['id'],
        default=1,
    )
    shot = session.create('Shot', {'name': 'sh', 'parent': project})
    session.commit()
    shot['custom_attributes'][key] = 'test'
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        session.commit()
    assert 'ValidationError' in str(error.value)
    assert key in str(error.value)
    # The failed commit kept the work: roll it back explicitly.
    assert len(session.recorded_operations) == 1
    session.rollback()


def test_notes(ftrack_server, ftrack_session, project):
    session = ftrack_session
    task = session.create('Task', {'name': 'noted', 'parent': project})
    session.commit()
    user = session.query('User').first()
    note = task.create_note('My new note', author=user)
    manual = session.create('Note', {'content': 'Manual note', 'author': user})
    task['notes'].append(manual)
    session.commit()

    first_note = task['notes'][0]
    reply = first_note.create_reply('My new reply on note', author=user)
    session.commit()

    label = session.query('NoteLabel').first()
    labelled = task.create_note('Labelled', author=user, labels=[label])
    recipient = session.create('User', {'username': unique('john')})
    session.commit()
    with_recipients = task.create_note('Note with recipients', author=user,
                                       recipients=[recipient])
    session.commit()

    with new_session(ftrack_server) as other:
        notes = other.query(
            'select content from Note where parent_id is "{0}"'.format(task['id'])
        ).all()
        contents = sorted(item['content'] for item in notes)
        assert contents == sorted([
            'My new note', 'Manual note', 'Labelled', 'Note with recipients',
        ])
        loaded_note = other.get('Note', note['id'] if first_note is note else manual['id'])
        assert [item['content'] for item in loaded_note['replies']] == [
            'My new reply on note'
        ]
        links = other.query(
            'NoteLabelLink where note_id is "{0}"'.format(labelled['id'])
        ).all()
        assert [link['label_id'] for link in links] == [label['id']]
        recipients = other.query(
            'select resource_id from Recipient where note_id is "{0}"'.format(
                with_recipients['id']
            )
        ).all()
        # The server adds the calling user (the author) to the recipients,
        # as a real server does.
        caller = other.query(
            'select id from User where username is "{0}"'.format(other.api_user)).one()
        assert sorted(item['resource_id'] for item in recipients) == sorted(
            [recipient['id'], caller['id']])
        # A note given labels (no category) takes its category from the first.
        assert other.get('Note', labelled['id'])['category_id'] == label['id']
        assert reply['id']


def test_lists(ftrack_session, project):
    session = ftrack_session
    user = session.query('User').first()
    category = session.query('ListCategory').first()
    task_list = session.create('TypedContextList', {
        'owner': user, 'project': project, 'category': category,
        'name': unique('list'),
    })
    task = session.create('Task', {'name': 'listed', 'parent': project})
    session.commit()
    task_list['items'].append(task)
    session.commit()
    assert task in task_list['items']
    task_list['items'].remove(task)
    session.commit()
    assert task not in task_list['items']


def test_timers(ftrack_session, project):
    session = ftrack_session
    user = session.create('User', {'username': unique('timer')})
    task = session.create('Task', {'name': 'timed', 'parent': project})
    session.commit()
    timer = user.start_timer(task, comment='working', name='timer')
    assert timer['comment'] == 'working'
    with pytest.raises(ftrack_api.exception.NotUniqueError):
        user.start_timer(task)
    user.start_timer(task, force=True)
    timelog = user.stop_timer()
    assert timelog['duration'] >= 0
    assert timelog['context_id'] == task['id']
    with pytest.raises(ftrack_api.exception.NoResultFoundError):
        user.stop_timer()


def test_links(ftrack_session, project):
    session = ftrack_session
    first = session.create('Task', {'name': 'from', 'parent': project})
    second = session.create('Task', {'name': 'to', 'parent': project})
    session.commit()
    link = session.create('TypedContextLink', {'from': first, 'to': second})
    session.commit()
    assert [item['from'] for item in second['incoming_links']] == [first]
    assert link in first['outgoing_links']


def test_jobs(ftrack_session):
    session = ftrack_session
    user = session.query('User').first()
    job = session.create('Job', {
        'user': user, 'status': 'running',
        'data': json.dumps({'description': 'My custom job description.'}),
    })
    session.commit()
    job['status'] = 'done'
    session.commit()
    assert session.query(
        'select status from Job where id is "{0}"'.format(job['id'])
    ).one()['status'] == 'done'
