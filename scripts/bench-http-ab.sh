#!/usr/bin/env bash
# The HTTP API under many keep-alive clients, next to the arteld of an
# earlier commit measured in turn in the same run (a noisy, shared machine
# makes figures from different minutes incomparable). The reference is
# built at measure time in a temporary git worktree; nothing of it stays.
#
#   scripts/bench-http-ab.sh [REFERENCE_COMMIT] [artel_bench_http options...]
#   scripts/bench-http-ab.sh cac40cf --clients 10 --clients 100 --clients 1000
#
# The default reference is the last commit with the thread-per-connection
# server. Needs build/release built (scripts/build.sh release).
set -euo pipefail
cd "$(dirname "$0")/.."
ref=cac40cf
if [[ $# -gt 0 && $1 != -* ]]; then
  ref=$1
  shift
fi
bench=build/release/node/artel_bench_http
[[ -x $bench ]] || { echo "build the release tree first: scripts/build.sh release" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/artel-reference-XXXXXX")
cleanup() { git worktree remove --force "$work" >/dev/null 2>&1 || rm -rf "$work"; }
trap cleanup EXIT
git worktree add --detach "$work" "$ref" >/dev/null
echo "building the reference arteld at $(git rev-parse --short "$ref") in $work ..." >&2
(cd "$work" && export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1 &&
  cmake --preset release -DARTEL_BENCH=OFF >/dev/null && cmake --build --preset release --target arteld >/dev/null)
"$bench" --arteld build/release/node/arteld --reference "$work/build/release/node/arteld" "$@"
