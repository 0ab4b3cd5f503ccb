#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test twice: a normal
# build and an AddressSanitizer + UndefinedBehaviorSanitizer build; then the
# node's tests under ThreadSanitizer, and every fuzz target for
# ARTEL_FUZZ_SECONDS (default 240) in all.
# Tests that need ../shared (the eBPF conformance suite) report themselves as
# skipped when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
status=0
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
stages=""  # how long each stage took, printed at the end
for preset in release asan tsan; do
  echo "== build: $preset"
  start=$SECONDS
  scripts/build.sh "$preset"
  stages="${stages}build $preset $((SECONDS - start)) s; "
  echo "== test: $preset"
  start=$SECONDS
  if ! ctest --preset "$preset" -j "$jobs" 2>&1 | tee "$log"; then status=1; fi
  stages="${stages}test $preset $((SECONDS - start)) s; "
  # "100% tests passed, 0 tests failed out of 77"
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -n 1)
  if [ -z "$line" ]; then status=1; continue; fi
  f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
  t=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
  passed=$((passed + t - f))
  failed=$((failed + f))
done
if [ "${ARTEL_FUZZ_SECONDS:-240}" != 0 ]; then
  echo "== fuzz: every target, ${ARTEL_FUZZ_SECONDS:-240} s in all"
  start=$SECONDS
  if scripts/fuzz.sh "${ARTEL_FUZZ_SECONDS:-240}"; then
    passed=$((passed + 1))
  else
    status=1
    failed=$((failed + 1))
  fi
  stages="${stages}fuzz $((SECONDS - start)) s; "
fi
echo "== all: the builds, their tests and the fuzz run"
echo "stages: $stages"
echo "$passed passed, $failed failed"
exit $status
