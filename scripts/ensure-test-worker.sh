#!/usr/bin/env bash
# Installs Temporal's Python SDK into the project-local virtualenv .venv/ (beside the Temporal
# CLI of ensure-temporal.sh), for the integration test that starts a real worker polling the
# schedules' task queue (tests/workers.rs runs tests/support/worker.py). Exits non-zero when
# it cannot: the test never skips.
set -euo pipefail
cd "$(dirname "$0")/.."

version="1.35.0"
if [ -x .venv/bin/python ] && .venv/bin/python -c "import temporalio, sys; sys.exit(temporalio.__version__ != '$version')" 2>/dev/null; then
    exit 0
fi
echo "ensure-test-worker: installing temporalio==$version into .venv" >&2
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check "temporalio==$version" >&2
.venv/bin/python -c "import temporalio; print('temporalio', temporalio.__version__)" >&2
