"""Differential tests: ftrack_api.collection (collections and mapping proxies)."""

import pytest

#: A stand-in owner for collections built without a server: upstream's
#: collection asks its entity's session to pause operation recording and
#: whether it records operations. Snippets using it change no collection
#: successfully (that needs a real entity and session, below). It makes
#: every value its own identity; ``plain()`` restores the real identity
#: after the snippet (the interpreters are shared between tests).
FAKE_OWNER = '''
import contextlib
class FakeSession(object):
    record_operations = False
    @contextlib.contextmanager
    def operation_recording(self, enabled):
        yield
class FakeEntity(object):
    session = FakeSession()
    entity_type = 'Thing'
    def __repr__(self):
        return '<FakeEntity>'
import ftrack_api.inspection
_original_identity = ftrack_api.inspection.identity
ftrack_api.inspection.identity = lambda item: ('Plain', [repr(item)])
owner = FakeEntity()
attribute = ftrack_api.attribute.CollectionAttribute('things')
C = ftrack_api.collection
'''



def plain(code):
    """Return *code* run with the stand-in owner and plain identities."""
    return (
        FAKE_OWNER + 'try:\n'
        + ''.join('    ' + line + '\n' for line in code.splitlines())
        + 'finally:\n    ftrack_api.inspection.identity = _original_identity\n'
    )


SESSION = (
    'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
    'project = session.create("Project", {"name": "p", "full_name": "P"})\n'
)


def test_signatures(compat):
    compat.compare(
        'import inspect\n'
        'C = ftrack_api.collection\n'
        'result = {}\n'
        'for name in ("Collection", "MappedCollectionProxy", "KeyValueMappedCollectionProxy",\n'
        '             "CustomAttributeCollectionProxy"):\n'
        '    cls = getattr(C, name)\n'
        '    result[name] = [\n'
        '        (member, str(inspect.signature(getattr(cls, member))))\n'
        '        for member in ("__init__", "insert", "get_configuration_id_from_key",\n'
        '                       "keys", "__copy__")\n'
        '        if callable(getattr(cls, member, None))]\n'
        'result["memoise_session"] = str(inspect.signature(C.memoise_session))')


def test_class_bases(compat):
    compat.compare(
        'C = ftrack_api.collection\n'
        'result = [[b.__name__ for b in getattr(C, name).__mro__[1:3]] for name in\n'
        '          ("Collection", "MappedCollectionProxy", "KeyValueMappedCollectionProxy")]')


def test_custom_attribute_proxy_bases(compat):
    compat.compare(
        'result = ftrack_api.collection.CustomAttributeCollectionProxy.__mro__[1].__name__',
        kept='our custom attribute proxy derives from KeyValueMappedCollectionProxy '
             '(sharing its mapping code); upstream derives from MappedCollectionProxy')


def test_collection_of_plain_values(compat):
    compat.compare(
        plain(
        'collection = C.Collection(owner, attribute, data=[1, 2, "a"])\n'
        'result = [len(collection), list(collection), 1 in collection, 3 in collection,\n'
        '          collection[2], collection[-1], collection.mutable,\n'
        '          collection.entity is owner, collection.attribute is attribute]'))


def test_collection_equality(compat):
    compat.compare(
        plain(
        'make = lambda data: C.Collection(owner, attribute, data=data)\n'
        'result = [make([1, 2]) == make([1, 2]), make([1, 2]) == make([2, 1]),\n'
        '          make([1, 2]) == make([1, 3]), make([1, 2]) == [1, 2],\n'
        '          make([1, 2]) != make([1, 3])]'))


@pytest.mark.parametrize('code', [
    'C.Collection(owner, attribute, data=[1, 1])',
    'C.Collection(owner, attribute, data=[1]).append(1)',
    'C.Collection(owner, attribute, data=[1, 2]).insert(0, 2)',
    'C.Collection(owner, attribute, mutable=False, data=[1]).append(2)',
    'C.Collection(owner, attribute, mutable=False, data=[1]).pop()',
    'del C.Collection(owner, attribute, False, [1])[0]',
])
def test_collection_errors(compat, code):
    compat.compare(
        plain(
        'import re\n'
        'try:\n'
        '    {0}\n'
        'except Exception as error:\n'
        '    result = [type(error).__name__, [b.__name__ for b in type(error).__mro__[1:3]],\n'
        '              str(error).split(" collection ")[0]]\n'
        .format(code)))


def test_collection_repr(compat):
    compat.compare(
        plain(
        'result = repr(C.Collection(owner, attribute, data=[1])).split(" at ")[0]'))


def test_identity_of_entities_without_patch(compat):
    compat.compare(
        'import contextlib\n'
        'class S(object):\n'
        '    record_operations = False\n'
        '    @contextlib.contextmanager\n'
        '    def operation_recording(self, enabled):\n'
        '        yield\n'
        'class E(object):\n'
        '    session = S()\n'
        'collection = ftrack_api.collection.Collection(E(), None)\n'
        'result = "x" in collection')


@pytest.mark.parametrize('proxy', [
    'C.KeyValueMappedCollectionProxy(collection, None, "key", "value")',
    'C.CustomAttributeCollectionProxy(collection)',
])
def test_proxy_mutable_passes_through(compat, proxy):
    compat.compare(
        plain(
        'collection = C.Collection(owner, attribute, data=[1])\n'
        'proxy = {0}\n'
        'result = [proxy.mutable, proxy.attribute is attribute]\n'
        'proxy.mutable = False\n'
        'result += [collection.mutable, proxy.mutable]\n'
        'proxy.mutable = True\n'
        'result.append(collection.mutable)\n'
        'result.append([proxy.key_attribute, proxy.value_attribute])'.format(proxy)))


def test_metadata_proxy(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'metadata = project["metadata"]\n'
        'metadata["a"] = "1"\n'
        'metadata["b"] = "2"\n'
        'metadata["a"] = "3"\n'
        'result = [type(metadata).__name__, len(metadata), sorted(metadata.keys()),\n'
        '          sorted(metadata.items()), sorted(metadata.values()), metadata["a"],\n'
        '          "a" in metadata, "z" in metadata, metadata.get("z", "none"),\n'
        '          sorted(metadata), metadata.key_attribute, metadata.value_attribute]\n'
        'del metadata["b"]\n'
        'result.append(sorted(metadata.keys()))\n'
        'try:\n'
        '    metadata["missing"]\n'
        'except KeyError as error:\n'
        '    result.append(str(error))\n'
        'try:\n'
        '    del metadata["missing"]\n'
        'except KeyError as error:\n'
        '    result.append(str(error))\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_metadata_proxy_immutable(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'metadata = project["metadata"]\n'
        'metadata["a"] = "1"\n'
        'metadata.mutable = False\n'
        'result = []\n'
        'for change in ("metadata[\\"b\\"] = \\"2\\"", "metadata[\\"a\\"] = \\"2\\"",\n'
        '               "del metadata[\\"a\\"]"):\n'
        '    try:\n'
        '        exec(change)\n'
        '    except Exception as error:\n'
        '        result.append([type(error).__name__, str(error).split(" <")[0]])\n'
        '    else:\n'
        '        result.append("allowed")\n'
        'result.append(dict(metadata))\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_entity_collection_changes(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'folder = session.create("Folder", {"name": "f"})\n'
        'other = session.create("Folder", {"name": "g"})\n'
        'children = project["children"]\n'
        'result = [type(children).__name__, len(children)]\n'
        'children.append(folder)\n'
        'result += [len(children), folder in children, project in children]\n'
        'try:\n'
        '    children.append(folder)\n'
        'except Exception as error:\n'
        '    result.append(type(error).__name__)\n'
        'children.extend([other])\n'
        'result.append([child["name"] for child in children])\n'
        'children.remove(folder)\n'
        'result.append(len(children))\n'
        'try:\n'
        '    children.append("London")\n'
        'except Exception as error:\n'
        '    result.append([type(error).__name__, str(error)])\n'
        'project["children"] = [folder, other]\n'
        'result.append([child["name"] for child in project["children"]])\n'
        'try:\n'
        '    project["children"] = [folder, folder]\n'
        'except Exception as error:\n'
        '    result.append(type(error).__name__)\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_custom_attributes_proxy_without_configurations(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'custom = project["custom_attributes"]\n'
        'result = [list(custom.keys()), len(custom)]\n'
        'try:\n'
        '    custom["missing"] = 1\n'
        'except Exception as error:\n'
        '    result.append([type(error).__name__, str(error)])\n'
        'try:\n'
        '    custom["missing"]\n'
        'except Exception as error:\n'
        '    result.append([type(error).__name__, str(error)])\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_custom_attributes_proxy_class(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'result = type(project["custom_attributes"]).__name__\n'
        'session.close()', server=ftrack_server, log_level='ERROR',
        kept='our factory gives custom_attributes a CustomAttributeCollectionProxy '
             '(dense and legacy sparse values) where upstream uses the plain '
             'key/value proxy for dense values')


def test_copy_of_metadata_proxy(compat, ftrack_server):
    compat.compare(
        'import copy\n'
        + SESSION
        + 'metadata = project["metadata"]\n'
        'metadata["a"] = "1"\n'
        'duplicate = copy.copy(metadata)\n'
        'result = [type(duplicate).__name__, duplicate.collection is metadata.collection,\n'
        '          duplicate.collection == metadata.collection, dict(duplicate),\n'
        '          duplicate.key_attribute, duplicate.creator is metadata.creator,\n'
        '          duplicate.collection.entity is project]\n'
        'duplicate["b"] = "2"\n'
        'result += [sorted(metadata.keys()), sorted(duplicate.keys())]\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_entity_collection_sequence_operations(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'folders = [session.create("Folder", {"name": name}) for name in "fgh"]\n'
        'children = project["children"]\n'
        'children.extend(folders[:2])\n'
        'children[0] = folders[0]\n'
        'result = []\n'
        'try:\n'
        '    children[0] = folders[1]\n'
        'except Exception as error:\n'
        '    result.append([type(error).__name__, " already exists in " in str(error)])\n'
        'children[1] = folders[2]\n'
        'result.append([child["name"] for child in children])\n'
        'result.append([children.index(folders[2]), children.count(folders[0]),\n'
        '               folders[1] in children])\n'
        'popped = children.pop()\n'
        'result.append([popped["name"], len(children)])\n'
        'del children[0]\n'
        'result.append(len(children))\n'
        'children.insert(0, folders[1])\n'
        'children.append(folders[0])\n'
        'result.append([child["name"] for child in children])\n'
        'result.append([child["name"] for child in project["children"]])\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_entity_merge_changes(compat, ftrack_server):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'status = session.create("Status", {"name": "A", "color": "#000"})\n'
        'other = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'copy = other.create("Status", {"id": status["id"], "name": "B", "color": "#111"},\n'
        '                    reconstructing=True)\n'
        'changes = status.merge(copy)\n'
        'result = [sorted((c["type"], c["name"], str(c["old_value"]), str(c["new_value"]))\n'
        '                 for c in changes), status["name"], sorted(changes[0].keys()),\n'
        '          status.merge(copy)]\n'
        'session.close()\n'
        'other.close()', server=ftrack_server, log_level='ERROR')


@pytest.mark.parametrize('attribute, values', [
    ('children', ['tuple(folders)', 'set(folders[:1])', '(f for f in folders)',
                  '{folders[0]: 1}', 'None', 'b"x"', '"abc"', '5', 'list(folders)']),
    ('metadata', ['()', 'None', '"x"', '{"a": "b"}', '[]']),
    ('custom_attributes', ['{"a": 1}', '[]', 'None', '{}']),
])
def test_assigning_collection_attributes(compat, ftrack_server, attribute, values):
    compat.compare(
        SESSION
        + 'import re\n'
        'folders = [session.create("Folder", {{"name": name}}) for name in "ab"]\n'
        'result = []\n'
        'for text in {1!r}:\n'
        '    try:\n'
        '        project[{0!r}] = eval(text)\n'
        '        value = project[{0!r}]\n'
        '        result.append(dict(value) if hasattr(value, "keys") else len(value))\n'
        '    except Exception as error:\n'
        '        result.append([type(error).__name__,\n'
        '                       re.sub(r"<[^>]*>|0x[0-9a-f]+>?", "<item>", str(error))])\n'
        'session.close()'.format(attribute, values),
        server=ftrack_server, log_level='ERROR')


def test_reference_to_a_stand_in(compat, ftrack_server):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'folder = session.create("Folder", {"name": "f"})\n'
        'folder["parent"] = "not an entity"\n'
        'attribute = type(folder).attributes.get("parent")\n'
        'result = [folder["parent"], attribute.is_modified(folder)]\n'
        'folder["parent"] = None\n'
        'result.append(folder["parent"])\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_proxy_equality_is_mapping_equality(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'metadata = project["metadata"]\n'
        'metadata["a"] = "1"\n'
        'other = session.create("Project", {"name": "q", "full_name": "Q"})\n'
        'other["metadata"]["a"] = "1"\n'
        'custom = project["custom_attributes"]\n'
        'result = [metadata == {"a": "1"}, metadata == other["metadata"], metadata == metadata,\n'
        '          metadata != {"a": "2"}, custom == {}, custom == other["custom_attributes"],\n'
        '          metadata == 5]\n'
        'try:\n'
        '    hash(metadata)\n'
        'except TypeError as error:\n'
        '    result.append(str(error))\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_per_session_default_key_maker(compat, ftrack_server):
    compat.compare(
        'import ftrack_api.collection as C\n'
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'status = session.create("Status", {"name": "A", "color": "#000"})\n'
        'maker = C.PerSessionDefaultKeyMaker()\n'
        'result = [type(maker.key(session)).__name__, maker.key(session) == maker.key(status),\n'
        '          maker.key(session) == str(session),\n'
        '          maker.key(session, 1) == maker.key(session) + "1", maker.key(),\n'
        '          maker.key(1, "a"),\n'
        '          [b.__module__ + "." + b.__name__ for b in type(maker).__mro__[1:2]],\n'
        '          ftrack_api.entity.factory.PerSessionDefaultKeyMaker is C.PerSessionDefaultKeyMaker,\n'
        '          ftrack_api.entity.factory.PerSessionDefaultKeyMaker().key(1, "a")]\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_collection_of_another_entity_type(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'user = session.query("User").first()\n'
        'project["children"].append(user)\n'
        'result = [len(project["children"]), project["children"][0] is user]\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_copy_of_collection(compat, ftrack_server):
    compat.compare(
        'import copy\n'
        + SESSION
        + 'folder = session.create("Folder", {"name": "f"})\n'
        'children = project["children"]\n'
        'children.append(folder)\n'
        'duplicate = copy.copy(children)\n'
        'result = [type(duplicate).__name__, duplicate is children, duplicate == children,\n'
        '          duplicate.entity is project, duplicate.attribute is children.attribute,\n'
        '          duplicate.mutable, list(duplicate) == list(children)]\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_fetching_references_and_collections(compat, ftrack_server):
    # What is sent to /api when an entity's reference and collection
    # attributes are read without having been loaded.
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'schema = session.query("ProjectSchema").first()\n'
        'project = session.create("Project", {"name": "fetch", "full_name": "F",\n'
        '                                     "project_schema": schema})\n'
        'folder = session.create("Folder", {"name": "f", "parent": project})\n'
        'session.commit()\n'
        'reader = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'start = len(api_calls)\n'
        'loaded = reader.query("select name from Folder where id is \\"{0}\\""\n'
        '                      .format(folder["id"])).one()\n'
        'parent = loaded["parent"]\n'
        'children = parent["children"]\n'
        'metadata = dict(loaded["metadata"])\n'
        'result = [parent["name"], [child["name"] for child in children], metadata,\n'
        '          [call for call in api_calls[start:]]]\n'
        'session.delete(folder)\n'
        'session.delete(project)\n'
        'session.commit()\n'
        'session.close()\n'
        'reader.close()', server=ftrack_server, log_level='ERROR')


def test_collection_changes_while_not_recording(compat, ftrack_server):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'user = session.query("User").first()\n'
        'before = len(session.recorded_operations)\n'
        'with session.operation_recording(False):\n'
        '    user["metadata"]["x"] = "1"\n'
        '    group = session.create("Group", {"name": "tmp"})\n'
        '    group["children"].append(session.create("Group", {"name": "tmp2"}))\n'
        'attribute = type(group).attributes.get("children")\n'
        'result = [len(session.recorded_operations) - before, attribute.is_modified(group),\n'
        '          len(group["children"]), dict(user["metadata"]).get("x")]\n'
        'session.close()', server=ftrack_server, log_level='ERROR')


def test_custom_attributes_with_a_configuration(compat, ftrack_server):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'text = session.query(\'CustomAttributeType where name is "text"\').one()\n'
        'configuration = session.create("CustomAttributeConfiguration", {\n'
        '    "entity_type": "show", "type": text, "label": "Compat text",\n'
        '    "key": "compat_text", "config": \'{"markdown": false}\', "default": "dflt"})\n'
        'session.commit()\n'
        'schema = session.query("ProjectSchema").first()\n'
        'project = session.create("Project", {"name": "ca", "full_name": "CA",\n'
        '                                     "project_schema": schema})\n'
        'custom = project["custom_attributes"]\n'
        'result = [sorted(custom.keys()), custom.get("compat_text")]\n'
        'custom["compat_text"] = "v"\n'
        'result += [custom["compat_text"], len(custom)]\n'
        'session.commit()\n'
        'reader = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'loaded = reader.get("Project", project["id"])\n'
        'values = loaded["custom_attributes"]\n'
        'result += [sorted(values.keys()), values["compat_text"]]\n'
        'try:\n'
        '    values["nope"] = 1\n'
        'except Exception as error:\n'
        '    result.append([type(error).__name__, str(error)])\n'
        'del values["compat_text"]\n'
        'result.append(sorted(values.keys()))\n'
        'session.delete(project)\n'
        'session.commit()\n'
        'session.delete(configuration)\n'
        'session.commit()\n'
        'session.close()\n'
        'reader.close()', server=ftrack_server, log_level='ERROR')
