#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] — builds the libFuzzer targets in fuzz/ and runs each in turn for
# SECONDS divided by the number of targets (SECONDS is the whole run: 60 in CI, 3600 for the
# long run; at least 5 s each). Prints one line per target: executions, exec/s, coverage
# (cov = edges, ft = features), corpus size, the outcome, and the slowest input if one took 1 s
# or more (slowest=Ns; on a loaded machine, check it alone). Exits 1 if any target crashed,
# timed out (-timeout) or went over memory (-rss_limit_mb); the reproducer is kept in
# fuzz/artifacts/ (gitignored). Replay one with `fuzz/.build/release/fuzz-<target> <file>`.
#
#   scripts/fuzz.sh --seeds      regenerates the seeds the code itself makes (segments,
#                                snapshots, events, golden vectors) in fuzz/corpus/
#
# Each target reads its committed seeds (fuzz/corpus/<target>/, read only) and keeps what it
# finds in fuzz/.build/corpus/<target>/ (logs: fuzz/.build/fuzz-<target>.log), so later runs start from there; a dictionary
# fuzz/dict/<target>.dict is used when present. Targets are the directories in fuzz/Targets/.
# Env: FUZZ_TIMEOUT_S (per input, default 10), FUZZ_RSS_MB (default 2048), FUZZ_TARGETS
# (space-separated subset), FUZZ_BUILD (build, corpus and log directory; default fuzz/.build).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
FUZZ=$REPO/fuzz
SCRATCH=${FUZZ_BUILD:-$FUZZ/.build}
BIN=$SCRATCH/release
# The Swift backtracer would take over a crash (and wait on a terminal); libFuzzer must see it.
# Leak checks are off: the Swift runtime's lazily built metadata caches read as leaks.
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

build() {
  log "fuzz build (release, -sanitize=fuzzer,address)"
  local t0=$SECONDS
  # lld: gold fails to link libFuzzer's main beside SwiftPM's renamed entry point.
  swift build -c release --package-path "$FUZZ" --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >&2
  log "fuzz build took $((SECONDS - t0))s"
}

if [ "${1:-}" = --seeds ]; then
  build
  "$BIN/fuzz-seeds" "$FUZZ/corpus" "$REPO/Tests/MessagesTests/Golden"
  exit 0
fi

TOTAL=${1:-60}
TIMEOUT=${FUZZ_TIMEOUT_S:-10}
RSS=${FUZZ_RSS_MB:-2048}
read -r -a TARGETS <<< "${FUZZ_TARGETS:-$(ls "$FUZZ/Targets" | tr '\n' ' ')}"
PER=$((TOTAL / ${#TARGETS[@]}))
[ $PER -ge 5 ] || PER=5
build
mkdir -p "$FUZZ/artifacts"
SUMMARY=$SCRATCH/last-run.txt
: > "$SUMMARY"
failed=0
log "fuzz: ${#TARGETS[@]} targets, ${PER}s each, -timeout=$TIMEOUT -rss_limit_mb=$RSS"
for t in "${TARGETS[@]}"; do
  work=$SCRATCH/corpus/$t
  logf=$SCRATCH/fuzz-$t.log
  mkdir -p "$work" "$FUZZ/corpus/$t"
  dict=(); [ -f "$FUZZ/dict/$t.dict" ] && dict=(-dict="$FUZZ/dict/$t.dict")
  set +e
  "$BIN/fuzz-$t" -max_total_time="$PER" -timeout="$TIMEOUT" -rss_limit_mb="$RSS" -print_final_stats=1 -report_slow_units=1 \
    -artifact_prefix="$FUZZ/artifacts/$t-" "${dict[@]}" "$work" "$FUZZ/corpus/$t" > "$logf" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logf" | tail -1)
  last=$(grep -E '^#[0-9]+' "$logf" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last"); ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
  corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<< "$last")
  # libFuzzer reports each new slowest input of 1 s or more (-report_slow_units=1): worth a look.
  slow=$(sed -n 's/^Slowest unit: \([0-9]*\) s.*/\1/p' "$logf" | tail -1)
  [ -z "$slow" ] || outcome_note=" slowest=${slow}s"
  outcome=ok${outcome_note:-}; outcome_note=
  if [ $rc != 0 ]; then
    failed=1
    outcome="FAIL (exit $rc: $(grep -m1 -oE 'ERROR: libFuzzer: [a-z-]+|Fatal error: .*|ERROR: AddressSanitizer: [a-z-]+' "$logf" || echo see log)); $(grep -m1 -o "Test unit written to .*" "$logf" || true); log $logf"
  fi
  line=$(printf '%-14s execs=%-9s exec/s=%-6s cov=%-6s ft=%-6s corpus=%-12s %s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$outcome")
  echo "$line" | tee -a "$SUMMARY"
done
[ $failed = 0 ] && echo "fuzz: no crashes, timeouts or OOMs" || echo "fuzz: FAILED (reproducers in fuzz/artifacts/)"
exit $failed
