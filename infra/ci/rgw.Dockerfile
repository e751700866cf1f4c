# CI-only stand-in for the minio service (MinIO and mc have no Debian packages and no registry is
# reachable): Ceph RGW from Debian's packages, started by the project's own scripts/s3/start-rgw.sh on
# the port and keys the compose file gives MinIO, plus s3cmd for the init job (buckets and the apps' user's permissions).
ARG BASE=pulse-ci/debian:bookworm
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd curl s3cmd \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data
COPY start-rgw.sh stop-rgw.sh rgw-entrypoint.sh rgw-init.sh /usr/local/bin/
EXPOSE 9000
ENTRYPOINT ["/usr/local/bin/rgw-entrypoint.sh"]
