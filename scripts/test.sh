#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests use (Debian's etcd-server and
# etcd-client, the reference Kvasir is compared with), builds the solution, runs every test project
# and ends with one line: "N passed, M failed" (totals over all test projects).
#
#   scripts/test.sh                 everything
#   scripts/test.sh --filter EXPR   only the tests matching a dotnet test filter
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

filter=()
if [ "${1:-}" = "--filter" ] && [ -n "${2:-}" ]; then
  filter=(--filter "$2")
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! [ -x /usr/bin/etcd ] || ! [ -x /usr/bin/etcdctl ]; then
  echo "== installing etcd-server and etcd-client (Debian) for the compatibility tests"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq etcd-server etcd-client >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== building (Release)"
if ! dotnet build Kvasir.slnx -c Release -nologo -clp:ErrorsOnly; then
  echo "the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$root/TestResults/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
echo "== testing (results in ${results#"$root"/})"
dotnet test Kvasir.slnx -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 10m "${filter[@]}" 2>&1 | grep -vE '^\s*$|^Test run for|^A total of|^VSTest|^Results File|^Copyright|^Starting test execution'

passed=0
failed=0
shopt -s nullglob
projects=(tests/*.Tests/*.Tests.csproj)
trx=("$results"/*.trx)
for f in "${trx[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -n1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${x:-0} + ${e:-0}))
done
# A project whose test host crashed leaves no results file: count it as a failure.
if [ "${#trx[@]}" -lt "${#projects[@]}" ]; then
  missing=$(( ${#projects[@]} - ${#trx[@]} ))
  echo "$missing test project(s) left no results (crashed or did not run)"
  failed=$((failed + missing))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
