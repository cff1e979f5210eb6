#!/usr/bin/env bash
# Run the upstream ftrack-python-api client (from PyPI, in a virtualenv of its
# own) against our local server, as a black-box check of wire compatibility:
# whatever the real client sends must be answered as a real server would.
#
# Usage: tools/upstream_compat/run.sh [VENV_DIR]
# Needs network access to PyPI the first time. Not part of the test suite.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-${TMPDIR:-/tmp}/ftrack-upstream-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet ftrack-python-api
fi
exec python3 -m ftrack_local_server run -- "$venv/bin/python" "$here/scenario.py"
