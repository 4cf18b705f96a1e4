#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, property, snapshot and integration tests
# (against a real PostgreSQL, started here if needed, and real SQLite files).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# The benchmark in smoke mode (200 files) first, so the closing lines are the test summary.
cargo test --benches --locked
cargo test --lib --bins --tests --locked
