# bench-lib.sh - shared by the bench scripts (sourced): free loopback ports and one member's flags.

# A loopback port nothing listens on, not handed out before in this run.
taken=" "
free_port() {
  local p
  while :; do
    p=$(( (RANDOM * 32768 + RANDOM) % 30000 + 20000 ))
    case "$taken" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then taken="$taken$p "; echo "$p"; return; fi
  done
}

# The flags of a one-member cluster on loopback, the same for kvasir and etcd.
member_flags() { # name data client peer
  echo --name "$1" --data-dir "$2" \
    --listen-client-urls "http://127.0.0.1:$3" --advertise-client-urls "http://127.0.0.1:$3" \
    --listen-peer-urls "http://127.0.0.1:$4" --initial-advertise-peer-urls "http://127.0.0.1:$4" \
    --initial-cluster "$1=http://127.0.0.1:$4" --initial-cluster-state new
}
