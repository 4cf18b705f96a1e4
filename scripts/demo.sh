#!/usr/bin/env bash
# The main job end to end on embedded defaults: the fixture definitions are validated,
# planned and applied to a SQLite database, then applied again to show nothing changes.
# (Temporal schedules join this run when the schedules stage lands.)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --quiet
bin="$PWD/target/release/activity-sync"
work="$PWD/.tmp/demo"
rm -rf "$work" && mkdir -p "$work"
cp -r fixtures/valid "$work/definitions"
cd "$work"   # DATABASE_URL defaults to sqlite://activity-sync.db in the working directory
unset DATABASE_URL

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "activity-sync validate --source definitions"
"$bin" validate --source definitions
step "activity-sync plan --source definitions --event-types"
"$bin" plan --source definitions --event-types
step "activity-sync apply --source definitions --event-types --format json"
"$bin" apply --source definitions --event-types --format json
step "activity-sync apply --source definitions --event-types   (second run: nothing changes)"
"$bin" apply --source definitions --event-types
step "activity-sync status"
"$bin" status
