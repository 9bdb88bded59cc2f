#!/usr/bin/env bash
# Builds the Tekton validator (tektoncd/pipeline's and tektoncd/triggers' own Validate(), see main.go)
# into TOOLS_DIR/hat-tekton-validate. Idempotent: skips when the binary is newer than its sources.
# Called by scripts/setup.sh; modules come from the Go module proxy, pinned by go.mod and go.sum.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 TOOLS_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
tools="$(cd "$1" && pwd)"
bin="$tools/hat-tekton-validate"
log() { printf 'validator: %s\n' "$*"; }

if [ -x "$bin" ] && [ "$bin" -nt "$here/main.go" ] && [ "$bin" -nt "$here/go.mod" ] && [ "$bin" -nt "$here/go.sum" ]; then
  log "hat-tekton-validate up to date"
  exit 0
fi

log "building hat-tekton-validate (first build downloads modules and takes a minute or two)"
start=$SECONDS
cd "$here"
# Build next to the target and rename, so an interrupted build never leaves a half-written binary.
go build -trimpath -ldflags='-s -w' -o "$bin.tmp" .
mv -f "$bin.tmp" "$bin"
log "built $bin in $((SECONDS - start))s"
