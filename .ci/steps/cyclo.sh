#!/usr/bin/env bash
# Holds every function of the root module, tests included, to a cyclomatic
# complexity of at most 20 (gocyclo counts 1 plus each if, for, case, &&
# and ||). A function over it is split where a reader needs a name for a
# step. Nested modules are not checked here. To see the functions nearest
# the bound: gocyclo -over 15 $(go list -f ... ./...) as below.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PATH:$(go env GOPATH)/bin"
version=v0.6.0
if ! gocyclo_path=$(command -v gocyclo) || ! go version -m "$gocyclo_path" | grep -q "mod.*github.com/fzipp/gocyclo.*$version"; then
  go install "github.com/fzipp/gocyclo/cmd/gocyclo@$version"
fi
over="${CYCLO_OVER:-20}"
# The files of the root module's packages only: gocyclo walks directories
# whole, and nested modules have directories inside the root's.
mapfile -t files < <(go list -f '{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .TestGoFiles}}{{$d}}/{{.}}
{{end}}{{range .XTestGoFiles}}{{$d}}/{{.}}
{{end}}' ./... | grep . | sed "s|^$PWD/||")
if out=$(gocyclo -over "$over" "${files[@]}") && [ -z "$out" ]; then
  echo "cyclo: ${#files[@]} files, no function above $over"
  exit 0
fi
echo "$out"
echo "cyclo: the functions above have a cyclomatic complexity above $over; split them" >&2
exit 1
