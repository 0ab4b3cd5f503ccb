#!/usr/bin/env bash
# The main job: install what is missing, build, check every shipped charter,
# run their scenarios, and run the demo on the embedded single-node
# default. Arguments go to
# `artel demo` (e.g. --members 10000 --weeks 10 --seed 7).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
ARTEL=build/release/cli/artel
echo "== artel check: every shipped charter"
"$ARTEL" check charters/*.artel
echo "== artel test: every shipped charter's scenarios, article by article"
"$ARTEL" test -q --require-coverage charters/scenarios/*.scenario
echo "== artel demo: the platform and a union of consumer societies on the embedded single node"
"$ARTEL" demo "$@"
