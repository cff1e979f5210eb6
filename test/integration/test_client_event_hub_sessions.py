"""Sessions talking through a real LocalServer: the 'Handling events' examples."""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid

import pytest

import ftrack_local_server.testing
import ftrack_api.event.base
from ftrack_local_server import LocalServer
from ftrack_local_server.events.testing import (
    process_until,
    serving,
    sync_subscriptions,
)


@pytest.fixture(scope='module')
def server():
    with LocalServer(options={'event_heartbeat_interval': 0.5}) as running:
        yield running


@pytest.fixture
def make_session(server):
    sessions = []

    def factory(auto_connect_event_hub=False, connect=True):
        session = ftrack_local_server.testing.connect(
            server, plugin_paths=[], auto_connect_event_hub=auto_connect_event_hub
        )
        sessions.append(session)
        if connect and not auto_connect_event_hub:
            session.event_hub.connect()
        return session

    yield factory
    for session in sessions:
        session.close()


def test_default_session_does_not_connect(make_session):
    session = make_session(connect=False)
    assert session.event_hub.connected is False


def test_auto_connect_event_hub(make_session):
    session = make_session(auto_connect_event_hub=True)
    assert session.event_hub.wait_for_connection(timeout=20) is True
    assert session.event_hub.connected


@pytest.mark.parametrize(
    'source', [None, {'applicationId': 'maya'}], ids=['default-source', 'custom-source']
)
def test_subscribe_and_receive(make_session, source):
    listener = make_session()
    publisher = make_session()
    received = []
    listener.event_hub.subscribe('topic=my-company.some-topic', received.append)
    sync_subscriptions(listener.event_hub)
    publisher.event_hub.publish(
        ftrack_api.event.base.Event(
            topic='my-company.some-topic', data={'key': 'value'}, source=source
        )
    )
    process_until(listener.event_hub, lambda: received)
    event = received[0]
    assert event['data'] == {'key': 'value'}
    # The hub fills in what the publisher did not give.
    assert event['source']['id'] == publisher.event_hub.id
    assert event['source']['user'] == {'username': publisher.api_user}
    if source is not None:
        assert event['source']['applicationId'] == 'maya'


def test_subscriber_information_and_targets(make_session):
    listener = make_session()
    publisher = make_session()
    calls = []
    listener.event_hub.subscribe(
        'topic=my-company.topic',
        lambda event: calls.append(('maya', event['data'])),
        subscriber={'id': 'my-unique-subscriber-id', 'applicationId': 'maya'},
    )
    listener.event_hub.subscribe(
        'topic=my-company.topic',
        lambda event: calls.append(('custom', event['data'])),
        subscriber={'id': 'my-custom-subscriber-id'},
    )
    sync_subscriptions(listener.event_hub)
    publisher.event_hub.publish(
        ftrack_api.event.base.Event(
            topic='my-company.topic', data={'n': 1}, target='id=my-custom-subscriber-id'
        )
    )
    publisher.event_hub.publish(
        ftrack_api.event.base.Event(
            topic='my-company.topic', data={'n': 2}, target='applicationId=maya'
        )
    )
    publisher.event_hub.publish(
        ftrack_api.event.base.Event(topic='my-company.topic', data={'n': 3})
    )
    process_until(listener.event_hub, lambda: len(calls) == 4)
    assert calls == [
        ('custom', {'n': 1}),
        ('maya', {'n': 2}),
        ('maya', {'n': 3}),
        ('custom', {'n': 3}),
    ]


def test_replies(make_session):
    responder = make_session()
    publisher = make_session()

    def on_event(event):
        return {'success': True, 'message': 'Cool!'}

    responder.event_hub.subscribe('topic=test-reply', on_event)
    sync_subscriptions(responder.event_hub)
    replies = []
    event = ftrack_api.event.base.Event(topic='test-reply')
    with serving(responder.event_hub):
        publisher.event_hub.publish(event, on_reply=replies.append)
        process_until(publisher.event_hub, lambda: replies)
    reply = replies[0]
    assert reply['topic'] == 'ftrack.meta.reply'
    assert reply['data'] == {'success': True, 'message': 'Cool!'}
    assert reply['in_reply_to_event'] == event['id']


def test_on_reply_called_for_every_reply(make_session):
    first = make_session()
    second = make_session()
    publisher = make_session()
    for index, session in enumerate((first, second)):
        session.event_hub.subscribe(
            'topic=ftrack.action.discover',
            lambda event, index=index: {'items': [{'label': 'Action {0}'.format(index)}]},
        )
        sync_subscriptions(session.event_hub)
    replies = []
    with serving(first.event_hub, second.event_hub):
        publisher.event_hub.publish(
            ftrack_api.event.base.Event(topic='ftrack.action.discover'),
            on_reply=replies.append,
        )
        process_until(publisher.event_hub, lambda: len(replies) == 2)
    labels = sorted(reply['data']['items'][0]['label'] for reply in replies)
    assert labels == ['Action 0', 'Action 1']


def test_stopping_events_with_priorities(make_session):
    session = make_session()
    calls = []

    def callback_a(event):
        calls.append('A')
        event.stop()

    def callback_b(event):
        calls.append('B')

    session.event_hub.subscribe('topic=test-stop-event', callback_a, priority=10)
    session.event_hub.subscribe('topic=test-stop-event', callback_b, priority=20)
    session.event_hub.publish(ftrack_api.event.base.Event(topic='test-stop-event'))
    process_until(session.event_hub, lambda: calls)
    session.event_hub.wait(duration=0.5)
    assert calls == ['A']


def test_publish_synchronously(make_session):
    session = make_session(connect=False)
    session.event_hub.subscribe('topic=test-synchronous', lambda event: 'A', priority=10)
    session.event_hub.subscribe('topic=test-synchronous', lambda event: 'B', priority=20)
    results = session.event_hub.publish(
        ftrack_api.event.base.Event(topic='test-synchronous'), synchronous=True
    )
    assert results == ['A', 'B']


def test_expressions_and_wildcards(make_session):
    listener = make_session()
    publisher = make_session()
    nested = []
    wildcard = []
    listener.event_hub.subscribe(
        'topic=ftrack.location.component-added and data.locationId=london',
        nested.append,
    )
    listener.event_hub.subscribe('topic=my-studio.*', wildcard.append)
    sync_subscriptions(listener.event_hub)
    for topic, location in (
        ('ftrack.location.component-added', 'paris'),
        ('ftrack.location.component-added', 'london'),
        ('my-studio.render.done', None),
        ('other.my-studio.render', None),
        ('elsewhere', None),
    ):
        publisher.event_hub.publish(
            ftrack_api.event.base.Event(topic=topic, data={'locationId': location})
        )
    process_until(listener.event_hub, lambda: nested and len(wildcard) == 2)
    listener.event_hub.wait(duration=0.3)
    assert [event['data']['locationId'] for event in nested] == ['london']
    # Wildcards match anywhere in the value, as the Python API does.
    assert sorted(event['topic'] for event in wildcard) == [
        'my-studio.render.done',
        'other.my-studio.render',
    ]


def test_ftrack_update_after_create_update_delete(make_session):
    listener = make_session()
    writer = make_session(connect=False)
    updates = []
    listener.event_hub.subscribe('topic=ftrack.update', updates.append)
    sync_subscriptions(listener.event_hub)

    def entity_records(action, entity_id):
        return [
            entity
            for event in updates
            for entity in event['data'].get('entities', [])
            if entity['action'] == action and entity['entityId'] == entity_id
        ]

    schema = writer.query('ProjectSchema').first()
    name = 'events_{0}'.format(uuid.uuid4().hex[:8])
    project = writer.create(
        'Project', {'name': name, 'full_name': name, 'project_schema': schema}
    )
    writer.commit()
    process_until(listener.event_hub, lambda: entity_records('add', project['id']))
    added = entity_records('add', project['id'])[0]
    assert added['entity_type'] == 'Project'
    assert added['entityType'] == 'show'
    event = [e for e in updates if added in e['data']['entities']][0]
    assert event['topic'] == 'ftrack.update'
    assert project['id'] in event['data']['parents']
    assert event['data']['user']['userid'] == writer.query(
        'User where username is "{0}"'.format(writer.api_user)
    ).one()['id']
    assert event['source']['user']['username'] == writer.api_user

    project['full_name'] = name + ' renamed'
    writer.commit()
    process_until(listener.event_hub, lambda: entity_records('update', project['id']))
    updated = entity_records('update', project['id'])[0]
    assert 'fullname' in updated['keys'] or 'full_name' in updated['keys']
    change = updated['changes'].get('fullname') or updated['changes'].get('full_name')
    assert change == {'old': name, 'new': name + ' renamed'}

    writer.delete(project)
    writer.commit()
    process_until(listener.event_hub, lambda: entity_records('remove', project['id']))


def test_publish_right_after_auto_connect(make_session):
    listener = make_session()
    received = []
    listener.event_hub.subscribe('topic=test.early', received.append)
    sync_subscriptions(listener.event_hub)
    # Published before the background connection is (likely) made: queued
    # and sent once connected, never an error.
    publisher = make_session(auto_connect_event_hub=True)
    publisher.event_hub.publish(ftrack_api.event.base.Event(topic='test.early'))
    process_until(listener.event_hub, lambda: received)


WAIT_SCRIPT = '''
import sys
import ftrack_api
session = ftrack_api.Session(
    server_url=sys.argv[1], api_user=sys.argv[2], api_key=sys.argv[3],
    plugin_paths=[], schema_cache_path=False, auto_connect_event_hub=True,
)
session.event_hub.wait_for_connection(timeout=30)
try:
    print('waiting', flush=True)
    session.event_hub.wait()
except KeyboardInterrupt:
    print('interrupted', flush=True)
    session.close()
'''


@pytest.mark.skipif(sys.platform == 'win32', reason='SIGINT to a child process')
def test_ctrl_c_ends_wait(server, tmp_path):
    script = tmp_path / 'wait_forever.py'
    script.write_text(WAIT_SCRIPT)
    process = subprocess.Popen(
        [sys.executable, str(script), server.url, server.api_user, server.api_key],
        stdout=subprocess.PIPE,
        universal_newlines=True,
    )
    try:
        assert process.stdout.readline().strip() == 'waiting'
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert 'interrupted' in output
    assert process.returncode == 0
