#!/bin/bash
# Runs RGW in the foreground for docker: start-rgw.sh starts mon, OSD and gateway (state in the /data
# volume, S3 on 0.0.0.0:9000 with the MINIO_ROOT_* keys); SIGTERM stops them through stop-rgw.sh.
set -euo pipefail
export RGW_DIR=/data/rgw RGW_BIND=0.0.0.0 RGW_PORT=9000 RGW_STORE=${RGW_STORE:-memstore} RGW_LC_DEBUG_INTERVAL=
export RGW_ACCESS_KEY=${MINIO_ROOT_USER:?} RGW_SECRET_KEY=${MINIO_ROOT_PASSWORD:?}
stop() { bash /usr/local/bin/stop-rgw.sh; exit 0; }
trap stop TERM INT
bash /usr/local/bin/start-rgw.sh >/dev/null
echo "rgw-entrypoint: S3 on :9000 ($RGW_STORE)"
tail -F "$RGW_DIR/log/client.rgw.pulse.log" 2>/dev/null | grep --line-buffered -E ' (ERROR|error)' &
while kill -0 "$(cat "$RGW_DIR/rgw.pid")" 2>/dev/null; do sleep 2 & wait $!; done
echo "rgw-entrypoint: radosgw exited" >&2
exit 1
