#!/usr/bin/env bash
# The Flink baseline of the Nexmark benchmark (see bench/nexmark/README.md).
#
#   run.sh build                                  build target/nexmark-flink.jar (once; cached)
#   run.sh query qN [--events N] [--parallelism P] [--rate EPS] [--seed S] [--output F] [--warmup N]
#                [--variant idiomatic|tuned|hand]
#   run.sh all [EVENTS] [PARALLELISM] [VARIANT]   every query, one JSON result line each
#   run.sh compare [EVENTS] [PARALLELISM] [VARIANT]  Flink vs the loop baseline, outputs as multisets
#   Variants tuned and hand run with $TUNED_JAVA_OPTS (default: 2 GiB fixed heap, ParallelGC).
#   run.sh dump-events N [--parallelism P --split I] [--output F]
#   run.sh pipeline-test                          issue 7: MiniCluster pipeline-test timing (JUnit)
#   run.sh async-io [--records N] [--runs R] [--capacity C] [--latency MS]
#                                                 issue 8: AsyncDataStream against the profile service
#   run.sh kafka --bootstrap H:P --input T --output T --records N [--guarantee at-least-once|exactly-once]
#                [--runs R] [--checkpoint-interval MS]
#                                                 issue 6: Kafka → map → Kafka with Flink's Kafka connector
#   run.sh keyed-state [--job reduce|window|mapstate] [--backend rocksdb|hashmap] [--keys K] [--records N] [--runs R]
#                      [--timers rocksdb|heap]
#                      [--checkpoint-interval MS] [--incremental]
#                                                 issue 19: keyBy → reduce on RocksDB (bench/large-state.ts)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
jar="$here/target/nexmark-flink.jar"
queries=(q0 q1 q2 q3 q4 q5 q7 q8 q11 q12 q14 q15 q17 q18 q19 q20 q21 q22)
java_opts=(${JAVA_OPTS:-} --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED)
# Flink unpacks its RPC system (a 24 MB jar) into java.io.tmpdir in every JVM and leaves it there:
# a scratch directory per run, removed on exit, keeps a day of benchmarks from filling /tmp.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/flink-baseline-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
java_opts+=("-Djava.io.tmpdir=$scratch")

log() { echo "[flink-baseline] $*" >&2; }

build() {
  local newest
  newest="$(find "$here/src" "$here/pom.xml" -newer "$jar" -print -quit 2>/dev/null || true)"
  if [[ -f "$jar" && -z "$newest" ]]; then return; fi
  log "building $jar (mvn package; offline first)"
  (cd "$here" && { mvn -q -o -B package -DskipPipelineTests=true 2>/dev/null ||
    mvn -q -B package -DskipPipelineTests=true; })
}

# The tuned baseline's JVM flags: a fixed heap (no resizing during the run) and the collector that
# did better on this benchmark (ParallelGC vs G1: bench/README.md, "Tuned Flink").
tuned_java_opts=(${TUNED_JAVA_OPTS:--Xms2g -Xmx2g -XX:+UseParallelGC})

run_query() {
  build
  local opts=("${java_opts[@]}") a
  for a in "$@"; do
    if [[ "$a" == tuned || "$a" == hand ]]; then opts=("${tuned_java_opts[@]}" "${java_opts[@]}"); fi
  done
  java "${opts[@]}" -cp "$jar" dev.eddy.bench.nexmark.NexmarkMain --query "$@" 2>/dev/null
}

cmd="${1:-help}"
shift || true
case "$cmd" in
  build) build ;;
  query) run_query "$@" ;;
  all)
    events="${1:-1000000}"; parallelism="${2:-1}"; variant="${3:-idiomatic}"
    for q in "${queries[@]}"; do
      log "$q: $events events, parallelism $parallelism, $variant"
      run_query "$q" --events "$events" --parallelism "$parallelism" --variant "$variant"
    done
    ;;
  compare)
    events="${1:-200000}"; parallelism="${2:-1}"; variant="${3:-idiomatic}"
    out="$(mktemp -d)"; failed=0
    for q in "${queries[@]}"; do
      log "$q: $events events, parallelism $parallelism, $variant"
      run_query "$q" --events "$events" --parallelism "$parallelism" --variant "$variant" \
        --output "$out/flink-$q.jsonl" >/dev/null
      (cd "$root" && node --import tsx bench/nexmark/loop/run.ts --query "$q" --events "$events" \
        --parallelism "$parallelism" --output "$out/loop-$q.jsonl" >/dev/null)
      (cd "$root" && node --import tsx bench/nexmark/compare.ts "$q" "$out/flink-$q.jsonl" "$out/loop-$q.jsonl") || failed=1
    done
    rm -rf "$out"
    exit "$failed"
    ;;
  dump-events)
    build
    java "${java_opts[@]}" -cp "$jar" dev.eddy.bench.nexmark.NexmarkMain --dump-events "$@" 2>/dev/null
    ;;
  pipeline-test)
    log "running PipelineTestTimingTest (10 fresh MiniClusters)"
    (cd "$here" && { mvn -q -o -B -Dstyle.color=never test -DskipPipelineTests=false -Dtest=PipelineTestTimingTest \
      -Dsurefire.failIfNoSpecifiedTests=false 2>/dev/null ||
      mvn -q -B test -DskipPipelineTests=false -Dtest=PipelineTestTimingTest; }) |
      grep -oE '\{"engine".*\}' || { log "failed; run mvn test -Dtest=PipelineTestTimingTest in $here"; exit 1; }
    ;;
  async-io)
    build
    latency=5; args=()
    while [[ $# -gt 0 ]]; do
      if [[ "$1" == --latency ]]; then latency="$2"; shift 2; else args+=("$1"); shift; fi
    done
    coproc server { cd "$root" && exec node --import tsx bench/profile-server.ts --latency "$latency"; }
    read -r url <&"${server[0]}"
    log "profile service at $url ($latency ms)"
    java "${java_opts[@]}" -cp "$jar" dev.eddy.bench.async.AsyncIoMain --url "$url" "${args[@]}" 2>/dev/null ||
      status=$?
    kill "$server_PID" 2>/dev/null || true
    exit "${status:-0}"
    ;;
  kafka)
    build
    java "${java_opts[@]}" -cp "$jar" dev.eddy.bench.kafka.KafkaMapMain "$@" 2>/dev/null
    ;;
  keyed-state)
    build
    # Tuned as the Nexmark baseline: a fixed heap, ParallelGC.
    java "${java_opts[@]}" "${tuned_java_opts[@]}" -cp "$jar" dev.eddy.bench.state.KeyedStateMain "$@" 2>/dev/null
    ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
