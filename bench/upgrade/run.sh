#!/usr/bin/env bash
# Times HelloHttp's binary upgrade (USR2, then QUIT to the old master) under a close-per-request
# and a keep-alive load: builds HelloHttp in Release (unless --no-build), then runs
# bench/upgrade/upgrade.py, which prints one row per upgrade and a closing RESULT PASS/FAIL line.
# Bounded: every wait gives up after 60 s; the server is started in its own session and every
# process of every master's tree is stopped by pid at the end.
#
#   bench/upgrade/run.sh [--no-build] [--upgrades N] [--workers N] [--clients N] [--settle S]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD=1
ARGS=()
for a in "$@"; do
  case "$a" in
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,9p' "$0"; exec python3 "$ROOT/bench/upgrade/upgrade.py" --help ;;
    *) ARGS+=("$a") ;;
  esac
done
if [[ $BUILD -eq 1 ]]; then
  dotnet build "$ROOT/examples/HelloHttp" -c Release -v quiet -nologo >/dev/null
fi
exec python3 "$ROOT/bench/upgrade/upgrade.py" "${ARGS[@]}"
