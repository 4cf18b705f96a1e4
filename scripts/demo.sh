#!/usr/bin/env bash
# The main job, end to end, on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --quiet
bin=target/release/activity-sync
echo "== validate fixtures/valid"
"$bin" validate --source fixtures/valid
