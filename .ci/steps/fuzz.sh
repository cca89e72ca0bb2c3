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
  "./verify FuzzExplain"
  "./verify FuzzExplainSigned"
  "./verify/internal/claimcheck FuzzParse"
  "./verify/internal/claimcheck FuzzParseHeader"
  "./verify/internal/claimcheck FuzzFastParserMatchesReference"
  "./verify/internal/claimcheck FuzzPayloadPrefix"
  "./verify/internal/strictjson FuzzGrammarMatchesEncodingJSON"
  "./verify/internal/strictjson FuzzReadKeyMatchesScanString"
  "./jwks FuzzParseKeySet"
  "./jwks FuzzRepeatedMembers"
  "./jwks FuzzSnapshotFile"
  "./verify/internal/rs256 FuzzMatchesCryptoRSA"
  "./verify/internal/b64url FuzzMatchesEncodingBase64"
)

# `go test -fuzz` with a pattern that matches no target passes without
# fuzzing anything, so a renamed or deleted target would go unnoticed:
# first check that each named target exists, and that no target of the
# root module is missing from the list.
declare -A listed=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  listed["$pkg $name"]=1
  found=$(go test "$pkg" -list "^${name}\$")
  if ! grep -qx "$name" <<<"$found"; then
    echo "fuzz: $pkg has no fuzz target $name (renamed or deleted? update .ci/steps/fuzz.sh)" >&2
    exit 1
  fi
done
module=$(go list -m)
unlisted=0
pending=()
while read -r line; do
  case "$line" in
    Fuzz*) pending+=("$line") ;;
    "ok "*)
      read -r _ import _ <<<"$line"
      pkg=.
      [ "$import" = "$module" ] || pkg="./${import#"$module"/}"
      for name in "${pending[@]}"; do
        if [ -z "${listed["$pkg $name"]:-}" ]; then
          echo "fuzz: $pkg $name is not in .ci/steps/fuzz.sh's list" >&2
          unlisted=1
        fi
      done
      pending=()
      ;;
  esac
done <<<"$(go test -list '^Fuzz' ./...)"
[ "$unlisted" = 0 ] || exit 1

# Go 1.26's fuzz coordinator can report "context deadline exceeded" when
# -fuzztime runs out while a worker is mid-call on a busy machine
# (golang/go#75804, fixed in Go 1.27): the run fails with no input found.
# Such a run is tried again, up to three tries; any other failure, and any
# run that writes a failing input, fails at once.
fuzz_one() {
  local pkg=$1 name=$2 log status
  log=$(mktemp)
  set +e
  go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel 2 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
    status=75 # the coordinator's deadline race, not a finding
  fi
  rm -f "$log"
  return "$status"
}
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "fuzz: $pkg $name for $fuzztime"
  for try in 1 2 3; do
    status=0
    fuzz_one "$pkg" "$name" || status=$?
    [ "$status" -eq 75 ] || break
    echo "fuzz: $pkg $name hit the fuzz coordinator's deadline race (golang/go#75804) with no failing input (try $try of 3)"
  done
  [ "$status" -eq 0 ] || exit 1
done
