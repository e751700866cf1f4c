#!/usr/bin/env bash
# CI: the compose stack under a real Docker engine, on this machine where no image registry is reachable.
#  1. a private dockerd: its own data root, exec root, socket and pid file under a temp dir, its own
#     default bridge (pulse-ci0) and address pool, so it shares nothing with any other engine;
#  2. the CI stand-in images (infra/ci/build-images.sh) for the registry images docker-compose.yml names;
#  3. `pnpm smoke --compose` on docker-compose.yml + infra/compose.ci.yml with two replicas of each worker
#     (it builds the app image from the unchanged infra/Dockerfile, runs every smoke step and the replica
#     checks, then `down -v`), with random secrets and ports that leave the local stack's free;
#  4. teardown on exit, also on failure or Ctrl-C: containers, networks, volumes, dockerd and what it
#     started, the bridges and iptables chains it created, the temp dir. Then a check that nothing is left.
# Output ends with the smoke's `smoke: N passed, M failed` and `compose-ci: teardown clean|NOT clean`.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh
LOG_DIR=${TEST_LOG_DIR:-/tmp/pulse-test-logs}
mkdir -p "$LOG_DIR"
log() { printf 'compose-ci: %s\n' "$*" >&2; }

ROOT=$(mktemp -d /tmp/pulse-dockerd.XXXXXX)
BRIDGE=${COMPOSE_CI_BRIDGE:-pulse-ci0}
BRIDGE_CIDR=${COMPOSE_CI_BRIDGE_CIDR:-10.213.0.1/24}
POOL=${COMPOSE_CI_POOL:-10.214.0.0/16}
export DOCKER_HOST=unix://$ROOT/docker.sock
# Debian's docker client first on PATH (compose v1 builds through `docker build`; a newer CLI elsewhere
# on PATH may refuse BuildKit without buildx), BuildKit on.
mkdir -p "$ROOT/bin" && ln -s /usr/bin/docker "$ROOT/bin/docker"
export PATH=$ROOT/bin:$PATH DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
export COMPOSE_FILE=docker-compose.yml:infra/compose.ci.yml COMPOSE_PROJECT_NAME=pulse-ci-$$
docker_chains_before=$(iptables -S 2>/dev/null | grep -c -- '-N DOCKER' || true)
forward_policy=$(iptables -S FORWARD 2>/dev/null | sed -nE 's/^-P FORWARD ([A-Z]+)$/\1/p')  # dockerd sets DROP
bridges=()

teardown() {
  local rc=$?
  trap - EXIT INT TERM
  if docker info >/dev/null 2>&1; then
    docker-compose down -v --remove-orphans --timeout 20 >>"$LOG_DIR/compose-down.log" 2>&1 || true
    local ids; ids=$(docker ps -aq)
    [[ -z $ids ]] || docker rm -f -v $ids >/dev/null 2>&1 || true
    mapfile -t -O "${#bridges[@]}" bridges < <(docker network ls -q --filter driver=bridge |
      xargs -r docker network inspect -f '{{index .Options "com.docker.network.bridge.name"}}{{if not (index .Options "com.docker.network.bridge.name")}}br-{{printf "%.12s" .Id}}{{end}}' 2>/dev/null)
    docker network prune -f >/dev/null 2>&1 || true
    docker volume prune -f >/dev/null 2>&1 || true
  fi
  local pid; pid=$(cat "$ROOT/docker.pid" 2>/dev/null || true)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  # Whatever this engine started (containerd, shims, proxies) names the temp dir on its command line.
  local p
  for p in $(grep -lsF -- "$ROOT" /proc/[0-9]*/cmdline | cut -d/ -f3); do
    [[ $p != "$$" ]] && kill -KILL "$p" 2>/dev/null || true
  done
  findmnt -rn -o TARGET | grep -F -- "$ROOT" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  for b in "$BRIDGE" "${bridges[@]}"; do
    [[ $b == "$BRIDGE" || $b == br-* ]] && ip link show "$b" >/dev/null 2>&1 && ip link delete "$b" 2>/dev/null
  done
  # The iptables rules and chains dockerd added: rules naming this engine's bridges or networks, and the
  # DOCKER* chains when no other engine on this machine had them before.
  local esc_bridge esc_pool
  esc_bridge=$(sed 's/\./\\./g' <<<"${BRIDGE_CIDR%.*}.")
  esc_pool=$(sed 's/\./\\./g' <<<"${POOL%.0.0/*}.")
  local pat="-[io] ($BRIDGE|br-[0-9a-f]{12})( |$)|-s ($esc_bridge|$esc_pool)"
  local t rule chain
  for t in filter nat; do
    iptables -t "$t" -S 2>/dev/null | grep -E -- "^-A " | grep -E -- "$pat" | while read -r rule; do
      eval "iptables -t $t ${rule/-A/-D}" 2>/dev/null || true
    done
    if [[ $docker_chains_before == 0 ]]; then
      iptables -t "$t" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j DOCKER' | grep -vE '^-A DOCKER' | while read -r rule; do
        eval "iptables -t $t ${rule/-A/-D}" 2>/dev/null || true
      done
      for chain in $(iptables -t "$t" -S 2>/dev/null | sed -nE 's/^-N (DOCKER[A-Z0-9-]*)$/\1/p'); do iptables -t "$t" -F "$chain"; done
      for chain in $(iptables -t "$t" -S 2>/dev/null | sed -nE 's/^-N (DOCKER[A-Z0-9-]*)$/\1/p'); do iptables -t "$t" -X "$chain"; done
    fi
  done
  [[ -z $forward_policy ]] || iptables -P FORWARD "$forward_policy" 2>/dev/null || true
  rm -rf "$ROOT"
  local left=()
  [[ -z $(grep -lsF -- "$ROOT" /proc/[0-9]*/cmdline) ]] || left+=("processes")
  for b in "$BRIDGE" "${bridges[@]}"; do ip link show "$b" >/dev/null 2>&1 && left+=("bridge $b"); done
  [[ ! -e $ROOT ]] || left+=("$ROOT")
  if ((${#left[@]})); then log "teardown NOT clean: ${left[*]} left"; echo "compose-ci: teardown NOT clean"; exit 1; fi
  echo "compose-ci: teardown clean (no dockerd, containers, networks or bridges left)"
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

ip link show "$BRIDGE" >/dev/null 2>&1 && { log "bridge $BRIDGE exists (another run?)"; exit 1; }
ip link add "$BRIDGE" type bridge && ip addr add "$BRIDGE_CIDR" dev "$BRIDGE" && ip link set "$BRIDGE" up || exit 1
log "starting dockerd (root $ROOT)"
setsid dockerd --data-root "$ROOT/data" --exec-root "$ROOT/exec" --pidfile "$ROOT/docker.pid" \
  -H "$DOCKER_HOST" --bridge "$BRIDGE" --default-address-pool "base=$POOL,size=24" \
  --storage-driver overlay2 --log-driver json-file --log-opt max-size=10m \
  </dev/null >"$LOG_DIR/dockerd.log" 2>&1 &
for _ in $(seq 120); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
docker version --format 'compose-ci: engine {{.Server.Version}}' || { log "dockerd did not start"; tail -n 20 "$LOG_DIR/dockerd.log" >&2; exit 1; }

t0=$SECONDS
bash infra/ci/build-images.sh || { log "building the CI images failed"; exit 1; }
log "CI images ready in $((SECONDS - t0)) s"

# Random secrets for this run (compose requires them, production refuses published ones), ports clear
# of the local stack's. Compose reads its ${…} values from .env.example itself (what a user copies to
# .env), under this run's environment: the secrets, and one user starting the 20-export burst at once.
rand() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
export POSTGRES_PASSWORD=$(rand) MINIO_ROOT_USER=pulse-ci-admin MINIO_ROOT_PASSWORD=$(rand)
export PULSE_S3_ACCESS_KEY=pulse-ci-app PULSE_S3_SECRET_KEY=$(rand)
# Every *SECRET* the compose file requires (REPORT_LINK_SECRET, UNSUBSCRIBE_SIGNING_SECRET,
# OTP_HASH_SECRET, and any added later) gets a random value of its own.
for name in $(grep -oE '\$\{[A-Z0-9_]*SECRET[A-Z0-9_]*:\?' docker-compose.yml | sed -E 's/^\$\{//; s/:\?$//' | sort -u); do
  [[ -n ${!name:-} ]] || export "$name=$(rand)"
done
export PULSE_ENV_FILE=.env.example EXPORT_MAX_RUNNING_PER_USER=25
export SEED_DEMO=1 SEED_TELEMETRY_ROWS=${SEED_TELEMETRY_ROWS:-300000}
export PULSE_UI_PORT=${COMPOSE_CI_UI_PORT:-18080} PULSE_S3_PORT=${COMPOSE_CI_S3_PORT:-19000} PULSE_MAIL_UI_PORT=${COMPOSE_CI_MAIL_PORT:-18025}
export PULSE_MINIO_CONSOLE_PORT=${COMPOSE_CI_CONSOLE_PORT:-19001}
export PUBLIC_BASE_URL=http://127.0.0.1:$PULSE_UI_PORT S3_PUBLIC_ENDPOINT=http://127.0.0.1:$PULSE_S3_PORT

t1=$SECONDS
node --import tsx scripts/smoke.ts --compose --replicas \
  --scale export-worker=2 --scale report-worker=2 --scale acquisition-worker=2 \
  --base "$PUBLIC_BASE_URL" --mail "http://127.0.0.1:$PULSE_MAIL_UI_PORT"
smoke_rc=$?
log "smoke --compose took $((SECONDS - t1)) s; compose part so far $((SECONDS - t0)) s"
exit "$smoke_rc"
