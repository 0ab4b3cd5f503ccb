#!/bin/sh
# Runs a command that must fail in one precise way: exit status STATUS and
# output (stdout and stderr) with a line matching each extended regular
# expression. Any other outcome -- success, a crash, another error, another
# status -- fails the test.
#
#   expect_failure.sh STATUS REGEX... -- COMMAND [ARG...]
status=$1
shift
n=0
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  n=$((n + 1))
  eval "regex_$n=\$1"
  shift
done
[ "${1:-}" = "--" ] || { echo "usage: expect_failure.sh STATUS REGEX... -- COMMAND" >&2; exit 2; }
shift
out=$("$@" 2>&1)
got=$?
printf '%s\n' "$out"
if [ "$got" -ne "$status" ]; then
  echo "expected exit status $status, got $got" >&2
  exit 1
fi
i=1
while [ $i -le $n ]; do
  eval "regex=\$regex_$i"
  if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
    echo "expected a line matching: $regex" >&2
    exit 1
  fi
  i=$((i + 1))
done
