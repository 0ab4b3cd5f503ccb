#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test twice: a normal
# build and an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Tests that need ../shared (the eBPF conformance suite) report themselves as
# skipped when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
status=0
for preset in release asan; do
  echo "== build: $preset"
  scripts/build.sh "$preset"
  echo "== test: $preset"
  if ! ctest --preset "$preset" -j "$jobs"; then status=1; fi
done
if [ -x scripts/fuzz-vm.sh ] && [ "${ARTEL_FUZZ_SECONDS:-60}" != 0 ]; then
  echo "== fuzz: the VM for ${ARTEL_FUZZ_SECONDS:-60} s"
  if ! scripts/fuzz-vm.sh "${ARTEL_FUZZ_SECONDS:-60}"; then status=1; fi
fi
exit $status
