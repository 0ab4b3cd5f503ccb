#!/usr/bin/env bash
# Golden tests of the Artel language front end.
#
#   run_golden.sh ARTEL_BINARY [--update] [FILTER]
#
#   good/NAME.artel    must pass `artel check`; `artel build --emit=typed`
#                      must print exactly good/NAME.typed
#   bad/NAME.artel     must fail `artel check` with exit 1 and print exactly
#                      bad/NAME.expected on stderr
#   warn/NAME.artel    must pass `artel check` (exit 0) and print exactly
#                      warn/NAME.expected on stderr (its warnings)
#   robust/NAME        hostile inputs generated here at run time (empty,
#                      binary, invalid UTF-8, 10 MB, deep nesting, missing
#                      file): exit 1 within a few seconds, stderr exactly
#                      robust/NAME.expected
#   twins              every charters/X.artel with a charters/X.ru.artel:
#                      both pass `artel check` and their typed dumps are
#                      identical
#
# Cases run from this folder with relative paths, so diagnostics are stable.
# A case with a line `// stdlib: libs` among its first three is checked
# against the test libraries in libs/ instead of the standard library; a bad
# case with a line `// stage: build` there is compiled with `artel build`
# (errors of lowering and code generation) instead of `artel check`.
#   robust/build_NAME  generated charters too large for the bytecode:
#                      `artel build` exits 1 with robust/build_NAME.expected
# --update rewrites the expected files from the current output (review the
# diff before committing it). FILTER runs only the cases whose name contains it.
set -u

if [ $# -lt 1 ]; then
  echo "usage: $0 ARTEL_BINARY [--update] [FILTER]" >&2
  exit 2
fi
ARTEL=$(realpath "$1")
shift
UPDATE=0
FILTER=""
for arg in "$@"; do
  case "$arg" in
    --update) UPDATE=1 ;;
    *) FILTER="$arg" ;;
  esac
done
if [ ! -x "$ARTEL" ]; then
  echo "$0: $ARTEL is not an executable" >&2
  exit 2
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$HERE" || exit 2
# Seconds per command; the robustness cases must finish within ROBUST_LIMIT.
# Sanitizer builds run several times slower: ARTEL_TEST_TIME_SCALE scales both.
SCALE="${ARTEL_TEST_TIME_SCALE:-1}"
TIME_LIMIT=$((10 * SCALE))
ROBUST_LIMIT=$((5 * SCALE))

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL $1: $2"
  if [ -n "${3:-}" ] && [ -f "$3" ]; then sed 's/^/    /' "$3" | head -40; fi
}
wanted() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

stdlib_for() {
  if head -n 3 "$1" | grep -q '^// stdlib: libs'; then echo "libs"; else echo "../../stdlib"; fi
}
is_build_case() { head -n 3 "$1" | grep -q '^// stage: build'; }

# Runs the artel binary with a time limit; stdout/stderr to files, sets $rc.
run() {
  local out=$1 err=$2
  shift 2
  timeout "$TIME_LIMIT" "$ARTEL" "$@" >"$out" 2>"$err"
  rc=$?
}

# Compares $2 (actual) with expected file $1, or writes it with --update.
compare() {
  local expected=$1 actual=$2 name=$3
  if [ "$UPDATE" = 1 ]; then
    cp "$actual" "$expected"
    pass "$name (updated)"
  elif [ ! -f "$expected" ]; then
    fail "$name" "no expected file $expected (run with --update)"
  elif diff -u "$expected" "$actual" >"$WORK/diff"; then
    pass "$name"
  else
    fail "$name" "output differs from $expected" "$WORK/diff"
  fi
}

# ---------------------------------------------------------------- good
for f in good/*.artel; do
  [ -e "$f" ] || continue
  name=${f%.artel}
  wanted "$name" || continue
  lib=$(stdlib_for "$f")
  run "$WORK/out" "$WORK/err" check --stdlib "$lib" "$f"
  if [ "$rc" != 0 ]; then
    fail "$name" "artel check exited $rc" "$WORK/err"
    continue
  fi
  run "$WORK/out" "$WORK/err" build --emit=typed --stdlib "$lib" "$f"
  if [ "$rc" != 0 ]; then
    fail "$name" "artel build --emit=typed exited $rc" "$WORK/err"
    continue
  fi
  compare "$name.typed" "$WORK/out" "$name"
done

# ---------------------------------------------------------------- bad, warn
# Each case must make artel exit with $2 and print exactly NAME.expected on
# stderr: bad/ cases fail (1), warn/ cases pass with their warnings (0).
expect_stderr() {
  local dir=$1 want_rc=$2 f name
  for f in "$dir"/*.artel; do
    [ -e "$f" ] || continue
    name=${f%.artel}
    wanted "$name" || continue
    if is_build_case "$f"; then
      run "$WORK/out" "$WORK/err" build --stdlib "$(stdlib_for "$f")" "$f" -o "$WORK/out.acm"
    else
      run "$WORK/out" "$WORK/err" check --stdlib "$(stdlib_for "$f")" "$f"
    fi
    if [ "$rc" != "$want_rc" ]; then
      fail "$name" "artel exited $rc, expected $want_rc" "$WORK/err"
      continue
    fi
    compare "$name.expected" "$WORK/err" "$name"
  done
}
expect_stderr bad 1
expect_stderr warn 0

# ---------------------------------------------------------------- robustness
# Generated here so that large or binary files are not checked in. Each is
# checked from inside $WORK/robust under a stable file name.
mkdir -p "$WORK/robust"
gen_robust() {
  local dir=$WORK/robust
  : >"$dir/empty.artel"
  printf '\n\n   \n\t\n' >"$dir/blank.artel"
  # Binary data: bytes 0..255, twice.
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 2)' >"$dir/binary.artel"
  # Invalid UTF-8 inside an otherwise valid charter (a lone continuation byte).
  printf 'charter "Test" version 1\ncurrency RUB scale 2\narticle 1 "A \x80 title" {\n}\n' >"$dir/invalid_utf8.artel"
  # An overlong encoding of '/'.
  printf 'charter "Test" version 1\n// \xc0\xaf\n' >"$dir/overlong_utf8.artel"
  printf 'charter "Test" version 1\ncurrency RUB scale 2\x00\n' >"$dir/nul_byte.artel"
  # 10 MB: a valid header, then one article whose title is never closed.
  python3 - "$dir/ten_megabytes.artel" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('charter "Test" version 1\ncurrency RUB scale 2\n')
    line = "// " + "x" * 96 + "\n"
    for _ in range(10 * 1024 * 1024 // len(line)):
        f.write(line)
    f.write('article 1 "Unclosed {\n')
EOF
  # Just under the 4 MiB limit: real charter text, then an article whose
  # brace is never closed. Parsed in full.
  python3 - "$dir/four_megabytes.artel" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('charter "Big" version 1\ncurrency RUB scale 2\nrounding down\n')
    i = 0
    while f.tell() < 4 * 1024 * 1024 - 1000:
        i += 1
        f.write('article %d "Article %d" {\n  parameter limit%d: money = 100.00 RUB\n'
                '  rule pay%d(recipient: member, amount: money) by member {\n'
                '    require amount <= limit%d else "over the limit"\n'
                '    transfer amount from share(caller) to share(recipient)\n  }\n}\n' % (i, i, i, i, i))
    f.write('article 0 "Unclosed" {\n')
EOF
  # 20 MB: over the limit a charter may have.
  python3 -c 'import sys; sys.stdout.write("// " + "y" * 20 * 1024 * 1024 + "\n")' >"$dir/twenty_megabytes.artel"
  # 10,000 nested parentheses in a parameter's value.
  python3 - "$dir/nested_parens.artel" <<'EOF'
import sys
n = 10000
with open(sys.argv[1], "w") as f:
    f.write('charter "Test" version 1\ncurrency RUB scale 2\narticle 1 "A" {\n')
    f.write("  parameter p: count = " + "(" * n + "1" + ")" * n + "\n}\n")
EOF
  # 10,000 nested blocks.
  python3 - "$dir/nested_blocks.artel" <<'EOF'
import sys
n = 10000
with open(sys.argv[1], "w") as f:
    f.write('charter "Test" version 1\ncurrency RUB scale 2\narticle 1 "A" {\n  rule r() by member {\n')
    f.write("if true {" * n + "}" * n + "\n  }\n}\n")
EOF
  # 5,000 additions in a row: a deep expression without brackets.
  python3 - "$dir/long_expression.artel" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('charter "Test" version 1\ncurrency RUB scale 2\narticle 1 "A" {\n')
    f.write("  parameter p: count = 1" + " + 1" * 5000 + "\n}\n")
EOF
  # 20,000 `else if` branches: as deep as 20,000 nested blocks.
  python3 - "$dir/else_if_chain.artel" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('charter "Test" version 1\ncurrency RUB scale 2\narticle 1 "A" {\n  rule r(n: count) by member {\n    if n == 0 {\n    }')
    for i in range(1, 20000):
        f.write(" else if n == %d {\n    }" % i)
    f.write("\n  }\n}\n")
EOF
  # 10,000 minus signs in a row.
  python3 - "$dir/prefix_operators.artel" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('charter "Test" version 1\ncurrency RUB scale 2\narticle 1 "A" {\n')
    f.write("  parameter p: count = " + "-" * 10000 + "1\n}\n")
EOF
  # A string that is never closed, 1 MB long.
  python3 -c 'import sys; sys.stdout.write("charter \"" + "z" * 1024 * 1024 + "\n")' >"$dir/unclosed_string.artel"
  # Many errors: 5,000 unknown names; only the first 200 are shown.
  python3 - "$dir/many_errors.artel" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('charter "Test" version 1\ncurrency RUB scale 2\narticle 1 "A" {\n  rule r() by member {\n')
    for i in range(5000):
        f.write("    require unknown%d else \"x\"\n" % i)
    f.write("  }\n}\n")
EOF
  mkdir -p "$dir/a_directory.artel"
  # Too large for the bytecode: one rule past the reach of a 16-bit jump
  # (1,400 splits in one `if`), and three rules past the VM's 65,536 slots.
  python3 - "$dir/build_long_rule.artel" "$dir/build_large_module.artel" <<'EOF'
import sys
def charter(path, rules, splits):
    with open(path, "w") as f:
        f.write('charter "Big" version 1\ncurrency RUB scale 2\nrounding down\narticle 1 "A" {\n')
        for r in range(rules):
            f.write('  rule big%d(m: member, x: money) by member {\n    if x > 0.00 RUB {\n' % r)
            for _ in range(splits):
                f.write('      split x from share(caller) {\n        10% to fund\n        remainder to share(m)\n      }\n')
            f.write('    }\n  }\n')
        f.write('}\n')
charter(sys.argv[1], 1, 1400)
charter(sys.argv[2], 3, 1000)
EOF
}
gen_robust
mkdir -p robust
for base in empty blank binary invalid_utf8 overlong_utf8 nul_byte four_megabytes ten_megabytes twenty_megabytes \
            nested_parens nested_blocks else_if_chain long_expression prefix_operators unclosed_string many_errors \
            a_directory does_not_exist; do
  name="robust/$base"
  expected="robust/$base.expected"
  wanted "$name" || continue
  file="$base.artel"
  start=$(date +%s)
  (cd "$WORK/robust" && timeout "$TIME_LIMIT" "$ARTEL" check --stdlib "$ROOT/stdlib" "$file" >"$WORK/out" 2>"$WORK/err")
  rc=$?
  elapsed=$(($(date +%s) - start))
  if [ "$rc" = 124 ]; then
    fail "$name" "no answer within ${TIME_LIMIT}s"
  elif [ "$rc" != 1 ]; then
    fail "$name" "artel check exited $rc, expected 1 (a crash is > 128)" "$WORK/err"
  elif [ "$elapsed" -gt "$ROBUST_LIMIT" ]; then
    fail "$name" "took ${elapsed}s, more than ${ROBUST_LIMIT}s"
  else
    compare "$expected" "$WORK/err" "$name"
  fi
done

for base in build_long_rule build_large_module; do
  name="robust/$base"
  wanted "$name" || continue
  (cd "$WORK/robust" && timeout "$TIME_LIMIT" "$ARTEL" build --stdlib "$ROOT/stdlib" "$base.artel" -o "$base.acm" \
     >"$WORK/out" 2>"$WORK/err")
  rc=$?
  if [ "$rc" != 1 ]; then
    fail "$name" "artel build exited $rc, expected 1 (a crash is > 128)" "$WORK/err"
  elif [ -e "$WORK/robust/$base.acm" ]; then
    fail "$name" "a module was written"
  else
    compare "robust/$base.expected" "$WORK/err" "$name"
  fi
done

# ---------------------------------------------------------------- twins
for ru in "$ROOT"/charters/*.ru.artel; do
  [ -e "$ru" ] || continue
  en=${ru%.ru.artel}.artel
  name="twins/$(basename "${en%.artel}")"
  wanted "$name" || continue
  if [ ! -f "$en" ]; then
    fail "$name" "$(basename "$ru") has no English twin $(basename "$en")"
    continue
  fi
  ok=1
  for f in "$en" "$ru"; do
    run "$WORK/out" "$WORK/err" check --stdlib "$ROOT/stdlib" "$f"
    if [ "$rc" != 0 ]; then
      fail "$name" "artel check $(basename "$f") exited $rc" "$WORK/err"
      ok=0
      break
    fi
  done
  [ "$ok" = 1 ] || continue
  run "$WORK/en.typed" "$WORK/err" build --emit=typed --stdlib "$ROOT/stdlib" "$en"
  run "$WORK/ru.typed" "$WORK/err" build --emit=typed --stdlib "$ROOT/stdlib" "$ru"
  if [ ! -s "$WORK/en.typed" ]; then
    fail "$name" "no typed dump" "$WORK/err"
  elif diff -u "$WORK/en.typed" "$WORK/ru.typed" >"$WORK/diff"; then
    pass "$name"
  else
    fail "$name" "the English and Russian typed dumps differ" "$WORK/diff"
  fi
done
# Every charter in charters/ (twins or not) must pass.
for f in "$ROOT"/charters/*.artel; do
  [ -e "$f" ] || continue
  name="charters/$(basename "${f%.artel}")"
  wanted "$name" || continue
  run "$WORK/out" "$WORK/err" check --stdlib "$ROOT/stdlib" "$f"
  if [ "$rc" = 0 ]; then pass "$name"; else fail "$name" "artel check exited $rc" "$WORK/err"; fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
