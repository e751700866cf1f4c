#!/bin/bash
# The CI stand-in for minio-init (infra/minio/minio-init.sh, same policy): buckets and their lifecycle
# rules, idempotent, with s3cmd against the RGW service.
set -euo pipefail
s3=(s3cmd --host=minio:9000 --host-bucket=minio:9000 --no-ssl --region=us-east-1
  --access_key="${MINIO_ROOT_USER:?}" --secret_key="${MINIO_ROOT_PASSWORD:?}")
expire() { # bucket prefix retention-days
  "${s3[@]}" mb "s3://$1" >/dev/null 2>&1 || "${s3[@]}" ls "s3://$1" >/dev/null
  "${s3[@]}" expire "s3://$1" --expiry-prefix="$2" --expiry-days="$(($3 + 1))" >/dev/null
}
expire pulse-exports exports/ "$EXPORT_RETENTION_DAYS"
expire pulse-reports reports/ "$REPORT_RETENTION_DAYS"
expire pulse-raw-iq sessions/ "$RAW_IQ_RETENTION_DAYS"
"${s3[@]}" mb s3://pulse-artifacts >/dev/null 2>&1 || "${s3[@]}" ls s3://pulse-artifacts >/dev/null
echo "rgw-init: buckets and lifecycle rules ready"
