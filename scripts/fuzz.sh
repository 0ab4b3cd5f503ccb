#!/bin/sh
# Builds every libFuzzer target (clang-19, libFuzzer + ASan + UBSan) in
# build-fuzz and runs each for its share of SECONDS (default 240, the CI
# budget): with all five, the VM and the charter compiler a quarter each,
# transactions, modules and HTTP requests a sixth each. Exits non-zero on any finding (a
# crash, a sanitizer report, a violated property, a hang); the reproducer is
# kept as build-fuzz/artifacts/TARGET-crash-* (or -timeout-, -oom-), and
# `build-fuzz/fuzz/artel_fuzz_TARGET FILE` replays it.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   # targets: vm charter tx module http
set -eu
seconds=${1:-240}
[ $# -gt 0 ] && shift
targets=${*:-vm charter tx module http}
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# clang 19 flags libstdc++ 12's own std::stable_sort, which calls the
# deprecated get_temporary_buffer inside the library's headers.
flags="$flags -Wno-deprecated-declarations"

CC=clang-19 CXX=clang++-19 cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARTEL_FUZZ=ON -DARTEL_TESTS=OFF -DARTEL_BENCH=OFF \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
build_targets="artel_fuzz_corpus"
for t in $targets; do build_targets="$build_targets artel_fuzz_$t"; done
case " $targets " in *" vm "*) build_targets="$build_targets artel_fuzz_seeds" ;; esac
nice -n 10 ninja -C "$build" -j2 $build_targets

# Seeds from the project's own data, written afresh each run.
rm -rf "$build/seeds"
"$build/fuzz/artel_fuzz_corpus" "$build/seeds" "$root"
conformance="$root/../shared/conformance/bpf"
if [ -d "$conformance" ] && ls "$conformance"/*.data >/dev/null 2>&1; then
  "$build/fuzz/artel_fuzz_seeds" "$build/seeds/conformance" "$conformance"/*.data 2>/dev/null
fi
mkdir -p "$build/artifacts"

weight() { case $1 in vm|charter) echo 3 ;; *) echo 2 ;; esac; }
total=0
for t in $targets; do total=$((total + $(weight "$t"))); done
share() {  # the seconds of one target: its weight's part of the whole
  s=$((seconds * $1 / total))
  [ "$s" -lt 1 ] && s=1
  echo "$s"
}
status=0
for t in $targets; do
  mkdir -p "$build/corpus-$t"  # what the fuzzer learns; the seeds stay untouched
  case $t in
    vm) secs=$(share 3); set -- "$root/fuzz/corpus/vm"
        [ -d "$build/seeds/conformance" ] && set -- "$@" "$build/seeds/conformance"
        extra="-max_len=4096" ;;
    charter) secs=$(share 3); set -- "$root/charters" "$root/stdlib" "$root/tests/charters/good" \
               "$root/tests/charters/bad" "$root/tests/charters/warn" "$root/tests/charters/robust"
        extra="-max_len=8192 -rss_limit_mb=4096" ;;
    tx) secs=$(share 2); set -- "$build/seeds/tx"; extra="-max_len=65536" ;;
    module) secs=$(share 2); set -- "$build/seeds/module"; extra="-max_len=65536" ;;
    http) secs=$(share 2); set -- "$build/seeds/http"; extra="-max_len=4096" ;;
    *) echo "unknown fuzz target $t" >&2; exit 2 ;;
  esac
  echo "== fuzz $t for $secs s"
  # shellcheck disable=SC2086
  if ! "$build/fuzz/artel_fuzz_$t" -max_total_time="$secs" -timeout=20 $extra -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t-" "$build/corpus-$t" "$@" 2>"$build/fuzz-$t.log"; then
    tail -n 60 "$build/fuzz-$t.log"
    echo "fuzz $t: FOUND something; reproducer in $build/artifacts/ (replay: $build/fuzz/artel_fuzz_$t FILE)"
    status=1
  else
    grep -E "^(Done|stat::number_of_executed_units)" "$build/fuzz-$t.log" | tail -n 1
  fi
done
exit $status
