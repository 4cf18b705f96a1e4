#!/usr/bin/env bash
# The main job end to end on embedded defaults: SQLite, and a local Temporal dev server that
# this script starts (and stops). The fixture definitions are validated, planned, applied,
# then applied again to show that the second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

temporal="$(bash scripts/ensure-temporal.sh)"
cargo build --release --locked --quiet
bin="$PWD/target/release/activity-sync"
work="$PWD/.tmp/demo"
rm -rf "$work" && mkdir -p "$work"
cp -r fixtures/valid "$work/definitions"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$temporal" server start-dev --headless --ip 127.0.0.1 --port "$port" --log-level error \
    --search-attribute ActivitySyncScope=Keyword --search-attribute ActivitySyncSpecHash=Keyword \
    >"$work/temporal.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    "$temporal" operator namespace describe --namespace default --address "127.0.0.1:$port" >/dev/null 2>&1 && break
    sleep 0.5
done

cd "$work"   # DATABASE_URL defaults to sqlite://activity-sync.db in the working directory
unset DATABASE_URL TEMPORAL_NAMESPACE
export TEMPORAL_ADDRESS="127.0.0.1:$port"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "Temporal dev server on $TEMPORAL_ADDRESS; database sqlite://activity-sync.db"
step "activity-sync validate --source definitions"
"$bin" validate --source definitions
step "activity-sync plan --source definitions --event-types"
"$bin" plan --source definitions --event-types
step "activity-sync apply --source definitions --event-types"
"$bin" apply --source definitions --event-types
step "activity-sync apply --source definitions --event-types --format json   (second run: nothing changes)"
"$bin" apply --source definitions --event-types --format json \
    | python3 -c 'import json,sys; r=json.load(sys.stdin); print(json.dumps({k: r[k] for k in ("outcome","definitions","event_types","schedules","temporal_calls")}, indent=2))'
step "temporal schedule list"
"$temporal" schedule list --address "$TEMPORAL_ADDRESS"
step "activity-sync status"
"$bin" status
