#!/bin/sh
# The apps' S3 user: PULSE_S3_ACCESS_KEY with object permissions on Pulse's four buckets and nothing
# else (no bucket creation, CORS or lifecycle: storage-setup does those with the admin keys).
# Idempotent: the user's secret and the policy are (re)written on every start.
set -eu
mc alias set pulse http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
buckets=""
objects=""
for b in "$S3_BUCKET_EXPORTS" "$S3_BUCKET_REPORTS" "$S3_BUCKET_RAW_IQ" "$S3_BUCKET_ARTIFACTS"; do
  buckets="$buckets${buckets:+,}\"arn:aws:s3:::$b\""
  objects="$objects${objects:+,}\"arn:aws:s3:::$b/*\""
done
cat >/tmp/pulse-app.json <<JSON
{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:ListBucket","s3:ListBucketMultipartUploads","s3:GetBucketLocation"],"Resource":[$buckets]},
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":[$objects]}
]}
JSON
mc admin user add pulse "$PULSE_S3_ACCESS_KEY" "$PULSE_S3_SECRET_KEY" >/dev/null
mc admin policy create pulse pulse-app /tmp/pulse-app.json >/dev/null
if ! out=$(mc admin policy attach pulse pulse-app --user "$PULSE_S3_ACCESS_KEY" 2>&1); then
  case $out in *already*) ;; *) echo "$out" >&2; exit 1 ;; esac
fi
echo "minio-init: S3 user $PULSE_S3_ACCESS_KEY with object permissions on Pulse's buckets"
