#!/usr/bin/env bash
# Golden tests of the lowering: the BPF assembly of each small charter here
# must equal NAME.s. Usage: run.sh ARTEL [--update]
set -uo pipefail
artel="$1"
update="${2:-}"
cd "$(dirname "$0")"
passed=0
failed=0
for src in *.artel; do
  name="${src%.artel}"
  actual=$("$artel" build "$src" --emit=asm 2>&1)
  if [ "$update" = "--update" ]; then
    printf '%s\n' "$actual" > "$name.s"
  fi
  if [ "$actual" == "$(cat "$name.s" 2>/dev/null)" ]; then
    echo "PASS $src"
    passed=$((passed + 1))
  else
    echo "FAIL $src: assembly differs from $name.s"
    diff <(printf '%s\n' "$actual") "$name.s" | head -20
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
