# CI-only stand-in for mailpit: the project's own mailpit-compatible capture (scripts/stack/mail-capture.ts,
# SMTP 1025, HTTP API 8025), run by Node's type stripping with the two libraries it imports.
ARG NODE_IMAGE=pulse-ci/node:24
FROM ${NODE_IMAGE}
ARG MAILPARSER_VERSION
ARG SMTP_SERVER_VERSION
WORKDIR /app
RUN echo '{"type":"module","private":true}' >package.json \
    && npm install --no-audit --no-fund "mailparser@${MAILPARSER_VERSION:?}" "smtp-server@${SMTP_SERVER_VERSION:?}"
COPY mail-capture.ts ./
USER node
ENV MAIL_HOST=0.0.0.0 MAIL_SMTP_PORT=1025 MAIL_HTTP_PORT=8025
EXPOSE 1025 8025
CMD ["node", "mail-capture.ts"]
