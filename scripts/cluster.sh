#!/usr/bin/env bash
# A local cluster for trying and testing: N etcd members and N arteld nodes
# (default 3) on free loopback ports, all state under DIR.
#
#   scripts/cluster.sh up DIR [N]    # prints each node's base URL on its own line
#   scripts/cluster.sh down DIR      # stops them (SIGTERM, by PID)
#
# Uses build/release/{node/arteld,cli/artel} (or $ARTELD, $ARTEL) and
# /usr/bin/etcd. The operator council and clock keys are written to
# DIR/council.key and DIR/clock.key; see docs/cluster.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arteld=${ARTELD:-$root/build/release/node/arteld}
artel=${ARTEL:-$root/build/release/cli/artel}
etcd=${ETCD:-/usr/bin/etcd}

usage() { echo "usage: scripts/cluster.sh up DIR [N] | down DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 dir=$2 n=${3:-3}

port_free() { ! (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_port=$((20000 + RANDOM % 20000))
take_port() {  # sets $port to a free port (no subshell: next_port must advance)
  while ! port_free "$next_port"; do next_port=$((next_port + 1)); done
  port=$next_port
  next_port=$((next_port + 1))
}

case $cmd in
  up)
    [ -x "$arteld" ] && [ -x "$artel" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }
    [ -x "$etcd" ] || { echo "etcd is missing (Debian: etcd-server)" >&2; exit 1; }
    [ "$n" -ge 1 ] || usage
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -e "$dir/pids" ] && { echo "$dir holds a cluster already; scripts/cluster.sh down $dir" >&2; exit 1; }
    # The etcd members; a port taken meanwhile by someone else makes a member
    # exit at once: then all of them start again on other ports.
    for attempt in 1 2 3; do
      clients=() peers=() pids=() initial=""
      for ((i = 0; i < n; i++)); do
        take_port
        clients+=("http://127.0.0.1:$port")
        take_port
        peers+=("http://127.0.0.1:$port")
        initial="$initial${initial:+,}m$i=${peers[$i]}"
      done
      for ((i = 0; i < n; i++)); do
        rm -rf "$dir/etcd-$i"
        "$etcd" --name "m$i" --data-dir "$dir/etcd-$i" --listen-client-urls "${clients[$i]}" \
          --advertise-client-urls "${clients[$i]}" --listen-peer-urls "${peers[$i]}" \
          --initial-advertise-peer-urls "${peers[$i]}" --initial-cluster "$initial" \
          --max-request-bytes 8388608 >"$dir/etcd-$i.log" 2>&1 &
        pids+=($!)
      done
      ready=0
      for _ in $(seq 100); do
        ready=1
        for ((i = 0; i < n; i++)); do
          kill -0 "${pids[$i]}" 2>/dev/null || { ready=dead; break; }
          port=${clients[$i]##*:}
          port_free "$port" && ready=0
        done
        [ "$ready" = 0 ] || break
        sleep 0.1
      done
      [ "$ready" = 1 ] && break
      kill "${pids[@]}" 2>/dev/null || true
      wait "${pids[@]}" 2>/dev/null || true
      [ "$attempt" = 3 ] && { echo "etcd did not start; see $dir/etcd-*.log" >&2; exit 1; }
    done
    printf '%s\n' "${pids[@]}" >"$dir/pids"
    urls=$(IFS=,; echo "${clients[*]}")
    # The ledger: a council key and a clock key, one genesis for every node.
    if [ ! -e "$dir/genesis.json" ]; then
      "$artel" keygen --out "$dir/council.key" >/dev/null
      "$artel" keygen --out "$dir/clock.key" >/dev/null
      council=$("$artel" keygen --show "$dir/council.key" | head -c 64)
      clock=$("$artel" keygen --show "$dir/clock.key" | head -c 64)
      "$arteld" init --out "$dir/genesis.json" --council "$council" --clock "$clock" \
        --platform "local cluster" >/dev/null
    fi
    for ((i = 0; i < n; i++)); do
      mkdir -p "$dir/node-$i"
      cp "$dir/genesis.json" "$dir/node-$i/genesis.json"
      fifo="$dir/node-$i/.started"
      rm -f "$fifo"
      mkfifo "$fifo"
      "$arteld" --data "$dir/node-$i" --listen 127.0.0.1:0 --etcd "$urls" --node-name "node-$i" \
        >"$fifo" 2>"$dir/node-$i.log" &
      echo $! >>"$dir/pids"
      # The first line names the port; the rest of the output goes to the log.
      { read -r line; echo "$line" >>"$dir/node-$i.log"; cat >>"$dir/node-$i.log" & } <"$fifo"
      rm -f "$fifo"
      port=${line##*127.0.0.1:}
      port=${port%% *}
      [ -n "$port" ] || { echo "node-$i did not start; see $dir/node-$i.log" >&2; exit 1; }
      echo "http://127.0.0.1:$port"
    done
    ;;
  down)
    [ -e "$dir/pids" ] || { echo "no cluster in $dir" >&2; exit 1; }
    # Nodes first (they are listed last), then the etcd members.
    tac "$dir/pids" | while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done
    tac "$dir/pids" | while read -r pid; do
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    rm -f "$dir/pids"
    ;;
  *) usage ;;
esac
