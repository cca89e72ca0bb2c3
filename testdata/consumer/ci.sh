#!/usr/bin/env bash
# The consumer proof: publishes the root, adapter and forward-auth modules
# to a module proxy on the file system and installs each adapter and each
# program as a new user would (see doc.go). The frameworks themselves come from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")"
go vet ./...
FBVERIFY_CONSUMER_TEST=1 go test -count=1 -timeout 30m -v ./...
