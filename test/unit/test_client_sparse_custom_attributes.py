"""The legacy sparse custom attribute mapping (value type ``CustomAttributeValue``)."""

import copy
import json

import pytest

import ftrack_api.collection
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_local_server.testing import OfflineSession, default_schema_path


@pytest.fixture
def session():
    with open(default_schema_path(), encoding='utf-8') as handle:
        schemas = json.load(handle)
    by_id = {schema['id']: schema for schema in schemas}
    legacy = copy.deepcopy(by_id['ContextCustomAttributeValue'])
    legacy['id'] = 'CustomAttributeValue'
    schemas.append(legacy)
    by_id['Task']['properties']['custom_attributes']['items']['$ref'] = (
        'CustomAttributeValue'
    )
    session = OfflineSession(schemas=schemas)
    session.transport.echo = True
    object_type_id = session.types['Task'].attributes.get('object_type_id').default_value
    session.transport.responses.append([{
        'action': 'query',
        'data': [
            {'__entity_type__': 'CustomAttributeConfiguration', 'id': 'c1',
             'key': 'fstart', 'project_id': None, 'object_type_id': object_type_id,
             'entity_type': 'task', 'default': 1001},
            {'__entity_type__': 'CustomAttributeConfiguration', 'id': 'c2',
             'key': 'notes', 'project_id': None, 'object_type_id': object_type_id,
             'entity_type': 'task', 'default': ''},
        ],
        'metadata': {'next': {'offset': None}},
    }])
    yield session
    session.close()


def test_sparse_values_fall_back_to_defaults_and_create(session):
    value = session.create(
        'CustomAttributeValue',
        {'configuration_id': 'c2', 'entity_id': 't1', 'value': 'text'},
        reconstructing=True,
    )
    task = session.create(
        'Task', {'id': 't1', 'project_id': 'p1', 'custom_attributes': [value]},
        reconstructing=True,
    )
    proxy = task['custom_attributes']
    assert isinstance(proxy, ftrack_api.collection.CustomAttributeCollectionProxy)
    assert sorted(proxy.keys()) == ['fstart', 'notes']
    assert proxy['notes'] == 'text'
    assert proxy['fstart'] == 1001
    assert proxy.get_configuration_id_from_key('fstart') == 'c1'
    with pytest.raises(KeyError):
        proxy.get_configuration_id_from_key('missing')
    query = session.transport.requests[0][0]['expression']
    assert query.startswith(
        'select key, project_id, id, object_type_id, entity_type from '
        'CustomAttributeConfiguration'
    )

    proxy['fstart'] = 1010
    created = proxy.collection[-1]
    assert created['configuration_id'] == 'c1'
    assert created['value'] == 1010
    assert ftrack_api.inspection.state(created) is ftrack_api.symbol.CREATED

    del proxy['notes']
    assert ftrack_api.inspection.state(value) is ftrack_api.symbol.DELETED
    assert proxy['notes'] == ''
