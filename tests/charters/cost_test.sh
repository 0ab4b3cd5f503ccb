#!/usr/bin/env bash
# Every shipped charter checks without a cost warning (compiler/typed/cost.cpp).
# A charter listed in `known` is one whose warning is accepted for now:
# the platform's weekly clause splits each cooperative's own-account charge
# among all cooperatives (cooperatives², found by `artel check --cost`;
# recorded in the issue notes, its rounding is the economics' to change).
set -u
artel="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
known="platform"
status=0
for f in "$root"/charters/*.artel; do
  base=$(basename "$f" .artel)
  base=${base%.ru}
  out=$("$artel" check "$f" 2>&1)
  if [ $? -ne 0 ]; then
    echo "FAIL $f: artel check failed"; echo "$out"; status=1; continue
  fi
  if echo "$out" | grep -q "warning:"; then
    if [[ " $known " == *" $base "* ]]; then
      echo "known $f (its cost warning is listed here)"
    else
      echo "FAIL $f: a cost warning"; echo "$out"; status=1
    fi
  elif [[ " $known " == *" $base "* ]]; then
    echo "FAIL $f: no longer warns; remove it from the list"; status=1
  else
    echo "PASS $f"
  fi
done
# `artel check --cost`: the bounds of a small charter, worked by hand from
# the model (compiler/typed/typed.h, cost_report): a body costs 1, each
# statement 1 plus 1 per operation in it, each loop step 2 more, a loop
# multiplies its body by its collection's size.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/c.artel" <<'ARTEL'
charter "Cost" version 1
currency RUB scale 2
rounding down
period week

article 1 "A" {
  state paid: map member -> money
  rule pay(amount: money) by member {
    paid[caller] = amount
  }
  every week {
    for m in members {
      paid[m] = 0.00 RUB
    }
  }
  rule reset() by member {
    for m in members {
      for k in paid {
        paid[k] = 0.00 RUB
      }
    }
  }
}
ARTEL
out=$("$artel" check --cost "$work/c.artel" 2>&1)
# pay: 1 + (1 + `amount` + `caller`) = 4.
# every week: 1 + (1 + 5·members), the body 1 + `0.00 RUB` + `m` + 2 = 5.
# reset: 1 + (1 + members·(1 + 5·|paid| + 2)) = 2 + 3·members + 5·members·|paid|.
for want in "cost: rule pay (article 1): ≈ 4 steps" "cost: every week (article 1): ≈ 2 + 5·members steps" \
            "cost: rule reset (article 1): ≈ 2 + 3·members + 5·members·|paid| steps"; do
  if ! grep -qF -- "$want" <<<"$out"; then echo "FAIL: artel check --cost lacks: $want"; echo "$out"; status=1; fi
done
grep -q "warning:.*nests 2 loops" <<<"$out" || { echo "FAIL: the nested loops are not warned about"; echo "$out"; status=1; }
# The shipped charters: no term of degree two in their bounds.
for f in "$root"/charters/*.artel; do
  base=$(basename "$f" .artel)
  [[ " $known " == *" ${base%.ru} "* ]] && continue
  if "$artel" check --cost "$f" 2>/dev/null | grep "cost:" | grep -qE "²|³|\^|[a-z|]·[a-z|]"; then
    echo "FAIL: $f has a superlinear bound"; "$artel" check --cost "$f" | grep "cost:"; status=1
  fi
done
exit $status
