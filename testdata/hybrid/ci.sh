#!/usr/bin/env bash
# CI for the hybrid backend: makes a throwaway PostgreSQL cluster
# (.ci/lib/postgres.sh: a temp directory, a Unix socket there only, no TCP
# at all), runs the Go tests against it, and stops and removes it on exit,
# even on failure. PostgreSQL comes from Debian's packages when it is
# missing. Arguments go to go test, e.g. `bash ci.sh -run Revoke`.
set -euo pipefail
cd "$(dirname "$0")"

. ../../.ci/lib/postgres.sh
pg_start

export FBVERIFY_HYBRID_DATABASE_URL="$PG_URL"
# The commands the fault test uses to stop the server and start it again.
export FBVERIFY_HYBRID_PG_STOP="$PG_CTL_CMD -m fast stop"
export FBVERIFY_HYBRID_PG_START="$PG_CTL_CMD start"
# Here the tests must run: a skip is a failure.
export FBVERIFY_REQUIRE_POSTGRES=1

go vet ./...
go test -race -count=1 -v -timeout 5m ./... "$@"
