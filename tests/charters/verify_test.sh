#!/usr/bin/env bash
# `artel verify CHARTER MODULE`: exit 0 and "verified" for the module the
# charter compiles to (and for its Russian twin, which has the same module);
# exit 1 and "NOT verified" for another charter's module; exit 1 with an
# error for a file that is not a module. The source hash in the module is the
# BLAKE2b-256 of `artel build --emit=typed` (docs/module-format.md).
# Usage: verify_test.sh ARTEL
set -u
ARTEL=$(realpath "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT" || exit 2
failed=0
check() {  # NAME EXPECTED_RC PATTERN COMMAND...
  local name=$1 want=$2 pattern=$3
  shift 3
  "$@" >"$WORK/out" 2>&1
  local rc=$?
  if [ "$rc" != "$want" ] || ! grep -q -- "$pattern" "$WORK/out"; then
    echo "FAIL $name: exit $rc (expected $want), output:"
    sed 's/^/    /' "$WORK/out"
    failed=$((failed + 1))
  else
    echo "PASS $name"
  fi
}
"$ARTEL" build charters/consumer_society.artel -o "$WORK/cs.acm" >/dev/null || exit 1
"$ARTEL" build charters/guarantor_network.artel -o "$WORK/gn.acm" >/dev/null || exit 1
printf 'not a module' >"$WORK/junk.acm"
check same 0 "^verified: " "$ARTEL" verify charters/consumer_society.artel "$WORK/cs.acm"
check twin 0 "^verified: " "$ARTEL" verify charters/consumer_society.ru.artel "$WORK/cs.acm"
check other 1 "the charter's meaning differs" "$ARTEL" verify charters/consumer_society.artel "$WORK/gn.acm"
check junk 1 "error: not a charter module" "$ARTEL" verify charters/consumer_society.artel "$WORK/junk.acm"
check missing 1 "error: cannot read" "$ARTEL" verify charters/consumer_society.artel "$WORK/none.acm"
check directory 1 "error: cannot read" "$ARTEL" verify charters/consumer_society.artel "$WORK"
# The source hash a member can compute without the compiler's internals.
want=$("$ARTEL" build charters/consumer_society.artel --emit=typed | b2sum -l 256 | cut -d' ' -f1)
check source_hash 0 "source hash  $want" "$ARTEL" disasm "$WORK/cs.acm"
# Host calls are listed by name and stable id (module format 2).
check host_ids 0 "; host artel_transfer (#2)" "$ARTEL" disasm "$WORK/cs.acm"
[ "$failed" = 0 ]
