#!/usr/bin/env bash
# CI for firebaseusers: runs the unit tests, then the proof on real
# components: the Firebase Auth emulator (firebase-tools, the version
# pinned by testdata/emulator/package-lock.json, installed there by npm ci
# when missing) and a throwaway PostgreSQL cluster in a temp directory,
# listening on a Unix socket there only (no TCP), stopped and removed on
# exit, even on failure. PostgreSQL comes from Debian's packages when it
# is missing. Arguments go to go test, e.g. `bash ci.sh -run Bulk`.
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

# --- PostgreSQL
find_pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  local initdb
  initdb=$(command -v initdb 2>/dev/null) || return 1
  command -v pg_ctl >/dev/null 2>&1 || return 1
  dirname "$(readlink -f "$initdb")"
}
if ! pg_bin=$(find_pg_bin); then
  [ "$(id -u)" -eq 0 ] || fail "PostgreSQL (initdb, pg_ctl) is not installed, and installing it needs root"
  echo "== apt-get install postgresql"
  export DEBIAN_FRONTEND=noninteractive
  # No cluster "main" on port 5432: the tests make their own.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/fbverify-no-main-cluster.conf
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  pg_bin=$(find_pg_bin) || fail "postgresql installed, yet initdb and pg_ctl were not found"
fi
echo "== PostgreSQL: $("$pg_bin/pg_ctl" --version)"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root, but there is no postgres user to run the server as"
  as_pg=(runuser -u postgres --)
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/fbverify-firebaseusers-pg.XXXXXX")
data="$dir/data"
[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$dir"
pg_ctl_cmd="cd $dir && ${as_pg[*]} $pg_bin/pg_ctl -D $data -l $dir/server.log -w -t 30"
cleanup() {
  status=$?
  if [ -f "$data/postmaster.pid" ]; then
    sh -c "$pg_ctl_cmd -m immediate stop" >/dev/null 2>&1 || true
  fi
  if [ $status -ne 0 ] && [ -f "$dir/server.log" ]; then
    echo "== server log (last 40 lines)" >&2
    tail -n 40 "$dir/server.log" >&2 || true
  fi
  rm -rf "$dir"
  echo "firebaseusers ci: $(( $(date +%s) - started ))s"
  exit $status
}
trap cleanup EXIT
(cd "$dir" && "${as_pg[@]}" "$pg_bin/initdb" -D "$data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null)
cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
sh -c "$pg_ctl_cmd start" >/dev/null

export FBVERIFY_FIREBASEUSERS_DATABASE_URL="host=$dir port=5432 user=postgres dbname=postgres sslmode=disable"
# Here every test must run: a skip is a failure.
export FBVERIFY_REQUIRE_POSTGRES=1 FBVERIFY_REQUIRE_EMULATOR=1

go vet ./...
go test -race -count=1 -timeout 6m -skip TestOnTheEmulator ./... "$@"
# The proof, verbose: its log carries the figures the README quotes.
go test -race -count=1 -timeout 6m -v -run TestOnTheEmulator ./internal/proof
