#!/usr/bin/env bash
# Runs every benchmark of the root module once (-benchtime=1x). The timed
# runs are for humans (see testdata/bench/README.md); this step
# only proves that each benchmark still builds, that its setup works and
# that the checks inside it hold: a benchmark that verifies a token calls
# b.Fatal when the token is refused, and each Reject case when the token is
# accepted or refused for another reason. -run '^$' skips the tests, which
# the root step already ran. Nested modules' benchmarks are their ci.sh's.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(go test -run '^$' -bench . -benchtime=1x ./... 2>&1) || {
  echo "$out"
  echo "bench-smoke: a benchmark failed" >&2
  exit 1
}
echo "$out" | grep -E '^(ok|FAIL|---)' || true
n=$(grep -c '^Benchmark' <<<"$out" || true)
if [ "$n" -eq 0 ]; then
  echo "bench-smoke: no benchmark ran" >&2
  exit 1
fi
echo "bench-smoke: $n benchmarks ran once each"
