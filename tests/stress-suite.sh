#!/usr/bin/env bash
# Runs the whole suite N times (default 20) while a busy loop occupies every core, and prints how
# often each test failed. A test that depends on timing or scheduling shows up here.
#   tests/stress-suite.sh [N]
# Builds once, then runs `dotnet test PoeSharp.sln --no-build`; keeps the console log of every
# failed run and prints where.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-20}
case $runs in '' | *[!0-9]* | 0) echo "usage: $0 [runs (a positive number, default 20)]" >&2; exit 2 ;; esac

logs=$(mktemp -d "${TMPDIR:-/tmp}/stress-suite.XXXXXX")
busy=()
stop_busy() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null; done
  busy=()
}
trap stop_busy EXIT
trap 'exit 130' INT TERM

dotnet build PoeSharp.sln > "$logs/build.log" 2>&1 || { cat "$logs/build.log"; exit 1; }

for _ in $(seq "$(nproc)"); do
  ( while :; do :; done ) &
  busy+=("$!")
done
echo "$(nproc) busy loops: ${busy[*]}"

failed_runs=0
for run in $(seq "$runs"); do
  log="$logs/run-$run.log"
  if dotnet test PoeSharp.sln --no-build > "$log" 2>&1; then
    echo "run $run: passed"
    rm -f "$log"
  else
    failed_runs=$((failed_runs + 1))
    # The console logger lists each failed test as "  Failed Name [duration]".
    names=$(grep -E '^ +Failed [^ ]' "$log" | sed -E 's/^ +Failed (.*) \[[^]]*\]$/\1/' | sort -u)
    echo "run $run: FAILED (log: $log)"
    if [ -n "$names" ]; then
      printf '%s\n' "$names" | sed 's/^/  /'
      printf '%s\n' "$names" >> "$logs/failed-tests"
    else
      echo "  no failed test named (a crash or an aborted run?)"
      echo "(run $run: no test named, see $log)" >> "$logs/failed-tests"
    fi
  fi
done
stop_busy

if [ -s "$logs/failed-tests" ]; then
  echo "Failures per test over $runs runs:"
  sort "$logs/failed-tests" | uniq -c | sort -rn
else
  rm -rf "$logs"
fi
echo "$runs runs, $failed_runs failed runs"
[ "$failed_runs" -eq 0 ]
