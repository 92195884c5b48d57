#!/usr/bin/env bash
# Puts the same bounded load on PreforkHttpd, ForkPerConnection, the Perl original (DEBUG 0) and,
# when available, nginx, a minimal Kestrel app (bench/peers/kestrel) and a Node.js cluster
# (bench/peers/node/cluster.js), interleaved round by round, and prints requests/s, p50/p99
# latency, failed requests and the ratio to the Perl original.
#
# Modes: close = one request per connection, churn on (the original's TESTING_CHURN 1);
# nochurn = the same with churn off (TESTING_CHURN 0 in the Perl copy, --no-churn); keepalive =
# persistent connections (--keep-alive; the Perl original has none, so it closes each one).
# nginx, Kestrel and Node have no churn: close and nochurn run them the same way, and in every
# mode they keep their default persistent connections (the client's "Connection: close" ends
# each one in the close modes). A persistent connection may carry 10,000 requests on every server.
# NODE_SCHED=none in the environment lets the Node workers accept themselves (default: Node's
# round-robin, where the primary accepts and passes each connection to a worker).
#
# Two more modes, run only when named in --modes, measure with wrk (keep-alive) and sample the
# peak PSS of each server's whole process tree (/proc/PID/smaps_rollup) and its CPU per request:
# sweep = 32 connections at each count of accepting processes in --sweep (PreforkHttpd
# --max-processes N-1, since its parent accepts too; nginx worker_processes N; HelloHttp --workers N),
# every server with its defaults plus --keep-alive; c10k = 9,900 idle keep-alive connections (one
# request each, then silent; bench/prefork/idle_conns.py) plus 100 busy ones, at --c10k-processes
# accepting processes: memory per idle connection (PSS of the tree with them minus without) and the
# busy connections' req/s and p99 (PreforkHttpd with --no-churn there: with churn its children stop
# listening after a few connections and the parent ends up holding the idle ones). The descriptor
# limit is raised for this script's processes only. Servers of these modes: --sweep-servers (default "prefork nginx hello").
# A/B of two PreforkHttpd builds in the same run: PREFORK_BASE_DLL=/path/to/other/PreforkHttpd.dll in
# the environment and "prefork-base" in --sweep-servers runs that build as one more server.
#
#   bench/prefork/run.sh [--duration S] [--rounds N] [--connections N] [--modes "close nochurn keepalive"]
#                        [--servers "prefork fpc perl nginx kestrel node"] [--no-build]
#                        [--sweep "1 2 11"] [--c10k-processes N] [--sweep-servers "prefork nginx hello"]
#                        [--sweep-close]   (sweep: every request with "Connection: close", PreforkHttpd --no-churn)
#
# Servers run on CPU 0 and the client on CPU 1 (taskset) when the machine has two CPUs.
# Every server is started by this script in its own process group and stopped by pid.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=bench/prefork/lib.sh
. "$ROOT/bench/prefork/lib.sh"
DURATION=5
ROUNDS=3
CONNECTIONS=32
MODES="close nochurn keepalive"
SERVERS="prefork fpc perl nginx kestrel node"
BUILD=1
KESTREL_FAILED=0
SWEEP="1 2 11"
C10K_PROCESSES=11
SWEEP_SERVERS="prefork nginx hello"
SWEEP_WRK=()
SWEEP_LABEL=""
SWEEP_PREFORK=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    --servers) SERVERS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --sweep) SWEEP="$2"; shift 2 ;;
    --c10k-processes) C10K_PROCESSES="$2"; shift 2 ;;
    --sweep-servers) SWEEP_SERVERS="$2"; shift 2 ;;
    --sweep-close) SWEEP_WRK=(-H "Connection: close"); SWEEP_LABEL=" (close per request)"; SWEEP_PREFORK=(--no-churn); shift ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d /tmp/prefork-bench.XXXXXX)"
chmod 755 "$WORK"   # nginx workers run as another user
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] || continue
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  sleep 1
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] || continue
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  [[ -f "$WORK/nginx.pid" ]] && kill -QUIT "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SERVER_CPU=""; CLIENT_CPU=""
if command -v taskset >/dev/null && [[ "$(nproc)" -ge 2 ]]; then
  SERVER_CPU="taskset -c 0"; CLIENT_CPU="taskset -c 1"
fi

if [[ $BUILD == 1 ]]; then
  for p in examples/PreforkHttpd examples/ForkPerConnection examples/HelloHttp bench/PoeSharp.LoadClient; do
    if ! dotnet build "$ROOT/$p" -c Release --nologo -v q >"$WORK/build.log" 2>&1; then
      grep -E "error|Error" "$WORK/build.log" >&2 || cat "$WORK/build.log" >&2
      echo "run.sh: building $p failed" >&2; exit 1
    fi
  done
  # The Kestrel peer is optional: without it the run goes on with the others.
  if [[ " $SERVERS " == *" kestrel "* ]] &&
     ! dotnet build "$ROOT/bench/peers/kestrel" -c Release --nologo -v q >"$WORK/build-kestrel.log" 2>&1; then
    echo "run.sh: building bench/peers/kestrel failed; leaving kestrel out" >&2
    KESTREL_FAILED=1
  fi
fi
PREFORK_DLL="$ROOT/examples/PreforkHttpd/bin/Release/net10.0/PreforkHttpd.dll"
FPC_DLL="$ROOT/examples/ForkPerConnection/bin/Release/net10.0/ForkPerConnection.dll"
CLIENT_DLL="$ROOT/bench/PoeSharp.LoadClient/bin/Release/net10.0/PoeSharp.LoadClient.dll"
HELLO_DLL="$ROOT/examples/HelloHttp/bin/Release/net10.0/HelloHttp.dll"
KESTREL_DLL="$ROOT/bench/peers/kestrel/bin/Release/net10.0/KestrelPeer.dll"
NODE_CLUSTER="$ROOT/bench/peers/node/cluster.js"

wait_port() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "run.sh: nothing listens on port $1" >&2; return 1
}

# start NAME MODE: starts a server, sets PORT.
start() {
  local name="$1" mode="$2" extra=""
  PORT="$(free_port)"
  local churn=1
  # Persistent connections last 10,000 requests on every server (nginx: keepalive_requests).
  [[ "$mode" == keepalive ]] && extra="--keep-alive --max-requests 10000"
  [[ "$mode" == nochurn ]] && churn=0
  case "$name" in
    prefork)
      [[ $churn == 0 ]] && extra="--no-churn"
      setsid $SERVER_CPU dotnet "$PREFORK_DLL" --port "$PORT" --quiet $extra >"$WORK/$name.log" 2>&1 & ;;
    fpc)
      # One child per connection: with persistent connections every client needs its own child.
      [[ "$mode" == keepalive ]] && extra="$extra --max-processes $((CONNECTIONS + 8))"
      setsid $SERVER_CPU dotnet "$FPC_DLL" --port "$PORT" --quiet $extra >"$WORK/$name.log" 2>&1 & ;;
    perl)
      # The original with DEBUG 0 and another port; the seed itself is not touched.
      sed -e 's/use constant DEBUG         => 1;/use constant DEBUG         => 0;/' \
          -e "s/use constant SERVER_PORT   => 8888;/use constant SERVER_PORT   => $PORT;/" \
          -e "s/use constant TESTING_CHURN => 1;/use constant TESTING_CHURN => $churn;/" \
          /work/shared/seeds/poe-prefork-server.pl >"$WORK/poe-prefork-server.pl"
      setsid $SERVER_CPU perl "$WORK/poe-prefork-server.pl" >"$WORK/$name.log" 2>&1 & ;;
    nginx)
      mkdir -p "$WORK/www" "$WORK/nginx-tmp"
      printf '<html><head><title>POE Pre-Forking Server Example</title></head><body><table border=1><tr><td>Host</td><td>127.0.0.1</td></tr><tr><td>PID</td><td>1</td></tr><tr><td>time</td><td>static</td></tr></table></body></html>' >"$WORK/www/index.html"
      cat >"$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK/nginx-tmp; fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp; scgi_temp_path $WORK/nginx-tmp;
  keepalive_requests 10000;
  server { listen 127.0.0.1:$PORT; root $WORK/www; default_type text/html; }
}
NGINX
      setsid $SERVER_CPU /usr/sbin/nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" >"$WORK/$name.log" 2>&1 & ;;
    kestrel)
      # Kestrel's defaults: persistent connections with no request limit per connection.
      setsid $SERVER_CPU dotnet "$KESTREL_DLL" "$PORT" >"$WORK/$name.log" 2>&1 & ;;
    node)
      # One worker per CPU (Node's count, not the pinned set); 10,000 requests per connection as nginx.
      setsid $SERVER_CPU node "$NODE_CLUSTER" "$PORT" --max-requests 10000 ${NODE_SCHED:+--sched "$NODE_SCHED"} \
        >"$WORK/$name.log" 2>&1 & ;;
  esac
  PIDS+=("$!")
  SERVER_PID="$!"
  wait_port "$PORT"
  sleep 0.5
}

stop() {
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
  kill -INT -- "-$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

AVAILABLE=""
for s in $SERVERS; do
  case "$s" in
    nginx) [[ -x /usr/sbin/nginx ]] && AVAILABLE+=" $s" ;;
    perl) perl -MPOE -e1 2>/dev/null && AVAILABLE+=" $s" ;;
    kestrel) [[ $KESTREL_FAILED == 0 && -f "$KESTREL_DLL" ]] && AVAILABLE+=" $s" ;;
    node) command -v node >/dev/null && AVAILABLE+=" $s" ;;
    *) AVAILABLE+=" $s" ;;
  esac
done

RESULTS="$WORK/results.txt"
: >"$RESULTS"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, ${CONNECTIONS} connections, ${DURATION} s x ${ROUNDS} rounds, servers:${AVAILABLE}"
CLASSIC_MODES=""
for mode in $MODES; do [[ "$mode" == sweep || "$mode" == c10k ]] || CLASSIC_MODES+=" $mode"; done
for mode in $CLASSIC_MODES; do
  # Every server of this mode runs for the whole mode, so each round measures them back to back.
  declare -A PORTS=() SPIDS=()
  for s in $AVAILABLE; do
    start "$s" "$mode"; PORTS[$s]=$PORT; SPIDS[$s]=$SERVER_PID
  done
  for round in $(seq 1 "$ROUNDS"); do
    for s in $AVAILABLE; do
      client_mode=""
      [[ "$mode" == keepalive ]] && client_mode="--keep-alive"
      out="$($CLIENT_CPU dotnet "$CLIENT_DLL" --name "$s" --port "${PORTS[$s]}" --connections "$CONNECTIONS" \
              --duration "$DURATION" --warmup 1 $client_mode)"
      echo "[$mode, round $round] $(grep -v '^RESULT' <<<"$out")"
      echo "mode=$mode round=$round $(grep '^RESULT' <<<"$out")" >>"$RESULTS"
    done
  done
  for s in $AVAILABLE; do SERVER_PID=${SPIDS[$s]}; stop; done
  unset PORTS SPIDS
done

if [[ -n "$CLASSIC_MODES" ]]; then
echo
echo "| mode | server | req/s (median) | p50 ms | p99 ms | failed | ratio to Perl | server PIDs seen per s |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
python3 - "$RESULTS" "$DURATION" <<'PY'
import sys, statistics, collections
DURATION = float(sys.argv[2])
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kv = dict(p.split('=', 1) for p in line.split() if '=' in p)
    rows[(kv['mode'], kv['name'])].append(kv)
def med(xs):
    xs = [float(x) for x in xs if x != 'NaN']
    return statistics.median(xs) if xs else float('nan')
for mode in dict.fromkeys(m for m, _ in rows):
    perl = med(r['rps'] for r in rows.get((mode, 'perl'), [])) if (mode, 'perl') in rows else None
    for (m, name), rs in rows.items():
        if m != mode: continue
        rps = med(r['rps'] for r in rs)
        failed = sum(int(r['failed']) for r in rs)
        kinds = ','.join(f"{k}={sum(int(r[k]) for r in rs)}" for k in ('connect','reset','short','dup','stalled','status','body') if sum(int(r[k]) for r in rs))
        ratio = f"{rps / perl:.1f}x" if perl else "-"
        # Distinct PIDs that answered, per second of a round: with churn, about the fork rate.
        pids = med(float(r.get('pids', 'NaN')) / float(r.get('seconds', DURATION)) for r in rs)
        print(f"| {mode} | {name} | {rps:.0f} | {med(r['p50_ms'] for r in rs):.2f} | {med(r['p99_ms'] for r in rs):.2f} | {failed}{' ('+kinds+')' if kinds else ''} | {ratio} | {pids:.0f} |")
PY
fi

# ---- sweep and c10k: wrk, keep-alive, peak PSS of the tree, CPU per request ----
if [[ " $MODES " == *" sweep "* || " $MODES " == *" c10k "* ]]; then
  command -v wrk >/dev/null || { echo "run.sh: sweep and c10k need wrk (apt-get install wrk)" >&2; exit 1; }
  # Descriptors for 10,000 connections on each side; this shell and what it starts only.
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  PSS_PEAK="$WORK/pss-peak"

  # tree_pss PGID: summed Pss (KiB) of every process in the group.
  tree_pss() {
    local t=0 v d
    for d in /proc/[0-9]*; do
      [[ "$(cut -d' ' -f5 "$d/stat" 2>/dev/null)" == "$1" ]] || continue
      v=$(awk '/^Pss:/{print $2}' "$d/smaps_rollup" 2>/dev/null) && [[ -n "$v" ]] && t=$((t + v))
    done
    echo "$t"
  }
  # sample_pss PGID: writes the peak tree PSS to $PSS_PEAK until killed.
  sample_pss() {
    local peak=0 v
    # Written aside and renamed: the sampler is killed at any moment, never halfway through a write.
    while :; do v=$(tree_pss "$1"); ((v > peak)) && { peak=$v; echo "$peak" >"$PSS_PEAK.new"; mv -f "$PSS_PEAK.new" "$PSS_PEAK"; }; sleep 0.3; done
  }

  # sweep_start NAME PROCESSES [EXTRA...]: starts a server with PROCESSES accepting processes, sets PORT and SERVER_PID.
  sweep_start() {
    local name="$1" n="$2"; shift 2
    PORT="$(free_port)"
    case "$name" in
      prefork|prefork-base)
        local dll="$PREFORK_DLL"
        [[ "$name" == prefork-base ]] && dll="$PREFORK_BASE_DLL"
        setsid $SERVER_CPU dotnet "$dll" --port "$PORT" --address 127.0.0.1 --quiet --keep-alive \
          --max-processes $((n - 1)) "$@" >"$WORK/$name.log" 2>&1 & ;;
      hello)
        setsid $SERVER_CPU dotnet "$HELLO_DLL" --port "$PORT" --address 127.0.0.1 --workers "$n" \
          --access-log /dev/null >"$WORK/$name.log" 2>&1 & ;;
      nginx)
        mkdir -p "$WORK/www" "$WORK/nginx-tmp"
        printf '<html><head><title>POE Pre-Forking Server Example</title></head><body><table border=1><tr><td>Host</td><td>127.0.0.1</td></tr><tr><td>PID</td><td>1</td></tr><tr><td>time</td><td>static</td></tr></table></body></html>' >"$WORK/www/index.html"
        # nginx's defaults (keepalive_requests 1000, keepalive_timeout 75 s) but for the
        # descriptors 10,000 connections need (c10k only: nginx allocates its connection table
        # up front, about 8 MiB per worker for 20,000).
        cat >"$WORK/nginx-sweep.conf" <<NGINX
worker_processes $n;
worker_rlimit_nofile 65536;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
daemon off;
events { worker_connections ${NGINX_CONNECTIONS:-1024}; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK/nginx-tmp; fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp; scgi_temp_path $WORK/nginx-tmp;
  server { listen 127.0.0.1:$PORT; root $WORK/www; default_type text/html; }
}
NGINX
        setsid $SERVER_CPU /usr/sbin/nginx -c "$WORK/nginx-sweep.conf" -e "$WORK/nginx-error.log" >"$WORK/$name.log" 2>&1 & ;;
    esac
    PIDS+=("$!")
    SERVER_PID="$!"
    wait_port "$PORT"
    # PreforkHttpd's parent listens before it forks: wait for the whole tree (nginx and HelloHttp:
    # a master and n workers), or the first figures would be the parent's alone.
    local want have
    [[ "$name" == prefork* ]] && want=$n || want=$((n + 1))
    for _ in $(seq 1 300); do
      have=$(ps -o pid= -g "$SERVER_PID" | wc -l)
      ((have >= want)) && break
      sleep 0.1
    done
    sleep 1
  }

  # measure NAME PGID PORT CONNECTIONS LABEL: one wrk run; appends a result line.
  measure() {
    local name="$1" pgid="$2" port="$3" conns="$4" label="$5" c0 c1 out sampler n
    echo 0 >"$PSS_PEAK"
    c0=$(tree_cpu "$pgid")
    sample_pss "$pgid" & sampler=$!
    out="$($CLIENT_CPU wrk -t1 -c"$conns" -d"${DURATION}s" --latency "${SWEEP_WRK[@]}" "http://127.0.0.1:$port/")"
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    c1=$(tree_cpu "$pgid")
    n=$(grep -o '[0-9]* requests in' <<<"$out" | awk '{print $1}')
    echo "$label name=$name rps=$(awk '/Requests\/sec/{print $2}' <<<"$out") p99=$(awk '$1=="99%"{print $2}' <<<"$out") \
requests=$n pss_kib=$(cat "$PSS_PEAK") cpu_us=$(( n > 0 ? (c1 - c0) * 1000000 / $(getconf CLK_TCK) / n : 0 )) \
errors=$(grep -c 'Socket errors\|Non-2xx' <<<"$out")" | tee -a "$WORK/sweep.txt"
  }

  SWEEP_AVAILABLE=""
  for s in $SWEEP_SERVERS; do
    case "$s" in
      nginx) [[ -x /usr/sbin/nginx ]] && SWEEP_AVAILABLE+=" $s" ;;
      hello) [[ -f "$HELLO_DLL" ]] && SWEEP_AVAILABLE+=" $s" ;;
      prefork-base) [[ -f "${PREFORK_BASE_DLL:-}" ]] && SWEEP_AVAILABLE+=" $s" ;;
      *) SWEEP_AVAILABLE+=" $s" ;;
    esac
  done
  : >"$WORK/sweep.txt"

  if [[ " $MODES " == *" sweep "* ]]; then
    echo "# sweep${SWEEP_LABEL}: $(date -u '+%Y-%m-%d %H:%M UTC'), accepting processes: $SWEEP, servers:$SWEEP_AVAILABLE, ${CONNECTIONS} connections, ${DURATION} s x ${ROUNDS} rounds"
    for n in $SWEEP; do
      declare -A SPORTS=() SPIDS2=()
      for s in $SWEEP_AVAILABLE; do
        extra=()
        # Close per request compares serving, not the seed's churn (which forks on new connections).
        [[ "$s" == prefork* ]] && extra=("${SWEEP_PREFORK[@]}")
        sweep_start "$s" "$n" "${extra[@]}"; SPORTS[$s]=$PORT; SPIDS2[$s]=$SERVER_PID; done
      # A second of load first, so every server is measured warm.
      for s in $SWEEP_AVAILABLE; do $CLIENT_CPU wrk -t1 -c"$CONNECTIONS" -d1s "http://127.0.0.1:${SPORTS[$s]}/" >/dev/null; done
      for round in $(seq 1 "$ROUNDS"); do
        for s in $SWEEP_AVAILABLE; do measure "$s" "${SPIDS2[$s]}" "${SPORTS[$s]}" "$CONNECTIONS" "mode=sweep processes=$n round=$round"; done
      done
      for s in $SWEEP_AVAILABLE; do SERVER_PID=${SPIDS2[$s]}; stop; done
      [[ -f "$WORK/nginx.pid" ]] && rm -f "$WORK/nginx.pid"
      unset SPORTS SPIDS2
    done
  fi

  if [[ " $MODES " == *" c10k "* ]]; then
    IDLE=9900 BUSY=100 NGINX_CONNECTIONS=20000
    echo "# c10k: $(date -u '+%Y-%m-%d %H:%M UTC'), $IDLE idle + $BUSY busy connections, $C10K_PROCESSES accepting processes, servers:$SWEEP_AVAILABLE, ${DURATION} s x ${ROUNDS} rounds"
    for round in $(seq 1 "$ROUNDS"); do
      for s in $SWEEP_AVAILABLE; do
        extra=()
        # Idle connections must outlive the run (nginx: 75 s). Churn off: with churn a child stops
        # listening after a few connections and lives on while its idle ones stay open, so the
        # parent ends up holding nearly all 9,900 (the seed's rule, but no pre-forked server).
        [[ "$s" == prefork* ]] && extra=(--keep-alive-timeout 120 --no-churn)
        sweep_start "$s" "$C10K_PROCESSES" "${extra[@]}"
        $CLIENT_CPU wrk -t1 -c"$BUSY" -d1s "http://127.0.0.1:$PORT/" >/dev/null
        # 3 s of quiet before each sample: a server may give memory back when idle (PreforkHttpd
        # compacts its heap after a quiet second), and both samples should see it settled.
        sleep 3
        before=$(tree_pss "$SERVER_PID")
        exec {idle_in}> >($CLIENT_CPU python3 "$ROOT/bench/prefork/idle_conns.py" "$PORT" "$IDLE" --deadline 60 >"$WORK/idle.out")
        for _ in $(seq 1 1200); do grep -q '^ready' "$WORK/idle.out" 2>/dev/null && break; sleep 0.05; done
        sleep 3
        with=$(tree_pss "$SERVER_PID")
        ready=$(awk '/^ready/{print $2}' "$WORK/idle.out")
        measure "$s" "$SERVER_PID" "$PORT" "$BUSY" "mode=c10k round=$round idle=${ready:-0} pss_idle_kib=$before pss_with_idle_kib=$with"
        exec {idle_in}>&-
        for _ in $(seq 1 200); do grep -q '^alive' "$WORK/idle.out" 2>/dev/null && break; sleep 0.05; done
        echo "  $s: idle connections still open after the busy run: $(awk '/^alive/{print $2}' "$WORK/idle.out")"
        stop
        [[ -f "$WORK/nginx.pid" ]] && rm -f "$WORK/nginx.pid"
      done
    done
  fi

  echo
  python3 - "$WORK/sweep.txt" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kv = dict(p.split('=', 1) for p in line.split() if '=' in p)
    rows[(kv['mode'], kv.get('processes', ''), kv['name'])].append(kv)
def ms(v):
    v = v.strip()
    for unit, f in (('us', 0.001), ('ms', 1.0), ('s', 1000.0)):
        if v.endswith(unit): return float(v[:-len(unit)]) * f
    return float('nan')
def med(xs): xs = [x for x in xs if x == x]; return statistics.median(xs) if xs else float('nan')
names = {'prefork': 'PreforkHttpd', 'prefork-base': 'PreforkHttpd (PREFORK_BASE_DLL)', 'nginx': 'nginx', 'hello': 'HelloHttp (HttpServer)'}
sweep = [(k, v) for k, v in rows.items() if k[0] == 'sweep']
if sweep:
    print("| accepting processes | server | req/s (median) | p99 ms (median) | peak PSS of the tree, MiB | CPU µs per request | runs with errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (m, n, name), rs in sorted(sweep, key=lambda kv: (int(kv[0][1]), kv[0][2])):
        print(f"| {n} | {names.get(name, name)} | {med(float(r['rps']) for r in rs):,.0f} | {med(ms(r['p99']) for r in rs):.2f} | "
              f"{max(int(r['pss_kib']) for r in rs) / 1024:.1f} | {med(float(r['cpu_us']) for r in rs):.1f} | {sum(int(r['errors']) > 0 for r in rs)} |")
c10k = [(k, v) for k, v in rows.items() if k[0] == 'c10k']
if c10k:
    print()
    print("| C10K | server | idle connections answered | busy req/s (median) | busy p99 ms (median) | PSS without → with idle, MiB | bytes per idle connection (median) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (m, n, name), rs in sorted(c10k, key=lambda kv: kv[0][2]):
        per = med((int(r['pss_with_idle_kib']) - int(r['pss_idle_kib'])) * 1024 / max(1, int(r['idle'])) for r in rs)
        print(f"| c10k | {names.get(name, name)} | {min(int(r['idle']) for r in rs)} | {med(float(r['rps']) for r in rs):,.0f} | {med(ms(r['p99']) for r in rs):.2f} | "
              f"{med(int(r['pss_idle_kib']) for r in rs) / 1024:.1f} → {med(int(r['pss_with_idle_kib']) for r in rs) / 1024:.1f} | {per:,.0f} |")
PY
fi
