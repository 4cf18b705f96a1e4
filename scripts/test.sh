#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, property, snapshot and integration tests
# (against a real PostgreSQL, started here if needed, real SQLite files, and real Temporal
# dev servers that the tests start from the CLI installed into .venv here).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
bash scripts/ensure-temporal.sh >/dev/null
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# The benchmark in smoke mode (200 files) first, so the closing lines are the test summary.
cargo test --bench parse --locked
cargo test --lib --bins --tests --locked
