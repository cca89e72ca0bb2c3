#!/usr/bin/env bash
# CI for the hybrid backend: makes a throwaway PostgreSQL cluster in a temp
# directory, listening on a Unix socket there only (no TCP at all), runs
# the Go tests against it, and stops and removes it on exit, even on
# failure. PostgreSQL comes from Debian's packages when it is missing.
# Arguments go to go test, e.g. `bash ci.sh -run Revoke`.
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "hybrid ci: $*" >&2; exit 1; }

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
  # Debian's package would make and start a cluster "main" on port 5432 of
  # its own; these tests want none left running, so ask it not to (the
  # package's createcluster.conf includes this directory).
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/fbverify-no-main-cluster.conf
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  pg_bin=$(find_pg_bin) || fail "postgresql installed, yet initdb and pg_ctl were not found"
fi
echo "== PostgreSQL: $("$pg_bin/pg_ctl" --version)"

# The server refuses to run as root: as root, run it as the postgres user
# (made by the package) in a directory it owns.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root, but there is no postgres user to run the server as"
  as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/fbverify-hybrid-pg.XXXXXX")
data="$dir/data"
[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$dir"
# Each command starts in the temp dir: the postgres user may not be allowed
# into this checkout's directory.
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
  exit $status
}
trap cleanup EXIT

(cd "$dir" && "${as_pg[@]}" "$pg_bin/initdb" -D "$data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null)
# Unix socket in the temp dir only; durability is not wanted from a cluster
# that lives for one test run.
cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
sh -c "$pg_ctl_cmd start" >/dev/null

export FBVERIFY_HYBRID_DATABASE_URL="host=$dir port=5432 user=postgres dbname=postgres sslmode=disable"
# The commands the fault test uses to stop the server and start it again.
export FBVERIFY_HYBRID_PG_STOP="$pg_ctl_cmd -m fast stop"
export FBVERIFY_HYBRID_PG_START="$pg_ctl_cmd start"
# Here the tests must run: a skip is a failure.
export FBVERIFY_REQUIRE_POSTGRES=1

go vet ./...
go test -race -count=1 -v -timeout 5m ./... "$@"
