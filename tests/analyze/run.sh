#!/usr/bin/env bash
# `artel analyze savings` against the paper's test values worked by hand
# (a = 10, m = 2, c = 10, n = 10), and x_required against the general balance
# condition (15) checked independently in exact fractions (check.py).
set -uo pipefail
artel="$1"
here="$(cd "$(dirname "$0")" && pwd)"
status=0
expect() {  # expect NAME JSON-KEY VALUE ARGS...
  local name=$1 key=$2 want=$3
  shift 3
  got=$("$artel" analyze savings --json "$@" | python3 -c "import json,sys; print(json.load(sys.stdin)['$key'])")
  if [ "$got" = "$want" ]; then echo "ok    $name: $key = $got"; else echo "FAIL  $name: $key = $got, expected $want"; status=1; fi
}
# x0 = 50 + 1 + 10*12/200 = 51.6; k0 = 25 - 0.5 - 120/400 = 24.2; t1 = 90/2 = 45.
expect "paper" x0 51.6 --a 10 --m 2
expect "paper" k0 24.2 --a 10 --m 2
expect "paper" t1 45 --a 10 --m 2
# z_B = 100 + 1 - 20 = 81; k_B = 25 - 10 - 0.3 - 0.01 * 9.5^2 = 13.7975;
# x_B = 81 - 2 * 13.7975 = 53.405 (the paper's 53.4); N1 = 44 * 10 = 440.
expect "paper, c = 10" z_B 81 --a 10 --m 2 --c 10
expect "paper, c = 10" k_B 13.7975 --a 10 --m 2 --c 10
expect "paper, c = 10" x_B 53.405 --a 10 --m 2 --c 10
expect "paper, c = 10" x_required 53.405 --a 10 --m 2 --c 10
expect "paper, c = 10" case vertex --a 10 --m 2 --c 10
expect "paper, c = 10" N1 440 --a 10 --m 2 --c 10 --n 10
# Half the founders at t: k_B = 25 - 5 - 0.3 - 0.9025 = 18.7975; x_B = 43.405.
expect "half issue" k_B 18.7975 --a 10 --m 2 --c 10 --half-issue
expect "half issue" x_B 43.405 --a 10 --m 2 --c 10 --half-issue
# c = 30: k_B = 25 - 30 - 0.3 - 0.01 * 29.5^2 = -14.0025 < 0, so (19) does not
# apply; the first loans bind: x^2 + 118 x - 12120 = 0, x = 65.903963...
expect "c = 30" case first_loans --a 10 --m 2 --c 30
expect "c = 30" x_required 65.903963 --a 10 --m 2 --c 30
# c = 0.25 < 1/2: the last stage binds, x >= x0.
expect "c = 1/4" case last_stage --a 10 --m 2 --c 0.25
expect "c = 1/4" x_required 51.6 --a 10 --m 2 --c 0.25
# Exact decimals: 0.1 steps stay exact.
# 50 + 1.05 + 10 * 12.1 / 200 = 51.655, exactly.
expect "decimals" x0 51.655 --a 10 --m 2.1
# Bad input: exit 2 naming the flag.
for bad in "--a 95 --m 10" "--a 10 --m 0" "--a -1 --m 2" "--a 10 --m 2 --c 0" "--a x --m 2"; do
  # shellcheck disable=SC2086
  out=$("$artel" analyze savings $bad 2>&1)
  rc=$?
  if [ $rc -eq 2 ] && echo "$out" | grep -q -- "--"; then echo "ok    refused: $bad"; else echo "FAIL  $bad: exit $rc: $out"; status=1; fi
done
python3 "$here/check.py" "$artel" || status=1
exit $status
