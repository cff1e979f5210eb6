"""The session's own debug lines (calls, queries, the schema cache, closing) are upstream's.

Entity merging logs differ (upstream writes several lines per entity and
attribute; ours none), so each snippet keeps only the session logger's
lines about calls, queries, schemas and closing, with call times and
ports normalised.
"""

import pytest

CAPTURE = (
    'import logging, re, tempfile, os, json\n'
    'lines = []\n'
    'class Keep(logging.Handler):\n'
    '    def emit(self, record):\n'
    '        text = record.getMessage()\n'
    '        if record.name != "ftrack_api.session.Session":\n'
    '            return\n'
    '        if text.startswith(("Merging", "Entity ", "Checking for", "Cache ",\n'
    '                            "Retrieved", "Using default")):\n'
    '            return\n'
    '        text = re.sub(r"Call took: [0-9.e-]+", "Call took: T", text)\n'
    '        text = re.sub(r"127\\.0\\.0\\.1:[0-9]+", "HOST", text)\n'
    '        lines.append([record.levelname, text[:300]])\n'
    'logging.getLogger("ftrack_api.session.Session").addHandler(Keep())\n'
    'logging.getLogger("ftrack_api.session.Session").setLevel(logging.DEBUG)\n'
)

CASES = {
    'query and commit': (
        'session = ftrack_api.Session(auto_connect_event_hub=False, schema_cache_path=False)\n'
        'session.query("ObjectType").first()\n'
        'scope = session.create("Scope", {"id": "debug-scope", "name": "debug-scope"})\n'
        'session.commit()\n'
        'session.get("Scope", "not-there")\n'
        'session.delete(scope)\n'
        'session.commit()\n'
        'session.close()\n'),
    'schema cache directory, cold then warm': (
        'folder = tempfile.mkdtemp()\n'
        'for _ in range(2):\n'
        '    ftrack_api.Session(auto_connect_event_hub=False,\n'
        '                       schema_cache_path=folder).close()\n'
        'lines = [[level, text.replace(folder, "DIR")] for level, text in lines]\n'),
    'stale schema cache file': (
        'folder = tempfile.mkdtemp()\n'
        'with open(os.path.join(folder, "ftrack_api_schema_cache.json"), "w") as handle:\n'
        '    json.dump([{"id": "Stale"}], handle)\n'
        'ftrack_api.Session(auto_connect_event_hub=False, schema_cache_path=folder).close()\n'
        'lines = [[level, text.replace(folder, "DIR")] for level, text in lines]\n'),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_session_debug_lines_are_upstreams(compat, ftrack_server, case):
    upstream, _ours = compat.compare(CAPTURE + CASES[case] + 'result = lines',
                                     server=ftrack_server, fields=('result', 'raised'))
    assert upstream['result'], 'upstream logged nothing'


def test_cached_get_logs_nothing_kept(compat, ftrack_server):
    compat.compare(
        CAPTURE + 'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'kind = session.query("ObjectType").first()\n'
        'del lines[:]\n'
        'session.get("ObjectType", kind["id"])\n'
        'session.close()\n'
        'result = [text for level, text in lines if not text.startswith("Clos")]',
        server=ftrack_server, fields=('result', 'raised'),
        kept='a get answered from the cache writes no debug lines (upstream writes '
             'three), to keep cached gets fast')
