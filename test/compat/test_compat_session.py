"""Session internals integrations reach into, against upstream 3.1.0."""

import pytest

OPEN = 'session = ftrack_api.Session(auto_connect_event_hub=False)\n'


def test_close_with_pending_operations_warns(compat, ftrack_server):
    compat.compare(
        OPEN + 'session.create("Scope", {"name": "pending"})\n'
        'session.close()\n'
        'result = session.closed', server=ftrack_server)


def test_get_with_dict_values_and_unknown_type(compat, ftrack_server):
    compat.compare(
        OPEN + 'priority = session.query("Priority").first()\n'
        'same = session.get("Priority", {"id": priority["id"]}.values()) is priority\n'
        'try:\n'
        '    session.get("NoSuchType", "x")\n'
        'except KeyError:\n'
        '    unknown = "KeyError"\n'
        'session.close()\n'
        'result = [same, unknown]', server=ftrack_server)


def test_get_unknown_type_message(compat, ftrack_server):
    compat.compare(
        OPEN + 'session.get("NoSuchType", "x")', server=ftrack_server,
        fields=('raised',),
        kept='ours raises UnrecognisedEntityTypeError (also a KeyError) naming the type')


def test_request_is_the_requests_session(compat, ftrack_server):
    compat.compare(
        'import requests\n' + OPEN
        + 'session._request.headers["x-studio"] = "compat"\n'
        'session.query("Priority").first()\n'
        'result = [isinstance(session._request, requests.Session), '
        'api_headers[-1].get("x-studio"), api_headers[-1].get("ftrack-user") is not None]\n'
        'session.close()\n'
        'session._request', server=ftrack_server)


def test_request_timeout_is_settable(compat, ftrack_server):
    compat.compare(
        OPEN + 'session.request_timeout = 12\n'
        'value = session.request_timeout\n'
        'session.close()\n'
        'result = value', server=ftrack_server)


def test_local_cache_values_and_rollback(compat, ftrack_server):
    compat.compare(
        OPEN + 'scope = session.create("Scope", {"name": "cached"})\n'
        'before = scope in list(session._local_cache.values())\n'
        'session.rollback()\n'
        'after = scope in list(session._local_cache.values())\n'
        'session.close()\n'
        'result = [before, after]', server=ftrack_server)


def test_commit_goes_through_patched_call(compat, ftrack_server):
    compat.compare(
        OPEN + 'seen = []\n'
        'original = session.call\n'
        'def call(data):\n'
        '    seen.append([(op["action"], op["entity_type"]) for op in data])\n'
        '    return original(data)\n'
        'session.call = call\n'
        'session.create("Scope", {"name": "compat-patched-" + workdir[-6:]})\n'
        'session.commit()\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_schema_cache_file_functions(compat, ftrack_server):
    compat.compare(
        'import os\n' + OPEN
        + 'path = os.path.join(workdir, "cache.json")\n'
        'missing = session._read_schemas_from_cache(path)\n'
        'schemas = [{"id": "B", "x": 1}, {"id": "A", "y": [1, 2], "z": "é"}]\n'
        'written = session._write_schemas_to_cache(schemas, path)\n'
        'raw = open(path, "rb").read()\n'
        'read = session._read_schemas_from_cache(path)\n'
        'open(path, "w").write("not json")\n'
        'try:\n'
        '    session._read_schemas_from_cache(path)\n'
        'except ValueError as error:\n'
        '    bad = type(error).__name__\n'
        'session.close()\n'
        'result = [missing, written, raw, read, bad]', server=ftrack_server,
        ids=False)  # the md5 digests must match exactly


def test_schema_cache_file_written_by_either_is_read_by_both(compat, ftrack_server, tmp_path):
    path = str(tmp_path / 'schemas.json')
    code = ('import os\n' + OPEN
            + 'if not os.path.exists({0!r}):\n'
            '    session._write_schemas_to_cache([{{"id": "Task"}}], {0!r})\n'
            'result = session._read_schemas_from_cache({0!r})\n'
            'session.close()\n').format(path)
    upstream, ours = compat.run(code, server=ftrack_server)
    assert upstream['result'] == ours['result']
    assert upstream['result']['tuple'][0] == [{'id': 'Task'}]


def test_operation_payload(compat):
    compat.compare(
        'import collections.abc\n'
        'import ftrack_api.session\n'
        'payload = ftrack_api.session.OperationPayload({"action": "create", "entity_type": "Task"})\n'
        'payload["x"] = 2\n'
        'del payload["action"]\n'
        'result = [isinstance(payload, collections.abc.MutableMapping), str(payload), '
        'len(payload), list(payload), dict(ftrack_api.session.OperationPayload(action="u"))]')


def test_operation_payload_is_a_dict_kept(compat):
    compat.compare(
        'import ftrack_api.session\n'
        'result = isinstance(ftrack_api.session.OperationPayload(), dict)',
        kept='ours is a dict subclass (still a MutableMapping) so batches encode at C speed')


def test_encode_writes_entities_in_payload_as_references(compat, ftrack_server):
    compat.compare(
        'import json\n' + OPEN
        + 'priority = session.query("Priority").first()\n'
        'payload = ftrack_api.session.OperationPayload({"action": "update", '
        '"entity_type": "Task", "entity_key": ["x"], '
        '"entity_data": {"priority": priority, "name": "n"}})\n'
        'encoded = json.loads(session.encode([payload]))\n'
        'session.close()\n'
        'result = encoded', server=ftrack_server)


def test_entity_reference(compat, ftrack_server):
    compat.compare(
        OPEN + 'priority = session.query("Priority").first()\n'
        'plain = session.entity_reference(priority)\n'
        'original = ftrack_api.inspection.primary_key\n'
        'ftrack_api.inspection.primary_key = lambda entity: {"id": "patched"}\n'
        'try:\n'
        '    patched = session.entity_reference(priority)\n'
        'finally:\n'
        '    ftrack_api.inspection.primary_key = original\n'
        'session.close()\n'
        'result = [plain, patched]', server=ftrack_server)


def test_private_create_and_merge(compat, ftrack_server):
    compat.compare(
        'import inspect\n' + OPEN
        + 'scope = session._create("Scope", {"name": "private"}, False)\n'
        'same = session._merge(scope, {}) is scope\n'
        'state = str(ftrack_api.inspection.state(scope))\n'
        'signatures = [str(inspect.signature(session._create)), '
        'str(inspect.signature(session._merge))]\n'
        'session.rollback()\n'
        'session.close()\n'
        'result = [same, state, signatures]', server=ftrack_server)


def test_schema_cache_directory_file_and_load_schemas(compat, ftrack_server):
    compat.compare(
        'import os\n'
        'session = ftrack_api.Session(auto_connect_event_hub=False, schema_cache_path=workdir)\n'
        'names = sorted(os.listdir(workdir))\n'
        'path = os.path.join(workdir, "ftrack_api_schema_cache.json")\n'
        'indented = open(path).read().startswith("[\\n    {")\n'
        'other = os.path.join(workdir, "other.json")\n'
        'loaded = session._load_schemas(other)\n'
        'again = session._load_schemas(other)\n'
        'open(other, "w").write("not json")\n'
        'repaired = session._load_schemas(other)\n'
        'valid = session._read_schemas_from_cache(other)[1] == session.server_information["schema_hash"]\n'
        'without = session._load_schemas(False)\n'
        'session.close()\n'
        'result = [names, indented, len(loaded), len(again) == len(loaded), len(repaired),\n'
        '    valid, len(without), sorted(os.listdir(workdir))]',
        server=ftrack_server, fields=('result', 'raised'))


def test_schema_cache_logs(compat, ftrack_server):
    compat.compare(
        'import os\n'
        'session = ftrack_api.Session(auto_connect_event_hub=False, schema_cache_path=workdir)\n'
        'open(os.path.join(workdir, "bad.json"), "w").write("not json")\n'
        'session._load_schemas(os.path.join(workdir, "bad.json"))\n'
        'session._load_schemas(os.path.join(workdir, "missing", "file.json"))\n'
        'session.close()\n'
        'result = None',
        server=ftrack_server, log_level='INFO', fields=('raised', 'logs'))


def test_schema_cache_in_missing_directory(compat, ftrack_server):
    compat.compare(
        'import os\n'
        'session = ftrack_api.Session(auto_connect_event_hub=False,\n'
        '    schema_cache_path=os.path.join(workdir, "missing"))\n'
        'session.close()\n'
        'result = os.path.exists(os.path.join(workdir, "missing"))',
        server=ftrack_server, fields=('result', 'raised', 'logs'))


def test_flags_are_per_thread(compat, ftrack_server):
    compat.compare(
        'import threading\n' + OPEN
        + 'seen = {}\n'
        'inside, release = threading.Event(), threading.Event()\n'
        'def other():\n'
        '    with session.auto_populating(False), session.operation_recording(False):\n'
        '        seen["other"] = (session.auto_populate, session.record_operations)\n'
        '        inside.set()\n'
        '        release.wait(10)\n'
        '    seen["other after"] = (session.auto_populate, session.record_operations)\n'
        'thread = threading.Thread(target=other)\n'
        'thread.start()\n'
        'inside.wait(10)\n'
        'seen["main during"] = (session.auto_populate, session.record_operations)\n'
        'release.set()\n'
        'thread.join()\n'
        'session.auto_populate = False\n'
        'def reader():\n'
        '    seen["reader"] = session.auto_populate\n'
        'thread = threading.Thread(target=reader)\n'
        'thread.start()\n'
        'thread.join()\n'
        'seen["main"] = session.auto_populate\n'
        'ident = threading.get_ident()\n'
        'seen["store"] = [type(session._auto_populate).__name__,\n'
        '    session._auto_populate[ident], session._record_operations[ident],\n'
        '    session._auto_populate.default_factory()]\n'
        'session._auto_populate[ident] = True\n'
        'seen["after store write"] = session.auto_populate\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_session_auto_populate_argument_is_the_default(compat, ftrack_server):
    compat.compare(
        'import threading\n'
        'session = ftrack_api.Session(auto_connect_event_hub=False, auto_populate=False)\n'
        'seen = [session.auto_populate, session._auto_populate.default_factory()]\n'
        'thread = threading.Thread(target=lambda: seen.append(session.auto_populate))\n'
        'thread.start()\n'
        'thread.join()\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_private_session_methods(compat, ftrack_server):
    compat.compare(
        'import os, re, arrow, datetime\n' + OPEN
        + 'priority = session.query("Priority").first()\n'
        'seen = {"get": session._get("Priority", [priority["id"]]) is priority}\n'
        'try:\n'
        '    session._get("Priority", ["nope"])\n'
        'except KeyError as error:\n'
        '    seen["get missing"] = str(error)\n'
        'seen["encode"] = [session._encode(priority),\n'
        '    session._encode(priority, entity_attribute_strategy="modified_only"),\n'
        '    session._encode(priority, entity_attribute_strategy="bogus"),\n'
        '    session._encode(arrow.get("2020-01-02T03:04:05+01:00")),\n'
        '    session._encode(datetime.datetime(2020, 1, 2, 3, 4, 5)),\n'
        '    session._encode(datetime.date(2020, 1, 2))]\n'
        'refused = []\n'
        'for value in (object(), [1, 2], {"a": 1}, "x", 1):\n'
        '    try:\n'
        '        session._encode(value)\n'
        '    except TypeError as error:\n'
        '        refused.append(re.sub("0x[0-9a-f]+", "0x?", str(error)))\n'
        'seen["refused"] = refused\n'
        'seen["decode"] = [repr(session._decode({"__type__": "datetime", "value": "2020-01-02T03:04:05"})),\n'
        '    session._decode({"__entity_type__": "Priority", "id": priority["id"]}) is priority,\n'
        '    session._decode({"a": 1})]\n'
        'path = os.path.join(workdir, "file.txt")\n'
        'open(path, "w").write("12345")\n'
        'seen["size"] = [session._get_filesystem_size(path),\n'
        '    session._get_filesystem_size(os.path.join(workdir, "missing"))]\n'
        'seen["locations"] = [[location["name"] for location in session._get_locations()],\n'
        '    [location["name"] for location in session._get_locations(filter_inaccessible=False)]]\n'
        'component = session._create_component("FileComponent", path, {"name": "x"}, None)\n'
        'origin = session.get("Location", ftrack_api.symbol.ORIGIN_LOCATION_ID)\n'
        'seen["component"] = [type(component).__name__, component["name"], component["size"],\n'
        '    str(component["file_type"]), origin.get_filesystem_path(component) == path]\n'
        'seen["merge"] = [session._merge_entity(priority) is priority,\n'
        '    session._merge_recursive(priority) is priority]\n'
        'session.rollback()\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_raise_server_error(compat, ftrack_server):
    compat.compare(OPEN + 'session._raise_server_error("boom")', server=ftrack_server,
                   log_level='ERROR')


@pytest.mark.parametrize('assignment', [
    'project["custom_attributes"][key] = 24',
    'project["custom_attributes"] = {key: 24}',
])
def test_custom_attribute_of_a_new_entity_on_the_wire(compat, ftrack_server, assignment):
    compat.compare(
        'import json, uuid\n' + OPEN
        + 'number = session.query(\'CustomAttributeType where name is "number"\').one()\n'
        'key = "compat_fps_" + uuid.uuid4().hex[:6]\n'
        'session.create("CustomAttributeConfiguration", {"key": key, "label": key,\n'
        '    "entity_type": "show", "type": number, "config": json.dumps({"isdecimal": False}),\n'
        '    "default": 25, "is_hierarchical": False})\n'
        'session.commit()\n'
        'schema = session.query("ProjectSchema").first()\n'
        'project = session.create("Project", {"name": "compat_" + uuid.uuid4().hex[:6],\n'
        '    "full_name": "Compat CA", "project_schema": schema})\n'
        + assignment + '\n'
        'before = len(api_calls)\n'
        'session.commit()\n'
        'sent = [[operation["action"], operation["entity_type"], sorted(operation.get("entity_data", {}))]\n'
        '    for operation in api_calls[before][0:]]\n'
        'after = len(api_calls)\n'
        'value = project["custom_attributes"][key]\n'
        'result = [sent, value, len(api_calls) - after]\n'
        'session.close()', server=ftrack_server)
