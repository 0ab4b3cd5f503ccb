#!/usr/bin/env bash
# scripts/cluster.sh as a user runs it: three etcd members and three nodes
# come up, each node's URL is printed, a transaction sent to the first is
# seen by the third, and `down` leaves no process behind. Exit 77 (skipped)
# without etcd.
#   cluster_script_test.sh SOURCE_DIR ARTELD ARTEL
set -euo pipefail
src=$1 arteld=$2 artel=$3
[ -x /usr/bin/etcd ] || { echo "etcd is not installed"; exit 77; }
dir=$(mktemp -d)
trap 'ARTELD=$arteld ARTEL=$artel "$src/scripts/cluster.sh" down "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
ARTELD=$arteld ARTEL=$artel "$src/scripts/cluster.sh" up "$dir" 3 >"$dir/urls"
[ "$(wc -l <"$dir/urls")" = 3 ] || { echo "expected 3 URLs:"; cat "$dir/urls"; exit 1; }
first=$(sed -n 1p "$dir/urls") third=$(sed -n 3p "$dir/urls")
"$artel" keygen --out "$dir/coop.key" >/dev/null
coop=$("$artel" keygen --show "$dir/coop.key" | head -c 64)
"$artel" submit register-coop --key "$dir/council.key" --coop-key "$coop" --name "Test" --node "$first" \
  | grep -q '"applied": true'
for _ in $(seq 100); do
  "$artel" status --node "$third" | grep -q '"cooperatives": 1' && break
  sleep 0.1
done
"$artel" status --node "$third" | grep -q '"cooperatives": 1' || { echo "the third node did not see it"; exit 1; }
pids=$(cat "$dir/pids")
ARTELD=$arteld ARTEL=$artel "$src/scripts/cluster.sh" down "$dir"
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null; then echo "process $pid still runs after down"; exit 1; fi
done
echo "cluster.sh: up, a transaction seen by every node, down"
