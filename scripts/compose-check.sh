#!/usr/bin/env bash
# Static validation of docker-compose.yml (no Docker engine needed): the compose file parses and
# resolves, every service the architecture needs exists, and it agrees with the local stack's names.
set -euo pipefail
cd "$(dirname "$0")/.."
# Compose reads the user's .env, copied from .env.example: validate with the example, plus the secrets
# it refuses to start without (a user fills them in).
ENV_FILE=(--env-file .env.example)
for name in $(grep -oE '\$\{[A-Z0-9_]+:\?' docker-compose.yml | sed -E 's/^\$\{//; s/:\?$//' | sort -u); do
  export "$name=compose-check-placeholder"
done
# An empty value followed by a comment is read as the comment by compose v1's env-file parser.
if grep -nE '^[A-Z0-9_]+=[[:space:]]+#' .env.example; then echo "compose-check: comment after an empty value"; exit 1; fi
if command -v docker-compose >/dev/null; then
  docker-compose -f docker-compose.yml "${ENV_FILE[@]}" config -q
  services=$(docker-compose -f docker-compose.yml "${ENV_FILE[@]}" config --services | sort | tr '\n' ' ')
  resolved=$(docker-compose -f docker-compose.yml "${ENV_FILE[@]}" config)
else
  echo "compose-check: docker-compose not installed; skipping the resolver check" >&2
  services=$(node -e 'console.log("")')
  resolved=$(cat docker-compose.yml .env.example)
fi
for s in postgres nats minio minio-init storage-setup mailpit migrate ui-api export-worker report-worker acquisition-worker cleanup-worker; do
  [[ -z $services || " $services " == *" $s "* ]] || { echo "compose-check: service $s missing"; exit 1; }
done
# Same bucket names and env names as the local stack (scripts/stack/env.ts), as the apps receive them
# (the compose file's environment).
for name in S3_BUCKET_EXPORTS S3_BUCKET_REPORTS S3_BUCKET_RAW_IQ S3_BUCKET_ARTIFACTS S3_PUBLIC_ENDPOINT REPORT_LINK_SECRET DATABASE_URL NATS_URL SMTP_HOST PUBLIC_BASE_URL; do
  grep -q "$name" <<<"$resolved" || { echo "compose-check: $name not set for the apps by docker-compose.yml"; exit 1; }
  grep -q "$name" .env.example || { echo "compose-check: $name not documented in .env.example"; exit 1; }
done
for b in pulse-exports pulse-reports pulse-raw-iq pulse-artifacts; do
  grep -q "$b" scripts/stack/env.ts || { echo "compose-check: bucket $b differs from the local stack"; exit 1; }
done
# Every setting in .env.example reaches compose's apps (passed as ${NAME…} or set by the compose file for
# its own network), or is one compose must not pass: the local backend's, dev flags, pretty logs, and the
# apps' S3 keys (compose passes PULSE_S3_* under those names).
not_in_compose=" LOG_PRETTY LOCAL_STORAGE_DIR LOCAL_STORAGE_SIGNING_KEY LOCAL_STORAGE_PUBLIC_URL DEBUG AUTH_DEV_ECHO S3_ACCESS_KEY S3_SECRET_KEY "
for name in $(sed -nE 's/^([A-Z][A-Z0-9_]*)=.*/\1/p' .env.example); do
  [[ $not_in_compose == *" $name "* ]] && continue
  grep -qE "(\\\$\{$name[:}]|^ +$name:)" docker-compose.yml ||
    { echo "compose-check: $name (.env.example) is not passed to any service by docker-compose.yml"; exit 1; }
done
# Every published port binds to loopback only.
if grep -nE '^\s*ports:.*"[0-9]+:[0-9]+"' docker-compose.yml; then echo "compose-check: a port is not bound to 127.0.0.1"; exit 1; fi
echo "compose-check: ok ($services)"
