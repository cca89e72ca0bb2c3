#!/usr/bin/env bash
# CI for firebaseusers: runs the unit tests, then the proof on real
# components: the Firebase Auth emulator (firebase-tools, the version
# pinned by testdata/emulator/package-lock.json, installed there by npm ci
# when missing) and a throwaway PostgreSQL cluster (.ci/lib/postgres.sh:
# Unix socket in a temp directory, no TCP, stopped and removed on exit,
# even on failure). Arguments go to the unit tests' go test, e.g.
# `bash ci.sh -run Reader`.
set -euo pipefail
cd "$(dirname "$0")"
started=$(date +%s)

fail() { echo "firebaseusers ci: $*" >&2; exit 1; }

# --- firebase-tools, shared with testdata/emulator (one pin for the repository)
command -v node >/dev/null 2>&1 || fail "node (20 or later) is required to run firebase-tools and was not found"
command -v npm >/dev/null 2>&1 || fail "npm is required to install firebase-tools and was not found"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || fail "firebase-tools needs node 20 or later; found $(node --version)"
emu=../../testdata/emulator
pinned=$(cd "$emu" && node -p 'require("./package.json").dependencies["firebase-tools"]')
installed=$(cd "$emu" && node -p 'require("./node_modules/firebase-tools/package.json").version' 2>/dev/null || true)
if [ "$installed" != "$pinned" ]; then
  echo "== npm ci in testdata/emulator: firebase-tools $pinned"
  (cd "$emu" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
export FIREBASE_BIN
FIREBASE_BIN="$(cd "$emu" && pwd)/node_modules/.bin/firebase"
"$FIREBASE_BIN" --version

# --- PostgreSQL: a throwaway cluster, stopped and removed on exit
. ../../.ci/lib/postgres.sh
pg_start

export FBVERIFY_FIREBASEUSERS_DATABASE_URL="$PG_URL"
# Here every test must run: a skip is a failure.
export FBVERIFY_REQUIRE_POSTGRES=1 FBVERIFY_REQUIRE_EMULATOR=1

go vet ./...
go test -race -count=1 -timeout 6m -skip TestOnTheEmulator ./... "$@"
# The proof, verbose: its log carries the figures the README quotes.
go test -race -count=1 -timeout 6m -v -run TestOnTheEmulator ./internal/proof
echo "firebaseusers ci: $(( $(date +%s) - started ))s"
