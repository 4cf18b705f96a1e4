#!/usr/bin/env bash
# Makes sure the tools the TLS and SSH integration tests start are installed: OpenSSH's
# sshd and client tools (tests/git_ssh.rs), the openssl CLI (tests/postgres_tls.rs makes
# its certificates with it), git (`git daemon` for the git_fetch benchmark; tests/sources.rs
# commits a 100 MB blob with it) and GNU time (`/usr/bin/time -v` measures peak memory in
# tests/sources.rs). Installs
# what is missing from Debian packages; exits non-zero when it cannot: the tests never skip.
set -euo pipefail

missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh-keygen >/dev/null && command -v ssh-agent >/dev/null || missing+=(openssh-client)
command -v openssl >/dev/null || missing+=(openssl)
command -v git >/dev/null || missing+=(git)
[ -x /usr/bin/time ] || missing+=(time)

if [ "${#missing[@]}" -gt 0 ]; then
    echo "ensure-test-tools: installing ${missing[*]} from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# sshd wants its privilege separation directory when started as root.
if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; fi
[ -x /usr/sbin/sshd ] || { echo "ensure-test-tools: no /usr/sbin/sshd" >&2; exit 1; }
