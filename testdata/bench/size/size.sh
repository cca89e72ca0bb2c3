#!/usr/bin/env bash
# size.sh: stripped binary size and module count of the same minimal
# verifier built on fbverify and on the Firebase Admin SDK for Go.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
echo "| program | stripped binary | modules (go list -m all) |"
echo "|---|---:|---:|"
for m in fbverify adminsdk; do
	(cd "$m" && go build -trimpath -ldflags="-s -w" -o "$out/$m" .)
	bytes=$(stat -c %s "$out/$m")
	mods=$(cd "$m" && go list -m all | wc -l)
	printf '| %s | %.1f MiB (%d bytes) | %d |\n' "$m" "$(echo "$bytes / 1048576" | bc -l)" "$bytes" "$mods"
done
rm -rf "$out"
