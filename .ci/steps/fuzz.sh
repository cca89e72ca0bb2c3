#!/usr/bin/env bash
# Runs every fuzz target for a short, bounded time. `go test -fuzz` takes
# one target in one package per run. For a longer session, set FUZZTIME
# (e.g. FUZZTIME=30m bash .ci/steps/fuzz.sh) or run one target by hand:
#   go test ./verify -run '^$' -fuzz '^FuzzVerify$' -fuzztime 1h
# A failing input is saved under <package>/testdata/fuzz/<target>/ and is
# then replayed by every plain `go test` run.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzztime="${FUZZTIME:-10s}"
targets=(
  "./verify FuzzVerify"
  "./verify FuzzVerifySigned"
  "./claims FuzzParse"
  "./claims FuzzParseHeader"
  "./claims FuzzFastParserMatchesReference"
  "./jwks FuzzParseKeySet"
  "./verify/internal/rs256 FuzzMatchesCryptoRSA"
)
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "fuzz: $pkg $name for $fuzztime"
  go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel 2
done
