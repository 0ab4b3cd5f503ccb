#!/usr/bin/env bash
# The main job: install what is missing, build, and run the demo on the
# embedded single-node default.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
ARTEL=build/release/cli/artel
echo "== artel check: every shipped charter"
"$ARTEL" check charters/*.artel
if "$ARTEL" demo --help >/dev/null 2>&1; then
  echo "== artel demo"
  "$ARTEL" demo "$@"
fi
