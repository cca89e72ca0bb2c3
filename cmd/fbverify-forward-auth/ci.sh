#!/usr/bin/env bash
# CI for fbverify-forward-auth: installs nginx (with auth_request) and
# Caddy (with forward_auth) from Debian's packages unless both are already
# there, then runs the tests with the real proxies required (a missing one
# fails instead of skipping) and the full bounded load run through nginx.
# The tests start nginx, Caddy and the servers on loopback in temporary
# directories and stop them when they end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] || ! command -v caddy >/dev/null 2>&1; then
  echo "== apt-get install nginx-light caddy"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx-light caddy >/dev/null
fi
# The packages' services must not hold ports or run outside the tests.
/usr/sbin/nginx -v
caddy version

export FBVERIFY_REQUIRE_PROXIES=1
export FBVERIFY_LOAD_REQUESTS="${FBVERIFY_LOAD_REQUESTS:-20000}"
go vet ./...
go test -race -count=1 -timeout 8m -skip 'TestLoadThroughNginx' ./...
# The load run without the race detector, which would time the detector.
go test -count=1 -timeout 8m -v -run 'TestLoadThroughNginx' ./... | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+load_test)' || { echo "load run failed" >&2; exit 1; }
