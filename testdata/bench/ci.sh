#!/usr/bin/env bash
# ci.sh: the contenders' correctness tests, the table tool's tests, and one
# short pass over every benchmark to prove they run (the timed runs are
# run.sh's job). Also vets the two programs of the size comparison.
set -euo pipefail
cd "$(dirname "$0")"
go vet ./...
go test ./...
go test -run '^$' -bench . -benchtime 100x .
for m in size/fbverify size/adminsdk; do
	(cd "$m" && go vet ./...)
done
