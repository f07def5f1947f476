#!/bin/sh
# `mosaic map` end to end: exit codes (0 mappable, 1 not, 2 bad input), the JSON keys, --save/reload,
# --out, --placement anneal, and errors that name file and line. Usage: test_map_cli.sh MOSAIC_BINARY
set -u
M=$1
T=$(mktemp -d "${TMPDIR:-/tmp}/mosaic_map_cli_XXXXXX")
trap 'rm -rf "$T"' EXIT
fail=0
check() { # check DESCRIPTION CONDITION...
    d=$1; shift
    if "$@"; then echo "ok   $d"; else echo "FAIL $d"; fail=1; fi
}

"$M" map --random --profile 1:0.8,3:0 --seed 3 >"$T/a" 2>&1; rc=$?
check "p3 = 0 is mappable (exit 0)" test $rc -eq 0
check "text report says MAPPABLE" grep -q "^MAPPABLE" "$T/a"

"$M" map --random --profile 1:0.8,3:0.1 --seed 42 --json --save "$T/l.txt" >"$T/j" 2>&1; rc=$?
check "p3 = 0.1 is not mappable (exit 1)" test $rc -eq 1
check "--json is one line" test "$(wc -l <"$T/j")" -eq 1
for key in '"mappable":false' '"violations":' '"devices":{"nt":' '"total":' '"gamma":{"1":' '"min_config":{"nt":[' '"r1":[' '"r0":['; do
    check "--json has $key" grep -qF "$key" "$T/j"
done
"$M" map "$T/l.txt" --json >"$T/j2" 2>&1; rc=$?
check "the saved links map to the same devices" test "$(grep -o '"devices":{[^}]*}' "$T/j")" = "$(grep -o '"devices":{[^}]*}' "$T/j2")"
check "reloaded exit 1" test $rc -eq 1

"$M" map "$T/l.txt" --out "$T/m.h5" >"$T/o" 2>&1; rc=$?
check "--out writes the mapping" test $rc -eq 1 -a -s "$T/m.h5"
if command -v h5ls >/dev/null 2>&1; then
    h5ls -r "$T/m.h5" >"$T/ls"
    for ds in /ports/count /lines/source /routers/in_port /nt/link /violations/count /min_config/r1 /gamma; do
        check "mapping file has $ds" grep -q "^$ds " "$T/ls"
    done
fi

"$M" map "$T/l.txt" --placement anneal --iterations 200 --seed 1 >"$T/p" 2>&1; rc=$?
check "anneal reports its gain" grep -q "^placement anneal: violations" "$T/p"

printf '# mosaic-links rows=5 cols=5 k=32\n40 0\n40 zero\n' >"$T/bad.txt"
"$M" map "$T/bad.txt" >"$T/e" 2>&1; rc=$?
check "bad line: exit 2" test $rc -eq 2
check "bad line: error names file and line" grep -q "bad.txt:3:" "$T/e"
"$M" map "$T/l.txt" --set array.rows=4 >"$T/e" 2>&1; rc=$?
check "rows changed by --set: exit 2" test $rc -eq 2
"$M" map >"$T/e" 2>&1; rc=$?
check "no network: exit 2" test $rc -eq 2
"$M" map --random --profile 2:0.5 >"$T/e" 2>&1; rc=$?
check "even distance in the profile: exit 2" test $rc -eq 2
exit $fail
