#!/usr/bin/env bash
# CI for the emulator integration test: installs the pinned firebase-tools
# from package-lock.json (npm ci, install scripts off: the Auth emulator is
# plain JavaScript and needs neither Java nor a native build), then runs the
# Go test against the real Auth emulator. The test must run here, not skip.
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "emulator ci: $*" >&2; exit 1; }
command -v node >/dev/null 2>&1 || fail "node (20 or later) is required to run firebase-tools and was not found"
command -v npm >/dev/null 2>&1 || fail "npm is required to install firebase-tools and was not found"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || fail "firebase-tools needs node 20 or later; found $(node --version)"

pinned=$(node -p 'require("./package.json").dependencies["firebase-tools"]')
installed=""
if [ -x node_modules/.bin/firebase ]; then
  installed=$(node -p 'require("./node_modules/firebase-tools/package.json").version' 2>/dev/null || true)
fi
if [ "$installed" != "$pinned" ]; then
  echo "== npm ci: firebase-tools $pinned"
  start=$(date +%s)
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "installed in $(( $(date +%s) - start ))s"
else
  echo "== firebase-tools $pinned already installed"
fi

export FIREBASE_BIN="$PWD/node_modules/.bin/firebase"
export FBVERIFY_REQUIRE_EMULATOR=1
"$FIREBASE_BIN" --version
go vet ./...
go test -v -count=1 -timeout 6m ./...
