#!/usr/bin/env bash
# Compares VM benchmark binaries on a noisy machine: runs each binary in
# turn, ROUNDS times, with 10 repetitions per run, and prints the best and
# the median instructions per second of every run. Alternating in the same
# minutes is what makes two builds comparable on a shared host.
#
#   scripts/bench-vm-ab.sh FILTER OLD_BINARY NEW_BINARY [ROUNDS]
#   scripts/bench-vm-ab.sh HostCall /tmp/artel_bench_vm.before build/release/bench/artel_bench_vm
set -euo pipefail
if [[ $# -lt 3 ]]; then
  sed -n '2,8p' "$0" >&2
  exit 2
fi
filter=$1
bins=("$2" "$3")
rounds=${4:-3}
for _ in $(seq "$rounds"); do
  for b in "${bins[@]}"; do
    printf '%-50s ' "$b"
    "$b" --benchmark_filter="$filter" --benchmark_repetitions=10 2>/dev/null |
      grep -v -e '_mean' -e '_median' -e '_stddev' -e '_cv' |
      grep -o 'insn/s=[0-9.]*[kMG]' | sed 's/insn\/s=//' |
      awk '{ v = $0 + 0; if ($0 ~ /M$/) v /= 1000; if ($0 ~ /k$/) v /= 1e6; print v }' | sort -g |
      awk '{ a[NR] = $0 } END { if (NR == 0) { print "no figures"; exit 1 }
             printf "best %.3f  median %.3f G insn/s\n", a[NR], a[int((NR + 1) / 2)] }'
  done
done
