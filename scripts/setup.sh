#!/usr/bin/env bash
# Everything a fresh Debian machine needs for `npm start` and `npm test`, then
# `npm ci`. Idempotent: what is already there is not installed again.
#
# Debian packages: nginx-light (real nginx for the fix proof, the endpoint
# tests and the snippets) with the stream and mail modules (the knowledge
# table is checked against nginx in every context), python3-websockets (a
# strict RFC 6455 backend), openssl (self-signed certificates), and for the
# real-editor tests chromium + ripgrep + libkrb5-dev + build-essential + unzip
# (a real VS Code via code-server, see scripts/setup-code-server.sh).
#
# Without root (a developer's own machine) the apt step is skipped with a note
# of what is missing; the tests that need a missing program skip with a reason.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || need+=(python3-websockets)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || need+=(build-essential)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
[ -e /usr/lib/nginx/modules/ngx_mail_module.so ] || need+=(libnginx-mod-mail)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # Debian starts the packaged nginx on port 80; the tests run their own on free ports.
    if command -v service >/dev/null 2>&1; then service nginx stop >/dev/null 2>&1 || true; fi
  else
    echo "setup: not root (or no apt-get): not installing ${need[*]}; tests that need them skip with a reason" >&2
  fi
fi

npm ci --no-audit --no-fund
# A real VS Code for test/e2e (cached outside the repo; a no-op when present).
if command -v chromium >/dev/null 2>&1 && command -v rg >/dev/null 2>&1; then
  bash scripts/setup-code-server.sh >/dev/null
fi
