#!/usr/bin/env bash
# One command for the local stack: installs what the project needs (pnpm, dependencies), then runs
# scripts/stack/run.ts. Usage: bash scripts/stack.sh [up [--detach] | down [--wipe] | status]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh
ensure_pnpm
if [[ ${1:-up} == up ]]; then ensure_services; ensure_deps; fi
exec node --import tsx scripts/stack/run.ts "${@:-up}"
