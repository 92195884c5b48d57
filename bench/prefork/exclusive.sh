#!/usr/bin/env bash
# A/B of PreforkHttpd's exclusive wake-up of the shared listener (--exclusive-accept, epoll's
# EPOLLEXCLUSIVE, the default) against --no-exclusive-accept, interleaved round by round in one
# run: both servers run side by side, churn off, and wrk measures each in turn, in close-per-request mode
# ("Connection: close") and keep-alive, at each count of accepting processes (--max-processes N-1,
# since the parent accepts too), and "light": close per request from only 2 connections, so most
# processes are idle when a connection arrives (where waking all of them costs most). Per run: req/s,
# p99, the server tree's CPU per request, its voluntary context switches per request (the kernel's
# own counter, summed over each process's main thread: roughly the wake-ups), and
# from a separate short run under `strace -f -c -e trace=accept4` (strace slows the server, so
# only the counts are kept) the accept4 calls and the EAGAIN ones per connection.
#
#   bench/prefork/exclusive.sh [--duration S] [--rounds N] [--connections N] [--processes "11 2"]
#                              [--modes "close keepalive light"] [--no-build]
#
# Servers run on CPU 0, wrk on CPU 1, both at nice -10 when allowed. Loopback only; every server is
# started in its own process group and stopped by pid.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=bench/prefork/lib.sh
. "$ROOT/bench/prefork/lib.sh"
DURATION=5 ROUNDS=3 CONNECTIONS=32 PROCESSES="11 2" MODES="close keepalive light" BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --processes) PROCESSES="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "exclusive.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d /tmp/prefork-excl.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -KILL -- "-$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

NICE=""; nice -n -10 true 2>/dev/null && NICE="nice -n -10"
SERVER_CPU=""; CLIENT_CPU=""
if command -v taskset >/dev/null && [[ "$(nproc)" -ge 2 ]]; then SERVER_CPU="taskset -c 0"; CLIENT_CPU="taskset -c 1"; fi
if [[ $BUILD == 1 ]]; then
  dotnet build "$ROOT/examples/PreforkHttpd" -c Release --nologo -v q >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
fi
DLL="$ROOT/examples/PreforkHttpd/bin/Release/net10.0/PreforkHttpd.dll"
# tree_csw PGID: voluntary context switches of the main thread of every process of the group.
tree_csw() {
  local t=0 pid v
  for pid in $(ps -o pid= -g "$1"); do
    v=$(awk '/^voluntary_ctxt_switches/{print $2}' "/proc/$pid/status" 2>/dev/null) && [[ -n "$v" ]] && t=$((t + v))
  done
  echo "$t"
}

# start VARIANT MODE N: sets PORT and SERVER_PID.
start() {
  local variant="$1" mode="$2" n="$3" extra=()
  [[ "$variant" == exclusive ]] && extra+=(--exclusive-accept) || extra+=(--no-exclusive-accept)
  [[ "$mode" == keepalive ]] && extra+=(--keep-alive)
  PORT="$(free_port)"
  setsid $NICE $SERVER_CPU dotnet "$DLL" --port "$PORT" --address 127.0.0.1 --quiet --no-churn \
    --max-processes $((n - 1)) "${extra[@]}" >"$WORK/$variant.log" 2>&1 &
  PIDS+=("$!"); SERVER_PID="$!"
  for _ in $(seq 1 300); do
    [[ $(ps -o pid= -g "$SERVER_PID" | wc -l) -ge $n ]] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
  done
  sleep 1
}
stop() {
  kill -TERM -- "-$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
run_wrk() { # PORT MODE SECONDS
  local hdr=() c="$CONNECTIONS"
  [[ "$2" != keepalive ]] && hdr=(-H "Connection: close")
  [[ "$2" == light ]] && c=2
  $NICE $CLIENT_CPU wrk -t1 -c"$c" -d"$3s" --latency "${hdr[@]}" "http://127.0.0.1:$1/"
}

: >"$WORK/results.txt"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), ${CONNECTIONS} connections, ${DURATION} s x ${ROUNDS} rounds"
for n in $PROCESSES; do
  for mode in $MODES; do
    declare -A P=() S=()
    for v in plain exclusive; do start "$v" "$mode" "$n"; P[$v]=$PORT; S[$v]=$SERVER_PID; done
    for v in plain exclusive; do run_wrk "${P[$v]}" "$mode" 1 >/dev/null; done
    for round in $(seq 1 "$ROUNDS"); do
      for v in plain exclusive; do
        c0=$(tree_cpu "${S[$v]}"); w0=$(tree_csw "${S[$v]}")
        out="$(run_wrk "${P[$v]}" "$mode" "$DURATION")"
        c1=$(tree_cpu "${S[$v]}"); w1=$(tree_csw "${S[$v]}")
        req=$(grep -o '[0-9]* requests in' <<<"$out" | awk '{print $1}')
        echo "n=$n mode=$mode round=$round variant=$v rps=$(awk '/Requests\/sec/{print $2}' <<<"$out") p99=$(awk '$1=="99%"{print $2}' <<<"$out") requests=$req cpu_us=$(( req > 0 ? (c1 - c0) * 1000000 / $(getconf CLK_TCK) / req : 0 )) csw_per_100=$(( req > 0 ? (w1 - w0) * 100 / req : 0 )) errors=$(grep -c 'Socket errors\|Non-2xx' <<<"$out")" | tee -a "$WORK/results.txt"
      done
    done
    # accept4 counts: strace every process of the tree for a short run (strace slows the server).
    for v in plain exclusive; do
      args=()
      for pid in $(ps -o pid= -g "${S[$v]}"); do args+=(-p "$pid"); done
      strace -f -c -e trace=accept4 -o "$WORK/strace-$v.txt" "${args[@]}" 2>/dev/null & st=$!
      sleep 1
      out="$(run_wrk "${P[$v]}" "$mode" 2)"
      kill -INT "$st" 2>/dev/null; wait "$st" 2>/dev/null || true
      req=$(grep -o '[0-9]* requests in' <<<"$out" | awk '{print $1}')
      read -r calls errs < <(awk '$NF=="accept4"{print $4, (NF==6 ? $5 : 0)}' "$WORK/strace-$v.txt")
      echo "n=$n mode=$mode variant=$v strace requests=$req accept4=${calls:-0} eagain=${errs:-0}" | tee -a "$WORK/results.txt"
    done
    for v in plain exclusive; do stop "${S[$v]}"; done
    unset P S
  done
done

echo
python3 - "$WORK/results.txt" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list); st = {}
for line in open(sys.argv[1]):
    kv = dict(p.split('=', 1) for p in line.split() if '=' in p)
    key = (int(kv['n']), kv['mode'], kv['variant'])
    if 'strace' in line.split(): st[key] = kv
    else: runs[key].append(kv)
def ms(v):
    for unit, f in (('us', 0.001), ('ms', 1.0), ('s', 1000.0)):
        if v.endswith(unit): return float(v[:-len(unit)]) * f
    return float('nan')
med = statistics.median
print("| accepting processes | mode | variant | req/s (median) | p99 ms (median) | CPU µs per request | context switches per request | accept4 per connection | EAGAIN per connection |")
print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
for key in sorted(runs, key=lambda k: (-k[0], k[1], k[2] != 'plain')):
    rs = runs[key]; s = st.get(key, {})
    conns = int(s.get('requests', 0)) if key[1] != 'keepalive' else None
    a = int(s.get('accept4', 0)); e = int(s.get('eagain', 0))
    per = lambda x: f"{x / conns:.2f}" if conns else (f"{x} total" if s else "-")
    print(f"| {key[0]} | {key[1]} | {key[2]} | {med(float(r['rps']) for r in rs):,.0f} | {med(ms(r['p99']) for r in rs):.2f} | "
          f"{med(float(r['cpu_us']) for r in rs):.1f} | {med(float(r['csw_per_100']) for r in rs) / 100:.2f} | {per(a)} | {per(e)} |")
PY
