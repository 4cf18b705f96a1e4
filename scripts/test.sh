#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, property, snapshot and integration tests
# (against a real PostgreSQL, started here if needed, real SQLite files, and real Temporal
# dev servers that the tests start from the CLI installed into .venv here), and the deployment
# lints (scripts/lint-deploy.sh). The TLS and SSH tests start their own TLS-only PostgreSQL
# and sshd from the Debian packages installed here.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
bash scripts/ensure-temporal.sh >/dev/null
bash scripts/ensure-test-tools.sh
bash scripts/ensure-test-worker.sh
# The Dockerfile, the CI example and the k8s/ manifests (hadolint, actionlint, checkov; the
# linters are installed on first use: about a minute, then about 15 s a run).
bash scripts/lint-deploy.sh
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# The benchmarks in smoke mode (200 files; a small repository over git://; 40 definitions
# through the binary against a Temporal dev server and Postgres) first, so the closing lines
# are the test summary.
cargo test --bench parse --locked
cargo test --bench git_fetch --locked
cargo test --bench scale --locked
cargo test --lib --bins --tests --locked
