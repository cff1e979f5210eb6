"""Every error family of the local server prints through upstream's client.

Upstream builds its exception messages with ``str.format``, so a brace in a
server error's text makes ``str(error)`` fail there. Each case below makes
the local server refuse something; upstream's client must be able to print
the error, and the message must name the offending value (issue 8 item 8).
"""

import pytest

OPEN = (
    'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
    'user = session.query("User").first()\n'
)

#: (case, code raising the error, text the message must contain)
CASES = [
    ('wrong reference type',
     'session.call([{"action": "create", "entity_type": "Task", "entity_key": ["t1"],\n'
     '    "entity_data": {"__entity_type__": "Task", "id": "t1", "name": "t",\n'
     '    "status": {"__entity_type__": "User", "id": user["id"]}}}])',
     'User('),
    ('object as a text value',
     'session.call([{"action": "create", "entity_type": "Scope", "entity_key": ["s1"],\n'
     '    "entity_data": {"__entity_type__": "Scope", "id": "s1", "name": {"a": 1}}}])',
     '"a": 1'),
    ('unknown attribute',
     'session.call([{"action": "create", "entity_type": "Scope", "entity_key": ["s2"],\n'
     '    "entity_data": {"__entity_type__": "Scope", "id": "s2", "name": "n", "bogus": 1}}])',
     'bogus'),
    ('missing required attribute',
     'session.call([{"action": "create", "entity_type": "Scope", "entity_key": ["s3"],\n'
     '    "entity_data": {"__entity_type__": "Scope", "id": "s3"}}])',
     'name'),
    ('unknown entity type',
     'session.call([{"action": "query", "expression": "select id from Nope"}])',
     'Nope'),
    ('query that does not parse',
     'session.call([{"action": "query", "expression": "select id from Task where {x} is"}])',
     'x'),
    ('update of a missing entity',
     'session.call([{"action": "update", "entity_type": "Scope", "entity_key": ["gone"],\n'
     '    "entity_data": {"name": "x"}}])',
     'gone'),
    ('delete of a missing entity',
     'session.call([{"action": "delete", "entity_type": "Scope", "entity_key": ["gone"]}])',
     'gone'),
    ('missing referenced entity',
     'session.call([{"action": "create", "entity_type": "Task", "entity_key": ["t2"],\n'
     '    "entity_data": {"__entity_type__": "Task", "id": "t2", "name": "t",\n'
     '    "parent": {"__entity_type__": "Project", "id": "nope"}}}])',
     'nope'),
    ('unknown action',
     'session.call([{"action": "explode"}])',
     'explode'),
    ('operations that are not a list',
     'session.call({"action": "query"})',
     'list'),
    ('duplicate project name',
     'schema = session.query("ProjectSchema").first()\n'
     'for _ in range(2):\n'
     '    session.create("Project", {"name": "dup_error_name", "full_name": "d",\n'
     '        "project_schema": schema})\n'
     '    session.commit()',
     'dup_error_name'),
]


@pytest.mark.parametrize('case, code, expected', CASES, ids=[case[0] for case in CASES])
def test_upstream_client_prints_every_server_error(compat, ftrack_server, case, code, expected):
    upstream, ours = compat.run(
        OPEN + 'try:\n' + ''.join('    ' + line + '\n' for line in code.split('\n'))
        + 'except ftrack_api.exception.ServerError as error:\n'
        '    result = str(error)\n'
        'finally:\n'
        '    session.rollback()\n'
        '    session.close()', server=ftrack_server)
    for answer in (upstream, ours):
        assert answer.get('raised') is None, answer.get('traceback')
        text = answer['result']
        assert isinstance(text, str), answer
        assert 'str() failed' not in text
        assert '{' not in text and '}' not in text, text
        assert expected in text, text
