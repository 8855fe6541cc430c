#!/usr/bin/env bash
# bench/run.sh — Spindle next to the reference gRPC servers of ../shared/bench, in one run, same
# CPU pinning (server on CPU 0, load on CPU 1), then the table with a RATIO column (ratios.py).
#
#   PEERS="cpp-grpc go-grpc swift-grpc python-grpcio"   reference peers (default: all four;
#                        swift-grpc's first build takes ~8 min, so e.g. PEERS="cpp-grpc go-grpc")
#   SPINDLE_CMD=...      command for the server under test instead of the release spindle (with
#                        {port}; run from ../shared/bench), e.g. to check this script with a peer
#   PASSES=N             N full side-by-side runs; the table shows medians (default 1)
#   TESTS, DUR, WARMUP, LAT_DUR, CEILING=0 ...  passed through to compare.sh / run.sh
# Results: bench/results/<timestamp>/ (results.txt, table.md, ratios.md, server logs).
# Full run ~4-5 min plus builds; it uses both CPUs, so run it on a quiet machine.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
BENCH=$SHARED/bench
read -r -a PEER_LIST <<< "${PEERS:-cpp-grpc go-grpc swift-grpc python-grpcio}"
"$REPO/scripts/deps.sh"

built() {  # PEER -> 0 when its start.sh would find what it needs
  case $1 in
    python-grpcio) [ -x "$BENCH/.venv/bin/python" ] && [ -d "$BENCH/peers/python-grpcio/gen" ] ;;
    *) [ -x "$BENCH/peers/$1/bin/server" ] ;;
  esac
}
[ -x "$BENCH/tools/bin/h2grpc" ] || "$BENCH/tools/build.sh"
for p in "${PEER_LIST[@]}"; do
  built "$p" && continue
  log "building peer $p (log $BENCH/peers/$p/build.log)"
  "$BENCH/peers/$p/build.sh" > "$BENCH/peers/$p/build.log" 2>&1 ||
    { echo "peer $p failed to build:" >&2; tail -5 "$BENCH/peers/$p/build.log" >&2; exit 1; }
done

DATA=$(mktemp -d "${TMPDIR:-/tmp}/spindle-bench-data.XXXXXX")
trap 'rm -rf "$DATA"' EXIT
if [ -z "${SPINDLE_CMD:-}" ]; then
  log "scripts/build-release.sh"
  SPINDLE_CMD="$("$REPO/scripts/build-release.sh") serve --port {port} --threads 1 --data-dir $DATA"
fi

OUT=$REPO/bench/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
# PASSES=N: N whole side-by-side runs, one after another; the table gives each figure's median
# (this host's speed drifts by a fourth within minutes, and a slow minute lands on one peer).
PASSES=${PASSES:-1}
results=()
for pass in $(seq "$PASSES"); do
  dir=$OUT
  [ "$PASSES" -gt 1 ] && dir=$OUT/pass-$pass
  mkdir -p "$dir"
  log "compare.sh (pass $pass of $PASSES): spindle + ${PEER_LIST[*]} -> $dir"
  RESULTS_DIR=$dir "$BENCH/compare.sh" "spindle=$SPINDLE_CMD" "${PEER_LIST[@]}"
  if grep -q '^spindle check FAIL\|^spindle start FAIL' "$dir/results.txt"; then
    echo "spindle did not pass the harness check (see $dir/spindle.log)" >&2
    exit 1
  fi
  results+=("$dir/results.txt")
done
echo
python3 "$REPO/bench/ratios.py" "${results[@]}" | tee "$OUT/ratios.md"
