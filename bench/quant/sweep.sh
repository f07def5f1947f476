#!/bin/sh
# The quantised-rewiring sweep of docs/results.md ("Quantized rewiring"): accuracy vs fan-in limit and
# number of levels on `mosaic dataset synth` data (3x3 tiles of 32, routing-aware, 4 epochs, one seed),
# each point also run on the simulated array: with the exported device model and no noise (must equal the
# trainer's evaluation), and with 5 % programming noise (three device draws). The unconstrained network
# is the reference, and post-training quantisation = that network programmed at the same levels.
# usage: bench/quant/sweep.sh MOSAIC_BINARY WORKDIR [LEVELS] [FANINS] [SEED]
# Prints one CSV row per point. Single-threaded (OMP_NUM_THREADS=1) so it shares the machine politely.
set -eu
M=$1
W=$2
LEVELS=${3:-"2 4 8 16"}
FANINS=${4:-"16 32 64 0"}
SEED=${5:-42}
export OMP_NUM_THREADS=1
mkdir -p "$W"
[ -f "$W/data/train.h5" ] || "$M" dataset synth --out "$W/data" --classes 10 >/dev/null
cat >"$W/small.yaml" <<YAML
array: {rows: 3, cols: 3, neurons_per_tile: 32}
train:
  method: routing-aware
  seed: $SEED
  epochs: 4
  batch: 32
  lr: 0.003
  lr_end: 0.001
  loss: {lambda_fr: 1, target_fr: 1}
  rewire: {profile: "1:0.5,3:0.1", min_strong: 4}
  data: {source: shd, train: $W/data/train.h5, test: $W/data/test.h5, classes: 10}
YAML
acc_() { # run directory, extra --set arguments: the array's accuracy on the whole test set, or
    # "unmappable" (exit status 1: the link set does not fit the array's ports)
    run=$1
    shift
    rc=0
    out=$("$M" sim --network "$run" --data "$W/data/test.h5" --out "$W/sim.h5" --offset all --quiet \
        --set device.ideal=false "$@") || rc=$?
    if [ $rc -eq 1 ]; then echo unmappable; return; fi
    [ $rc -eq 0 ] || exit $rc
    echo "$out" | sed -n 's/^accuracy on the array: \([0-9.]*\).*/\1/p'
}
noisy_() { # mean over three device draws at 5 % programming noise
    run=$1
    shift
    s=0
    for d in 1 2 3; do
        a=$(acc_ "$run" --set device.programming_noise=0.05 --set device.seed=$d "$@")
        if [ "$a" = unmappable ]; then echo unmappable; return; fi
        s=$(echo "$s + $a" | bc -l)
    done
    echo "scale=4; $s / 3" | bc -l | sed 's/^\./0./'
}
eval_() { "$M" eval "$1" --data "$W/data/test.h5" | sed -n 's/.*accuracy \([0-9.]*\)%.*/\1/p'; }

echo "kind,levels,fanin,seed,trainer_acc_pct,array_acc_no_noise,array_acc_noise5"
base="$W/run_plain_$SEED"
[ -f "$base/network.h5" ] || "$M" train --config "$W/small.yaml" --out "$base" >/dev/null
echo "unconstrained,0,0,$SEED,$(eval_ "$base"),$(acc_ "$base" --set device.programming_noise=0),-"
for L in $LEVELS; do
    echo "post-training,$L,0,$SEED,-,$(acc_ "$base" --set device.levels=$L --set device.programming_noise=0),$(noisy_ "$base" --set device.levels=$L)"
    for F in $FANINS; do
        run="$W/run_q${L}_f${F}_$SEED"
        [ -f "$run/network.h5" ] || "$M" train --config "$W/small.yaml" --out "$run" --set train.quant.levels=$L \
            --set train.quant.fanin=$F --set train.quant.gmax=0.6 >/dev/null
        echo "quantised,$L,$F,$SEED,$(eval_ "$run"),$(acc_ "$run" --set device.programming_noise=0),$(noisy_ "$run")"
    done
done
