#!/bin/sh
# Creates the buckets idempotently and applies their lifecycle rules (the apps do the same at start;
# this makes a fresh stack correct before any app runs).
set -eu
mc alias set pulse http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
for b in pulse-exports pulse-reports pulse-raw-iq pulse-artifacts; do
  mc mb --ignore-existing "pulse/$b"
done
mc ilm rule rm --all --force pulse/pulse-exports >/dev/null 2>&1 || true
mc ilm rule add --prefix "exports/" --expire-days "$EXPORT_RETENTION_DAYS" pulse/pulse-exports
mc ilm rule rm --all --force pulse/pulse-reports >/dev/null 2>&1 || true
mc ilm rule add --prefix "reports/" --expire-days "$REPORT_RETENTION_DAYS" pulse/pulse-reports
mc ilm rule rm --all --force pulse/pulse-raw-iq >/dev/null 2>&1 || true
mc ilm rule add --prefix "sessions/" --expire-days "$RAW_IQ_RETENTION_DAYS" pulse/pulse-raw-iq
echo "minio-init: buckets and lifecycle rules ready"
