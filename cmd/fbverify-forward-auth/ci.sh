#!/usr/bin/env bash
# CI for fbverify-forward-auth: installs nginx (with auth_request) and
# Caddy (with forward_auth) from Debian's packages unless both are already
# there, then runs the tests with the real proxies required (a missing one
# fails instead of skipping) and the full bounded load run through nginx.
# The tests start nginx, Caddy and the servers on loopback in temporary
# directories and stop them when they end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")"

have_proxies() {
  { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } && command -v caddy >/dev/null 2>&1
}

if ! have_proxies; then
  echo "== apt-get install nginx-light caddy"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packages' own services from starting (and taking port 80):
  # the tests run their own instances.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq nginx-light caddy >/dev/null
fi
/usr/sbin/nginx -v
caddy version

export FBVERIFY_REQUIRE_PROXIES=1
export FBVERIFY_LOAD_REQUESTS="${FBVERIFY_LOAD_REQUESTS:-20000}"
go vet ./...
go test -race -count=1 -timeout 8m -skip 'TestLoadThroughNginx' ./...
# The load run without the race detector, so that it times the server and
# not the detector.
go test -count=1 -timeout 8m -v -run 'TestLoadThroughNginx' ./...
