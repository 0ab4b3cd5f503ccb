#!/usr/bin/env bash
# `artel diff OLD NEW` over an amendment of the consumer society, made here
# by editing a copy of the shipped charter: the output names exactly the
# changes made (worked out by hand below), sources and modules give the same
# answer, and a charter against itself has none.
# Usage: diff_test.sh ARTEL
set -u
ARTEL=$(realpath "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
old="$ROOT/charters/consumer_society.artel"
new="$WORK/consumer_society_v2.artel"
# The amendment: a smaller minimum contribution (used by on_contribute and
# on_return), a larger majority for amendments (on_amend's quorum), a new
# rule in article 4, and article 3's English text reworded.
sed -e 's/parameter minimum_contribution: money = 100.00 RUB/parameter minimum_contribution: money = 50.00 RUB/' \
    -e 's/parameter amendment_majority: rate = 75%/parameter amendment_majority: rate = 80%/' \
    -e 's/Transfers carry no fee\./Transfers are free of any fee./' \
    -e 's/^  rule repay_advance(amount: money) by member {/  rule forgive_advance(recipient: member) by cooperative {\n    require has(advances, recipient) else "the member has no advance"\n    remove advances[recipient]\n  }\n&/' \
    "$old" >"$new"
cat >"$WORK/want" <<'WANT'
parameter amendment_majority changed: 75% -> 80% (rate)
parameter minimum_contribution changed: 100.00 RUB -> 50.00 RUB (money)
rule forgive_advance added: the cooperative [article 4]
rule on_amend changed (rights): who may call it: three quarters of the general assembly -> 4/5 of the members of the general assembly [article 6]
article 3 changed: text (en)
code changed: CODE
WANT
failed=0
"$ARTEL" diff "$old" "$new" >"$WORK/raw" 2>&1 || { echo "FAIL: artel diff exited $?"; cat "$WORK/raw"; failed=1; }
# The instruction counts are the compiler's business: only their form is checked.
sed -E 's/^code changed: [0-9]+ -> [0-9]+ instructions \(a rule.s body, or a parameter it uses, changed\)$/code changed: CODE/' \
  "$WORK/raw" >"$WORK/got"
if ! diff -u "$WORK/want" "$WORK/got"; then echo "FAIL: artel diff of sources"; failed=1; fi
"$ARTEL" build "$old" -o "$WORK/v1.acm" >/dev/null && "$ARTEL" build "$new" -o "$WORK/v2.acm" >/dev/null || { echo "FAIL: build"; exit 1; }
"$ARTEL" diff "$WORK/v1.acm" "$WORK/v2.acm" >"$WORK/got_modules" 2>&1
if ! diff -u "$WORK/raw" "$WORK/got_modules"; then echo "FAIL: artel diff of modules differs from sources"; failed=1; fi
"$ARTEL" diff --json "$WORK/v1.acm" "$WORK/v2.acm" >"$WORK/json"
grep -q '"display": "50.00 RUB"' "$WORK/json" && grep -q '"value": 5000' "$WORK/json" \
  || { echo "FAIL: --json lacks the new value"; cat "$WORK/json"; failed=1; }
"$ARTEL" diff "$old" "$ROOT/charters/consumer_society.artel" >"$WORK/same"
[ "$(cat "$WORK/same")" = "no changes" ] || { echo "FAIL: a charter against itself"; cat "$WORK/same"; failed=1; }
# The Russian twin compiles to the same module: no changes either.
"$ARTEL" diff "$old" "$ROOT/charters/consumer_society.ru.artel" >"$WORK/twin"
[ "$(cat "$WORK/twin")" = "no changes" ] || { echo "FAIL: the Russian twin"; cat "$WORK/twin"; failed=1; }
"$ARTEL" diff "$old" "$WORK/missing.acm" >/dev/null 2>&1 && { echo "FAIL: a missing module"; failed=1; }
[ $failed = 0 ] && echo "diff_test: all passed"
exit $failed
