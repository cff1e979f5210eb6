"""A whole pipeline scenario through both clients, each on a fresh server.

Both servers start from the same seed, so the two runs must send the same
JSON to ``/api`` (ids aside, which are compared by order of appearance)
and end with the same results.
"""

import pytest

SCENARIO = '''
import os
# An empty schema cache on each side: both clients fetch the schemas.
os.environ["FTRACK_API_SCHEMA_CACHE_PATH"] = workdir
session = ftrack_api.Session(auto_connect_event_hub=False)
out = []
schema = session.query("ProjectSchema").first()
project = session.create("Project", {
    "name": "compat_scenario", "full_name": "Compat scenario",
    "project_schema": schema})
sequence = session.create("Sequence", {"name": "seq_010", "parent": project})
shot = session.create("Shot", {"name": "sh_010", "parent": sequence})
task_type = schema.get_types("Task")[0]
status = schema.get_statuses("Task", task_type["id"])[0]
task = session.create("Task", {
    "name": "compositing", "parent": shot, "type": task_type, "status": status})
session.commit()
out.append(sorted(session.types.keys())[:5])
found = session.query(
    "select name, parent.name, type.name from Task where project.name is "
    "\\"compat_scenario\\"").all()
out.append([(t["name"], t["parent"]["name"], t["type"]["name"]) for t in found])
task["description"] = "updated"
task["metadata"]["key"] = "value"
session.commit()
out.append(session.query(
    "select description from Task where id is \\"%s\\"" % task["id"]).one()["description"])
note = task.create_note("A note", author=session.query(
    "User where username is \\"%s\\"" % session.api_user).one())
session.commit()
out.append([n["content"] for n in session.query(
    "select content from Note where parent_id is \\"%s\\"" % task["id"])])
shots = session.query("Shot where parent.name is seq_010").all()
out.append(len(shots))
session.populate(shots, "name, status.name")
out.append([s["name"] for s in shots])
session.delete(task)
session.commit()
out.append(session.query("Task where name is compositing").first())
out.append(ftrack_api.inspection.state(shot) is ftrack_api.symbol.NOT_SET)
session.close()
result = [out, api_calls]
'''


@pytest.mark.timeout(300)
def test_pipeline_scenario_sends_the_same_requests(compat, ftrack_server_factory):
    servers = (ftrack_server_factory(), ftrack_server_factory())
    upstream, ours = compat.compare(SCENARIO, server=servers, fresh=True)
    assert 'raised' not in upstream, upstream.get('traceback')
    out, calls = upstream['result']
    assert out[-2] is None  # the task is gone
    assert len(calls) > 8
