#!/usr/bin/env bash
# bench-vs-etcd.sh - etcd's own load generator against kvasir and a real etcd 3.4.23, side by side.
#
# Builds kvasir (Release), starts one kvasir member and one real etcd (/usr/bin/etcd) on free
# loopback ports, runs shared/bench/run-load.sh (etcd's tools/benchmark, driving each server
# through etcd's Go client) against each, group by group (put, range, watch: kvasir then etcd,
# so drift on a busy machine touches both alike), collects every row into one RESULTS file and
# prints the rows side by side with the ratio kvasir/etcd.
#
# If kvasir does not answer a KV put (the probe below), its half of every row fails (the
# benchmark reports errors or times out) and the ratios show "-".
#
# Environment (all optional):
#   RESULTS=path   the TSV all rows go to (default bench/results/bench-vs-etcd-<time>.tsv)
#   MATRIX="put range watch"   SCALE=1   RUN_TIMEOUT=75   QUIET_WAIT=60   NOISY_RETRIES=1
#                  and the other knobs of run-load.sh --help are passed on to it
#   KEEP=1         keep the servers' data directories and logs
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shared/bench sits beside the repository (or beside a folder above it, for worktrees).
bench_dir=""
dir="$root"
while [ "$dir" != "/" ]; do
  dir=$(dirname "$dir")
  if [ -x "$dir/shared/bench/run-load.sh" ] || [ -f "$dir/shared/bench/run-load.sh" ]; then
    bench_dir="$dir/shared/bench"
    break
  fi
done
if [ -z "$bench_dir" ]; then
  echo "bench-vs-etcd: shared/bench/run-load.sh not found beside the repository" >&2
  exit 1
fi
[ -x /usr/bin/etcd ] || { echo "bench-vs-etcd: /usr/bin/etcd missing (apt-get install etcd-server)" >&2; exit 1; }

stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p bench/results
RESULTS="${RESULTS:-$root/bench/results/bench-vs-etcd-$stamp.tsv}"
MATRIX="${MATRIX:-put range watch}"
work=$(mktemp -d)

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  if [ "${KEEP:-0}" = 1 ]; then echo "bench-vs-etcd: data and logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

source scripts/bench-lib.sh  # the working directory is the repository root (cd above)

wait_healthy() { # name url pid
  local i
  for i in $(seq 1 120); do
    kill -0 "$3" 2>/dev/null || { echo "bench-vs-etcd: $1 exited; its log:" >&2; tail -20 "$work/$1.log" >&2; return 1; }
    curl -fsS -m 2 "$2/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "bench-vs-etcd: $1 not healthy after 60 s" >&2
  return 1
}

echo "== building kvasir (Release)" >&2
dotnet build src/Kvasir.Server -c Release -nologo -clp:ErrorsOnly >&2 || exit 1
kvasir_dll="$root/src/Kvasir.Server/bin/Release/net10.0/kvasir.dll"


kc=$(free_port); kp=$(free_port); ec=$(free_port); ep=$(free_port)
# shellcheck disable=SC2046
dotnet "$kvasir_dll" $(member_flags bench-kvasir "$work/kvasir" "$kc" "$kp") >"$work/kvasir.log" 2>&1 &
kpid=$!; pids+=("$kpid")
# shellcheck disable=SC2046
/usr/bin/etcd $(member_flags bench-etcd "$work/etcd" "$ec" "$ep") >"$work/etcd.log" 2>&1 &
epid=$!; pids+=("$epid")
wait_healthy kvasir "http://127.0.0.1:$kc" "$kpid" || exit 1
wait_healthy etcd "http://127.0.0.1:$ec" "$epid" || exit 1
echo "== kvasir 127.0.0.1:$kc (pid $kpid), etcd 127.0.0.1:$ec (pid $epid); rows go to $RESULTS" >&2

# Does kvasir serve KV? If not, its half of the matrix runs anyway (to show it failing) but is not compared.
kvasir_serves=1
if ! probe=$(ETCDCTL_API=3 /usr/bin/etcdctl --endpoints="127.0.0.1:$kc" --dial-timeout=5s --command-timeout=5s put bench-vs-etcd-probe x 2>&1); then
  kvasir_serves=0
  echo "== kvasir does not serve KV yet ($(echo "$probe" | tail -1)): its rows fail and are not compared" >&2
fi

for group in $MATRIX; do
  echo "== $group: kvasir" >&2
  MATRIX="$group" LABEL=kvasir SERVER_PIDS="$kpid" RESULTS="$RESULTS" LOGDIR="$work/logs-kvasir-$group" bash "$bench_dir/run-load.sh" "127.0.0.1:$kc" >/dev/null
  echo "== $group: etcd" >&2
  MATRIX="$group" LABEL=etcd SERVER_PIDS="$epid" RESULTS="$RESULTS" LOGDIR="$work/logs-etcd-$group" bash "$bench_dir/run-load.sh" "127.0.0.1:$ec" >/dev/null
done

echo
echo "kvasir vs etcd 3.4.23, etcd's benchmark tool, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M') UTC (rows: $RESULTS)"
[ "$kvasir_serves" = 1 ] || echo "(kvasir does not serve KV yet: its columns are the benchmark failing, and no ratio is given)"
awk -F'\t' -v serves="$kvasir_serves" '
  NR == 1 { next }
  $1 == "label" { next }
  { k = $2 " " $3 "/" $4
    if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    st[$1, k] = $6; rps[$1, k] = $8; p50[$1, k] = $10; p99[$1, k] = $12; us[$1, k] = $18; rss[$1, k] = $20 }
  function ratio(a, b) { return (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
  function ok(l, k) { return st[l, k] == "ok" && rps[l, k] != "-" && rps[l, k] != "" }
  END {
    printf "%-22s | %-7s %9s %8s %8s %7s %6s | %-7s %9s %8s %8s %7s %6s | %6s %6s %6s %6s\n", "test conns/clients", "kvasir", "req/s", "p50 ms", "p99 ms", "us/req", "rss", "etcd", "req/s", "p50 ms", "p99 ms", "us/req", "rss", "x req", "x p99", "x us", "x rss"
    for (i = 1; i <= n; i++) {
      k = order[i]
      both = serves && ok("kvasir", k) && ok("etcd", k)
      printf "%-22s | %-7s %9s %8s %8s %7s %6s | %-7s %9s %8s %8s %7s %6s | %6s %6s %6s %6s\n", k,
        st["kvasir", k], rps["kvasir", k], p50["kvasir", k], p99["kvasir", k], us["kvasir", k], rss["kvasir", k],
        st["etcd", k], rps["etcd", k], p50["etcd", k], p99["etcd", k], us["etcd", k], rss["etcd", k],
        both ? ratio(rps["kvasir", k], rps["etcd", k]) : "-", both ? ratio(p99["kvasir", k], p99["etcd", k]) : "-",
        both ? ratio(us["kvasir", k], us["etcd", k]) : "-", both ? ratio(rss["kvasir", k], rss["etcd", k]) : "-"
    }
  }' "$RESULTS"
