#!/bin/sh
# Builds the VM fuzzer (clang-19, libFuzzer + ASan + UBSan) in build-fuzz and
# runs it for SECONDS (default 60). Exits non-zero if the fuzzer finds a crash,
# a sanitizer report or a violated VM property (see fuzz/vm_fuzz.cpp).
#
#   scripts/fuzz-vm.sh 60
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

CC=clang-19 CXX=clang++-19 cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARTEL_FUZZ=ON -DARTEL_TESTS=OFF -DARTEL_BENCH=OFF \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
nice -n 10 ninja -C "$build" -j2 artel_fuzz_vm artel_fuzz_seeds

# New inputs go to build-fuzz/corpus-vm; the checked-in seeds stay untouched.
mkdir -p "$build/corpus-vm"
set -- "$build/corpus-vm" "$root/fuzz/corpus/vm"

# The public conformance suite, when it is next to the repository, becomes
# one more seed directory, converted here and never committed.
conformance="$root/../shared/conformance/bpf"
if [ -d "$conformance" ] && ls "$conformance"/*.data >/dev/null 2>&1; then
  rm -rf "$build/corpus-conformance"
  "$build/fuzz/artel_fuzz_seeds" "$build/corpus-conformance" "$conformance"/*.data 2>/dev/null
  set -- "$@" "$build/corpus-conformance"
fi

exec "$build/fuzz/artel_fuzz_vm" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -artifact_prefix="$build/" "$@"
