# scripts/lib.sh — shell helpers shared by scripts/*.sh and bench/*.sh (source it; bash only).
#
#   REPO, SHARED          repo root and ../shared beside it (both absolute)
#   log MSG...            "== MSG" on stderr, with seconds since the script started
#   spindle_bin           the binary to test: $SPINDLE_BIN, else .build/debug/spindle
#   spindle_start NAME ARGS...
#                         starts `$(spindle_bin) serve --host 127.0.0.1 --port 0
#                         --data-dir <fresh temp dir> ARGS...`, waits (SPINDLE_START_TIMEOUT_S,
#                         default 30) for its one `event=listening` stdout line and sets
#                         SPINDLE_PID_<NAME>, SPINDLE_ADDR_<NAME> (host:port),
#                         SPINDLE_PORT_<NAME>; output goes to $SPINDLE_LOG_DIR/NAME.log
#   spindle_stop NAME     SIGTERM, wait up to 15 s (then SIGKILL); returns the exit status
#                         (0 = graceful drain worked)
#   spindle_stop_all      stops every server started here (for `trap ... EXIT`)
# One implementation of "start spindle on a free port": the Python twin for tests and
# bench/memory.py is scripts/spindle_proc.py and follows the same contract.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=$(cd "$REPO/.." && pwd)/shared
case ":$PATH:" in *:/opt/swift/usr/bin:*) ;; *) [ -d /opt/swift/usr/bin ] && PATH=$PATH:/opt/swift/usr/bin ;; esac
export PATH
LIB_T0=${LIB_T0:-$(date +%s)}
SPINDLE_LOG_DIR=${SPINDLE_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/spindle-logs.XXXXXX")}
SPINDLE_STARTED=()

log() { echo "== [$(($(date +%s) - LIB_T0))s] $*" >&2; }

spindle_bin() { echo "${SPINDLE_BIN:-$REPO/.build/debug/spindle}"; }

spindle_start() {
  local name=$1; shift
  local bin; bin=$(spindle_bin)
  [ -x "$bin" ] || { echo "spindle_start: no executable at $bin (swift build first)" >&2; return 1; }
  local data; data=$(mktemp -d "${TMPDIR:-/tmp}/spindle-data-$name.XXXXXX")
  local out=$SPINDLE_LOG_DIR/$name.log
  "$bin" serve --host 127.0.0.1 --port 0 --data-dir "$data" "$@" > "$out" 2>&1 &
  local pid=$! addr="" i
  SPINDLE_STARTED+=("$pid:$data")
  for ((i = 0; i < ${SPINDLE_START_TIMEOUT_S:-30} * 10; i++)); do
    # " addr=": the space keeps http_addr= (the HTTP face, later on the same line) from matching.
    addr=$(sed -n 's/.*event=listening.* addr=\([^ ]*\).*/\1/p' "$out" | head -n1)
    [ -n "$addr" ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  if [ -z "$addr" ]; then
    echo "spindle_start $name: no 'event=listening' line from $bin (log $out):" >&2
    tail -n 20 "$out" | sed 's/^/    /' >&2
    kill -9 "$pid" 2> /dev/null
    return 1
  fi
  printf -v "SPINDLE_PID_$name" %s "$pid"
  printf -v "SPINDLE_ADDR_$name" %s "$addr"
  printf -v "SPINDLE_PORT_$name" %s "${addr##*:}"
  log "spindle $name: pid $pid listening on $addr (log $out)"
}

_stop_pid() {  # PID -> its exit status; SIGTERM, 15 s grace, then SIGKILL
  local pid=$1 i
  kill -TERM "$pid" 2> /dev/null || return 0
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2> /dev/null && { echo "pid $pid ignored SIGTERM for 15 s: SIGKILL" >&2; kill -9 "$pid"; }
  wait "$pid" 2> /dev/null
}

spindle_stop() {
  local name=$1 var="SPINDLE_PID_$1"
  local pid=${!var:-}
  [ -n "$pid" ] || return 0
  _stop_pid "$pid"
  local rc=$?
  printf -v "SPINDLE_PID_$name" %s ""
  return $rc
}

spindle_stop_all() {
  local e
  for e in "${SPINDLE_STARTED[@]}"; do
    _stop_pid "${e%%:*}" || true
    rm -rf "${e#*:}"
  done
  SPINDLE_STARTED=()
}
