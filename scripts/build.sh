#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh PRESET
# (dev, release or asan; see CMakePresets.json).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
# ccache: paths inside the checkout count relative to it, so a clone in
# another folder (CI's fresh clone) reuses what an earlier build compiled.
# (-g puts the build folder into the objects; ccache would hash it too.)
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
