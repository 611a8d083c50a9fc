#!/usr/bin/env bash
# bench-million-keys.sh - memory and restart time with 1 million keys, kvasir beside a real etcd 3.4.23.
#
# For each server (kvasir, then etcd), on free loopback ports and a fresh data directory:
#   1. load KEYS distinct keys of VALUE bytes through the API with etcd's benchmark tool
#      (put, 100 connections / 1,000 clients, sequential keys), timing the load;
#   2. read its RSS (VmRSS) and peak RSS (VmHWM) from /proc, its managed heap from /metrics, and
#      the data directory's size (after a clean stop);
#   3. stop it (SIGTERM, then wait for the pid), start it again on the same data, and time from
#      exec to serving: the first successful serializable `get` of the last key through etcdctl,
#      polled every 20 ms;
#   4. read RSS right after serving, then after a serializable range over all keys (--keys-only,
#      so every key is touched but no value is sent back) and a read of REREAD values.
# Prints one table; figures also go to RESULTS (TSV).
#
# Environment: KEYS=1000000 VALUE=256 REREAD=10000 RESULTS=path KEEP=1 (keep data and logs)
#              ONLY="kvasir etcd" (which servers, in that order)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
KEYS="${KEYS:-1000000}"
VALUE="${VALUE:-256}"
REREAD="${REREAD:-10000}"
ONLY="${ONLY:-kvasir etcd}"
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p bench/results
RESULTS="${RESULTS:-$root/bench/results/million-keys-$stamp.tsv}"
bench=$(command -v etcd-benchmark || echo /usr/local/bin/etcd-benchmark)
[ -x "$bench" ] || { echo "bench-million-keys: etcd-benchmark not found (shared/bench/build-etcd-benchmark.sh builds it)" >&2; exit 1; }
[ -x /usr/bin/etcd ] || { echo "bench-million-keys: /usr/bin/etcd missing" >&2; exit 1; }
work=$(mktemp -d)

pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "bench-million-keys: data and logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

source scripts/bench-lib.sh  # the working directory is the repository root (cd above)

echo "== building kvasir (Release)" >&2
dotnet build src/Kvasir.Server -c Release -nologo -clp:ErrorsOnly >&2 || exit 1
kvasir_dll="$root/src/Kvasir.Server/bin/Release/net10.0/kvasir.dll"

start() { # name data client peer log -> sets pid
  local flags
  read -ra flags <<<"$(member_flags "$1" "$2" "$3" "$4")"
  case "$1" in
    kvasir) dotnet "$kvasir_dll" "${flags[@]}" >>"$5" 2>&1 & ;;
    etcd) /usr/bin/etcd "${flags[@]}" >>"$5" 2>&1 & ;;
  esac
  pid=$!
}

ctl() { ETCDCTL_API=3 /usr/bin/etcdctl --endpoints="$1" --dial-timeout=2s --command-timeout=60s "${@:2}"; }
now_ms() { date +%s%3N; }
kb() { awk -v f="$2" '$1 == f":" { print $2 }' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# Serving = a serializable get of the first key answers (the benchmark's keys are binary).
wait_serving() { # start_ms endpoint pid -> ms since start_ms, or fails after about 2 minutes
  local t0=$1 i
  for i in $(seq 1 6000); do
    kill -0 "$3" 2>/dev/null || { echo "bench-million-keys: server exited" >&2; return 1; }
    if ctl "$2" get --consistency=s --limit=1 --keys-only "" --from-key >/dev/null 2>&1; then echo $(( $(now_ms) - t0 )); return 0; fi
    sleep 0.02
  done
  return 1
}

printf 'server\tkeys\tvalue\tload_s\tload_per_s\trss_loaded_mb\tpeak_loaded_mb\theap_loaded_mb\tdata_mb\trestart_ms\trss_restarted_mb\trss_after_reads_mb\tpeak_restarted_mb\n' >"$RESULTS"
for name in $ONLY; do
  data="$work/$name"; log="$work/$name.log"
  c=$(free_port); p=$(free_port); ep="127.0.0.1:$c"
  t0=$(now_ms); start "$name" "$data" "$c" "$p" "$log"
  wait_serving "$t0" "$ep" "$pid" >/dev/null || { tail -20 "$log" >&2; exit 1; }
  echo "== $name: loading $KEYS keys of $VALUE bytes" >&2
  t1=$(now_ms)
  "$bench" --endpoints="$ep" --conns=100 --clients=1000 put --total="$KEYS" --key-space-size="$KEYS" \
    --sequential-keys --key-size=8 --val-size="$VALUE" >"$work/$name-load.txt" 2>&1 || { tail -20 "$work/$name-load.txt" >&2; exit 1; }
  t2=$(now_ms)
  count=$(ctl "$ep" get --consistency=s --keys-only --limit=1 --write-out=json "" --from-key | grep -o '"count":[0-9]*' | cut -d: -f2)
  [ "$count" = "$KEYS" ] || echo "bench-million-keys: $name holds $count keys, not $KEYS" >&2
  rss_loaded=$(kb "$pid" VmRSS); peak_loaded=$(kb "$pid" VmHWM)
  # The managed heap in use (kvasir: dotnet_gc_heap_size_bytes; etcd: Go's go_memstats_heap_inuse_bytes).
  heap=$(curl -fsS -m 5 "http://$ep/metrics" | awk '$1 == "dotnet_gc_heap_size_bytes" || $1 == "go_memstats_heap_inuse_bytes" { printf "%.0f", $2 / 1048576 }')
  kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=""
  data_mb=$(du -sm "$data" | cut -f1)

  echo "== $name: restarting on $data_mb MB of data" >&2
  t0=$(now_ms); start "$name" "$data" "$c" "$p" "$log"
  restart_ms=$(wait_serving "$t0" "$ep" "$pid") || { tail -20 "$log" >&2; exit 1; }
  rss_restarted=$(kb "$pid" VmRSS)
  ctl "$ep" get --consistency=s --keys-only "" --from-key >/dev/null || echo "bench-million-keys: $name: the range over all keys failed" >&2
  ctl "$ep" get --consistency=s --limit="$REREAD" "" --from-key >/dev/null || echo "bench-million-keys: $name: the read of $REREAD values failed" >&2
  rss_reads=$(kb "$pid" VmRSS); peak_restarted=$(kb "$pid" VmHWM)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=""
  load_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  per_s=$(awk -v a="$t1" -v b="$t2" -v n="$KEYS" 'BEGIN { printf "%.0f", n / ((b - a) / 1000) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$KEYS" "$VALUE" "$load_s" "$per_s" \
    "$(mb "$rss_loaded")" "$(mb "$peak_loaded")" "${heap:--}" "$data_mb" "$restart_ms" "$(mb "$rss_restarted")" "$(mb "$rss_reads")" "$(mb "$peak_restarted")" >>"$RESULTS"
done

echo
echo "$KEYS keys x $VALUE B, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M') UTC (rows: $RESULTS)"
column -t -s $'\t' "$RESULTS"
