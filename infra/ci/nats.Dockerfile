# CI-only stand-in for nats:2.10-alpine: Debian's nats-server (JetStream), with wget for the health
# check docker-compose.yml uses; config and store come from the compose file's mounts.
ARG BASE=pulse-ci/debian:bookworm
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends nats-server wget \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data
EXPOSE 4222 8222
ENTRYPOINT ["/usr/sbin/nats-server"]
