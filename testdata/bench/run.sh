#!/usr/bin/env bash
# run.sh: times fbverify against its peers and prints Markdown tables of
# medians (ns/op, B/op, allocs/op, ratio to the RSA floor, ratio to
# fbverify). Each test binary is built once and run COUNT times in turn,
# so the contenders are interleaved and share the machine's load.
#
#   ./run.sh            # COUNT=6
#   COUNT=10 ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-6}
benchtime=${BENCHTIME:-1s}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-)"
echo "raw results in $out"

go test -c -o "$out/peers.test" .
(cd ../.. && go test -c -o "$out/verify.test" ./verify)
: >"$out/peers.txt"
: >"$out/root.txt"
for i in $(seq "$count"); do
	"$out/peers.test" -test.run '^$' -test.bench . -test.benchmem -test.benchtime "$benchtime" >>"$out/peers.txt"
	"$out/verify.test" -test.run '^$' -test.bench . -test.benchmem -test.benchtime "$benchtime" -test.cpu 1,2 >>"$out/root.txt"
done

echo
echo "### Side by side (testdata/bench, GOMAXPROCS=$(nproc))"
echo
go run ./cmd/benchtable -floor Verify/floor -ours Verify/fbverify <"$out/peers.txt"
echo
echo "### Root module (verify/bench_test.go, -cpu 1,2)"
echo
go run ./cmd/benchtable -floor Floor -ours Verify <"$out/root.txt"
