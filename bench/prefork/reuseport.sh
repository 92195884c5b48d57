#!/usr/bin/env bash
# SO_REUSEPORT against the shared listening socket, in the same run: HelloHttp with --workers N,
# once as is (every worker accepts on one socket) and once with --reuseport (one socket per
# worker slot), interleaved round by round, under the same wrk load on loopback. Prints, per mode
# and load kind, requests/s, p50/p99 latency, socket errors, and how the requests and connections
# spread over the workers (from the status file's per-worker requests= and accepted=).
#
#   bench/prefork/reuseport.sh [--duration S] [--rounds N] [--connections N] [--workers N]
#                              [--loads "keepalive close"] [--no-build]
#
# keepalive = wrk's persistent connections (a connection stays with the worker that accepted it);
# close = "Connection: close", one request per connection. The server runs on CPU 0 and wrk on
# CPU 1 (taskset) when the machine has two CPUs. Every server is stopped by pid (TERM, then KILL).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DURATION=5; ROUNDS=3; CONNECTIONS=32; WORKERS=4; LOADS="keepalive close"; BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --loads) LOADS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "reuseport.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "reuseport.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/reuseport-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

SERVER_CPU=""; CLIENT_CPU=""
if command -v taskset >/dev/null && [[ "$(nproc)" -ge 2 ]]; then SERVER_CPU="taskset -c 0"; CLIENT_CPU="taskset -c 1"; fi

if [[ $BUILD == 1 ]]; then
  dotnet build "$ROOT/examples/HelloHttp" -c Release --nologo -v q >"$WORK/build.log" 2>&1 ||
    { grep -E "error" "$WORK/build.log" >&2; echo "reuseport.sh: build failed" >&2; exit 1; }
fi
HELLO="$ROOT/examples/HelloHttp/bin/Release/net10.0/HelloHttp"

# Starts HelloHttp (extra flags in $1) and waits until every worker is up; sets SERVER_PID and PORT.
start_server() {
  rm -f "$WORK/status"
  setsid $SERVER_CPU "$HELLO" --port 0 --workers "$WORKERS" --status-file "$WORK/status" $1 >/dev/null 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 300); do
    PORT="$(grep -o 'listening on port [0-9]*' "$WORK/server.err" 2>/dev/null | awk '{print $4}' || true)"
    if [[ -n "$PORT" && -f "$WORK/status" && "$(grep -c '^worker ' "$WORK/status")" == "$WORKERS" ]]; then return 0; fi
    sleep 0.1
  done
  echo "reuseport.sh: the server did not start:" >&2; cat "$WORK/server.err" >&2; exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$SERVER_PID" 2>/dev/null && { echo "reuseport.sh: server $SERVER_PID did not stop; killing" >&2; kill -KILL -- "-$SERVER_PID" 2>/dev/null || true; }
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# "min max cv" of a list of numbers.
spread() { awk '{ for (i = 1; i <= NF; i++) { v[n++] = $i; s += $i } } END {
  if (n == 0) { print "- - -"; exit } m = s / n; mn = v[0]; mx = v[0]
  for (i = 0; i < n; i++) { d += (v[i] - m) ^ 2; if (v[i] < mn) mn = v[i]; if (v[i] > mx) mx = v[i] }
  printf "%d %d %.2f\n", mn, mx, (m > 0 ? sqrt(d / n) / m : 0) }'; }

printf "%-5s %-10s %-9s %9s %8s %8s %6s  %-24s %-24s\n" round load mode "req/s" p50 p99 errors "requests/worker (cv)" "connections/worker (cv)"
for round in $(seq "$ROUNDS"); do
  for load in $LOADS; do
    for mode in shared reuseport; do
      flags=""; [[ $mode == reuseport ]] && flags="--reuseport"
      start_server "$flags"
      header=(); [[ $load == close ]] && header=(-H "Connection: close")
      $CLIENT_CPU wrk -t1 -c "$CONNECTIONS" -d "${DURATION}s" --latency "${header[@]}" "http://127.0.0.1:$PORT/" >"$WORK/wrk.out" 2>&1 || true
      # The status file is rewritten every 5 s: wait for one written after the load.
      ended=$(date +%s.%N)
      for _ in $(seq 80); do
        [[ "$(stat -c %Y.%y "$WORK/status" 2>/dev/null | cut -d. -f1)" > "${ended%.*}" ]] && break; sleep 0.1
      done
      rps=$(awk '/Requests\/sec/ {print int($2)}' "$WORK/wrk.out")
      p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.out")
      p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")
      errors=$(awk '/Socket errors|Non-2xx/ {gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) s += $i} END {print s + 0}' "$WORK/wrk.out")
      reqs=$(grep '^worker ' "$WORK/status" | grep -o ' requests=[0-9]*' | cut -d= -f2 | tr '\n' ' ')
      conns=$(grep '^worker ' "$WORK/status" | grep -o ' accepted=[0-9]*' | cut -d= -f2 | tr '\n' ' ')
      read -r rmin rmax rcv <<<"$(echo "$reqs" | spread)"
      read -r cmin cmax ccv <<<"$(echo "$conns" | spread)"
      printf "%-5s %-10s %-9s %9s %8s %8s %6s  %-24s %-24s\n" "$round" "$load" "$mode" "$rps" "$p50" "$p99" "$errors" \
        "$rmin-$rmax ($rcv)" "$cmin-$cmax ($ccv)"
      echo "# $round $load $mode requests: $reqs connections: $conns" >>"$WORK/detail"
      stop_server
    done
  done
done
echo; cat "$WORK/detail"
