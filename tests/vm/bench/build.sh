#!/bin/sh
# Regenerates the checked-in bytecode of the VM benchmarks from their C
# sources. Run at authoring time only (the build never calls clang):
#
#   clang-19 -target bpf -mcpu=v3 -O2 -c NAME.c -o NAME.o
#   llvm-objcopy-19 -O binary --only-section=.text NAME.o NAME.raw
#
# NAME.raw is the program as raw 8-byte instructions; the entry is slot 0.
set -eu
cd "$(dirname "$0")"
for name in sum_squares fnv1a local_call host_call; do
  clang-19 -target bpf -mcpu=v3 -O2 -c "$name.c" -o "/tmp/artel-bench-$name.o"
  llvm-objcopy-19 -O binary --only-section=.text "/tmp/artel-bench-$name.o" "$name.raw"
  rm -f "/tmp/artel-bench-$name.o"
done
