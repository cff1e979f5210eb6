"""Locations, accessors, plugins and module exports against upstream 3.1.0."""

import pytest


def test_version_and_logging_attribute(compat):
    compat.compare(
        'result = [ftrack_api.__version__, hasattr(ftrack_api, "logging")]')


def test_load_source(compat):
    compat.compare(
        'import os, sys\n'
        'path = os.path.join(workdir, "mod_x.py")\n'
        'open(path, "w").write("X = 41 + 1\\n")\n'
        'module = ftrack_api.plugin.load_source("compat_mod_x", path)\n'
        'result = [type(module).__name__, module.__name__, module.X, '
        '"compat_mod_x" in sys.modules]\n'
        'ftrack_api.plugin.load_source("missing", os.path.join(workdir, "none.py"))',
        fields=('result',))


def test_deprecation_warning(compat):
    compat.compare(
        'import warnings\n'
        'def f(a, b=1):\n'
        '    return a + b\n'
        'g = ftrack_api.logging.deprecation_warning("old thing")(f)\n'
        'with warnings.catch_warnings(record=True) as seen:\n'
        '    warnings.simplefilter("always")\n'
        '    values = [g(1, b=2), g(2)]\n'
        'result = [g.__name__, g is f, values, '
        '[(w.category.__name__, str(w.message)) for w in seen]]')


@pytest.mark.parametrize('errno_value', [2, 13, 17, 20, 21, 28, 39])
def test_disk_error_handler_classes(compat, errno_value):
    compat.compare(
        'import ftrack_api.accessor.disk as disk\n'
        'try:\n'
        '    with disk.error_handler(operation="open", resource_identifier="x"):\n'
        '        raise OSError({0}, "failure")\n'
        'except Exception as error:\n'
        '    result = [type(error).__name__, isinstance(error, '
        'ftrack_api.exception.AccessorOperationFailedError)]'.format(errno_value),
        kept=(None if errno_value != 13 else
              'permission errors raise AccessorPermissionDeniedError, a subclass '
              'of the AccessorOperationFailedError upstream raises'))


def test_disk_error_handler_message(compat):
    compat.compare(
        'import ftrack_api.accessor.disk as disk\n'
        'with disk.error_handler(operation="open", resource_identifier="x"):\n'
        '    raise OSError(2, "failure")', fields=('raised',))


def test_disk_exports(compat):
    compat.compare(
        'import ftrack_api.accessor.disk as disk\n'
        'result = sorted(name for name in dir(disk) if name.endswith("Error") '
        'or name in ("DiskAccessor", "error_handler"))')


def test_location_mixins_are_mutable_mappings(compat):
    compat.compare(
        'import collections.abc, inspect\n'
        'import ftrack_api.entity.location as location\n'
        'result = {name: issubclass(getattr(location, name), '
        'collections.abc.MutableMapping) for name in ("MemoryLocationMixin", '
        '"UnmanagedLocationMixin", "OriginLocationMixin", "ServerLocationMixin")}\n'
        'result["signature"] = str(inspect.signature('
        'location.Location.get_filesystem_paths))')


def test_location_str(compat, ftrack_server):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'out = []\n'
        'for name in ("ftrack.origin", "ftrack.unmanaged", "ftrack.server", '
        '"ftrack.connect"):\n'
        '    out.append(str(session.query(\'Location where name is "%s"\' % name).first()))\n'
        'unnamed = session.create("Location", {})\n'
        'named = session.create("Location", {"name": "x y"})\n'
        'out.append(str(unnamed).replace(unnamed["id"], "ID"))\n'
        'out.append(str(named).replace(named["id"], "ID"))\n'
        'session.close()\n'
        'result = out', server=ftrack_server)


def test_get_filesystem_paths(compat, ftrack_server):
    compat.compare(
        'import os\n'
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'location = session.create("Location", {"name": "compat." + os.path.basename(workdir)})\n'
        'ftrack_api.mixin(location, ftrack_api.entity.location.UnmanagedLocationMixin)\n'
        'location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=workdir)\n'
        'location.structure = ftrack_api.structure.id.IdStructure()\n'
        'location.priority = 50\n'
        'session.commit()\n'
        'paths = []\n'
        'for index in range(2):\n'
        '    path = os.path.join(workdir, "file%d.txt" % index)\n'
        '    open(path, "w").write("data")\n'
        '    component = session.create_component(path, location=None)\n'
        '    location.add_component(component, session.get("Location", '
        'ftrack_api.symbol.ORIGIN_LOCATION_ID))\n'
        '    paths.append(component)\n'
        'found = location.get_filesystem_paths(paths)\n'
        'result = [p == location.get_filesystem_path(c) for p, c in zip(found, paths)] + '
        '[len(found)]\n'
        'session.close()', server=ftrack_server)


AVAILABILITY = (
    'import os, uuid\n'
    'import ftrack_api.entity.location, ftrack_api.accessor.disk, ftrack_api.structure.id\n'
    'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
    'names = {location["id"]: location["name"] for location in session.query("Location")}\n'
    'path = os.path.join(workdir, "file.txt")\n'
    'open(path, "w").write("x")\n'
    'def available(component, locations=None):\n'
    '    values = session.get_component_availability(component, locations=locations)\n'
    '    return sorted((names.get(key, "new"), value) for key, value in values.items() if value)\n'
)


def test_availability_comes_from_server_links_only(compat, ftrack_server):
    compat.compare(
        AVAILABILITY
        + 'origin = session.get("Location", ftrack_api.symbol.ORIGIN_LOCATION_ID)\n'
        'new = session.create_component(path, location=None)\n'
        'steps = [available(new), session.get_component_availability(new, locations=[origin]),\n'
        '    new.get_availability([origin])]\n'
        'session.commit()\n'
        'steps.append(available(new))\n'
        'unmanaged = session.query(\'Location where name is "ftrack.unmanaged"\').one()\n'
        'stored = session.create_component(path, location=unmanaged)\n'
        'steps.append(available(stored))\n'
        'sequence = session.create_component(\n'
        '    os.path.join(workdir, "image.%04d.exr [1-3]"), location=None)\n'
        'steps.append(available(sequence))\n'
        'session.commit()\n'
        'session.close()\n'
        'result = steps', server=ftrack_server)


def test_memory_location_availability(compat, ftrack_server):
    compat.compare(
        AVAILABILITY
        + 'memory = session.create("Location", {"name": "memory-" + uuid.uuid4().hex[:8]})\n'
        'ftrack_api.mixin(memory, ftrack_api.entity.location.MemoryLocationMixin,\n'
        '    name="MemoryLocation")\n'
        'memory.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=workdir)\n'
        'memory.structure = ftrack_api.structure.id.IdStructure()\n'
        'session.commit()\n'
        'component = session.create_component(path, location=None)\n'
        'memory.add_component(component, session.get("Location",\n'
        '    ftrack_api.symbol.ORIGIN_LOCATION_ID))\n'
        'result = [list(session.get_component_availability(component,\n'
        '    locations=[memory]).values()), memory.get_component_availability(component),\n'
        '    memory.get_resource_identifier(component) is not None]\n'
        'session.close()', server=ftrack_server)


def test_no_warning_at_interpreter_exit(compat, ftrack_server):
    compat.compare(
        'import subprocess, sys\n'
        'child = subprocess.run([sys.executable, "-c",\n'
        '    "import logging, ftrack_api\\n"\n'
        '    "logging.basicConfig(level=logging.WARNING)\\n"\n'
        '    "session = ftrack_api.Session(auto_connect_event_hub=False)\\n"\n'
        '    "session.create(\'Scope\', {\'name\': \'never committed\'})\\n"],\n'
        '    capture_output=True, text=True, timeout=120)\n'
        'result = [child.returncode, child.stderr]', server=ftrack_server)
