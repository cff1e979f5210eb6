"""Unit tests for building the ftrack.update event of a batch."""

from ftrack_local_server.context import RequestContext
from ftrack_local_server.events.updates import build_update_event


def change(entity_id, *parent_ids):
    return {
        'action': 'update',
        'entityId': entity_id,
        'entityType': 'task',
        'entity_type': 'Task',
        'keys': ['name'],
        'changes': {'name': {'old': 'a', 'new': 'b'}},
        'parents': [{'entityId': identifier} for identifier in (entity_id,) + parent_ids],
    }


def test_update_event_shape():
    context = RequestContext(
        server=None,
        tx=None,
        user={'id': 'u1', 'username': 'jane', 'first_name': 'Jane', 'last_name': 'Doe'},
        changes=[change('t1', 's1', 'p1'), change('t2', 's1', 'p1')],
        client_token='ct',
        push_token='pt',
    )
    event = build_update_event(context)
    assert set(event) == {
        'id', 'topic', 'data', 'source', 'target', 'sent', 'inReplyToEvent'
    }
    assert event['topic'] == 'ftrack.update'
    assert len(event['id']) == 32
    assert event['data']['entities'] == context.changes
    assert event['data']['parents'] == ['t1', 's1', 'p1', 't2']
    assert event['data']['user'] == {'userid': 'u1', 'name': 'Jane Doe'}
    assert event['data']['clientToken'] == 'ct'
    assert event['data']['pushToken'] == 'pt'
    assert event['source'] == {
        'clientToken': 'ct',
        'applicationId': 'ftrack.client.web',
        'user': {'username': 'jane', 'id': 'u1'},
        'id': 'ct',
    }


def test_update_event_without_tokens_or_names():
    context = RequestContext(
        server=None, tx=None, user={'id': 'u1', 'username': 'jane'}, changes=[change('x')]
    )
    event = build_update_event(context)
    assert event['data']['user']['name'] == 'jane'
    assert event['data']['clientToken'] is None
    assert len(event['source']['id']) == 32
