#!/bin/sh
# Runs `artel vm test` over every .data file of the BPF conformance suite.
# Usage: run_conformance.sh ARTEL DIR. Exits 77 (ctest: SKIPPED) when DIR is absent.
artel=$1
dir=$2
if [ ! -d "$dir" ]; then
  echo "conformance suite not found at $dir: skipped"
  exit 77
fi
set -- "$dir"/*.data
if [ ! -e "$1" ]; then
  echo "no .data files in $dir: skipped"
  exit 77
fi
exec "$artel" vm test "$@"
