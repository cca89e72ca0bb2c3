#!/usr/bin/env bash
# CI for the browser test of fbverify-demo's token inspector: installs
# Debian's Chromium when it is missing, then runs the Go test, which builds
# the demo from this checkout and drives the browser headless through
# chromedp. The test must run here, not skip. About 40 s once Chromium is
# installed (the install itself takes a minute or two).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "== apt-get install chromium"
  start=$(date +%s)
  export DEBIAN_FRONTEND=noninteractive
  sudo_=""
  [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  $sudo_ apt-get install -y -qq --no-install-recommends chromium >/dev/null
  echo "installed in $(( $(date +%s) - start ))s"
fi
chromium --version 2>/dev/null || chromium-browser --version

export FBVERIFY_REQUIRE_BROWSER=1
go vet ./...
go test -count=1 ./...
