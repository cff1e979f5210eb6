"""Behaviour of the smaller public modules against upstream 3.1.0.

resource_identifier_transformer, symbol, plugin.discover and operation:
the same calls through both clients must give the same values, errors and
logs.
"""

import pytest

OPEN = 'session = ftrack_api.Session(auto_connect_event_hub=False)\n'

# -- resource identifier transformer ------------------------------------

def test_resource_identifier_transformer(compat, ftrack_server):
    compat.compare(
        'import ftrack_api.resource_identifier_transformer.base as base\n' + OPEN
        + 'transformer = base.ResourceIdentifierTransformer(session)\n'
        'result = [transformer.encode("a/b.exr"), transformer.decode("a/b.exr"),\n'
        '    transformer.encode("x", context={"component": None}),\n'
        '    transformer.decode("x", context={}), transformer.session is session]\n'
        'session.close()', server=ftrack_server)


# -- symbol ----------------------------------------------------------------

def test_symbols(compat):
    compat.compare(
        'import copy, pickle, ftrack_api.symbol as symbol\n'
        'names = ["NOT_SET", "CREATED", "MODIFIED", "DELETED", "COMPONENT_ADDED_TO_LOCATION_TOPIC",\n'
        '    "COMPONENT_REMOVED_FROM_LOCATION_TOPIC", "ORIGIN_LOCATION_ID",\n'
        '    "UNMANAGED_LOCATION_ID", "REVIEW_LOCATION_ID", "CONNECT_LOCATION_ID",\n'
        '    "SERVER_LOCATION_ID", "CHUNK_SIZE", "JOB_SYNC_USERS_LDAP"]\n'
        'values = {name: getattr(symbol, name, "MISSING") for name in names}\n'
        'out = [{name: str(value) for name, value in values.items()},\n'
        '    [bool(symbol.NOT_SET), bool(symbol.CREATED)],\n'
        '    copy.copy(symbol.NOT_SET) is symbol.NOT_SET,\n'
        '    repr(symbol.Symbol("x")), str(symbol.Symbol("x", value=False)),\n'
        '    bool(symbol.Symbol("x", value=False)), symbol.Symbol("x") == symbol.Symbol("x")]\n'
        'result = out')


def test_symbol_deepcopy_kept(compat):
    compat.compare(
        'import copy, ftrack_api.symbol as symbol\n'
        'result = copy.deepcopy({"value": symbol.NOT_SET})["value"] is symbol.NOT_SET',
        kept='a deep copy keeps the NOT_SET singleton; upstream makes a new Symbol '
             'that then fails every "is NOT_SET" check')


# -- plugin.discover -------------------------------------------------------

PLUGINS = (
    'import os, builtins, ftrack_api.plugin\n'
    'builtins._compat_calls = calls = []\n'
    'def write(name, text):\n'
    '    path = os.path.join(workdir, name)\n'
    '    os.makedirs(os.path.dirname(path), exist_ok=True)\n'
    '    open(path, "w").write(text)\n'
    'RECORD = ("import builtins\\n"\n'
    '    "def register(*args, **kwargs):\\n"\n'
    '    "    builtins._compat_calls.append([%r, list(args), sorted(kwargs)])\\n")\n'
)


def _discover(compat, files, arguments='', log_level='WARNING'):
    code = PLUGINS + ''.join(
        'write({0!r}, {1})\n'.format(name, text) for name, text in files)
    code += (
        'try:\n'
        '    ftrack_api.plugin.discover([workdir]{0})\n'
        'finally:\n'
        '    del builtins._compat_calls\n'
        'result = sorted(calls, key=str)'.format(arguments))
    return compat.compare(code, log_level=log_level, fields=('result', 'raised', 'logs'))


def test_plugin_discover_registers_nested_plugins(compat):
    _discover(compat, [
        ('good.py', 'RECORD % "good"'), ('sub/nested.py', 'RECORD % "nested"'),
        ('sub/deeper/deep.py', 'RECORD % "deep"'), ('notes.txt', '"not python"'),
        ('__init__.py', 'RECORD % "init"'), ('other.pyw', 'RECORD % "pyw"'),
    ], ', positional_arguments=["s"], keyword_arguments={"extra": 1}')


def test_plugin_that_fails_to_import(compat):
    _discover(compat, [('broken.py', '"def register(:\\n"'), ('good.py', 'RECORD % "good"')])


def test_plugin_without_register(compat):
    _discover(compat, [('helper.py', '"x = 1\\n"'), ('good.py', 'RECORD % "good"')])


def test_register_error_propagates(compat):
    _discover(compat, [('raising.py',
                        '"def register(*args, **kwargs):\\n    raise RuntimeError(\'nope\')\\n"')])


@pytest.mark.parametrize('signature, arguments', [
    ('session', ', positional_arguments=["s"]'),
    ('session, extra=None', ', positional_arguments=["s"], keyword_arguments={"extra": 1, "more": 2}'),
    ('session, **kwargs', ', positional_arguments=["s"], keyword_arguments={"k": 1}'),
    ('*args', ', positional_arguments=["s", "t"], keyword_arguments={"k": 1}'),
    ('', ', keyword_arguments={"k": 1}'),
    ('session', ''),
    ('session, other', ', positional_arguments=["s"]'),
])
def test_register_arguments_culled(compat, signature, arguments):
    _discover(compat, [('plugin.py', (
        '"import builtins\\n'
        'def register({0}):\\n'
        '    builtins._compat_calls.append(sorted(locals().items()))\\n"').format(signature))],
        arguments)


@pytest.mark.parametrize('signature, arguments, why', [
    ('session', ', positional_arguments=["s", "t"]',
     'culling extra positional arguments, upstream passes the last ones (t); ours the first'),
    ('session, extra', ', positional_arguments=["s"], keyword_arguments={"extra": 1}',
     'ours passes a keyword argument naming any parameter; upstream only those with defaults'),
    ('session, *, flag=False', ', positional_arguments=["s"], keyword_arguments={"flag": True}',
     'ours passes keyword-only parameters their argument; upstream drops it'),
])
def test_register_arguments_culled_kept(compat, signature, arguments, why):
    compat.compare(
        PLUGINS + 'write("plugin.py", "import builtins\\n'
        'def register({0}):\\n'
        '    builtins._compat_calls.append(sorted(locals().items()))\\n")\n'
        'ftrack_api.plugin.discover([workdir]{1})\n'
        'del builtins._compat_calls\n'
        'result = calls'.format(signature, arguments),
        fields=('result', 'raised'), kept=why)


def test_plugin_discover_missing_path(compat):
    compat.compare(
        'import os, ftrack_api.plugin\n'
        'ftrack_api.plugin.discover([os.path.join(workdir, "missing")])\n'
        'result = None', log_level='INFO', fields=('result', 'raised', 'logs'))


# -- operation ---------------------------------------------------------------

def test_operations(compat):
    compat.compare(
        'import ftrack_api.operation as operation\n'
        'create = operation.CreateEntityOperation("User", {"id": "1"}, {"name": "a"})\n'
        'update = operation.UpdateEntityOperation("User", {"id": "1"}, "name", "a", "b")\n'
        'delete = operation.DeleteEntityOperation("User", {"id": "1"})\n'
        'operations = operation.Operations()\n'
        'for item in (create, update, delete):\n'
        '    operations.push(item)\n'
        'out = [[type(item).__name__, item.entity_type, item.entity_key, vars(item)]\n'
        '    for item in (create, update, delete)]\n'
        'out.append([len(operations), [type(item).__name__ for item in operations]])\n'
        'out.append(type(operations.pop()).__name__)\n'
        'operations.clear()\n'
        'out.append(len(operations))\n'
        'result = out')


def test_disk_accessor_symbolic_link_out_of_prefix_kept(compat):
    compat.compare(
        'import os, ftrack_api.accessor.disk\n'
        'os.makedirs(os.path.join(workdir, "outside"))\n'
        'open(os.path.join(workdir, "outside", "secret.txt"), "w").write("secret")\n'
        'os.makedirs(os.path.join(workdir, "prefix"))\n'
        'os.symlink(os.path.join(workdir, "outside"), os.path.join(workdir, "prefix", "link"))\n'
        'accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=os.path.join(workdir, "prefix"))\n'
        'result = accessor.open("link/secret.txt", "rb").read()',
        fields=('result', 'raised'),
        kept='a symbolic link leaving the prefix is refused like ".."; upstream reads through it')
