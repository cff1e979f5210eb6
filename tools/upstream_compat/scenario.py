"""A pipeline scenario written against the upstream ftrack_api client.

Run by run.sh with the upstream package (not ours) against our local server.
It creates a project hierarchy, reads it back with projections, uses
metadata, notes, custom attributes, a server-location upload and download,
timers, deletes, then events between two sessions; it prints what it sees
and ends with "OK". Any exception means the local server answered something
the real client did not expect.
"""
import json, tempfile, uuid, logging, time
import ftrack_api, ftrack_api.symbol, ftrack_api.inspection
from ftrack_api.event.base import Event
logging.basicConfig(level=logging.WARNING)


def sync_subscriptions(hub, timeout=30):
    # The server handles one connection's packets in order: once an event the
    # hub sends itself comes back, its earlier subscriptions are registered.
    seen = []
    probe = hub.subscribe('topic=upstream-compat.sync-probe', seen.append)
    hub.publish(Event(topic='upstream-compat.sync-probe', target='id={0}'.format(probe)))
    deadline = time.time() + timeout
    while not seen and time.time() < deadline:
        hub.wait(0.1)
    hub.unsubscribe(probe)
    assert seen, 'the server did not register the subscriptions'


session = ftrack_api.Session(schema_cache_path=tempfile.mkdtemp())
print('types', len(session.types))
projects = session.query('Project').all()
print('projects', len(projects))
name = 'projectname_{0}'.format(uuid.uuid1().hex)
project_schema = session.query('ProjectSchema').first()
project = session.create('Project', {'name': name, 'full_name': name + '_full', 'project_schema': project_schema})
default_shot_status = project_schema.get_statuses('Shot')[0]
default_task_type = project_schema.get_types('Task')[0]
default_task_status = project_schema.get_statuses('Task', default_task_type['id'])[0]
for sequence_number in range(1, 3):
    sequence = session.create('Sequence', {'name': 'seq_{0}'.format(sequence_number), 'parent': project})
    for shot_number in range(1, 3):
        shot = session.create('Shot', {'name': '{0}0'.format(shot_number).zfill(3), 'parent': sequence, 'status': default_shot_status})
        for task_number in range(1, 3):
            session.create('Task', {'name': 'task_{0}'.format(task_number), 'parent': shot, 'status': default_task_status, 'type': default_task_type})
session.commit()
print('tasks', len(session.query('Task where project.id is "{0}"'.format(project['id'])).all()))
task = session.query('select name, parent.name, status.name, link from Task where project.id is "{0}"'.format(project['id'])).first()
print('task', task['name'], task['parent']['name'], task['status']['name'], [l['name'] for l in task['link']])
# tutorial part
new_sequence = session.create('Sequence', {'name': 'Starlord Reveal'})
new_sequence['description'] = 'First hero character reveal.'
project['children'].append(new_sequence)
session.commit()
print('state', ftrack_api.inspection.state(new_sequence))
new_sequence['metadata']['frame_padding'] = '4'
session.commit()
print('metadata', dict(new_sequence['metadata']))
print('md query', len(session.query('Sequence where metadata any (key is "frame_padding" and value is "4")').all()))
user = session.query('User where username is "{0}"'.format(session.api_user)).one()
note = task.create_note('My new note', author=user)
session.commit()
reply = note.create_reply('reply', author=user)
session.commit()
print('notes', len(task['notes']), len(note['replies']))
# custom attribute
cat = session.query('CustomAttributeType where name is "number"').one()
ot = session.query('ObjectType where name is "Task"').one()
session.create('CustomAttributeConfiguration', {'entity_type': 'task', 'object_type_id': ot['id'], 'type': cat, 'label': 'fstart', 'key': 'fstart', 'default': 1001, 'config': json.dumps({'isdecimal': False})})
session.commit()
task2 = session.query('Task where id is "{0}"'.format(task['id'])).one()
print('ca', task2['custom_attributes']['fstart'])
task2['custom_attributes']['fstart'] = 1010
session.commit()
try:
    task2['custom_attributes']['fstart'] = 'test'
    session.commit()
except ftrack_api.exception.ServerError as error:
    print('validation error ok:', str(error)[:100])
    session.rollback()
# component upload to server location
server_location = session.query('Location where name is "ftrack.server"').one()
path = tempfile.mktemp(suffix='.txt')
open(path, 'w').write('hello world')
component = session.create_component(path, data={'name': 'myfile'}, location=server_location)
session.commit()
print('availability', session.get_component_availability(component))
url = server_location.get_url(component)
import requests
print('download', requests.get(url).text)
# timers
user.start_timer(task, force=True)
timelog = user.stop_timer()
print('timelog', timelog['duration'] >= 0)
# delete project
session.delete(project)
session.commit()
print('deleted', session.query('Project where id is "{0}"'.format(project['id'])).first())
# events
session2 = ftrack_api.Session(schema_cache_path=tempfile.mkdtemp(), auto_connect_event_hub=True)
got = []
def handler(event):
    got.append(event['topic'])
    return {'success': True}
deadline = time.time() + 30
while not session2.event_hub.connected and time.time() < deadline:
    time.sleep(0.05)
session2.event_hub.subscribe('topic=my-company.topic', handler)
session.event_hub.connect()
replies = []
sync_subscriptions(session2.event_hub)
session.event_hub.publish(Event(topic='my-company.topic', data={'a': 1}), on_reply=lambda e: replies.append(e['data']))
deadline = time.time() + 10
while not replies and time.time() < deadline:
    session2.event_hub.wait(0.1)
    session.event_hub.wait(0.1)
print('events', got, replies)
updates = []
session2.event_hub.subscribe('topic=ftrack.update', lambda e: updates.append(e))
sync_subscriptions(session2.event_hub)
u = session.query('User').first(); u['first_name'] = 'Changed'; session.commit()
deadline = time.time() + 10
while not updates and time.time() < deadline:
    session2.event_hub.wait(0.1)
print('update event', updates[0]['data']['entities'][0]['action'] if updates else None)
session.close(); session2.close()
assert got and replies and updates, 'events were not delivered'
print('OK')
