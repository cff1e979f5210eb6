"""``session.types`` prints, views and copies as upstream's plain dict does."""

SESSION = 'session = ftrack_api.Session(auto_connect_event_hub=False)\n'


def test_printed_keys_are_the_type_names(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'print(session.types.keys())\n'
        'result = [repr(session.types.keys()), str(session.types.keys()),\n'
        '          type(session.types.keys()).__name__]\n'
        'session.close()',
        server=ftrack_server)


def test_key_order_and_membership(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'keys = session.types.keys()\n'
        'result = [list(keys)[:5], len(keys), "Task" in keys, "Nope" in keys,\n'
        '          sorted(keys) == sorted(session.types)]\n'
        'session.close()',
        server=ftrack_server)


def test_printed_mapping_values_and_items(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'print(session.types)\n'
        'values = session.types.values()\n'
        'items = session.types.items()\n'
        'result = [repr(session.types) == str(session.types),\n'
        '          repr(values)[:200], repr(items)[:200],\n'
        '          type(values).__name__, type(items).__name__,\n'
        '          len(values), len(items)]\n'
        'session.close()',
        server=ftrack_server)


def test_copy_is_a_plain_dict_of_classes(compat, ftrack_server):
    compat.compare(
        SESSION
        + 'copied = session.types.copy()\n'
        'result = [type(copied).__name__, copied["Task"] is session.types["Task"],\n'
        '          list(copied) == list(session.types)]\n'
        'session.close()',
        server=ftrack_server)
