#!/usr/bin/env bash
# Runs staticcheck, pinned, on the root module and on every nested module.
# It is installed from the Go module proxy into a folder of its own, so the
# version that judges the code is the one named here, whatever else the
# machine has.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v0.8.2 # staticcheck 2026.2.2
bin="${STATICCHECK_BIN:-$HOME/.cache/fbverify-ci/staticcheck-$version}"
if [ ! -x "$bin/staticcheck" ]; then
  echo "staticcheck: installing $version"
  GOBIN="$bin" GOFLAGS= go install "honnef.co/go/tools/cmd/staticcheck@$version"
fi
status=0
for mod in go.mod $(git ls-files -- '*/go.mod' | sort); do
  dir=$(dirname "$mod")
  echo "staticcheck: $dir"
  (cd "$dir" && "$bin/staticcheck" ./...) || status=1
done
exit "$status"
