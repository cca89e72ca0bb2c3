#!/usr/bin/env bash
# CI for fbverify-forward-auth. In order:
#  1. starts building Traefik v3.6.12 from the Go module proxy in the
#     background, unless a cached binary is there (about 15 minutes cold
#     on two cores; the binary is kept for later runs);
#  2. installs nginx (with auth_request), Caddy, Podman and systemd from
#     Debian's packages, unless they are there;
#  3. runs vet and the tests with the race detector: real nginx and Caddy
#     required, systemd-analyze verify of the unit;
#  4. builds the container image with Podman, exports its file system and
#     checks it (user, entrypoint, certificates, the binary answering);
#  5. waits for the Traefik build and runs the tests through Traefik; if
#     it cannot be had, says so and goes on (those tests skip);
#  6. the bounded load run through nginx, without the race detector.
# Every server the tests start listens on loopback and stops with its test.
set -euo pipefail
cd "$(dirname "$0")"
started=$SECONDS

traefik_version=v3.6.12
cache="${HOME}/.cache/fbverify"
traefik_bin="$cache/traefik-$traefik_version"
traefik_log="$cache/traefik-$traefik_version.log"
# How long to wait for a cold build once the other tests are done.
traefik_wait="${FBVERIFY_TRAEFIK_WAIT:-900}"
mkdir -p "$cache"
traefik_pid=""
img=""
made_policy_rc=""
cleanup() {
  # The Traefik build runs in a process group of its own: end it whole.
  if [ -n "$traefik_pid" ]; then kill -- "-$traefik_pid" 2>/dev/null || true; fi
  if [ -n "$img" ]; then
    podman_in rmi -a -f >/dev/null 2>&1 || true
    rm -rf "$img"
  fi
  if [ -n "$made_policy_rc" ]; then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT
podman_in() { podman --root "$img/storage" --runroot "$img/run" --storage-driver vfs "$@"; }

if [ -x "$traefik_bin" ]; then
  echo "== Traefik $traefik_version: cached at $traefik_bin"
else
  echo "== Traefik $traefik_version: building in the background (log: $traefik_log)"
  # shellcheck disable=SC2016
  setsid bash -c '
    set -euo pipefail
    dir=$(cd "$1" && go mod download -json "github.com/traefik/traefik/v3@$2" |
      sed -n "s/^[[:space:]]*\"Dir\": \"\(.*\)\",\$/\1/p")
    [ -n "$dir" ] || { echo "go mod download gave no module folder"; exit 1; }
    cd "$dir"
    go build -trimpath -ldflags "-X github.com/traefik/traefik/v3/pkg/version.Version=$2" -o "$3.tmp" ./cmd/traefik
    mv "$3.tmp" "$3"
  ' traefik-build "$cache" "$traefik_version" "$traefik_bin" >"$traefik_log" 2>&1 &
  traefik_pid=$!
fi

need=()
{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || need+=(nginx-light)
command -v caddy >/dev/null 2>&1 || need+=(caddy)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packages' own services from starting (and taking port 80):
  # the tests run their own instances.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    made_policy_rc=1
  fi
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${need[@]}" >/dev/null
fi
/usr/sbin/nginx -v
caddy version
podman --version
systemd-analyze --version | head -1

export FBVERIFY_REQUIRE_PROXIES=1 FBVERIFY_REQUIRE_SYSTEMD=1
echo "== vet and tests (race detector)"
go vet ./...
go test -race -count=1 -timeout 8m -skip 'TestLoadThroughNginx' ./...

echo "== container image (podman build, vfs storage)"
img=$(mktemp -d)
cp Containerfile "$img/"
CGO_ENABLED=0 go build -trimpath -o "$img/fbverify-forward-auth" .
podman_in build -q --format docker --build-context certs=/etc/ssl/certs -t fbverify-forward-auth:ci "$img" >/dev/null
podman_in image inspect fbverify-forward-auth:ci >"$img/inspect.json"
cid=$(podman_in create fbverify-forward-auth:ci)
podman_in export -o "$img/rootfs.tar" "$cid"
podman_in rm "$cid" >/dev/null 2>&1 || true
mkdir "$img/rootfs"
tar -xf "$img/rootfs.tar" -C "$img/rootfs"
FBVERIFY_IMAGE_DIR="$img" go test -count=1 -v -run 'TestExportedImage' . | grep -E '^(--- |ok|FAIL|PASS)'
podman_in rmi -a -f >/dev/null 2>&1 || true
rm -rf "$img"
img=""

echo "== Traefik $traefik_version"
if [ -n "$traefik_pid" ]; then
  echo "waiting for the Traefik build ($((SECONDS - started)) s into this script; at most ${traefik_wait} s more)"
  deadline=$((SECONDS + traefik_wait))
  while kill -0 "$traefik_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 5; done
  if kill -0 "$traefik_pid" 2>/dev/null; then
    echo "Traefik $traefik_version was not built within ${traefik_wait} s: stopping the build"
    kill -- "-$traefik_pid" 2>/dev/null || true
    wait "$traefik_pid" 2>/dev/null || true
  elif wait "$traefik_pid"; then
    echo "Traefik built in the background: $traefik_bin"
  else
    echo "Traefik $traefik_version could NOT be built; its log ends:"
    tail -5 "$traefik_log" || true
  fi
  traefik_pid=""
fi
if [ -x "$traefik_bin" ]; then
  "$traefik_bin" version | head -3
  FBVERIFY_REQUIRE_TRAEFIK=1 go test -count=1 -v -run 'TestThroughProxies/traefik|TestNoSpoofedIdentityThroughProxies/traefik' . |
    grep -E '^(    --- FAIL|--- |ok|FAIL|PASS)|spellings sent' 
else
  echo "SKIPPED: the tests through Traefik did not run (no Traefik $traefik_version binary; see above)."
fi

echo "== load run through nginx (no race detector)"
export FBVERIFY_LOAD_REQUESTS="${FBVERIFY_LOAD_REQUESTS:-10000}"
go test -count=1 -timeout 8m -v -run 'TestLoadThroughNginx' ./... | grep -E '^(--- |ok|FAIL|PASS)|load:'
echo "fbverify-forward-auth ci: done in $((SECONDS - started)) s"
