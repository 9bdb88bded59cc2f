#!/usr/bin/env bash
# One idempotent setup for a fresh Debian machine: system packages, pinned helm, the Tekton validator,
# and npm packages. A second run checks and skips; it takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/versions.env
source scripts/versions.env
tools="$root/.tools/bin"
mkdir -p "$tools"
log() { printf 'setup: %s\n' "$*"; }
# shellcheck source=scripts/progress.sh
source scripts/progress.sh

# 1. Debian packages (needs root, as on CI and the dev machines).
# debootstrap builds the task images' root file system; containerd + runc run those images in tests (test:images)
# and the cluster's pods (hat cluster up, with the CNI plugins, iptables and openssl).
apt_pkgs=(git nginx-light fcgiwrap docker-registry buildah apache2-utils skopeo busybox-static ca-certificates openssh-server debootstrap containerd runc containernetworking-plugins iptables openssl iproute2)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Some packages start system services we do not use (the test stack runs its own instances): stop those
  # this run installed, never a service the machine already had (its sshd, its nginx).
  for p in "${missing[@]}"; do
    case "$p" in nginx-light) s=nginx ;; docker-registry | fcgiwrap | containerd) s=$p ;; openssh-server) s=ssh ;; *) continue ;; esac
    "${SUDO[@]}" systemctl disable --now "$s" >/dev/null 2>&1 || true
  done
else
  log "Debian packages present"
fi

# 2. helm, pinned, built from the Go module proxy: static (CGO_ENABLED=0), -trimpath, with the pinned Go toolchain,
#    because the same binary goes into the task images (libs/image), which must rebuild to the same digest.
helm_build="$HELM_VERSION $GO_TOOLCHAIN static trimpath"
if [ -x "$tools/helm" ] && [ "$(cat "$tools/.helm-build" 2>/dev/null)" = "$helm_build" ]; then
  log "helm $HELM_VERSION present"
else
  log "building helm $HELM_VERSION with go install ($GO_TOOLCHAIN, static; 2-5 min on 2 cores the first time)"
  with_progress "building helm" env GOTOOLCHAIN="$GO_TOOLCHAIN" CGO_ENABLED=0 GOBIN="$tools" GOFLAGS=-mod=mod go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  printf '%s\n' "$helm_build" > "$tools/.helm-build"
fi

# 3. The Tekton validator (tektoncd/pipeline's own Validate(), see test/validator).
if [ -f test/validator/build.sh ]; then with_progress "building the Tekton validator" bash test/validator/build.sh "$tools"; fi

# 4. npm packages, from the lock file.
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ -x node_modules/.bin/hat ]; then
  log "npm packages present"
else
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
# 5. kustomize, pinned: renders catalog/ as Argo CD does (hat catalog tests), built from the Go module proxy.
if [ -x "$tools/kustomize" ] && [ "$("$tools/kustomize" version 2>/dev/null)" = "$KUSTOMIZE_VERSION" ]; then
  log "kustomize $KUSTOMIZE_VERSION present"
else
  log "building kustomize $KUSTOMIZE_VERSION with go install"
  with_progress "building kustomize" env GOBIN="$tools" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi
# 6. Gitea, the real forge the tests open pull requests on (cached per user; linked into .tools/bin).
gitea="$(bash scripts/build-gitea.sh)"
ln -sfn "$gitea" "$tools/gitea" && log "gitea $(basename "$(dirname "$gitea")") present"
# 7. The hat CLI bundle (cli/dist/hat.mjs; cli/bin/hat.mjs also rebuilds it whenever a source is newer).
node scripts/bundle.mjs --cli >/dev/null && log "hat CLI bundled (cli/dist/hat.mjs)"
# 8. With HAT_PREBUILD_PIDFILE set (.ci/run sets it): the cluster's programs start building now, detached at the
#    lowest CPU priority (their pid in that file), so that a new machine's 40-odd minutes of Go builds overlap npm test
#    and test:images; hat cluster up waits for a component still being built. Nothing starts when they are cached.
if [ -n "${HAT_PREBUILD_PIDFILE:-}" ]; then log "$(node cli/bin/hat.mjs cluster build --background --pid-file "$HAT_PREBUILD_PIDFILE")"; fi
log "ready (tools in .tools/bin)"
