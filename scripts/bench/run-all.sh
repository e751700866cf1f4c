#!/usr/bin/env bash
# Runs every benchmark in turn against real services (RGW started here); each appends its table
# to BENCHMARKS.md with the baseline it measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
for b in export redirect report acquisition cleanup; do
  echo "=== bench:$b"
  # A fresh RGW for each: its store is memory-backed, and deleted objects are only reclaimed by its
  # garbage collector later, so one benchmark's leftovers would slow (or fill) the next one's store.
  bash scripts/s3/stop-rgw.sh >/dev/null 2>&1 || true
  set -a; eval "$(bash scripts/s3/start-rgw.sh)"; set +a
  node --import tsx "scripts/bench/$b.ts" "$@"
done
