"""Behaviour of the private helpers of entity, collection and accessor modules.

The signature sweep (test_compat_surface.py) checks the names exist with
upstream's signatures; these snippets check that they also do what
upstream's do.
"""

import pytest

OPEN = 'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
PROJECT = OPEN + (
    'import uuid\n'
    'schema = session.query("ProjectSchema").first()\n'
    'project = session.create("Project", {"name": "surface_" + uuid.uuid4().hex[:8],\n'
    '    "full_name": "Surface", "project_schema": schema})\n'
    'session.commit()\n'
)


def test_module_level_names(compat):
    compat.compare(
        'import ftrack_api.attribute, ftrack_api.collection, ftrack_api.entity.base\n'
        'import ftrack_api.entity.factory, ftrack_api.entity.location, ftrack_api.event.hub\n'
        'import ftrack_api.session, ftrack_api.accessor.server, ftrack_api.accessor.disk\n'
        'import ftrack_api.data, ftrack_api.logging, ntpath, sys\n'
        'modules = [ftrack_api.collection, ftrack_api.entity.base, ftrack_api.entity.factory,\n'
        '    ftrack_api.entity.location, ftrack_api.event.hub, ftrack_api.session]\n'
        'result = [[module.L is ftrack_api.logging.LazyLogMessage for module in modules],\n'
        '    ftrack_api.attribute.logger.name,\n'
        '    ftrack_api.accessor.server.String is ftrack_api.data.String,\n'
        '    ftrack_api.accessor.disk.ntpath.__name__, ftrack_api.accessor.disk.sys is sys]')


def test_python_ntpath(compat):
    compat.compare(
        'import ftrack_api._python_ntpath as path\n'
        'result = [path.join("a", "b"), path.splitdrive("C:\\\\x"), path.basename("a\\\\b.txt"),\n'
        '    path.normpath("a/b/../c"), path.isabs("\\\\x"),\n'
        '    [path.splitunc(p) for p in ["\\\\\\\\host\\\\share\\\\x", "//host/share/x",\n'
        '        "C:\\\\x", "\\\\\\\\host", "rel"]]]')


def test_python_ntpath_walk_kept(compat):
    compat.compare(
        'import os, ftrack_api._python_ntpath as path\n'
        'os.makedirs(os.path.join(workdir, "a", "b"))\n'
        'seen = []\n'
        'path.walk(workdir, lambda arg, top, names: seen.append(sorted(names)), None)\n'
        'result = seen', fields=('result', 'raised'),
        kept="upstream's walk fails on Python 3 (warnings.warnpy3k); ours walks")


def test_key_maker_key_keyword(compat):
    compat.compare(
        'import ftrack_api.cache\n'
        'result = [ftrack_api.cache.StringKeyMaker()._key(obj=5)]')


def test_inspection_state_transitions(compat):
    compat.compare(
        'import ftrack_api.inspection as inspection, ftrack_api.operation as operation\n'
        'import ftrack_api.symbol as symbol\n'
        'operations = [operation.CreateEntityOperation("User", {"id": "1"}, {}),\n'
        '    operation.UpdateEntityOperation("User", {"id": "1"}, "a", 1, 2),\n'
        '    operation.DeleteEntityOperation("User", {"id": "1"})]\n'
        'result = [[str(inspection._state(item, state)) for item in operations]\n'
        '    for state in (symbol.NOT_SET, symbol.CREATED, symbol.MODIFIED, symbol.DELETED)]')


def test_formatter_can_do_colors(compat):
    compat.compare(
        'import ftrack_api.formatter\n'
        'result = ftrack_api.formatter._can_do_colors()',
        env={'FORCE_COLOR': None, 'NO_COLOR': None, 'ANSI_COLORS_DISABLED': None})


@pytest.mark.parametrize('expression', [
    'select id from Priority',
    'select id from Priority offset 5',
    'select id from Priority limit 3',
    'select id from Priority offset 2 limit 3',
])
def test_query_result_private_helpers(compat, ftrack_server, expression):
    compat.compare(
        OPEN + 'result_set = session.query("Priority")\n'
        'before = result_set._can_fetch_more()\n'
        'result_set.all()\n'
        'result = [before, result_set._can_fetch_more(),\n'
        '    result_set._extract_offset_and_limit({0!r})]\n'.format(expression)
        + 'session.close()', server=ftrack_server)


def test_extract_offset_inside_quotes_kept(compat, ftrack_server):
    compat.compare(
        OPEN + 'result = session.query("Priority")._extract_offset_and_limit(\n'
        '    \'select id from Priority where name is "offset 3"\')\n'
        'session.close()', server=ftrack_server,
        kept='offset/limit inside a quoted value are left alone (README: kept fix)')


def test_custom_attribute_configuration_helpers(compat, ftrack_server):
    compat.compare(
        PROJECT + 'import ftrack_api.collection, ftrack_api.entity.factory\n'
        'configurations = ftrack_api.collection._get_custom_attribute_configurations(session)\n'
        'for_project = ftrack_api.entity.factory._get_entity_configurations(project)\n'
        'result = [type(configurations).__name__, len(configurations),\n'
        '    type(for_project).__name__, len(for_project),\n'
        '    ftrack_api.entity.factory._get_custom_attribute_configurations is not None]\n'
        'session.close()', server=ftrack_server)


def test_adapt_to_collection(compat, ftrack_server):
    compat.compare(
        PROJECT + 'attributes = type(project).attributes\n'
        'out = []\n'
        'for name, value in [("children", []), ("metadata", {"a": "b"})]:\n'
        '    adapted = attributes.get(name)._adapt_to_collection(project, value)\n'
        '    out.append([name, type(adapted).__name__, len(adapted)])\n'
        'result = out\n'
        'session.close()', server=ftrack_server)


def test_collection_notify_and_populate_unset(compat, ftrack_server):
    compat.compare(
        PROJECT + 'children = project["children"]\n'
        'children._notify(old_value=list(children))\n'
        'user = session.query("select id from User").first()\n'
        'returned = user._populate_unset_scalar_attributes()\n'
        'result = [returned, user["username"] is not ftrack_api.symbol.NOT_SET,\n'
        '    len(session.recorded_operations)]\n'
        'session.close()', server=ftrack_server)


def test_memory_location_hooks(compat, ftrack_server):
    compat.compare(
        OPEN + 'origin = session.get("Location", ftrack_api.symbol.ORIGIN_LOCATION_ID)\n'
        'component = session.create_component("/tmp/surface/x.txt", location=None)\n'
        'other = session.create("FileComponent", {"name": "other"})\n'
        'seen = [type(origin._cache).__name__, origin._cache.get(component["id"]),\n'
        '    origin._get_resource_identifiers([component])]\n'
        'try:\n'
        '    origin._get_resource_identifiers([other])\n'
        'except Exception as error:\n'
        '    seen.append([type(error).__name__, str(error)])\n'
        'seen.append(origin._register_component_in_location(other, "/tmp/surface/y"))\n'
        'seen.append(origin.get_resource_identifier(other))\n'
        'seen.append(origin._deregister_component_in_location(other))\n'
        'seen.append(other["id"] in origin._cache)\n'
        'session.rollback()\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_server_file_private_steps(compat, ftrack_server):
    compat.compare(
        OPEN + 'import os\n'
        'server = session.get("Location", ftrack_api.symbol.SERVER_LOCATION_ID)\n'
        'path = os.path.join(workdir, "data.txt")\n'
        'open(path, "w").write("server data")\n'
        'component = session.create_component(path, location=server)\n'
        'session.commit()\n'
        'import ftrack_api.accessor.server\n'
        'handle = ftrack_api.accessor.server.ServerFile(component["id"], session, mode="rb")\n'
        'handle._read()\n'
        'seen = [handle._get_size(), handle._compute_checksum(), handle.read()]\n'
        'handle.close()\n'
        'server.accessor.remove(resourceIdentifier=component["id"])\n'
        'seen.append(server.accessor.exists(component["id"]))\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


# Location hooks: which steps add/remove/lookups call (and the requests each
# makes), observed through a recording mixin put in front of the location's
# class, as a custom location overriding the hooks would be.
SPY = (
    'import os, uuid, tempfile\n'
    'import ftrack_api.entity.location as location_module\n'
    'import ftrack_api.accessor.disk, ftrack_api.structure.id\n'
    'calls = []\n'
    'HOOKS = ["_register_component_in_location", "_register_components_in_location",\n'
    '    "_deregister_component_in_location", "_get_resource_identifiers",\n'
    '    "_add_data", "_remove_data", "_get_context"]\n'
    'def _hook(name):\n'
    '    def hook(self, *args, **kwargs):\n'
    '        first = args[0] if args else None\n'
    '        size = len(list(first)) if not isinstance(first, ftrack_api.entity.base.Entity) else "one"\n'
    '        calls.append([name, size])\n'
    '        return getattr(super(Spy, self), name)(*args, **kwargs)\n'
    '    return hook\n'
    'Spy = type("Spy", (object,), {name: _hook(name) for name in HOOKS})\n'
    'import ftrack_api.structure.base\n'
    'class IdOnly(ftrack_api.structure.base.Structure):\n'
    '    def get_resource_identifier(self, entity, context=None):\n'
    '        return entity["id"]\n'
    'origin = session.get("Location", ftrack_api.symbol.ORIGIN_LOCATION_ID)\n'
    'def make_location(memory):\n'
    '    location = session.create("Location", {"name": "hooks." + uuid.uuid4().hex})\n'
    '    if memory:\n'
    '        ftrack_api.mixin(location, location_module.MemoryLocationMixin, name="MemoryLocation")\n'
    '    location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=tempfile.mkdtemp(dir=workdir))\n'
    '    location.structure = IdOnly()\n'
    '    ftrack_api.mixin(location, Spy, name="SpyLocation")\n'
    '    return location\n'
    'def component(name):\n'
    '    path = os.path.join(workdir, name)\n'
    '    open(path, "w").write(name)\n'
    '    return session.create_component(path, location=None)\n'
    'def sequence():\n'
    '    for index in (1, 2):\n'
    '        open(os.path.join(workdir, "f.%04d.txt" % index), "w").write("f")\n'
    '    return session.create_component(os.path.join(workdir, "f.%04d.txt [1-2]"), location=None)\n'
    'def step(name, function):\n'
    '    del calls[:]\n'
    '    start = len(api_calls)\n'
    '    try:\n'
    '        value = function()\n'
    '    except Exception as error:\n'
    '        value = [type(error).__name__]\n'
    '    else:\n'
    '        value = value if isinstance(value, (list, type(None), float)) else type(value).__name__\n'
    '    actions = [[item["action"] for item in call] for call in api_calls[start:]]\n'
    '    steps.append([name, value, list(calls), actions])\n'
    'steps = []\n'
)


@pytest.mark.parametrize('memory', [True, False], ids=['memory', 'server-stored'])
def test_location_hooks_called(compat, ftrack_server, memory):
    compat.compare(
        OPEN + SPY + 'location = make_location({0})\n'.format(memory)
        + 'session.commit()\n'
        'single = component("single.txt")\n'
        'container = sequence()\n'
        'session.commit()\n'
        'step("add", lambda: location.add_component(single, origin))\n'
        'step("identifier", lambda: len(location.get_resource_identifier(single)))\n'
        'step("identifiers", lambda: len(location.get_resource_identifiers([single])))\n'
        'step("path", lambda: os.path.exists(location.get_filesystem_path(single)))\n'
        'step("again", lambda: location.add_components([single], [origin]))\n'
        'step("remove", lambda: location.remove_component(single))\n'
        'step("remove again", lambda: location.remove_components([single]))\n'
        'step("add sequence", lambda: location.add_component(container, origin))\n'
        'step("remove sequence", lambda: location.remove_component(container))\n'
        'session.close()\n'
        'result = steps', server=ftrack_server)


def test_location_remove_goes_component_by_component(compat, ftrack_server):
    compat.compare(
        OPEN + SPY + 'location = make_location(True)\n'
        'first, second = component("first.txt"), component("second.txt")\n'
        'location.add_component(first, origin)\n'
        'step("present then missing", lambda: location.remove_components([first, second]))\n'
        'steps.append(sorted(location._cache) == [])\n'
        'container = sequence()\n'
        'location._register_component_in_location(container, "container")\n'
        'step("members not here", lambda: location.remove_component(container))\n'
        'steps.append(len(location._cache))\n'
        'session.close()\n'
        'result = steps', server=ftrack_server)


def test_location_hook_errors_propagate(compat, ftrack_server):
    compat.compare(
        OPEN + SPY + 'class FailingRemove(object):\n'
        '    def _remove_data(self, component):\n'
        '        raise RuntimeError("remove failed for " + component["name"])\n'
        'class FailingDeregister(object):\n'
        '    def _deregister_component_in_location(self, component):\n'
        '        raise RuntimeError("deregister failed for " + component["name"])\n'
        'seen = []\n'
        'single = component("single.txt")\n'
        'for failing in (FailingRemove, FailingDeregister):\n'
        '    location = make_location(True)\n'
        '    ftrack_api.mixin(location, failing, name=failing.__name__)\n'
        '    location.add_component(single, origin)\n'
        '    try:\n'
        '        location.remove_component(single)\n'
        '    except Exception as error:\n'
        '        seen.append([type(error).__name__, str(error), len(location._cache)])\n'
        'location = make_location(True)\n'
        'try:\n'
        '    location._deregister_component_in_location(single)\n'
        'except KeyError as error:\n'
        '    seen.append(["KeyError", error.args[0] == single["id"]])\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_location_transfer_error_messages(compat, ftrack_server):
    compat.compare(
        OPEN + SPY + 'class FailingRegister(object):\n'
        '    def _register_components_in_location(self, components, resource_identifiers):\n'
        '        raise RuntimeError("register failed")\n'
        'seen = []\n'
        'def attempt(location, value):\n'
        '    try:\n'
        '        location.add_component(value, origin)\n'
        '    except ftrack_api.exception.LocationError as error:\n'
        '        transferred = [[type(item).__name__, identifier]\n'
        '            for item, identifier in error.details.get("transferred", [])]\n'
        '        seen.append([type(error).__name__, str(error) if not transferred else\n'
        '            str(error).split("\\n")[:2], transferred])\n'
        'single = component("single.txt")\n'
        'location = make_location(True)\n'
        'location.accessor = None\n'
        'attempt(location, single)\n'
        'location = make_location(True)\n'
        'ftrack_api.mixin(location, FailingRegister, name="FailingRegister")\n'
        'attempt(location, single)\n'
        'location = make_location(True)\n'
        'location.add_component(single, origin)\n'
        'again = make_location(True)\n'
        'again.accessor = location.accessor\n'
        'attempt(again, single)\n'
        'container = sequence()\n'
        'location = make_location(True)\n'
        'location._register_component_in_location(container["members"][1], "taken")\n'
        'attempt(location, container)\n'
        'seen.append(len(location._cache))\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_adapt_to_collection_values(compat, ftrack_server):
    compat.compare(
        PROJECT + 'import ftrack_api.collection as collection\n'
        'attributes = type(project).attributes\n'
        'def adapt(name, value):\n'
        '    attribute = attributes.get(name)\n'
        '    try:\n'
        '        adapted = attribute._adapt_to_collection(project, value)\n'
        '    except Exception as error:\n'
        '        return [name, type(error).__name__, str(error)]\n'
        '    same = adapted is value\n'
        '    content = sorted(adapted.keys()) if hasattr(adapted, "keys") else len(adapted)\n'
        '    owner = getattr(adapted, "collection", adapted)\n'
        '    return [name, type(attribute).__name__, type(adapted).__name__, same, content,\n'
        '        owner.entity is project, owner.attribute is attribute,\n'
        '        getattr(owner, "mutable", None)]\n'
        'existing = project["children"]\n'
        'metadata = project["metadata"]\n'
        'out = [adapt("children", []), adapt("children", existing),\n'
        '    adapt("children", {"x"}),\n'
        '    adapt("metadata", {"a": "b"}), adapt("metadata", metadata),\n'
        '    adapt("metadata", []), adapt("children", 5)]\n'
        'result = out\n'
        'session.rollback()\n'
        'session.close()', server=ftrack_server)


def test_adapt_custom_attributes_kept(compat, ftrack_server):
    compat.compare(
        PROJECT + 'attribute = type(project).attributes.get("custom_attributes")\n'
        'adapted = attribute._adapt_to_collection(project, {})\n'
        'result = [type(attribute).__name__, type(adapted).__name__, dict(adapted)]\n'
        'session.rollback()\n'
        'session.close()', server=ftrack_server,
        kept='custom_attributes is always a CustomAttributeCollectionProxy (README: '
             'upstream gives the key/value proxy for dense values)')


CONFIGURATION = (
    'import json\n'
    'text = session.query(\'CustomAttributeType where name is "text"\').one()\n'
    'mine = "surface_" + uuid.uuid4().hex\n'
    'configuration = session.create("CustomAttributeConfiguration", {\n'
    '    "entity_type": "show", "type": text, "label": "Surface", "key": mine,\n'
    '    "config": json.dumps({"markdown": False}), "default": "initial"})\n'
    'session.commit()\n'
)


def test_custom_attribute_proxy_helpers(compat, ftrack_server):
    # The local server's schema gives key/value custom attributes (as
    # upstream reads it), so the proxy is made over a collection directly.
    compat.compare(
        PROJECT + CONFIGURATION + 'import ftrack_api.collection as collection\n'
        'attribute = type(project).attributes.get("custom_attributes")\n'
        'proxy = collection.CustomAttributeCollectionProxy(\n'
        '    collection.Collection(project, attribute, data=[]))\n'
        'configurations = proxy._get_entity_configurations()\n'
        'keys = proxy._get_keys()\n'
        'everything = collection._get_custom_attribute_configurations(session)\n'
        'for_project = ftrack_api.entity.factory._get_entity_configurations(project)\n'
        'result = [type(configurations).__name__,\n'
        '    [c["key"] for c in configurations if c["key"] == mine],\n'
        '    type(keys).__name__, [key for key in keys if key == mine],\n'
        '    [c["key"] for c in everything if c["key"] == mine],\n'
        '    [c["key"] for c in for_project if c["key"] == mine]]\n'
        'session.delete(configuration)\n'
        'session.commit()\n'
        'session.close()', server=ftrack_server)


def test_custom_attribute_proxy_mapping_kept(compat, ftrack_server):
    compat.compare(
        PROJECT + CONFIGURATION + 'import ftrack_api.collection as collection\n'
        'attribute = type(project).attributes.get("custom_attributes")\n'
        'proxy = collection.CustomAttributeCollectionProxy(\n'
        '    collection.Collection(project, attribute, data=[]))\n'
        'result = [mine in proxy, proxy.get(mine, "missing")]\n'
        'session.delete(configuration)\n'
        'session.commit()\n'
        'session.close()', server=ftrack_server,
        kept='over dense values the proxy maps the values present (README: it '
             'derives from the key/value proxy); upstream falls back to defaults')


def test_collection_notify_records_update(compat, ftrack_server):
    compat.compare(
        OPEN + 'user = session.query("select id, appointments from User").first()\n'
        'collection = user["appointments"]\n'
        'before = len(session.recorded_operations)\n'
        'collection._notify(list(collection))\n'
        'operations = list(session.recorded_operations)[before:]\n'
        'result = [[type(item).__name__, getattr(item, "attribute_name", None)]\n'
        '    for item in operations]\n'
        'session.rollback()\n'
        'session.close()', server=ftrack_server)


def test_key_makers_key(compat):
    compat.compare(
        'import ftrack_api.cache as cache\n'
        'out = []\n'
        'for maker in (cache.StringKeyMaker(), cache.ObjectKeyMaker()):\n'
        '    for value in (5, "text", ("a", 1), None):\n'
        '        try:\n'
        '            out.append(maker._key(obj=value))\n'
        '        except Exception as error:\n'
        '            out.append([type(error).__name__, str(error)])\n'
        'try:\n'
        '    cache.KeyMaker._key(cache.StringKeyMaker(), obj=1)\n'
        'except Exception as error:\n'
        '    out.append(type(error).__name__)\n'
        'result = out')


@pytest.mark.parametrize('expression', [
    'select id from Priority limit 3 offset 2',
    'select id from Priority where name is "x" offset 1',
    'Priority OFFSET 4 LIMIT 2',
    'select id from Priority offset 0 limit 0',
])
def test_extract_offset_and_limit_more(compat, ftrack_server, expression):
    compat.compare(
        OPEN + 'result = session.query("Priority")._extract_offset_and_limit({0!r})\n'
        'session.close()'.format(expression), server=ftrack_server)


@pytest.mark.parametrize('env', [
    {'FORCE_COLOR': '1'},
    {'NO_COLOR': '1'},
    {'ANSI_COLORS_DISABLED': '1'},
    {'FORCE_COLOR': '1', 'NO_COLOR': '1'},
    {'FORCE_COLOR': '1', 'TERM': 'dumb'},
    {'TERM': 'xterm'},
], ids=lambda env: ','.join(sorted(env)))
def test_formatter_can_do_colors_environment(compat, env):
    full = {'FORCE_COLOR': None, 'NO_COLOR': None, 'ANSI_COLORS_DISABLED': None}
    full.update(env)
    compat.compare(
        'import ftrack_api.formatter\n'
        'result = ftrack_api.formatter._can_do_colors()', env=full, fresh=True)


def test_server_file_write_step(compat, ftrack_server):
    compat.compare(
        OPEN + 'import os, ftrack_api.accessor.server\n'
        'server = session.get("Location", ftrack_api.symbol.SERVER_LOCATION_ID)\n'
        'path = os.path.join(workdir, "upload.txt")\n'
        'open(path, "w").write("first")\n'
        'component = session.create_component(path, location=server)\n'
        'session.commit()\n'
        'handle = ftrack_api.accessor.server.ServerFile(component["id"], session, mode="wb")\n'
        'handle.write(b"replaced data")\n'
        'handle.flush()\n'
        'seen = [handle._get_size(), handle._compute_checksum(), handle._write()]\n'
        'reader = server.accessor.open(component["id"], "rb")\n'
        'seen.append(reader.read())\n'
        'reader.close()\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_server_file_checksum_from_position(compat, ftrack_server):
    compat.compare(
        OPEN + 'import base64, hashlib, ftrack_api.accessor.server\n'
        'def summed(data):\n'
        '    return base64.b64encode(hashlib.md5(data).digest()).decode()\n'
        'handle = ftrack_api.accessor.server.ServerFile("unused", session, mode="wb")\n'
        'handle.write(b"abcdef")\n'
        'seen = []\n'
        'for position in (None, 0, 2, 6):\n'
        '    if position is not None:\n'
        '        handle.seek(position)\n'
        '    checksum = handle._compute_checksum()\n'
        '    tails = {summed(b"abcdef"[start:]): start for start in range(7)}\n'
        '    seen.append([tails.get(checksum, checksum), handle.tell(), handle._get_size()])\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_abstract_collection_attribute_adapt(compat, ftrack_server):
    compat.compare(
        PROJECT + 'import ftrack_api.attribute as attribute\n'
        'seen = []\n'
        'for cls in (attribute.AbstractCollectionAttribute, attribute.CollectionAttribute,\n'
        '        attribute.KeyValueMappedCollectionAttribute):\n'
        '    try:\n'
        '        made = cls("children") if cls is not attribute.KeyValueMappedCollectionAttribute \\\n'
        '            else cls("metadata", "Metadata", "key", "value")\n'
        '        adapted = made._adapt_to_collection(project, [])\n'
        '        seen.append([cls.__name__, type(adapted).__name__])\n'
        '    except Exception as error:\n'
        '        seen.append([cls.__name__, type(error).__name__, str(error)])\n'
        'session.rollback()\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_populate_unset_scalar_attributes_requests(compat, ftrack_server):
    compat.compare(
        OPEN + 'user = session.query("select id, username from User").first()\n'
        'identifier = user["id"]\n'
        'session.reset()\n'
        'user = session.query("select id from User where id is {0}".format(identifier)).one()\n'
        'start = len(api_calls)\n'
        'with session.auto_populating(False):\n'
        '    before = [user["username"] is ftrack_api.symbol.NOT_SET,\n'
        '        user["first_name"] is ftrack_api.symbol.NOT_SET]\n'
        'returned = user._populate_unset_scalar_attributes()\n'
        'with session.auto_populating(False):\n'
        '    after = [user["username"] is ftrack_api.symbol.NOT_SET,\n'
        '        user["first_name"] is ftrack_api.symbol.NOT_SET]\n'
        'sent = [[item["action"], sorted(item.get("expression", "").split(" from ")[0]\n'
        '    .replace("select ", "").split(", "))] for call in api_calls[start:] for item in call]\n'
        'session.close()\n'
        'result = [before, returned, after, sent]', server=ftrack_server)


def test_standard_structure_get_parts(compat, ftrack_server):
    compat.compare(
        PROJECT + 'import os, ftrack_api.structure.standard\n'
        'asset_type = session.query("AssetType").first()\n'
        'asset = session.create("Asset", {"name": "surface asset", "parent": project,\n'
        '    "type": asset_type})\n'
        'version = session.create("AssetVersion", {"asset": asset})\n'
        'path = os.path.join(workdir, "file.txt")\n'
        'open(path, "w").write("x")\n'
        'component = version.create_component(path, location=None)\n'
        'session.commit()\n'
        'structure = ftrack_api.structure.standard.StandardStructure()\n'
        'seen = []\n'
        'for entity in (project, asset, version, component):\n'
        '    try:\n'
        '        seen.append([part.replace(project["name"], "<project>")\n'
        '            for part in structure._get_parts(entity=entity)])\n'
        '    except Exception as error:\n'
        '        seen.append([type(error).__name__, str(error)])\n'
        'session.close()\n'
        'result = seen', server=ftrack_server)


def test_location_hooks_with_transformer(compat, ftrack_server):
    compat.compare(
        OPEN + SPY + 'import ftrack_api.resource_identifier_transformer.base as transformer_base\n'
        'class Prefixing(transformer_base.ResourceIdentifierTransformer):\n'
        '    def encode(self, resource_identifier, context=None):\n'
        '        return "stored:" + resource_identifier\n'
        '    def decode(self, resource_identifier, context=None):\n'
        '        return resource_identifier[len("stored:"):]\n'
        'location = make_location(True)\n'
        'location.resource_identifier_transformer = Prefixing(session)\n'
        'single = component("single.txt")\n'
        'location.add_component(single, origin)\n'
        'result = [list(location._cache.values()), location._get_resource_identifiers([single]),\n'
        '    location.get_resource_identifier(single), location.get_resource_identifiers([single]),\n'
        '    os.path.basename(location.get_filesystem_path(single))]\n'
        'location.remove_component(single)\n'
        'result.append(dict(location._cache))\n'
        'session.close()', server=ftrack_server)


def test_unset_collection_without_auto_populate_kept(compat, ftrack_server):
    compat.compare(
        OPEN + 'user = session.query("select id from User").first()\n'
        'identifier = user["id"]\n'
        'session.reset()\n'
        'user = session.query("select id from User where id is {0}".format(identifier)).one()\n'
        'with session.auto_populating(False):\n'
        '    seen = [str(user["appointments"])]\n'
        'session.close()\n'
        'result = seen', server=ftrack_server,
        kept='an unfetched collection read without auto-populating stays NOT_SET; '
             'upstream caches an empty collection that later reads return without '
             'fetching the server\'s items')
