#!/usr/bin/env bash
# Interleaved per-query runs for loaded machines (bench/README.md, "Tuned Flink"): for each query,
# RUNS rounds of [Eddy before (optional), Eddy, Flink tuned], each in a fresh process, one JSON
# line per run on stdout tagged with "label". Compare events per CPU second (medians), not wall.
#
#   bench/nexmark/interleaved-runs.sh P EVENTS RUNS q0 q1 …
#
# EDDY_BEFORE=<dir>: also run the Eddy of another checkout (e.g. `git worktree add /tmp/before main`)
# as "eddy-before" (its bench command may lack --warmup: then it runs without one).
# WARMUP (default 1000000) events run first in the same process for Eddy and tuned Flink.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
p="$1"; events="$2"; runs="$3"; shift 3
warmup="${WARMUP:-1000000}"
# As eddy bench nexmark --all runs Eddy (bench/nexmark/eddy/suite.ts BENCH_NODE_FLAGS): a fixed nursery.
node_flags=(--min-semi-space-size=64 --max-semi-space-size=64)
tag() { sed -n "s/^{/{\"label\":\"$1\",/p"; }
for q in "$@"; do
  for ((r = 0; r < runs; r++)); do
    if [[ -n "${EDDY_BEFORE:-}" ]]; then
      (cd "$EDDY_BEFORE" && node bin/eddy.js bench nexmark --query "$q" --events "$events" -p "$p" --json) | tag eddy-before
    fi
    (cd "$here" && node "${node_flags[@]}" bin/eddy.js bench nexmark --query "$q" --events "$events" -p "$p" --warmup "$warmup" --json) | tag eddy
    "$here/bench/baselines/flink/run.sh" query "$q" --events "$events" --parallelism "$p" --warmup "$warmup" \
      --variant tuned | tag flink-tuned
  done
done
