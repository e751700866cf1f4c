#!/bin/bash
# Runs RGW in the foreground for docker: start-rgw.sh starts mon, OSD and gateway (state in the /data
# volume, S3 on 0.0.0.0:9000 with the MINIO_ROOT_* keys), then the apps' S3 user (PULSE_S3_*);
# SIGTERM stops them through stop-rgw.sh.
set -euo pipefail
export RGW_DIR=/data/rgw RGW_BIND=0.0.0.0 RGW_PORT=9000 RGW_STORE=${RGW_STORE:-memstore} RGW_LC_DEBUG_INTERVAL=
export RGW_ACCESS_KEY=${MINIO_ROOT_USER:?} RGW_SECRET_KEY=${MINIO_ROOT_PASSWORD:?}
stop() { bash /usr/local/bin/stop-rgw.sh; exit 0; }
trap stop TERM INT
rm -f "$RGW_DIR/ready"  # the health check (infra/compose.ci.yml) waits for the user below too
bash /usr/local/bin/start-rgw.sh >/dev/null
# The apps' S3 user (what minio-init makes on MinIO); rgw-init grants it object permissions.
if [[ -n ${PULSE_S3_ACCESS_KEY:-} ]]; then
  admin=(radosgw-admin -c "$RGW_DIR/ceph.conf")
  if "${admin[@]}" user info --uid=pulse-app >/dev/null 2>&1; then
    "${admin[@]}" key create --uid=pulse-app --key-type=s3 --access-key="$PULSE_S3_ACCESS_KEY" \
      --secret-key="${PULSE_S3_SECRET_KEY:?}" >/dev/null
  else
    "${admin[@]}" user create --uid=pulse-app --display-name="Pulse apps (objects only)" \
      --access-key="$PULSE_S3_ACCESS_KEY" --secret-key="${PULSE_S3_SECRET_KEY:?}" >/dev/null
  fi
fi
touch "$RGW_DIR/ready"
echo "rgw-entrypoint: S3 on :9000 ($RGW_STORE)"
tail -F "$RGW_DIR/log/client.rgw.pulse.log" 2>/dev/null | grep --line-buffered -E ' (ERROR|error)' &
while kill -0 "$(cat "$RGW_DIR/rgw.pid")" 2>/dev/null; do sleep 2 & wait $!; done
echo "rgw-entrypoint: radosgw exited" >&2
exit 1
