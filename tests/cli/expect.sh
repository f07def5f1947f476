#!/usr/bin/env bash
# expect.sh EXIT REGEX CMD...: runs CMD; passes iff it exits with EXIT and its output (stdout+stderr)
# matches the extended regex REGEX. Prints the output either way, for the CTest log.
want=$1
regex=$2
shift 2
out=$("$@" 2>&1)
got=$?
printf '%s\n' "$out"
if [ "$got" -ne "$want" ]; then
    echo "FAIL: exit status $got, expected $want" >&2
    exit 1
fi
if ! grep -Eq -- "$regex" <<<"$out"; then
    echo "FAIL: output does not match: $regex" >&2
    exit 1
fi
echo "ok: exit $got and output matches"
