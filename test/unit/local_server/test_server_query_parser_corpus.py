"""Every documented and client-generated query expression must parse.

The corpus is the seed documentation's queries (its querying chapter and
usage examples) and the shapes the clients generate (protocol §2.3.2),
with the paging suffix the Python client appends.
"""

from __future__ import annotations

import pytest

from ftrack_local_server.query import ast, parse


# Every query of the seed documentation (values filled in as the examples
# would format them).
SEED_QUERIES = [
    'Project',
    'Project where status is active',
    'Project where status is active and end_date before '
    '"2016-05-04T10:00:00.123456+01:00"',
    'Context where parent.name like "te%"',
    'User',
    'User where id is "59f0963a-15e2-11e1-a5f1-0019bb4983d8"',
    'Note',
    'Task',
    'Status',
    'User where username is "test_user"',
    'select id from User',
    'Project where status is active and name like "%thrones"',
    'Project where status is active and '
    '(name like "%thrones" or full_name like "%thrones")',
    'Task where project.id is "abc"',
    'Task where project.id is "abc" and status.type.name is "Done"',
    'Task where timelogs.start >= "2016-05-04T00:00:00+01:00"',
    'Note where author has (first_name is "Jane" and last_name is "Doe")',
    'Note where author.first_name is "Jane" and author.last_name is "Doe"',
    'Project where metadata any (key=some_key and value=some_value)',
    'User where not timelogs any ()',
    'select full_name, status.name from Project',
    'select comment from Timelog where id is "abc"',
    'Location where name is "my.location"',
    'Location',
    'Location where name is "ftrack.origin"',
    'ProjectSchema',
    'ReviewSession where name is "Weekly review"',
    'Sequence where metadata any (key is "frame_padding" and value is "4")',
    'Task where custom_attributes any '
    '(key is "my_text_field" and value is "bar")',
    'CustomAttributeConfiguration',
    'CustomAttributeType where name is "text"',
    'ObjectType where name is "Folder"',
    'CustomAttributeType where name is "enumerator"',
    'CustomAttributeType where name is "number"',
    'SecurityRole',
    'CustomAttributeType where name is "date"',
    'CustomAttributeGroup',
    'select link from Task where name is "myTask"',
    'select context.link, start, duration from Timelog '
    'where user.username is "john.doe"',
    'select link from AssetVersion where user.username is "john.doe"',
    'Task where scopes.name is "London"',
    'Scope where name is "London"',
    'Location where name is "ftrack.server"',
    'Note where parent_id is "abc"',
    'Note where parent.id is "abc"',
    'NoteLabel where name is "External Note"',
    'NoteCategory where name is "External Note"',
    'User where username is "john"',
    'Group where name is "Animation"',
    'User where username is jane.doe',
    'select first_name, last_name from User '
    'where assignments any (context_id = "abc")',
    'select link from Task where assignments any (resource.username = "jane")',
    'AssetType where name is "Geometry"',
    'Location where name is "my-location"',
    'select name from SecurityRole where type is "PROJECT"',
    'UserSecurityRole where user.username is "jane"',
    'SecurityRole where name is "Project Manager"',
    'Project where full_name is "project1" or full_name is "project2"',
    'Project where name is "dev_tutorial"',
    'select name, parent.name from Task '
    'where project.full_name is "My Project" '
    'and status.type.short is "DONE" '
    'and not timelogs any ()',
    'Project where name is "migration_test"',
    'AssetVersion where date >= "2016-05-04T00:00:00+01:00"',
    'Shot where project.name is "dev_tutorial" '
    'and parent.name is "001" and name is "010"',
    'AssetType where short is "geo"',
    'Status where name is "Pending"',
]

# The shapes the clients generate (protocol §2.3.2), plus the paging
# suffix the Python client appends.
CLIENT_QUERIES = [
    'select context_type, id, name from Task where '
    '(id is "6f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a11") offset 0 limit 500',
    'select key, value from Metadata where '
    '(parent_id is "6f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a11" and key is "k")',
    'select name, status from Task where id in '
    '(6f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a11,7f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a12)',
    'select name from Task where id is 6f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a11',
    'select value from Metadata where (parent_id is "a"and key is "b") or '
    '(parent_id is "c"and key is "d")',
    'select status.id, status.name from Task where id is abc',
    'select component_locations.location_id from FileComponent where id is a',
    'select members, component_locations.location_id from SequenceComponent '
    'where id in (a,b)',
    'select id, name from User where username is "martin" and is_active is True'
    ' and start_date is "2016-05-04T10:00:00" and bid is 5 and end is None',
    'select component_id, resource_identifier from ComponentLocation where '
    'location_id is 3a372bde-05bc-11e4-8908-20c9d081909b and component_id in '
    '(6f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a11, 7f0bb0a4-1c2e-4c0e-9f5e-0f5d7b0c1a12)',
    'ComponentLocation where component_id is a and location_id is b',
    'select id from Location',
    'select key, project_id, id, object_type_id, entity_type, is_hierarchical '
    'from CustomAttributeConfiguration',
    'select key, project_id, id, object_type_id, entity_type from '
    'CustomAttributeConfiguration',
    'select task_status from SchemaStatus where schema_id is abc',
    'select task_type from SchemaType where schema_id is abc',
    'Timer where user_id = "abc"',
    'select value from Setting where name is "storage_scenario" and '
    'group is "STORAGE"',
    'Location where id is "abc"',
    'select name, label, description from Location',
    'select id from Task where name is "x" and parent_id is "y"',
    'select _task_workflow.statuses.name, _task_workflow.statuses.id from '
    'ProjectSchema where id is abc',
    'Task where name is "say \\"hi\\" it\'s"',
    'select count(id) from Task group by project_id, status_id',
    'select status.state.short from Task where status.state.short is '
    'NOT_STARTED limit 2',
    'select version, asset.versions.version from AssetVersion where asset_id '
    'is_not none limit 1',
    'select name, created_at from Task limit 1',
    'select from, to from AssetVersionLink',
    'select from from TypedContextLink where from.name is "x"',
]


@pytest.mark.parametrize('expression', SEED_QUERIES + CLIENT_QUERIES)
def test_documented_and_generated_expressions_parse(expression):
    query = parse(expression)
    assert isinstance(query, ast.Query)
    assert query.entity_type[0].isupper()
    # The same text parses to an equal tree (the parser is deterministic).
    assert parse(expression) == query
