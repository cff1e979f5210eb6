"""The role table of the code and the one of the documentation are the same table."""

import os
import re

from ftrack_local_server.permissions.roles import ACTIONS, AREAS, OTHER, ROLE_PERMISSIONS, allowed

DOC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'doc', 'local_server.rst')


def _documented():
    text = open(DOC, encoding='utf-8').read()
    section = text[text.index('.. csv-table:: Seeded roles'):]
    header = re.search(r':header: (.*)', section).group(1)
    columns = [name.strip().strip('"') for name in header.split(',')]
    rows = {}
    for line in section.splitlines()[3:]:
        if not line.strip():
            if rows:
                break
            continue
        cells = [cell.strip().strip('"') for cell in line.split(',')]
        rows[cells[0]] = dict(zip(columns[1:], cells[1:]))
    return columns[1:], rows


def test_documented_table_is_the_code_table():
    columns, rows = _documented()
    assert columns == [area for area, _, _ in AREAS] + [OTHER]
    assert list(rows) == list(ROLE_PERMISSIONS)
    for role, cells in rows.items():
        for area, letters in cells.items():
            expected = ''.join(action[0].upper() for action in ACTIONS
                               if action in allowed(role, area)) or '-'
            assert letters == expected, (role, area)


def test_unknown_roles_only_read_project_data():
    for area, _, _ in AREAS:
        assert allowed('A studio role', area) == {'read'}
