#!/usr/bin/env bash
# Runs the shipped charters' scenarios with --require-coverage, then each
# scenario in fail/ and compares what `artel test` prints with its
# .expected file (exit status 1 required). ARTEL_UPDATE_GOLDEN=1 rewrites
# the .expected files.
set -uo pipefail
artel="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
status=0
echo "== charters/scenarios"
if ! (cd "$root" && "$artel" test --require-coverage charters/scenarios/*.scenario); then
  echo "FAIL: the shipped scenarios"
  status=1
fi
echo "== tests/scenarios/tutorial (the tutorial's charter)"
if ! (cd "$here" && "$artel" test --require-coverage tutorial/*.scenario); then
  echo "FAIL: the tutorial's scenarios"
  status=1
fi
cd "$here/fail"
for f in *.scenario; do
  out=$("$artel" test "$f" 2>&1)
  rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "FAIL: fail/$f: exit status $rc, expected 1"
    status=1
  fi
  if [ "${ARTEL_UPDATE_GOLDEN:-0}" = 1 ]; then
    printf '%s\n' "$out" > "${f%.scenario}.expected"
  elif ! diff -u "${f%.scenario}.expected" <(printf '%s\n' "$out"); then
    echo "FAIL: fail/$f: the output differs from ${f%.scenario}.expected"
    status=1
  else
    echo "ok    fail/$f"
  fi
done
exit $status
