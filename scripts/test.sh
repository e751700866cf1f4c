#!/usr/bin/env bash
# Runs every test on a fresh machine of this kind: installs what is missing, starts real S3 (Ceph RGW),
# checks schema drift, types, lint and the compose file, runs every package's jest suite against real
# Postgres/NATS/RGW/SMTP/Chromium, the smoke script against the local stack, then the compose stack
# with replicas under a private Docker engine (scripts/compose-ci.sh).
# The last line is the total: `ci: N passed, M failed` (jest tests + named checks).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh
LOG_DIR=${TEST_LOG_DIR:-/tmp/pulse-test-logs}
mkdir -p "$LOG_DIR"

ensure_pnpm
ensure_apt
ensure_services
ensure_deps

passed=0 failed=0
check() { # check NAME CMD...: one named pass/fail item, output kept in $LOG_DIR/NAME.log
  local name=$1; shift
  if "$@" >"$LOG_DIR/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "check: $name ok"
  else
    failed=$((failed + 1)); echo "check: $name FAILED (last lines of $LOG_DIR/$name.log):"; tail -n 25 "$LOG_DIR/$name.log" | sed 's/^/    /'
  fi
}

set -a; eval "$(bash scripts/s3/start-rgw.sh)"; set +a

export DATABASE_URL=${DRIFT_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
check schema-drift pnpm --filter @pulse/db drift
unset DATABASE_URL
check typecheck pnpm typecheck
check lint pnpm lint
check compose-config bash scripts/compose-check.sh

# Dependencies, for information only: never counted, never failing. `pnpm outdated` exits 1 when
# something is outdated, and the registry's advisory endpoint (`pnpm audit`) is not reachable from
# these machines, so there is no audit gate here (README, "Maintenance").
echo "deps: pnpm outdated --prod (information only, output in $LOG_DIR/outdated.log)"
timeout 180 pnpm outdated --prod --recursive >"$LOG_DIR/outdated.log" 2>&1 || true
sed 's/^/    /' "$LOG_DIR/outdated.log" | tail -n 60

# Jest: every package, sequentially (2 cores; the suites share the real services).
pnpm test 2>&1 | tee "$LOG_DIR/jest.log"
read -r jp jf < <(node scripts/lib/jest-totals.cjs "$LOG_DIR/jest.log")
passed=$((passed + jp)); failed=$((failed + jf))
echo "jest: $jp passed, $jf failed"

# Smoke: the whole local stack, the way an operator runs it, on its own database and stream so that
# neither a developer's data nor an earlier run (rate limits, queued messages) can change the outcome,
# and with its own persistent S3 (Ceph RGW on BlueStore under .stack/rgw; not the tests' RGW). Then a
# restart: `down` keeps database, stream and objects, and the files the smoke made must still download
# after `up` (check stack-restart); `down --wipe` removes all three at the end.
smoke_id="smoke_$(date +%s)_$$"
export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pulse_smoke NATS_STREAM=$smoke_id NATS_SUBJECT_PREFIX=$smoke_id
export SEED_TELEMETRY_ROWS=${SEED_TELEMETRY_ROWS:-300000}
stack() { env -u S3_ENDPOINT -u S3_ACCESS_KEY -u S3_SECRET_KEY -u S3_REGION -u S3_FORCE_PATH_STYLE bash scripts/stack.sh "$@"; }
smoke() { node --import tsx scripts/smoke.ts --base http://127.0.0.1:8080 --mail http://127.0.0.1:8025 "$@"; }
stack down --wipe >/dev/null 2>&1 || true
if stack up --detach >"$LOG_DIR/stack.log" 2>&1; then
  # Every service's /metrics (on its ops port; ui-api's is 9100) is scraped during the smoke run: the alert
  # rules and the dashboard may name only metrics that a real run exports (and scripts/metrics/plot.py
  # draws the README's picture from it).
  node --import tsx scripts/metrics/record.ts --out "$LOG_DIR/metrics.jsonl" \
    http://127.0.0.1:9100/metrics http://127.0.0.1:9101/metrics http://127.0.0.1:9102/metrics \
    http://127.0.0.1:9103/metrics http://127.0.0.1:9104/metrics >"$LOG_DIR/metrics-record.log" 2>&1 &
  recorder=$!
  smoke --save-state "$LOG_DIR/smoke-state.json" 2>&1 | tee "$LOG_DIR/smoke.log"
  read -r sp sf < <(sed -nE 's/^smoke: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' "$LOG_DIR/smoke.log" | tail -1)
  passed=$((passed + ${sp:-0})); failed=$((failed + ${sf:-1}))
  sleep 3; kill -TERM "$recorder"; wait "$recorder"
  check alert-rules node --import tsx scripts/metrics/check-rules.ts "$LOG_DIR/metrics.jsonl"
  stack_restart() { stack down && stack up --detach && smoke --kept "$LOG_DIR/smoke-state.json"; }
  check stack-restart stack_restart
else
  echo "stack: failed to start (last lines of $LOG_DIR/stack.log):"; tail -n 30 "$LOG_DIR/stack.log"
  failed=$((failed + 1))
fi
stack down --wipe >/dev/null 2>&1 || true

# Compose: docker-compose.yml under a real, private Docker engine with replicas (scripts/compose-ci.sh):
# its smoke steps count, and so does a clean teardown (no dockerd, containers or networks left).
compose_t0=$SECONDS
bash scripts/compose-ci.sh >"$LOG_DIR/compose.log" 2>&1
read -r cp cf < <(sed -nE 's/^smoke: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' "$LOG_DIR/compose.log" | tail -1)
if [[ -z ${cp:-} ]]; then
  echo "compose: no smoke result (last lines of $LOG_DIR/compose.log):"; tail -n 30 "$LOG_DIR/compose.log"
  cp=0 cf=1
fi
grep -E '^(ok|FAIL) ' "$LOG_DIR/compose.log" | sed 's/^/compose /'
passed=$((passed + cp)); failed=$((failed + cf))
if grep -q '^compose-ci: teardown clean' "$LOG_DIR/compose.log"; then
  passed=$((passed + 1)); echo "check: compose-teardown ok"
else
  failed=$((failed + 1)); echo "check: compose-teardown FAILED"; tail -n 5 "$LOG_DIR/compose.log"
fi
echo "compose: $cp passed, $cf failed in $((SECONDS - compose_t0)) s"

echo "ci: $passed passed, $failed failed"
[[ $failed == 0 ]]
