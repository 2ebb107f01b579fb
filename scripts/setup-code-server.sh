#!/usr/bin/env bash
# Installs a real VS Code (code-server 4.100.3 = VS Code 1.100.3) plus
# playwright-core into a cache folder outside the repo, for test/e2e.
#
# Why by hand: code-server's own install scripts download ripgrep and
# prebuilt native modules from hosts this machine cannot reach, so we install
# with --ignore-scripts and rebuild the native modules from source against
# the system Node headers (see ../shared/REAL-VSCODE.md).
#
# Idempotent: a finished install leaves a stamp; with the stamp present and
# the key files in place the script exits at once. A half-finished install
# (no stamp) is wiped and redone, so an interrupted run never poisons CI.
#
# Needs (Debian): chromium ripgrep libkrb5-dev build-essential python3.
# Prints the install folder on its last line.
set -euo pipefail

VERSION=4.100.3
CACHE="${NGINX_WS_E2E_CACHE:-$HOME/.cache/nginx-ws-e2e}"
DIR="$CACHE/code-server-$VERSION"
STAMP="$DIR/.complete"
VSC="$DIR/node_modules/code-server/lib/vscode"

log() { printf '[setup-code-server] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Files whose absence means the install is not usable even with a stamp.
key_files=(
  "$DIR/node_modules/code-server/out/node/entry.js"
  "$DIR/node_modules/playwright-core/package.json"
  "$DIR/node_modules/argon2/lib/binding/napi-v3/argon2.node"
  "$VSC/node_modules/node-pty/build/Release/pty.node"
  "$VSC/node_modules/@vscode/spdlog/build/Release/spdlog.node"
  "$VSC/node_modules/@vscode/ripgrep/bin/rg"
  "$VSC/node_modules.asar"
)

warm=1
[[ -f "$STAMP" && "$(cat "$STAMP")" == "$VERSION" ]] || warm=0
if (( warm )); then
  for f in "${key_files[@]}"; do [[ -e "$f" ]] || { warm=0; break; }; done
fi
if (( warm )); then
  log "warm cache at $DIR"
  echo "$DIR"
  exit 0
fi

# Check prerequisites up front so a missing package fails in a second with a
# useful message rather than deep inside a node-gyp build.
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v krb5-config >/dev/null || missing+=(libkrb5-dev)
command -v make >/dev/null && command -v g++ >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
if (( ${#missing[@]} )); then
  die "missing Debian packages: ${missing[*]} (apt-get install -y ${missing[*]})"
fi

NPM_ROOT="$(npm root -g)"
NODE_GYP="$NPM_ROOT/npm/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || die "npm's bundled node-gyp not found at $NODE_GYP"
# node-gyp would otherwise try to download Node headers.
NODEDIR=/usr
[[ -f "$NODEDIR/include/node/node_api.h" ]] || die "Node headers not found under $NODEDIR/include/node"
# node-gyp is chatty on stderr; keep its log and show it only on failure.
GYP_LOG="$CACHE/node-gyp.log"
gyp() {
  node "$NODE_GYP" rebuild --nodedir="$NODEDIR" --loglevel=warn "$@" >"$GYP_LOG" 2>&1 \
    || { tail -40 "$GYP_LOG" >&2; die "node-gyp rebuild failed in $PWD (log: $GYP_LOG)"; }
}

start=$SECONDS
log "installing code-server $VERSION into $DIR (cold; a few minutes)"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
echo '{ "private": true }' > package.json

log "1/5 npm install code-server@$VERSION playwright-core"
npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
  "code-server@$VERSION" playwright-core >/dev/null

log "2/5 building argon2"
(
  cd node_modules/argon2
  gyp --module_name=argon2 --module_path=lib/binding/napi-v3 --napi_build_version=3
  mkdir -p lib/binding/napi-v3
  cp build/Release/argon2.node lib/binding/napi-v3/argon2.node
)

log "3/5 installing VS Code's own dependencies"
(cd "$VSC" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

log "4/5 building VS Code's native modules"
for m in node-pty @vscode/spdlog @vscode/deviceid native-watchdog kerberos; do
  [[ -d "$VSC/node_modules/$m" ]] || die "expected native module $m is missing"
  (cd "$VSC/node_modules/$m" && gyp)
done
mkdir -p "$VSC/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$VSC/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$VSC/node_modules.asar"
ln -sfn code-linux.sh "$VSC/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VSC/bin/helpers/browser.sh"

log "5/5 installing the built-in extensions' dependencies"
(cd "$VSC/extensions" && npm install --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)

for f in "${key_files[@]}"; do [[ -e "$f" ]] || die "install finished but $f is missing"; done
echo "$VERSION" > "$STAMP"
log "done in $((SECONDS - start)) s"
echo "$DIR"
