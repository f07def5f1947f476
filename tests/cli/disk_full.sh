#!/bin/sh
# usage: disk_full.sh MOSAIC WORKDIR — results that cannot be written completely (a full disk, emulated
# with a file-size limit: writes past it fail with EFBIG) end with one error and exit status 3: no
# crash (libhdf5 1.10 used to segfault at exit on the file it failed to close), no file reported as
# written that is not complete, no temporary file left.
set -u
mosaic=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
# Run with a file-size limit in bytes (prlimit, util-linux: `ulimit -f` counts 512-byte blocks in dash
# and 1024-byte ones in bash); SIGXFSZ is ignored, and stays ignored across exec, so the write fails
# with EFBIG instead of killing the program.
limited() { bytes=$1; shift; sh -c 'trap "" XFSZ; exec prlimit --fsize="$0" "$@"' "$bytes" "$@"; }

"$mosaic" dataset synth --out data --speakers 3 --per-speaker 2 >synth.log 2>&1 || fail "dataset synth: $(cat synth.log)"
"$mosaic" train --out run --set train.data.source=shd --set train.data.train=data/train.h5 \
    --set train.data.test=data/test.h5 --set train.data.classes=10 --set train.epochs=1 \
    --set train.rewire.profile=1:0.3 >train.log 2>&1 || fail "training the network: $(cat train.log)"

# 1. train: its checkpoint (~1 MB) does not fit in 750 KB
limited 768000 "$mosaic" train --out full --set train.data.source=synthetic --set train.data.synthetic.train=64 \
    --set train.data.synthetic.test=32 --set train.epochs=1 >full.log 2>&1
rc=$?
cat full.log
[ "$rc" = 3 ] || fail "train on a full disk: exit status $rc, expected 3"
grep -q "full/checkpoint.h5: cannot write" full.log || fail "train on a full disk: no message naming the file"
ls full | grep -q tmp && fail "train left a temporary file: $(ls full)"

# 2. sim --wave: the waveform of 300 steps at depth 2 (~3 MB) does not fit in 100 KB; the result file
# (~55 KB) does
for ext in vcd fst; do
    limited 102400 "$mosaic" sim --network run --data data/test.h5 --samples 3 --out s.h5 --wave "w.$ext" \
        --wave-window 0:300 --wave-depth 2 >"wave-$ext.log" 2>&1
    rc=$?
    cat "wave-$ext.log"
    [ "$rc" = 3 ] || fail "sim --wave w.$ext on a full disk: exit status $rc, expected 3"
    grep -q "w.$ext: writing the waveform failed\|vcd2fst failed" "wave-$ext.log" ||
        fail "sim --wave w.$ext on a full disk: no message naming the waveform"
    grep -q "^wrote w.$ext" "wave-$ext.log" && fail "sim reported w.$ext as written"
    [ -e "w.$ext" ] && fail "an incomplete w.$ext was left"
done
ls | grep -q "tmp" && fail "temporary files left: $(ls)"
echo "ok"
