#!/usr/bin/env bash
# mosaic cosim end to end, as a user runs it, on a small array and a synthetic SHD-layout dataset:
#   1. on a profile that overloads the array, the open loop ends unmappable and the closed loop ends
#      mappable, with the final network simulated on the array;
#   2. a simulator that crashes or hangs is reported and training completes;
#   3. a resumed run equals an uninterrupted one;
#   4. bad keys and files are refused; 5. proxy-check reads the run's checkpoints;
#   (1 also: eval scores a cosim run, train runs on a cosim configuration);
#   6. the runs' report.html render in headless Chromium without console errors.
# usage: test_cosim_run.sh MOSAIC_BINARY WORK_DIR RENDER_SCRIPT
set -euo pipefail
mosaic=$(realpath "$1")
work=$2
render=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$mosaic" dataset synth --out data --classes 4 --speakers 4 --per-speaker 4 --units 128 >/dev/null
cat >small.yaml <<'YAML'
array: {rows: 4, cols: 4, neurons_per_tile: 16}
capacity: {nt: 16, r1: 16, r0: 4}
train:
  epochs: 3
  batch: 32
  lr: 0.01
  rewire: {profile: "1:0.8,3:0.2", min_strong: 8}
  loss: {lambda_fr: 1, target_fr: 1}
  data: {source: shd, train: data/train.h5, test: data/test.h5, classes: 4, inputs: 32, steps: 30}
cosim: {every: 1, samples: 8}
YAML

echo "== 1. open loop vs closed loop"
"$mosaic" cosim --config small.yaml --out open --set cosim.feedback=none >open.log
"$mosaic" cosim --config small.yaml --out closed >closed.log
grep -q "final network: NOT mappable" open.log || fail "open loop should end unmappable: $(tail -4 open.log)"
grep -q "final network: MAPPABLE" closed.log || fail "closed loop should end mappable: $(tail -4 closed.log)"
grep -q "forced out" closed.log || fail "closed loop did not prune overloaded ports"
grep -q "on the array" closed.log || fail "the final closed-loop network was not simulated: $(tail -4 closed.log)"
# every hardware checkpoint of the closed loop is mappable; the CSV says so too
awk -F, 'NR > 1 && $2 != 1 { bad = 1 } END { exit bad }' closed/hardware.csv || fail "closed/hardware.csv has an unmappable checkpoint"
# DeepR keeps every possible link in its list: the closed loop prunes only links the hardware has (it
# once chose the same zeroed link forever), and a synapse revived into an empty link asks the veto;
# the same with a memory budget, whose fallback victim once was a link already gone
timeout 120 "$mosaic" cosim --config small.yaml --out deepr --set train.method=deepr --set train.epochs=2 \
    --set cosim.sim_wait=true >deepr.log || fail "deepr in the closed loop did not finish: $(tail -3 deepr.log)"
grep -q "final network: MAPPABLE" deepr.log || fail "deepr closed loop should end mappable: $(tail -4 deepr.log)"
awk -F, 'NR > 1 && ($2 != 1 || $(NF - 1) != $NF) { bad = 1 } END { exit bad || NR != 3 }' deepr/hardware.csv ||
    fail "deepr: a checkpoint unmappable, or the array unlike the software: $(cat deepr/hardware.csv)"
grep "^epoch 2/2" deepr.log | grep -q "ports over capacity 0" || fail "deepr epoch line: $(grep '^epoch' deepr.log)"
# the methods that keep every link count the links that died over an epoch as pruned (they printed 0),
# and keys of another method get a note
"$mosaic" train --config small.yaml --out hop --set train.method=hop-penalty --set train.hop.prune=0.05 \
    --set train.hop.lambda=0.05 --set train.deepr.l1=1 --set train.epochs=1 >hop.log 2>&1 ||
    fail "hop-penalty run: $(tail -3 hop.log)"
awk -F, 'NR == 2 && $8 > 0 { ok = 1 } END { exit !ok }' hop/history.csv ||
    fail "hop-penalty pruned nothing: $(cat hop/history.csv)"
grep -q "train.deepr.l1 ha[sve]* no effect with method hop-penalty" hop.log || fail "no note on deepr.l1: $(cat hop.log)"
# a run that diverges (hop keys within their ranges overflow the penalty) stops with one error, exit 2
set +e
"$mosaic" train --config small.yaml --out nan --set train.method=hop-penalty --set train.hop.max_log=700 \
    --set train.hop.rate=100 --set train.epochs=1 >nan.log 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "training diverged" nan.log && [ ! -e nan/checkpoint.h5 ] || fail "diverged run: $rc $(cat nan.log)"
# a mapping the compiled routers cannot hold (an R0 side of 10 lines, 8 compiled) is not handed to the
# simulator: the record says why
"$mosaic" cosim --config small.yaml --out wide --set capacity.r0=64 --set capacity.r1=32 --set capacity.nt=32 \
    --set cosim.feedback=none --set train.epochs=1 >wide.log 2>&1 || fail "wide: $(tail -3 wide.log)"
grep -q "note: capacities R1 32 / R0 64 are above" wide.log &&
    grep -q "not simulated: mapping: R0 .* needs [0-9]* lines but the compiled router RTL has 8" wide.log ||
    fail "a mapping wider than the RTL: $(cat wide.log)"
timeout 120 "$mosaic" cosim --config small.yaml --out deepr-budget --set train.method=deepr --set train.epochs=1 \
    --set cosim.memory_budget=60000 >deepr-budget.log || fail "deepr with a memory budget: $(tail -3 deepr-budget.log)"
awk -F, 'NR == 2 && $7 <= 60000 { ok = 1 } END { exit !ok }' deepr-budget/hardware.csv ||
    fail "deepr over its memory budget: $(cat deepr-budget/hardware.csv)"
# a checkpoint file bins as its run did (its recorded configuration): cosim's simulator gets the file,
# and a window other than 1.4 s binned at 1.4 s made the array score other inputs than the software
"$mosaic" cosim --config small.yaml --out window --set train.data.window_s=0.7 --set train.epochs=1 \
    --set cosim.sim_wait=true >window.log || fail "cosim with a 0.7 s window: $(cat window.log)"
"$mosaic" sim --network window --data data/test.h5 --samples 8 --out sim-run.h5 >/dev/null
"$mosaic" sim --network window/checkpoints/epoch_0001.h5 --data data/test.h5 --samples 8 --out sim-file.h5 >/dev/null
cmp -s <(h5dump -d /samples/counts sim-run.h5 | tail -n +3) <(h5dump -d /samples/counts sim-file.h5 | tail -n +3) ||
    fail "a checkpoint file and its run folder simulate differently"
for f in config.yaml checkpoint.h5 network.h5 history.csv hardware.csv history.h5 report.html checkpoints/epoch_0003.h5 \
         hw/epoch_0003_mapping.h5 hw/epoch_0003_sim.h5; do
    [ -s "closed/$f" ] || fail "closed/$f missing"
done
"$mosaic" map closed/checkpoints/epoch_0003.h5 --arch <(sed -n '1,2p' small.yaml) >/dev/null ||
    fail "mosaic map does not confirm that the closed-loop checkpoint fits"
# a cosim run is also a training run: network.h5 is its final network, sim and map take the folder,
# eval scores it, train runs on its configuration (cosim.* aside)
# (the two files differ in their creation time only: compare what the mapper reads of them)
"$mosaic" map closed --arch <(sed -n '1,2p' small.yaml) >map-run.log || fail "mosaic map RUN: $(cat map-run.log)"
"$mosaic" map closed/checkpoints/epoch_0003.h5 --arch <(sed -n '1,2p' small.yaml) >map-last.log || true
cmp -s <(tail -n +2 map-run.log) <(tail -n +2 map-last.log) ||
    fail "closed/network.h5 is not the final network: $(diff map-run.log map-last.log | head -5)"
"$mosaic" sim --network closed --data data/test.h5 --samples 4 --out sim-run.h5 >sim-run.log 2>&1 ||
    fail "mosaic sim --network RUN: $(cat sim-run.log)"
set +e
"$mosaic" map data >nonet.log 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "data: a folder without network.h5" nonet.log || fail "map of a folder without a network: $rc $(cat nonet.log)"
# sim refuses a dataset with classes the network's readout cannot express, as eval does
"$mosaic" dataset synth --out data8 --classes 8 --speakers 3 --per-speaker 1 --units 128 >/dev/null
set +e
"$mosaic" sim --network closed --data data8/test.h5 --out sim8.h5 >sim8.log 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "data8/test.h5: /extra/keys names 8 classes; expected at most 4" sim8.log && [ ! -e sim8.h5 ] ||
    fail "sim of an 8-class dataset on a 4-class network: $rc $(cat sim8.log)"
# eval refuses a test set laid out unlike the training set (its 256 channels map onto the inputs
# differently from the training set's 128)
"$mosaic" dataset synth --out data256 --classes 4 --speakers 3 --per-speaker 1 --units 256 >/dev/null
set +e
"$mosaic" eval closed --data data256/test.h5 >eval256.log 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "data256/test.h5: 256 channels (root attribute n_units); expected 128 like the training set" eval256.log ||
    fail "eval on a test set with other channels: $rc $(cat eval256.log)"
set +e
"$mosaic" sim --network closed --data data256/test.h5 --out sim256.h5 >sim256.log 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "data256/test.h5: 256 channels (root attribute n_units); expected 128 like the training set" sim256.log &&
    [ ! -e sim256.h5 ] || fail "sim of a run on a test set with other channels: $rc $(cat sim256.log)"
"$mosaic" eval closed --data data/test.h5 >eval.log 2>&1 || fail "mosaic eval refused a cosim run: $(cat eval.log)"
grep -q "after 3 epochs on data/test.h5" eval.log || fail "mosaic eval: $(cat eval.log)"
"$mosaic" eval closed >eval-own.log 2>&1 || fail "mosaic eval without --data: $(cat eval-own.log)"
cmp -s eval.log eval-own.log || fail "without --data, eval should score the run's own test set: $(cat eval-own.log)"
"$mosaic" train --config small.yaml --out trained --set train.epochs=1 >train.log 2>&1 ||
    fail "mosaic train refused the cosim configuration: $(cat train.log)"
grep -q "note: the cosim.\* keys configure .mosaic cosim.; train ignores them" train.log ||
    fail "mosaic train did not say it ignores cosim.*: $(cat train.log)"
# each command resumes only its own kind of run (train would drop the cosim section, cosim would
# rewire a trained network), and a finished run says so
set +e
"$mosaic" train --resume closed >wrong1.log 2>&1; rc1=$?
"$mosaic" cosim --resume trained >wrong2.log 2>&1; rc2=$?
set -e
[ "$rc1" = 2 ] && grep -q "closed is a mosaic cosim run (it has hw/); continue it with .mosaic cosim --resume closed." wrong1.log ||
    fail "train --resume of a cosim run: $rc1 $(cat wrong1.log)"
[ "$rc2" = 2 ] && grep -q "trained is not a mosaic cosim run" wrong2.log || fail "cosim --resume of a train run: $rc2 $(cat wrong2.log)"
[ ! -e trained/hw ] || fail "cosim --resume touched the train run"
"$mosaic" train --resume trained >done.log 2>&1 || fail "train --resume of a finished run: $(cat done.log)"
grep -q "trained has finished its 1 epochs" done.log || fail "a finished run did not say so: $(cat done.log)"
# continuing it with other values says which apply from here on (train.epochs, the usual one, is not named)
"$mosaic" train --resume trained --stop-after 1 --set train.epochs=2 --set train.lr=0.002 >more.log 2>&1 ||
    fail "train --resume with more epochs: $(cat more.log)"
grep -q "note: the resumed run continues with train.lr=0.002; the epochs already done used trained/config.yaml" more.log &&
    ! grep -q "train.epochs=2" more.log && grep -q "^  lr: 0.002" trained/config.yaml ||
    fail "train --resume --set: $(cat more.log)"
# a new run does not start in a folder that holds one (it would leave the old one's later files mixed in)
set +e
"$mosaic" cosim --config small.yaml --out closed >again1.log 2>&1; rc1=$?
"$mosaic" train --config small.yaml --out trained >again2.log 2>&1; rc2=$?
set -e
[ "$rc1" = 2 ] && grep -q -- "--out closed: the folder already holds a run" again1.log || fail "cosim into a run folder: $rc1 $(cat again1.log)"
[ "$rc2" = 2 ] && grep -q -- "--out trained: the folder already holds a run" again2.log || fail "train into a run folder: $rc2 $(cat again2.log)"
# a run that ended before its first checkpoint (only config.yaml) cannot be resumed, and is started again
mkdir -p early && cp trained/config.yaml early/
set +e
"$mosaic" train --resume early >early1.log 2>&1; rc1=$?
"$mosaic" train --config small.yaml --out early --set train.epochs=1 --stop-after 0 >early2.log 2>&1; rc2=$?
"$mosaic" eval trained/network.h5 >early3.log 2>&1; rc3=$?
"$mosaic" cosim --resume no-such-run >early4.log 2>&1; rc4=$?
set -e
[ "$rc1" = 2 ] && grep -q "the run ended before its first epoch (no checkpoint.h5)" early1.log ||
    fail "resume of a run without a checkpoint: $rc1 $(cat early1.log)"
[ "$rc2" = 2 ] && grep -q -- "--stop-after: expected a positive number of epochs, got '0'" early2.log ||
    fail "train --stop-after 0: $rc2 $(cat early2.log)"
[ "$rc3" = 2 ] && grep -q "trained/network.h5: a file; expected the folder of a mosaic train or mosaic cosim run" early3.log ||
    fail "eval of a file: $rc3 $(cat early3.log)"
[ "$rc4" = 2 ] && grep -q -- "--resume no-such-run: no such run folder" early4.log || fail "cosim --resume of nothing: $rc4 $(cat early4.log)"
"$mosaic" train --config small.yaml --out early --set train.epochs=1 >early5.log 2>&1 ||
    fail "a new run in a folder without a checkpoint: $(cat early5.log)"
grep -q "note: early holds a run that ended before its first epoch" early5.log && [ -e early/checkpoint.h5 ] ||
    fail "the early run was not started again: $(cat early5.log)"
# ... but a config.yaml that no run wrote (the user's own) is not overwritten
mkdir -p own && cp small.yaml own/config.yaml
set +e
"$mosaic" train --config own/config.yaml --out own --set train.epochs=1 >own.log 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "holds a config.yaml that no run wrote" own.log && cmp -s small.yaml own/config.yaml ||
    fail "a user's config.yaml in --out: $rc $(cat own.log)"
echo "ok"

echo "== 2. a crashing and a hanging simulator"
printf '#!/bin/sh\nkill -SEGV $$\n' >crash.sh
printf '#!/bin/sh\nsleep 60.%s\n' "$$" >hang.sh  # a sleep of its own, to look for afterwards
chmod +x crash.sh hang.sh
"$mosaic" cosim --config small.yaml --out crash --set train.epochs=2 --set cosim.sim_program="$PWD/crash.sh" >crash.log ||
    fail "cosim died with the simulator"
grep -q "failed: killed by signal 11" crash.log || fail "the crash was not reported: $(cat crash.log)"
[ -s crash/report.html ] || fail "no report after a simulator crash"
"$mosaic" cosim --config small.yaml --out hang --set train.epochs=1 --set cosim.sim_timeout=1 \
    --set cosim.sim_program="$PWD/hang.sh" >hang.log || fail "cosim died with a hung simulator"
grep -q "timed out after 1 s" hang.log || fail "the hang was not reported: $(cat hang.log)"
# the timeout kills what the simulator started too (here the script's sleep)
sleep 0.5
! pgrep -fx "sleep 60\.$$" >/dev/null || fail "the hung simulator's child outlived the timeout"
# an interrupted cosim (SIGTERM to it alone, as a supervisor sends) leaves no simulator running
printf '#!/bin/sh\nsleep 30.%s\nexec "%s" "$@"\n' "$$" "$mosaic" >slowsim.sh
chmod +x slowsim.sh
"$mosaic" cosim --config small.yaml --out killed --set train.epochs=1 --set cosim.sim_program="$PWD/slowsim.sh" \
    >killed.log 2>&1 &
cosim_pid=$!
for _ in $(seq 200); do [ -e killed/hw/epoch_0001_sim.log ] && break; sleep 0.1; done
[ -e killed/hw/epoch_0001_sim.log ] || fail "the simulator of the run to interrupt never started: $(cat killed.log)"
kill -TERM "$cosim_pid"
wait "$cosim_pid" 2>/dev/null || true
sleep 0.5
# (-x: the whole command line, so that another run's "sleep 30.<pid with ours as prefix>" is not taken)
! pgrep -fx "sleep 30\.$$" >/dev/null ||
    fail "the simulator outlived the interrupted cosim: $(ps -o pid,ppid,pgid,stat,etime,args -p "$(pgrep -d, -fx "sleep 30\.$$")")"
# interrupted while waiting for the final simulation: --resume simulates the final network again,
# completes the record and writes the report, instead of saying the run is finished
printf '#!/bin/sh\nsleep 2\nexec "%s" "$@"\n' "$mosaic" >slow2.sh
chmod +x slow2.sh
"$mosaic" cosim --config small.yaml --out lastsim --set train.epochs=1 --set cosim.sim_program="$PWD/slow2.sh" \
    >lastsim.log 2>&1 &
cosim_pid=$!
for _ in $(seq 300); do grep -q "waiting for the last simulation" lastsim.log && break; sleep 0.1; done
kill -TERM "$cosim_pid"
wait "$cosim_pid" 2>/dev/null || true
tail -1 lastsim/hardware.csv | grep -q ",nan,nan," || fail "the interrupted final simulation left a result: $(tail -1 lastsim/hardware.csv)"
"$mosaic" cosim --resume lastsim >lastsim2.log 2>&1 || fail "resume of the interrupted final simulation: $(cat lastsim2.log)"
grep -q "1 hardware result(s) completed" lastsim2.log && ! tail -1 lastsim/hardware.csv | grep -q nan &&
    [ -s lastsim/report.html ] || fail "the final simulation was not redone: $(cat lastsim2.log; tail -1 lastsim/hardware.csv)"
echo "ok"

echo "== 3. resume equals an uninterrupted run"
# Without cosim.sim_wait, which checkpoints find the simulator busy depends on the machine's load;
# with it every checkpoint is simulated and the records are reproducible.
"$mosaic" cosim --config small.yaml --out whole --set cosim.sim_wait=true >whole.log
"$mosaic" cosim --config small.yaml --out part --set cosim.sim_wait=true --stop-after 2 >part.log
grep -q "stopped after 2 of 3 epochs" part.log || fail "--stop-after did not stop: $(tail -3 part.log)"
cp -r part part-copy # for section 4's damaged folders
"$mosaic" cosim --resume part >/dev/null
# compare everything but timings (samples_per_s, seconds: the last two columns)
cut -d, -f1-$(( $(head -1 whole/history.csv | tr ',' '\n' | wc -l) - 2 )) whole/history.csv >a.csv
cut -d, -f1-$(( $(head -1 part/history.csv | tr ',' '\n' | wc -l) - 2 )) part/history.csv >b.csv
cmp -s a.csv b.csv || fail "resumed history differs: $(diff a.csv b.csv | head -5)"
# ... also with a traffic penalty: the resumed session prices the links it grows with the rates of the
# last simulation, as the unbroken run does (it left them unpriced until its first simulation)
tp="--set cosim.sim_wait=true --set cosim.traffic_penalty=0.01 --set train.epochs=4 --set train.rewire.min_strong=16
    --set train.rewire.every=2" # links pruned and regrown within the resumed epochs
"$mosaic" cosim --config small.yaml --out whole-tp $tp >whole-tp.log
"$mosaic" cosim --config small.yaml --out part-tp $tp --stop-after 2 >part-tp.log
"$mosaic" cosim --resume part-tp >/dev/null
cmp -s <(cut -d, -f1-12 whole-tp/history.csv) <(cut -d, -f1-12 part-tp/history.csv) ||
    fail "resumed run with a traffic penalty differs: $(diff whole-tp/history.csv part-tp/history.csv | head -5)"
# ... and DeepR in the closed loop, whose forced-out synapses are revived from streams of (step, link)
dr="--set train.method=deepr --set cosim.sim_wait=true --set cosim.traffic_penalty=0.01"
"$mosaic" cosim --config small.yaml --out whole-dr $dr >/dev/null
"$mosaic" cosim --config small.yaml --out part-dr $dr --stop-after 1 >/dev/null
"$mosaic" cosim --resume part-dr >/dev/null
cmp -s <(cut -d, -f1-18 whole-dr/history.csv) <(cut -d, -f1-18 part-dr/history.csv) &&
    cmp -s whole-dr/hardware.csv part-dr/hardware.csv ||
    fail "resumed deepr closed loop differs: $(diff whole-dr/history.csv part-dr/history.csv | head -5)"
# a resumed session that makes no hardware checkpoint of its own keeps the report's maps of the last one
"$mosaic" cosim --config small.yaml --out maps --set train.epochs=4 --set cosim.every=2 --set cosim.sim_wait=true \
    --stop-after 2 >/dev/null
"$mosaic" cosim --resume maps --stop-after 1 >/dev/null
grep -q "Port utilisation" maps/report.html && grep -q "Spike traffic per cell" maps/report.html ||
    fail "the resumed session's report lost the maps of the last checkpoint"
# the training does not depend on the waiting (no traffic penalty here): same history as section 1's run
cut -d, -f1-$(( $(head -1 closed/history.csv | tr ',' '\n' | wc -l) - 2 )) closed/history.csv >c.csv
cmp -s a.csv c.csv || fail "waiting for the simulator changed the training: $(diff a.csv c.csv | head -5)"
# every checkpoint was simulated (hw_acc, the last field but one, is a number) ...
awk -F, 'NR > 1 && $(NF - 1) == "nan" { bad = 1 } END { exit bad }' whole/hardware.csv ||
    fail "cosim.sim_wait left a checkpoint unsimulated: $(cat whole/hardware.csv)"
# ... and the hardware records (no timings in them), the worst port included, survive the resume unchanged
cmp -s part/hardware.csv whole/hardware.csv ||
    fail "resumed hardware records differ: $(diff whole/hardware.csv part/hardware.csv | head -5)"
# provenance: the checkpoint names the program that wrote it and its version; history files are tagged
attr() { h5dump -a "$2" "$1" 2>/dev/null | grep -o '"[^"]*"' | tail -1; }
[ "$(attr whole/checkpoint.h5 /program)" = '"mosaic cosim"' ] && attr whole/checkpoint.h5 /version | grep -q '[0-9]' ||
    fail "checkpoint provenance: $(attr whole/checkpoint.h5 /program) $(attr whole/checkpoint.h5 /version)"
[ "$(attr whole/history.h5 /format)" = '"mosaic-cosim-history"' ] && h5dump -a /format_version whole/history.h5 >/dev/null &&
    [ "$(attr trained/history.h5 /format)" = '"mosaic-train-history"' ] ||
    fail "history format tags: $(attr whole/history.h5 /format) $(attr trained/history.h5 /format)"
# resuming the finished run says so and rewrites nothing (it used to rewrite a shorter report)
(cd whole && find . -type f -exec md5sum {} + | sort) >before.md5
"$mosaic" cosim --resume whole >again.log 2>&1 || fail "cosim --resume of a finished run: $(cat again.log)"
grep -q "whole has finished its 3 epochs" again.log || fail "a finished cosim run did not say so: $(cat again.log)"
(cd whole && find . -type f -exec md5sum {} + | sort) >after.md5
cmp -s before.md5 after.md5 || fail "cosim --resume of a finished run changed it: $(diff before.md5 after.md5)"
# ... even when each simulation outlasts an epoch (a simulator that first sleeps 3 s): without waiting,
# the checkpoint after a busy one would go unsimulated
printf '#!/bin/sh\nsleep 3\nexec "%s" "$@"\n' "$mosaic" >slow.sh
chmod +x slow.sh
"$mosaic" cosim --config small.yaml --out slow --set cosim.sim_wait=true --set cosim.sim_program="$PWD/slow.sh" \
    >slow.log || fail "cosim with a slow simulator failed: $(tail -3 slow.log)"
awk -F, 'NR > 1 && $(NF - 1) == "nan" { bad = 1 } END { exit bad }' slow/hardware.csv ||
    fail "cosim.sim_wait skipped a checkpoint of a slow simulator: $(cat slow/hardware.csv)"
[ "$(($(wc -l <slow/hardware.csv) - 1))" = 3 ] || fail "expected 3 hardware checkpoints: $(cat slow/hardware.csv)"
echo "ok"

echo "== 4. bad input"
if "$mosaic" cosim --config small.yaml --out bad --set cosim.feedbak=none 2>bad.log; then fail "unknown key accepted"; fi
grep -q "unknown key 'cosim.feedbak'" bad.log || fail "unclear error: $(cat bad.log)"
if "$mosaic" cosim --config small.yaml --out bad2 --set train.data.test=missing.h5 2>bad2.log; then
    fail "missing test file accepted"
fi
grep -q "missing.h5" bad2.log || fail "error does not name the file: $(cat bad2.log)"
# a simulator that cannot start is refused before any training, not found at the first checkpoint
if "$mosaic" cosim --config small.yaml --out bad3 --set cosim.sim_program=/nonexistent/mosaic 2>bad3.log; then
    fail "a missing simulator program accepted"
fi
grep -q "key 'cosim.sim_program': /nonexistent/mosaic is not an executable program" bad3.log && [ ! -e bad3 ] ||
    fail "missing simulator: $(cat bad3.log)"
# a damaged run folder is refused with one error and left as it is (each once lost records or files)
damaged() { # NAME: a copy of the stopped run 'part' (2 of 3 epochs) to damage
    rm -rf "$1" && cp -r part-copy "$1"
}
resume_refused() { # NAME PATTERN [--set ...]: resume must exit 2, say PATTERN and change nothing
    local name=$1 pattern=$2
    shift 2
    (cd "$name" && find . -type f -exec md5sum {} + | sort) >"$name.before"
    if "$mosaic" cosim --resume "$name" "$@" >"$name.log" 2>&1; then fail "$name: resumed: $(cat "$name.log")"; fi
    grep -q "$pattern" "$name.log" || fail "$name: unclear error: $(cat "$name.log")"
    (cd "$name" && find . -type f -exec md5sum {} + | sort) | cmp -s - "$name.before" || fail "$name: changed"
}
damaged d-epochs && resume_refused d-epochs "the run has done 2 epochs; expected at least that many" \
    --set train.epochs=1
damaged d-hist && cp part-copy/hw/epoch_0001_mapping.h5 d-hist/history.h5 &&
    resume_refused d-hist "expected 'mosaic-cosim-history'"
damaged d-ckpt && rm d-ckpt/checkpoint.h5 && resume_refused d-ckpt "checkpoint.h5 is missing, but history.csv"
damaged d-cfg && : >d-cfg/config.yaml && resume_refused d-cfg "config.yaml does not start with the line a run writes"
# a simulation result of another kind does not price links: the traffic penalty waits, with a note
damaged d-sim && cp part-copy/hw/epoch_0002_mapping.h5 d-sim/hw/epoch_0002_sim.h5
"$mosaic" cosim --resume d-sim --set cosim.traffic_penalty=0.01 >d-sim.log 2>&1 || fail "d-sim: $(tail -3 d-sim.log)"
grep -q "d-sim/hw/epoch_0002_sim.h5: root attribute 'format' is 'mosaic-mapping'; expected 'mosaic-sim'" d-sim.log ||
    fail "d-sim: $(cat d-sim.log)"
# the summary after --stop-after names the checkpoint it reports, not a final network
grep -q "summary: 2 of 3 epochs done, 2 in this session" part.log && grep -q "  latest network: " part.log ||
    fail "summary of a stopped session: $(tail -6 part.log)"
echo "ok"

echo "== 5. proxy-check on the closed-loop run"
sed -n '1,2p' small.yaml >arch.yaml
"$mosaic" proxy-check --arch arch.yaml --profiles "1:0.8,3:0.2" --networks 2 --draws 2 --runs closed \
    --out proxy >proxy.log || fail "proxy-check --runs failed: $(tail -3 proxy.log)"
# every saved network of the closed loop fits exactly; the proxy, seeing only gamma_d, says it does not
n=$(grep -c "^closed/checkpoints/epoch_[0-9]*.h5 .* yes " proxy.log || true)
[ "$n" = 3 ] || fail "expected 3 closed-loop checkpoints listed as fitting: $(cat proxy.log)"
grep -q "3 from runs" proxy.log || fail "run checkpoints not counted: $(cat proxy.log)"
# the final checkpoint was simulated: its line ends with the devices the simulator programmed
grep -q "^closed/checkpoints/epoch_0003.h5 .* [0-9][0-9]*$" proxy.log ||
    fail "the simulated checkpoint lacks the simulator's devices: $(cat proxy.log)"
[ "$(grep -c "closed/checkpoints" proxy/proxy_check.csv)" = 3 ] || fail "run checkpoints missing from the CSV"
# the run's networks are judged on the check's hardware, as the random ones are: on R0 ports of 1 line
# the closed loop's checkpoints (made for 4) do not fit, and the note says so
"$mosaic" proxy-check --arch arch.yaml --set capacity.r0=1 --profiles "1:0.8,3:0.2" --networks 1 --draws 2 \
    --runs closed --out proxy-r0 >proxy-r0.log 2>&1 || fail "proxy-check --set failed: $(tail -3 proxy-r0.log)"
[ "$(grep -c "^closed/checkpoints/epoch_[0-9]*.h5 .* no " proxy-r0.log || true)" = 3 ] &&
    grep -q "was trained for capacities NT 16 R1 16 R0 4; it is checked on this check's NT 16 R1 16 R0 1" proxy-r0.log ||
    fail "proxy-check judged the runs' networks on their own hardware: $(cat proxy-r0.log)"
# a train run has no checkpoints/: its network.h5 is checked; a wrong folder is refused before the work
"$mosaic" proxy-check --arch arch.yaml --profiles "1:0.8,3:0.2" --networks 1 --draws 2 --runs trained \
    --out proxy-train >proxy-train.log || fail "proxy-check of a train run failed: $(tail -3 proxy-train.log)"
grep -q "^trained/network.h5 " proxy-train.log || fail "the train run's network was not checked: $(cat proxy-train.log)"
set +e
"$mosaic" proxy-check --arch arch.yaml --runs no-such-run >proxy-bad.log 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "no-such-run: not a folder" proxy-bad.log && ! grep -q "exact M" proxy-bad.log ||
    fail "proxy-check --runs of a missing folder: $rc $(cat proxy-bad.log)"
echo "ok"

echo "== 6. reports render"
"$render" render 8 open/report.html closed/report.html
echo "all cosim checks passed"
