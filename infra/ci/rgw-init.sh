#!/bin/bash
# The CI stand-in for minio-init (infra/minio/minio-init.sh, same result): the apps' S3 user
# (PULSE_S3_ACCESS_KEY, created by rgw-entrypoint.sh as RGW user pulse-app) gets object permissions on
# Pulse's buckets and nothing else. RGW grants that with bucket policies, so this makes the buckets
# (storage-setup then adds CORS and lifecycle rules with the admin keys). Idempotent, with s3cmd.
set -euo pipefail
s3=(s3cmd --host=minio:9000 --host-bucket=minio:9000 --no-ssl --region=us-east-1
  --access_key="${MINIO_ROOT_USER:?}" --secret_key="${MINIO_ROOT_PASSWORD:?}")
for b in "${S3_BUCKET_EXPORTS:?}" "${S3_BUCKET_REPORTS:?}" "${S3_BUCKET_RAW_IQ:?}" "${S3_BUCKET_ARTIFACTS:?}"; do
  "${s3[@]}" mb "s3://$b" >/dev/null 2>&1 || "${s3[@]}" ls "s3://$b" >/dev/null
  cat >/tmp/policy.json <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/pulse-app"]},
 "Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:AbortMultipartUpload","s3:ListMultipartUploadParts",
  "s3:ListBucket","s3:ListBucketMultipartUploads"],
 "Resource":["arn:aws:s3:::$b","arn:aws:s3:::$b/*"]}]}
JSON
  "${s3[@]}" setpolicy /tmp/policy.json "s3://$b" >/dev/null
done
echo "rgw-init: buckets, and object permissions for the apps' S3 user"
