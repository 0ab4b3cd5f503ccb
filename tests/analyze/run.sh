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
# `artel simulate savings`, rule S, on cases worked by hand.
sim() {  # sim NAME EXPECTED PYTHON-EXPR ARGS...
  local name=$1 want=$2 expr=$3
  shift 3
  got=$("$artel" simulate savings --json "$@" | python3 -c "import json,sys; d=json.load(sys.stdin); print($expr)")
  if [ "$got" = "$want" ]; then echo "ok    simulate $name: $got"; else echo "FAIL  simulate $name: $got, expected $want"; status=1; fi
}
# One founder, no newcomers, A = 10, M = 45, X = 55: month 1 it has paid 55
# and takes 100 from a pool of 55 (schedule: -45); month 2 it pays the last
# 45 (pool 0). Under the queue it waits for month 2 instead.
sim "schedule, one founder" "1 ['-45', '0', '0']" "d['first_negative_month'], d['pool']" \
  --founders 1 --newcomers 0 --a 10 --m 45 --x 55 --months 3
sim "queue, one founder" "None ['55', '0', '0'] 1" "d['first_negative_month'], d['pool'], d['longest_wait']" \
  --founders 1 --newcomers 0 --a 10 --m 45 --x 55 --months 3 --policy queue
# Two founders, one newcomer a month, A = 50, M = 25, X = 75. Month 1: 100 +
# 50 = 150, one loan (50), the other founder waits; the newcomer pays 50
# (100). Month 2: founders +50, newcomer 1 +25: 175, the waiting founder's
# loan (75); newcomer 1 has 75 but the pool holds 75: waits. Month 3: 75 + 50
# (newcomer 2 joined) + 25 + 25 = 175, newcomer 1's loan: 75.
# Newcomer 2 (month 2) reaches 75 in month 3 and still waits at the horizon.
sim "queue, two founders" "['50', '75', '75'] [1, 2, 3] 1" "d['pool'], [d['cohorts'][0]['first_loan'], d['cohorts'][0]['last_loan'], d['cohorts'][1]['first_loan']], d['waiting_at_horizon']" \
  --founders 2 --newcomers 1 --a 50 --m 25 --x 75 --months 3 --policy queue
# The generator: xoshiro256** seeded by splitmix64 from 2007, Knuth's method
# with mean 10: the first ten cohorts are 6 9 8 8 15 7 9 11 12 6.
got=$("$artel" simulate savings --a 10 --m 2 --x 52 --newcomers 10 --seed 2007 --draws 10)
if [ "$got" = "6 9 8 8 15 7 9 11 12 6" ]; then echo "ok    simulate draws: $got"; else echo "FAIL  simulate draws: $got"; status=1; fi
# Bad input: exit 2 naming the flag.
for bad in "--a 10 --m 0 --x 52" "--a 60 --m 50 --x 70" "--a 10 --m 2 --x 10" "--a 10 --m 2 --x 101" \
           "--a 10 --m 2 --x 52 --founders 0" "--a 10 --m 2 --x 52 --poisson --newcomers 0" \
           "--a 10 --m 2 --x 52 --poisson --newcomers 800" "--a 10 --m 2 --x 52 --poisson --runs 20000000"; do
  # shellcheck disable=SC2086
  out=$("$artel" simulate savings $bad 2>&1)
  rc=$?
  if [ $rc -eq 2 ] && echo "$out" | grep -q -- "error: --"; then echo "ok    simulate refused: $bad"; else echo "FAIL  simulate $bad: exit $rc: $out"; status=1; fi
done
# --svg: well-formed SVG, one line per threshold, the zero line marked.
svg=$(mktemp --suffix=.svg)
"$artel" simulate savings --founders 100 --newcomers 10 --a 10 --m 2 --x 50:56:2 --svg "$svg" >/dev/null
if python3 -c "
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
lines = d.getElementsByTagName('polyline')
def text_of(n):
    return ''.join(c.data if c.nodeType == c.TEXT_NODE else text_of(c) for c in n.childNodes)
texts = [text_of(t) for t in d.getElementsByTagName('text')]
assert len(lines) == 4, len(lines)
assert any('pyramid below' in t for t in texts)
assert any(t == 'x = 56 %' for t in texts)
" "$svg"; then echo "ok    simulate --svg"; else echo "FAIL  simulate --svg"; status=1; fi
rm -f "$svg"
# The charter engine: the compiled savings charter on a real in-process
# ledger must give every cohort the loan months of the queue model, on 20
# cases drawn here (founders 1..15, newcomers 0..3 a month, 22..45 months).
engine_ok=0
engine_bad=0
while read -r founders newcomers months; do
  if "$artel" simulate savings --engine charter --founders "$founders" --newcomers "$newcomers" --months "$months" \
      --json | python3 -c "import json,sys; sys.exit(0 if json.load(sys.stdin)['agree'] else 1)"; then
    engine_ok=$((engine_ok + 1))
  else
    echo "FAIL  engine: founders $founders, newcomers $newcomers, months $months"
    engine_bad=$((engine_bad + 1))
  fi
done < <(python3 -c "
import random
r = random.Random(2007)
for _ in range(20):
    print(r.randint(1, 15), r.randint(0, 3), r.randint(22, 45))")
if [ "$engine_bad" -eq 0 ] && [ "$engine_ok" -eq 20 ]; then echo "ok    engine: 20 cases agree with the queue model"; else status=1; fi
# And three runs of Poisson cohorts (mean 2), one per seed.
for seed in 1 2 3; do
  if "$artel" simulate savings --engine charter --founders 8 --newcomers 2 --months 36 --poisson --seed "$seed" --json |
      python3 -c "import json,sys; sys.exit(0 if json.load(sys.stdin)['agree'] else 1)"; then
    echo "ok    engine: Poisson cohorts, seed $seed"
  else
    echo "FAIL  engine: Poisson cohorts, seed $seed"
    status=1
  fi
done
python3 "$here/check.py" "$artel" || status=1
exit $status
