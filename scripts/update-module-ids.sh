#!/usr/bin/env bash
# Records the module id of every shipped charter in tests/unit/module_ids.txt.
# Run it when a change of code generation or of a charter is intended; the
# diff shows the change in review. Usage: scripts/update-module-ids.sh [ARTEL]
set -euo pipefail
cd "$(dirname "$0")/.."
ARTEL="${1:-build/release/cli/artel}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in charters/*.artel; do
  id=$("$ARTEL" build "$f" -o "$tmp/m.acm" | awk '{print $2}')
  echo "$f $id"
done > tests/unit/module_ids.txt
cat tests/unit/module_ids.txt
