#!/usr/bin/env bash
# Builds Gitea GITEA_VERSION (scripts/versions.env) from the Go module proxy into a per-user cache keyed by the
# version and the Go toolchain, and prints the binary's path. Idempotent: a cached binary is reused by every clone.
# The module's go.mod names itself gitea.dev, so it cannot be `go install`ed by its proxy path: `go mod download`
# fetches and checks it (go.sum database), and it is built in place as its own main module (its replaces apply).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/versions.env
source "$root/scripts/versions.env"
log() { printf 'gitea: %s\n' "$*" >&2; }
# shellcheck source=scripts/progress.sh
source "$root/scripts/progress.sh"
go_version="$(go env GOVERSION)"
cache="${HAT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hat}/gitea/$GITEA_VERSION-$go_version-r1"
bin="$cache/gitea"
if [ -x "$bin" ]; then
  printf '%s\n' "$bin"
  exit 0
fi
# One builder at a time (two clones' setups may run at once): the others wait for it, then find its binary.
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
if ! flock -n 9; then
  log "another process is building Gitea $GITEA_VERSION into $cache; waiting for it"
  flock 9
fi
if [ -x "$bin" ]; then
  printf '%s\n' "$bin"
  exit 0
fi
log "building Gitea $GITEA_VERSION from the Go module proxy ($go_version, no cgo; about 15 min on 2 cores the first time, then cached in $cache)"
src="$(go mod download -json "code.gitea.io/gitea@$GITEA_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$src" ] || { log "go mod download gave no source dir for code.gitea.io/gitea@$GITEA_VERSION"; exit 1; }
mkdir -p "$cache"
rm -rf "$cache/static.tmp"
# Build next to the target and rename, so an interrupted build never leaves a half-written binary.
(cd "$src" && with_progress "building Gitea" env CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath \
  -ldflags "-s -w -X main.Version=${GITEA_VERSION#v}" -o "$bin.tmp" .) >&2
# Without the bindata build tag Gitea reads its locales and templates from STATIC_ROOT_PATH: they sit beside the binary.
rm -rf "$cache/static" && mkdir -p "$cache/static.tmp" && cp -R "$src/options" "$src/templates" "$src/public" "$cache/static.tmp/"
chmod -R u+w "$cache/static.tmp" && mv "$cache/static.tmp" "$cache/static"
mv -f "$bin.tmp" "$bin"
printf '%s\n' "$bin"
