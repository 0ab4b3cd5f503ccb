#!/usr/bin/env bash
# `artel doc CHARTER`: the charter as a document for the general meeting, in
# Markdown and HTML, English and Russian; texts name parameters and are
# rendered with their values; the text of a charter is escaped, not markup.
# Usage: doc_test.sh ARTEL
set -u
ARTEL=$(realpath "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failed=0
has() {  # FILE TEXT
  grep -qF -- "$2" "$1" || { echo "FAIL: $1 lacks: $2"; failed=1; }
}
"$ARTEL" doc "$ROOT/charters/consumer_society.artel" >"$WORK/cs.md" || { echo "FAIL: doc exited $?"; failed=1; }
has "$WORK/cs.md" "# Consumer Society"
has "$WORK/cs.md" '| `minimum_contribution` | 100.00 RUB |'
has "$WORK/cs.md" "## Article 2. Share accounts and contributions"
has "$WORK/cs.md" '- `on_contribute(contributor, amount)` — the cooperative'
has "$WORK/cs.md" '- `on_amend()` — three quarters of the general assembly'
# The platform's article 2 names {demurrage_rate}: rendered with its value.
"$ARTEL" doc "$ROOT/charters/platform.artel" >"$WORK/p.md"
has "$WORK/p.md" "Each week every share account is charged 0.5% of its balance"
has "$WORK/p.md" '- `every period` — the ledger, on its own'
"$ARTEL" doc --lang ru "$ROOT/charters/platform.artel" >"$WORK/p.ru.md"
has "$WORK/p.ru.md" "## Статья 2. Плата за хранение паевых средств"
has "$WORK/p.ru.md" "взимается 0,5% остатка"
has "$WORK/p.ru.md" "половина общего собрания"
# HTML, written to a file; a module gives the same document as its source.
"$ARTEL" doc --format html -o "$WORK/cs.html" "$ROOT/charters/consumer_society.artel"
has "$WORK/cs.html" '<section id="article-6">'
has "$WORK/cs.html" '<td class="v">75%</td>'
"$ARTEL" build "$ROOT/charters/consumer_society.artel" -o "$WORK/cs.acm" >/dev/null
"$ARTEL" doc --format html "$WORK/cs.acm" >"$WORK/cs2.html"
cmp -s "$WORK/cs.html" "$WORK/cs2.html" || { echo "FAIL: the module's document differs from the source's"; failed=1; }
# A charter's text is text: markup in it is escaped.
cat >"$WORK/m.artel" <<'ARTEL'
charter "A <b>bold</b> & *starred* charter" version 1
currency RUB scale 2
rounding down
period week

article 1 "Fees <i>" {
  text "Members pay {fee}; <script>alert(1)</script> *not emphasis*"
  parameter fee: money = 5.00 RUB
}
ARTEL
"$ARTEL" doc --format html "$WORK/m.artel" >"$WORK/m.html"
has "$WORK/m.html" "<h1>A &lt;b&gt;bold&lt;/b&gt; &amp; *starred* charter</h1>"
has "$WORK/m.html" "Members pay 5.00 RUB; &lt;script&gt;"
grep -q "<script>" "$WORK/m.html" && { echo "FAIL: a script tag passed through"; failed=1; }
"$ARTEL" doc "$WORK/m.artel" >"$WORK/m.md"
has "$WORK/m.md" '\*not emphasis\*'
has "$WORK/m.md" '\<script\>'
"$ARTEL" doc "$WORK/missing.artel" >/dev/null 2>&1 && { echo "FAIL: a missing file"; failed=1; }
"$ARTEL" doc --format pdf "$WORK/m.artel" >/dev/null 2>&1 && { echo "FAIL: an unknown format"; failed=1; }
[ $failed = 0 ] && echo "doc_test: all passed"
exit $failed
