#!/usr/bin/env bash
# Formatting: goimports (gofmt, plus the standard library's imports in a
# group of their own) must list no Go file of any module. A pinned version,
# so that a new release's opinions arrive in a commit of their own.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v0.53.0
bin=$(go env GOPATH)/bin/goimports
if ! "$bin" -h >/dev/null 2>&1 || ! go version -m "$bin" | grep -q "golang.org/x/tools[[:space:]]*$version"; then
  GOFLAGS=-mod=mod go install "golang.org/x/tools/cmd/goimports@$version"
fi
mapfile -t files < <(git ls-files '*.go')
unformatted=$("$bin" -l "${files[@]}")
if [ -n "$unformatted" ]; then
  echo "goimports: these files are not formatted (run goimports -w on them):" >&2
  echo "$unformatted" >&2
  exit 1
fi
echo "goimports: ${#files[@]} files formatted"
