#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh PRESET
# (dev, release or asan; see CMakePresets.json).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
