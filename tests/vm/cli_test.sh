#!/usr/bin/env bash
# The `artel vm` command line on real inputs: a shipped charter built with
# `artel build` and run with the ledger's host functions, unreadable paths
# (a directory, no permission), and test files that must FAIL.
# Usage: cli_test.sh ARTEL SOURCE_DIR. Prints PASS/FAIL per check.
set -uo pipefail
artel="$1"
src="$2"
data="$src/tests/vm/data"
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT
passed=0
failed=0

# check NAME EXPECTED_EXIT REGEX... -- COMMAND...: the command exits with
# EXPECTED_EXIT and its stdout+stderr matches every (extended) REGEX.
check() {
  local name="$1" want="$2"
  shift 2
  local patterns=()
  while [ "$1" != "--" ]; do
    patterns+=("$1")
    shift
  done
  shift
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  local why=""
  [ "$rc" -eq "$want" ] || why="exit $rc, expected $want"
  for p in "${patterns[@]}"; do
    printf '%s\n' "$out" | grep -Eq -- "$p" || why="${why:+$why; }output lacks /$p/"
  done
  if [ -z "$why" ]; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name: $why"
    printf '%s\n' "$out" | sed 's/^/    /' | head -20
    failed=$((failed + 1))
  fi
}

# A shipped charter, compiled by the real compiler, run on an empty ledger.
acm="$tmp/savings.acm"
check "build savings_cooperative" 0 "module [0-9a-f]{64}" -- \
  "$artel" build "$src/charters/savings_cooperative.artel" -o "$acm"
check "verify the module" 0 "^ok: " -- "$artel" vm verify "$acm"
check "run join with no arguments: the charter aborts" 1 \
  "^r0 = 0x0 \(0\)$" "^instructions = [0-9]+$" \
  "^abort: article 2: the target must be at least the minimum target$" \
  "^error: pc [0-9]+: host-error: " -- \
  "$artel" vm run "$acm" --entry join
check "run join as a member who can pay" 0 \
  "^r0 = 0x0 \(0\)$" "^instructions = [0-9]+$" "^event saver_admitted\(1, 100000000, 10000000\)$" -- \
  "$artel" vm run "$acm" --entry join --member 20000000 --caller 1 --arg 100000000
check "run join as a member who cannot pay" 1 "^abort: article 2: " -- \
  "$artel" vm run "$acm" --entry join --member 2000 --caller 1 --arg 100000000
check "run a rule without parameters" 1 "^abort: article 3: the member has not joined the savings programme$" -- \
  "$artel" vm run "$acm" --entry pay_monthly
check "run a periodic clause on an empty ledger" 0 "^r0 = 0x0 \(0\)$" "^instructions = [0-9]+$" -- \
  "$artel" vm run "$acm" --entry every_month
check "too many arguments" 2 "entry 'join' takes 1 argument\(s\), got 2" -- \
  "$artel" vm run "$acm" --entry join --arg 1 --arg 2
check "unknown entry" 1 "nope" -- "$artel" vm run "$acm" --entry nope
check "budget too small for the rule" 1 "^instructions = 5$" "out-of-budget" -- \
  "$artel" vm run "$acm" --entry join --member 20000000 --caller 1 --arg 100000000 --budget 5

# Unreadable paths: one clear error per file, never an abort.
check "vm test with a directory" 1 "^PASS $data/exact_budget.data$" \
  "^FAIL $tmp: cannot read $tmp: Is a directory$" "^1 passed, 1 failed$" -- \
  "$artel" vm test "$data/exact_budget.data" "$tmp"
check "vm run --raw with a directory" 1 "^error: cannot read $tmp: Is a directory$" -- \
  "$artel" vm run --raw "$tmp"
check "vm run with a directory" 1 "^error: cannot read $tmp: Is a directory$" -- "$artel" vm run "$tmp"
check "vm verify with a directory" 1 "^error: cannot read $tmp: Is a directory$" -- "$artel" vm verify "$tmp"
check "vm disasm with a directory" 1 "^error: cannot read $tmp: Is a directory$" -- "$artel" vm disasm "$tmp"
check "vm asm with a directory" 1 "^error: cannot read $tmp: Is a directory$" -- \
  "$artel" vm asm "$tmp" -o "$tmp/out.bin"
check "disasm with a directory" 1 "^error: cannot read $tmp: Is a directory$" -- "$artel" disasm "$tmp"
check "keygen --show with a directory" 1 "cannot read $tmp: Is a directory" -- "$artel" keygen --show "$tmp"
"$artel" keygen --out "$tmp/k.key" >/dev/null
check "submit with a directory as the key" 1 "cannot read $tmp: Is a directory" -- \
  "$artel" submit deploy --key "$tmp" --module "$acm" --source "$src/charters/savings_cooperative.artel" --nonce 1 --ledger 0000000000000000000000000000000000000000000000000000000000000000 --print
check "submit with a directory as the module" 1 "cannot read $tmp: Is a directory" -- \
  "$artel" submit deploy --key "$tmp/k.key" --module "$tmp" --source "$src/charters/savings_cooperative.artel" --nonce 1 --ledger 0000000000000000000000000000000000000000000000000000000000000000 --print
check "submit with readable files still signs" 0 "^[0-9a-f]{64,}$" -- \
  "$artel" submit deploy --key "$tmp/k.key" --module "$acm" --source "$src/charters/savings_cooperative.artel" --nonce 1 --ledger 0000000000000000000000000000000000000000000000000000000000000000 --print
check "vm test with a missing file" 1 "^FAIL $tmp/absent.data: cannot read $tmp/absent.data: No such file or directory$" \
  "^0 passed, 1 failed$" -- "$artel" vm test "$tmp/absent.data"
if [ "$(id -u)" -ne 0 ]; then  # root reads every file whatever its mode
  cp "$data/exact_budget.data" "$tmp/locked.data"
  chmod 000 "$tmp/locked.data"
  check "vm test with a file it may not read" 1 "^FAIL $tmp/locked.data: cannot read $tmp/locked.data: Permission denied$" \
    "^0 passed, 1 failed$" -- "$artel" vm test "$tmp/locked.data"
fi

# Files whose program is missing must FAIL even under a bare -- error.
for f in "$src"/tests/vm/bad/*.data; do
  check "vm test $(basename "$f") fails" 1 "^FAIL $f: no program" "^0 passed, 1 failed$" -- "$artel" vm test "$f"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
