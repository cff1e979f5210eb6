"""``session.types``: every type, plugins asked at start, standard classes built on use."""

import json
import threading

import pytest

import ftrack_api.entity.base
import ftrack_api.entity.factory
from ftrack_api._session.entity_types import EntityTypes
from ftrack_local_server.testing import OfflineSession, default_schema_path


@pytest.fixture(scope='module')
def schemas():
    with open(default_schema_path(), encoding='utf-8') as handle:
        return json.load(handle)


def write_plugin(directory, body):
    """Write a plugin whose register receives ``seen`` and ``order`` lists."""
    path = directory / 'perf_types_plugin.py'
    path.write_text(
        'import ftrack_api.entity.factory\n'
        'def register(session, seen=None, order=None):\n'
        '    SEEN = seen if seen is not None else []\n'
        '    ORDER = order if order is not None else []\n'
        '    factory = ftrack_api.entity.factory.StandardFactory()\n'
        + body
    )
    return str(directory)


def test_every_type_is_listed_without_building(schemas):
    session = OfflineSession()
    try:
        names = [schema['id'] for schema in schemas]
        assert list(session.types) == names
        assert list(session.types.keys()) == names
        assert len(session.types) == len(schemas)
        assert 'Task' in session.types and 'NoSuchType' not in session.types
        assert not session.types.is_built('Shot')
        assert repr(session.types.keys()) == 'dict_keys({0!r})'.format(names)
        assert str(session.types.keys()) == repr(session.types.keys())
        assert not session.types.is_built('Shot')
    finally:
        session.close()


def test_printed_as_the_plain_dict_upstream_keeps(schemas):
    session = OfflineSession()
    try:
        names = [schema['id'] for schema in schemas]
        keys = session.types.keys()
        assert type(keys) is type({}.keys())
        printed = repr(session.types)
        # Printing shows the classes, so it builds them.
        assert all(session.types.is_built(name) for name in names)
        assert printed == repr(dict((name, session.types[name]) for name in names))
        assert printed.startswith("{{'{0}': <dynamic ftrack class '{0}'>".format(names[0]))
        values = session.types.values()
        items = session.types.items()
        assert type(values) is type({}.values()) and type(items) is type({}.items())
        assert list(values) == [session.types[name] for name in names]
        assert list(items)[0] == (names[0], session.types[names[0]])
        # The views are live, as a dict's are.
        session.types['Extra'] = object
        assert 'Extra' in keys and object in values and ('Extra', object) in items
        assert session.types.copy() == dict(items)
        assert type(session.types.copy()) is dict
    finally:
        session.close()


def test_class_built_once_on_first_use():
    session = OfflineSession()
    try:
        assert not session.types.is_built('Shot')
        shot_class = session.types['Shot']
        assert session.types.is_built('Shot')
        assert session.types['Shot'] is shot_class
        assert session.types.get('Shot') is shot_class
        assert shot_class.entity_type == 'Shot'
        assert issubclass(shot_class, ftrack_api.entity.base.Entity)
        shot = session.create('Shot', {'name': 'sh010'})
        assert isinstance(shot, session.types['Shot'])
        assert session.types.get('NoSuchType') is None
        assert session.types.get('NoSuchType', 'fallback') == 'fallback'
        with pytest.raises(KeyError):
            session.types['NoSuchType']
    finally:
        session.close()


def test_values_and_items_give_every_class(schemas):
    session = OfflineSession()
    try:
        classes = list(session.types.values())
        assert len(classes) == len(schemas)
        assert all(isinstance(cls, type) for cls in classes)
        assert dict(session.types.items()) == session.types.copy()
        assert all(session.types.is_built(name) for name in session.types)
    finally:
        session.close()


def test_concurrent_first_use_gives_one_class():
    session = OfflineSession()
    try:
        barrier = threading.Barrier(8)
        found = []

        def worker():
            barrier.wait()
            found.append(session.types['AssetVersion'])

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(found) == 8
        assert all(cls is found[0] for cls in found)
    finally:
        session.close()


def test_plugin_is_asked_for_every_schema_at_start_in_order(tmp_path, schemas):
    plugins = write_plugin(tmp_path, (
        '    def construct(event):\n'
        '        SEEN.append(event["data"]["schema"]["id"])\n'
        '        assert len(event["data"]["schemas"]) > 100\n'
        '        if event["data"]["schema"]["id"] == "User":\n'
        '            cls = factory.create(event["data"]["schema"])\n'
        '            cls.default_projections = ["id", "username"]\n'
        '            return cls\n'
        '    def ready(event):\n'
        '        ORDER.append(len(SEEN))\n'
        '    session.event_hub.subscribe(\n'
        '        "topic=ftrack.api.session.construct-entity-type", construct)\n'
        '    session.event_hub.subscribe("topic=ftrack.api.session.ready", ready)\n'
    ))
    seen = []
    order = []
    session = OfflineSession(
        plugin_paths=[plugins], plugin_arguments={'seen': seen, 'order': order},
    )
    try:
        assert seen == [schema['id'] for schema in schemas]
        assert order == [len(schemas)]
        assert session.types.is_built('User')
        assert session.types['User'].default_projections == ['id', 'username']
        assert not session.types.is_built('Shot')
        # Later use does not ask the plugin again.
        session.types['Shot']
        assert len(seen) == len(schemas)
    finally:
        session.close()


def test_plugin_class_is_used_as_returned(tmp_path):
    plugins = write_plugin(tmp_path, (
        '    def construct(event):\n'
        '        cls = factory.create(event["data"]["schema"])\n'
        '        cls.from_plugin = True\n'
        '        return cls\n'
        '    session.event_hub.subscribe(\n'
        '        "topic=ftrack.api.session.construct-entity-type", construct)\n'
    ))
    session = OfflineSession(plugin_paths=[plugins])
    try:
        assert all(session.types.is_built(name) for name in session.types)
        assert all(cls.from_plugin for cls in session.types.values())
    finally:
        session.close()


def test_replaced_class_is_used_for_decoded_entities():
    session = OfflineSession()
    try:
        standard = session.types['Task']
        first = session.merge(session.create(
            'Task', {'id': 't1', 'name': 'a'}, reconstructing=True
        ))
        assert type(first) is standard

        class CustomTask(standard):
            pass

        session.types['Task'] = CustomTask
        decoded = session._decode_merging(json.dumps(
            [{'__entity_type__': 'Task', 'id': 't2', 'name': 'b'}]
        ))
        assert type(decoded[0]) is CustomTask
        del session.types['Task']
        assert 'Task' not in session.types
        with pytest.raises(ftrack_api.exception.UnrecognisedEntityTypeError):
            session._decode_merging(json.dumps(
                [{'__entity_type__': 'Task', 'id': 't3', 'name': 'c'}]
            ))
    finally:
        session.close()


def test_mapping_alone():
    factory = ftrack_api.entity.factory.StandardFactory()
    types = EntityTypes(factory)
    types.defer('Thing', {'id': 'Thing', 'properties': {'id': {'type': 'string'}},
                          'primary_key': ['id']})
    version = types._version
    assert not types.is_built('Thing')
    thing = types['Thing']
    assert thing.attributes.get('id') is not None
    assert types._version == version
    types['Other'] = thing
    assert types._version == version + 1
    assert list(types) == ['Thing', 'Other']
    assert types == {'Thing': thing, 'Other': thing}
