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
