#!/usr/bin/env bash
# scripts/conformance.sh — the black-box conformance tools of ../shared/conformance against
# Spindle, over h2c and over TLS:
#   interop.sh              all 18 official interop cases (grpc-go client: 14 core, C++: 4 compression)
#   health_reflection.py    Health Check/Watch + reflection v1/v1alpha for $HR_SERVICES
#   h2probe.py --strict     HTTP/2 violations and floods (mitigation required)
# Builds the tools when missing (go interop ~20 s, C++ interop ~6 min, Python venv, certs), starts
# `$(spindle_bin) serve --testing-services` twice (h2c, and TLS with the test certs), each on a
# free port with its own temp --data-dir, stops both on exit, prints a summary and exits non-zero
# when any tool failed.
#
# Env: SPINDLE_BIN (default .build/debug/spindle); H2C_TARGET / TLS_TARGET=host:port run against
# an already running server instead of starting Spindle (used to validate this script against the
# reference servers, e.g. go_interop_server); HR_SERVICES (comma list); SKIP_TLS=1.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CONF=$SHARED/conformance
[ -d "$CONF" ] || { echo "conformance.sh: $CONF not found (../shared beside the repo)" >&2; exit 2; }
HR_SERVICES=${HR_SERVICES:-grpc.testing.TestService,grpc.health.v1.Health,grpc.testing.BenchmarkService}
RESULTS=$SPINDLE_LOG_DIR/conformance
mkdir -p "$RESULTS"

# 1. tools (each builder is idempotent; run only what is missing)
set -e
[ -x "$CONF/build/bin/go_interop_client" ] || { log "building go interop client"; "$CONF/tools/build_go_interop.sh"; }
[ -x "$CONF/build/bin/cpp_interop_client" ] || { log "building C++ interop client (~6 min)"; "$CONF/tools/build_cpp_interop.sh"; }
"$CONF/build/venv/bin/python" -c 'import grpc, grpc_health, grpc_reflection, hpack' 2> /dev/null ||
  { log "setting up conformance Python venv"; "$CONF/tools/setup_python.sh"; }
"$CONF/tools/gen_certs.sh" 2> /dev/null
set +e
PY=$CONF/build/venv/bin/python
CERTS=$CONF/build/certs

# 2. servers
trap spindle_stop_all EXIT
trap 'spindle_stop_all; exit 130' INT TERM
if [ -z "${H2C_TARGET:-}" ]; then
  spindle_start h2c --testing-services || exit 1
  H2C_TARGET=$SPINDLE_ADDR_h2c
fi
if [ "${SKIP_TLS:-0}" != 1 ] && [ -z "${TLS_TARGET:-}" ]; then
  spindle_start tls --testing-services --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" || exit 1
  TLS_TARGET=$SPINDLE_ADDR_tls
fi

# 3. the tools; each prints PASS/FAIL lines and ends with "N passed, M failed"
SUMMARY=(); FAILED=0
suite() {  # LABEL TIMEOUT_S CMD...
  local label=$1 tmo=$2; shift 2
  local out=$RESULTS/${label// /_}.txt t0=$SECONDS
  log "$label"
  (cd "$CONF" && timeout -k 10 "$tmo" "$@") > "$out" 2>&1
  local rc=$?
  sed "s/^/  [$label] /" "$out"
  local last; last=$(tail -n1 "$out")
  [ $rc = 124 ] && last="timed out after ${tmo}s"
  [ $rc = 0 ] || FAILED=$((FAILED + 1))
  SUMMARY+=("$(printf '%-4s %-26s %-34s %3ss' "$([ $rc = 0 ] && echo ok || echo FAIL)" "$label" "$last" $((SECONDS - t0)))")
}
hp() { echo "${1%:*} ${1##*:}"; }  # host:port -> "host port"

suite "interop h2c" 900 ./interop.sh $(hp "$H2C_TARGET") --timeout 30
suite "health_reflection h2c" 120 "$PY" health_reflection.py $(hp "$H2C_TARGET") --services "$HR_SERVICES"
suite "h2probe h2c" 600 "$PY" h2probe.py $(hp "$H2C_TARGET") --strict
if [ -n "${TLS_TARGET:-}" ]; then
  suite "interop tls" 900 ./interop.sh $(hp "$TLS_TARGET") --tls "$CERTS/ca.pem" --timeout 30
  suite "health_reflection tls" 120 "$PY" health_reflection.py $(hp "$TLS_TARGET") --tls "$CERTS/ca.pem" --services "$HR_SERVICES"
  suite "h2probe tls" 600 "$PY" h2probe.py $(hp "$TLS_TARGET") --tls --ca "$CERTS/ca.pem" --strict
fi

# 4. the servers must still be alive and drain cleanly on SIGTERM
for name in h2c tls; do
  var=SPINDLE_PID_$name
  [ -n "${!var:-}" ] || continue
  if ! kill -0 "${!var}" 2> /dev/null; then
    SUMMARY+=("FAIL spindle $name: died during the run (log $SPINDLE_LOG_DIR/$name.log)"); FAILED=$((FAILED + 1))
  elif spindle_stop "$name"; then
    SUMMARY+=("ok   spindle $name: SIGTERM -> exit 0")
  else
    SUMMARY+=("FAIL spindle $name: SIGTERM -> exit $?"); FAILED=$((FAILED + 1))
  fi
done

echo "== conformance summary (outputs in $RESULTS) =="
printf '%s\n' "${SUMMARY[@]}"
echo "conformance: $((${#SUMMARY[@]} - FAILED)) ok, $FAILED failed"
[ $FAILED = 0 ]
