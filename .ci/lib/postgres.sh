# Sourced by the ci.sh of each module whose tests need PostgreSQL.
#
# pg_start installs PostgreSQL from Debian's packages when initdb is
# missing, makes a throwaway cluster in a temp directory that listens on a
# Unix socket there only (no TCP at all), starts it, and sets an EXIT trap
# that stops and removes it, even on failure (printing the end of the
# server log when the script failed). It runs the server as the postgres
# user when run as root. Afterwards:
#   PG_URL      a keyword/value connection string for the cluster
#   PG_CTL_CMD  pg_ctl for the cluster, for `sh -c "$PG_CTL_CMD start"`
#               (or `-m fast stop`), as the tests that stop it use
# The caller's set -euo pipefail applies.

pg_fail() { echo "postgres: $*" >&2; exit 1; }

pg_find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  local initdb
  initdb=$(command -v initdb 2>/dev/null) || return 1
  command -v pg_ctl >/dev/null 2>&1 || return 1
  dirname "$(readlink -f "$initdb")"
}

pg_start() {
  local pg_bin
  if ! pg_bin=$(pg_find_bin); then
    [ "$(id -u)" -eq 0 ] || pg_fail "PostgreSQL (initdb, pg_ctl) is not installed, and installing it needs root"
    echo "== apt-get install postgresql"
    export DEBIAN_FRONTEND=noninteractive
    # Debian's package would make and start a cluster "main" on port 5432
    # of its own; these tests want none left running, so ask it not to
    # (the package's createcluster.conf includes this directory).
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/fbverify-no-main-cluster.conf
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    pg_bin=$(pg_find_bin) || pg_fail "postgresql installed, yet initdb and pg_ctl were not found"
  fi
  echo "== PostgreSQL: $("$pg_bin/pg_ctl" --version)"

  # The server refuses to run as root: as root, run it as the postgres
  # user (made by the package) in a directory it owns.
  local as_pg=()
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || pg_fail "running as root, but there is no postgres user to run the server as"
    as_pg=(runuser -u postgres --)
  fi
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fbverify-pg.XXXXXX")
  [ ${#as_pg[@]} -eq 0 ] || chown postgres: "$PG_DIR"
  # Each command starts in the temp dir: the postgres user may not be
  # allowed into the checkout's directory.
  PG_CTL_CMD="cd $PG_DIR && ${as_pg[*]} $pg_bin/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -w -t 30"
  trap pg_cleanup EXIT

  (cd "$PG_DIR" && "${as_pg[@]}" "$pg_bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null)
  # Unix socket in the temp dir only; durability is not wanted from a
  # cluster that lives for one test run.
  cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$PG_DIR'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
  sh -c "$PG_CTL_CMD start" >/dev/null
  PG_URL="host=$PG_DIR port=5432 user=postgres dbname=postgres sslmode=disable"
}

pg_cleanup() {
  local status=$?
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    sh -c "$PG_CTL_CMD -m immediate stop" >/dev/null 2>&1 || true
  fi
  if [ $status -ne 0 ] && [ -f "$PG_DIR/server.log" ]; then
    echo "== server log (last 40 lines)" >&2
    tail -n 40 "$PG_DIR/server.log" >&2 || true
  fi
  rm -rf "$PG_DIR"
  exit $status
}
