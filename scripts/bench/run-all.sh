#!/usr/bin/env bash
# Runs every benchmark in turn against real services (RGW started here); each appends its table
# to BENCHMARKS.md with the baseline it measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
set -a; eval "$(bash scripts/s3/start-rgw.sh)"; set +a
for b in export redirect report acquisition cleanup; do
  echo "=== bench:$b"
  node --import tsx "scripts/bench/$b.ts" "$@"
done
