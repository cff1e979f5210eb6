"""Real-server semantics of the local server, driven by upstream's client and ours (issue 8).

Each snippet runs in both interpreters against the local server; the two
must agree, and the asserts say what upstream's client saw.
"""

import pytest

OPEN = (
    'import arrow\n'
    'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
    'tag = str(uuid.uuid4())[:8]\n'
    'schema = session.query("ProjectSchema").first()\n'
    'project = session.create("Project", {"name": "sem_" + tag, "full_name": "s",\n'
    '                                     "project_schema": schema})\n'
    'shot = session.create("Shot", {"name": "sh010", "parent": project})\n'
    'session.commit()\n'
    'def attempt():\n'
    '    try:\n'
    '        session.commit()\n'
    '    except ftrack_api.exception.ServerError as error:\n'
    '        session.rollback()\n'
    '        return str(error).split("(")[0].replace("Server reported error: ", "")\n'
    '    return "ok"\n'
)

CASES = {
    'ensure user without username': (
        'user = session.ensure("User", {"first_name": "first-" + tag})\n'
        'again = session.ensure("User", {"first_name": "first-" + tag})\n'
        'result = [len(user["username"]), user["username"].count("-"),\n'
        '          again["id"] == user["id"]]',
        [36, 4, True]),
    'user deletion cascades and refuses': (
        'user = session.create("User", {"username": "del-" + tag})\n'
        'session.create("Timelog", {"user": user, "context": shot, "duration": 1})\n'
        'session.commit()\n'
        'session.delete(user)\n'
        'first = attempt()\n'
        'author = session.create("User", {"username": "author-" + tag})\n'
        'shot.create_note("hello", author=author)\n'
        'session.commit()\n'
        'session.delete(author)\n'
        'result = [first, attempt()]',
        ['ok', 'ValidationError']),
    'note recipients and labels': (
        'me = session.query("User where username is \\"{0}\\"".format(session.api_user)).one()\n'
        'other = session.create("User", {"username": "to-" + tag})\n'
        'label = session.query("NoteLabel").first()\n'
        'note = shot.create_note("for you", author=me, recipients=[other], labels=[label])\n'
        'session.commit()\n'
        'fresh = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'loaded = fresh.get("Note", note["id"])\n'
        'result = [len(loaded["recipients"]), loaded["category_id"] == label["id"]]\n'
        'fresh.close()',
        [2, True]),
    'datetimes answered as submitted': (
        'moment = arrow.get("2021-05-06T07:08:09.654321+00:00")\n'
        'me = session.query("User where username is \\"{0}\\"".format(session.api_user)).one()\n'
        'note = session.create("Note", {"content": "dated", "date": moment, "author": me})\n'
        'session.commit()\n'
        'fresh = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'stored = fresh.get("Note", note["id"])["date"]\n'
        'result = [note["date"].microsecond, stored.microsecond, stored.second]\n'
        'fresh.close()',
        [654321, 0, 9]),
    'unique sibling names': (
        'session.create("Task", {"name": "comp", "parent": shot})\n'
        'session.commit()\n'
        'session.create("Task", {"name": "comp", "parent": shot})\n'
        'result = attempt()',
        'DuplicateEntryError'),
    'typed context list takes shots': (
        'category = session.query("ListCategory").first()\n'
        'listed = session.create("TypedContextList", {"name": "l-" + tag,\n'
        '    "project": project, "category": category})\n'
        'listed["items"].append(shot)\n'
        'session.commit()\n'
        'fresh = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'items = fresh.get("TypedContextList", listed["id"])["items"]\n'
        'result = [item.entity_type for item in items]\n'
        'fresh.close()',
        ['Shot']),
    'booleans refuse numbers': (
        'project["is_private"] = 1\n'
        'result = attempt()',
        'ValidationError'),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_semantics_agree_in_both_clients(compat, ftrack_server, case):
    code, expected = CASES[case]
    upstream, _ours = compat.compare(
        'import uuid\n' + OPEN + code + '\nsession.close()', server=ftrack_server)
    assert upstream.get('raised') is None, upstream.get('traceback')
    assert upstream['result'] == expected
