#!/bin/sh
# Creates the buckets idempotently and applies their lifecycle rules, so a fresh stack is correct before
# any app runs. Same policy as @pulse/storage retentionRule: expire one day after the retention period
# (the database marks files expired first); cleanup-worker re-applies it with its own rule ids.
set -eu
mc alias set pulse http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
for b in pulse-exports pulse-reports pulse-raw-iq pulse-artifacts; do
  mc mb --ignore-existing "pulse/$b"
done
mc ilm rule rm --all --force pulse/pulse-exports >/dev/null 2>&1 || true
mc ilm rule add --prefix "exports/" --expire-days "$((EXPORT_RETENTION_DAYS + 1))" pulse/pulse-exports
mc ilm rule rm --all --force pulse/pulse-reports >/dev/null 2>&1 || true
mc ilm rule add --prefix "reports/" --expire-days "$((REPORT_RETENTION_DAYS + 1))" pulse/pulse-reports
mc ilm rule rm --all --force pulse/pulse-raw-iq >/dev/null 2>&1 || true
mc ilm rule add --prefix "sessions/" --expire-days "$((RAW_IQ_RETENTION_DAYS + 1))" pulse/pulse-raw-iq
echo "minio-init: buckets and lifecycle rules ready"
