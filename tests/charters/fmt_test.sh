#!/usr/bin/env bash
# `artel fmt`: every charter, library and good golden case is laid out
# canonically (--check passes); a copy with its layout spoilt (indentation,
# trailing spaces, blank lines, spaces around brackets and commas) formats
# back to exactly the canonical file, formatting is idempotent, and the
# typed meaning (`artel build --emit=typed`, whose hash is the module's
# source hash) is the same before and after. A file that does not parse is
# refused and left as it was.
# Usage: fmt_test.sh ARTEL
set -u
ARTEL=$(realpath "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT/tests/charters" || exit 2  # good cases import the test libraries relative to here
failed=0
files=("$ROOT"/charters/*.artel "$ROOT"/stdlib/*.artel "$ROOT"/tests/charters/good/*.artel
       "$ROOT"/tests/charters/libs/*.artel "$ROOT"/tests/lsp/sample.artel)
"$ARTEL" fmt --check "${files[@]}" >"$WORK/check" 2>&1 || {
  echo "FAIL: not laid out canonically:"; cat "$WORK/check"; failed=1; }
n=0
for f in "${files[@]}"; do
  n=$((n + 1))
  spoilt="$WORK/$n.artel"
  # Spoil the layout outside strings: the shipped files have no string that
  # spans lines, and no `, ` or `(` inside a string is touched (only at the
  # ends of tokens that are not quotes).
  sed -e 's/^\( *\)\([^ ]\)/\1\1   \2/' -e 's/$/   /' -e 's/^\(\s*\)}   $/\n\n\1}/' "$f" >"$spoilt"
  "$ARTEL" fmt "$spoilt" >/dev/null 2>"$WORK/err" || { echo "FAIL: fmt $f (spoilt)"; cat "$WORK/err"; failed=1; continue; }
  if ! cmp -s "$spoilt" "$f"; then
    echo "FAIL: $f spoilt and formatted differs from the canonical file:"; diff "$f" "$spoilt" | head -10; failed=1
  fi
  cp "$spoilt" "$WORK/again.artel"
  "$ARTEL" fmt "$WORK/again.artel" >/dev/null
  cmp -s "$spoilt" "$WORK/again.artel" || { echo "FAIL: fmt is not idempotent on $f"; failed=1; }
  # The same meaning: the typed program (a library has none; it parses).
  if grep -q "^\(charter\|устав\) " "$f"; then
    (cd "$(dirname "$f")" && "$ARTEL" build --emit=typed "$f") >"$WORK/a.typed" 2>&1
    (cd "$(dirname "$f")" && "$ARTEL" build --emit=typed "$spoilt") >"$WORK/b.typed" 2>&1
    sed -i "s|$spoilt|FILE|g; s|$f|FILE|g" "$WORK/a.typed" "$WORK/b.typed"
    cmp -s "$WORK/a.typed" "$WORK/b.typed" || { echo "FAIL: formatting changed the meaning of $f"; diff "$WORK/a.typed" "$WORK/b.typed" | head; failed=1; }
  fi
done
# A file that does not parse is refused, untouched.
printf 'charter "X" version 1\ncurrency RUB scale 2\n   article 1 "A" {\n' >"$WORK/broken.artel"
cp "$WORK/broken.artel" "$WORK/broken.orig"
"$ARTEL" fmt "$WORK/broken.artel" >/dev/null 2>&1 && { echo "FAIL: a broken file was formatted"; failed=1; }
cmp -s "$WORK/broken.artel" "$WORK/broken.orig" || { echo "FAIL: a broken file was changed"; failed=1; }
# Comments stay where they were, on their lines.
printf 'charter "X" version 1 // the name\ncurrency RUB scale 2\nrounding down\nperiod week\n\n\n\n/* a block\n   comment */\narticle 1 "A" {   // first\n      parameter  fee :money=5.00 RUB// five\n  rule pay( amount : money ) by member {\n  require amount>=fee else "at least" // why\n  }\n}\n' >"$WORK/c.artel"
"$ARTEL" fmt --stdout "$WORK/c.artel" >"$WORK/c.out"
cat >"$WORK/c.want" <<'WANT'
charter "X" version 1 // the name
currency RUB scale 2
rounding down
period week

/* a block
   comment */
article 1 "A" { // first
  parameter fee: money = 5.00 RUB // five
  rule pay(amount: money) by member {
    require amount >= fee else "at least" // why
  }
}
WANT
diff -u "$WORK/c.want" "$WORK/c.out" || { echo "FAIL: the worked example"; failed=1; }
[ $failed = 0 ] && echo "fmt_test: $n files, all passed"
exit $failed
