#!/bin/sh
# The quantised-rewiring sweeps of docs/results.md ("Quantized rewiring"): accuracy vs fan-in limit and
# number of levels, each point also run on the simulated array: with the exported device model and no
# noise (must equal the trainer's evaluation), and with 5 % programming noise (NOISE_DRAWS device draws).
# The unconstrained network is the reference, and post-training quantisation = that network programmed at
# the same levels (Gmax = its max |w|).
# usage: bench/quant/sweep.sh MOSAIC_BINARY WORKDIR [LEVELS] [FANINS] [SEED]   ("" = none: e.g. only SIDES)
# Environment (defaults = the first sweep: generated words, 3x3 tiles of 32, 4 epochs):
#   DATA       folder with train.h5 and test.h5 (SHD layout); default: `mosaic dataset synth --classes 10`
#              made in WORKDIR/data. CLASSES (10) = train.data.classes.
#   ROWS COLS K   array (3 3 32); EPOCHS (4); PROFILE ("1:0.5,3:0.1"); MIN_STRONG (4); LR_END (0.001);
#   GMAX (0.6)    train.quant.gmax; BASE (fixed): train.quant.base, fixed or optimised (GMAX the start);
#              OFFSETS (0 = all): train.data.offsets, stride offsets of every
#              training recording used (the test set always uses all).
#   GRID       cross (default): every level of LEVELS with every fan-in of FANINS (0 = no limit);
#              axes: LEVELS without a fan-in limit, then FANINS (per neuron, fanin_mode synapses) and
#              SIDES (per side of the tile, fanin_mode lines_per_side) at FANIN_LEVEL levels.
#   SIDES ("")  FANIN_LEVEL (16)  NOISE_DRAWS (3)
#   MODE       train (`mosaic train`, the array runs RUN/network.h5) or cosim (`mosaic cosim`, closed loop
#              with a hardware check every EVERY (2) epochs on 64 held-out samples: links through
#              overloaded ports are pruned and refill only creates routable links, so every network fits
#              the array; the array runs the final export RUN/checkpoints/epoch_<EPOCHS>.h5).
# Prints one CSV row per point (and progress on stderr). Single-threaded (OMP_NUM_THREADS=1, and
# train.threads 1) so it shares the machine politely; run it under `nice`.
set -eu
M=$1
W=$2
LEVELS=${3-"2 4 8 16"}
FANINS=${4-"16 32 64 0"}
SEED=${5:-42}
MODE=${MODE:-train}
GRID=${GRID:-cross}
SIDES=${SIDES:-}
FANIN_LEVEL=${FANIN_LEVEL:-16}
NOISE_DRAWS=${NOISE_DRAWS:-3}
ROWS=${ROWS:-3}
COLS=${COLS:-3}
K=${K:-32}
EPOCHS=${EPOCHS:-4}
PROFILE=${PROFILE:-"1:0.5,3:0.1"}
MIN_STRONG=${MIN_STRONG:-4}
LR_END=${LR_END:-0.001}
GMAX=${GMAX:-0.6}
BASE=${BASE:-fixed}
OFFSETS=${OFFSETS:-0}
CLASSES=${CLASSES:-10}
EVERY=${EVERY:-2}
export OMP_NUM_THREADS=1
mkdir -p "$W"
if [ -z "${DATA:-}" ]; then
    DATA="$W/data"
    [ -f "$DATA/train.h5" ] || "$M" dataset synth --out "$DATA" --classes 10 >/dev/null
fi
cat >"$W/sweep.yaml" <<YAML
array: {rows: $ROWS, cols: $COLS, neurons_per_tile: $K}
train:
  method: routing-aware
  seed: $SEED
  epochs: $EPOCHS
  batch: 32
  threads: 1
  lr: 0.003
  lr_end: $LR_END
  loss: {lambda_fr: 1, target_fr: 1}
  rewire: {profile: "$PROFILE", min_strong: $MIN_STRONG}
  data: {source: shd, train: $DATA/train.h5, test: $DATA/test.h5, classes: $CLASSES, offsets: $OFFSETS}
cosim: {every: $EVERY, samples: 64}
YAML
last=$(printf 'epoch_%04d.h5' "$EPOCHS")
sim_() { # network, extra --set arguments: "accuracy devices" of the array on the whole test set, or
    # "unmappable -" (exit status 1: the link set does not fit the array's ports)
    net=$1
    shift
    rc=0
    out=$("$M" sim --network "$net" --data "$DATA/test.h5" --out "$W/sim.h5" --offset all --quiet \
        --set device.ideal=false "$@") || rc=$?
    if [ $rc -eq 1 ]; then
        echo "unmappable -"
        return
    fi
    [ $rc -eq 0 ] || exit $rc
    acc=$(echo "$out" | sed -n 's/^accuracy on the array: \([0-9.]*\).*/\1/p')
    dev=$(echo "$out" | sed -n 's/^devices: NT crossbars \([0-9]*\) programmed.*/\1/p')
    echo "$acc ${dev:--}"
}
noisy_() { # mean accuracy over NOISE_DRAWS device draws at 5 % programming noise
    net=$1
    shift
    s=0
    for d in $(seq 1 "$NOISE_DRAWS"); do
        a=$(sim_ "$net" --set device.programming_noise=0.05 --set device.seed=$d "$@" | cut -d' ' -f1)
        if [ "$a" = unmappable ]; then
            echo unmappable
            return
        fi
        s=$(echo "$s + $a" | bc -l)
    done
    echo "scale=4; $s / $NOISE_DRAWS" | bc -l | sed 's/^\./0./'
}
eval_() { # the trainer's evaluation of the last epoch on the whole test set, in %
    tail -1 "$1/history.csv" | awk -F, '{printf "%.2f", 100 * $5}'
}
train_() { # run directory, extra --set arguments; prints the network file to simulate
    run=$1
    shift
    echo "$(date +%T) training $run" >&2
    if [ "$MODE" = cosim ]; then
        [ -f "$run/checkpoints/$last" ] ||
            "$M" cosim --config "$W/sweep.yaml" --out "$run" "$@" >"$run.log" 2>&1
        echo "$run/checkpoints/$last"
    else
        [ -f "$run/network.h5" ] || "$M" train --config "$W/sweep.yaml" --out "$run" "$@" >"$run.log" 2>&1
        echo "$run"
    fi
}
quantised_() { # levels, fan-in, fan-in mode: one CSV row
    qL=$1 qF=$2 qM=$3
    tag=
    [ "$qM" = synapses ] || tag=side
    run="$W/${MODE}_q${qL}_f${qF}${tag}_$SEED"
    qnet=$(train_ "$run" --set train.quant.levels=$qL --set train.quant.fanin=$qF \
        --set train.quant.fanin_mode=$qM --set train.quant.gmax=$GMAX --set train.quant.base=$BASE)
    set -- $(sim_ "$qnet" --set device.programming_noise=0)
    echo "quantised,$qL,$qF,$qM,$SEED,$(eval_ "$run"),$1,$(noisy_ "$qnet"),$2"
}

echo "kind,levels,fanin,fanin_mode,seed,trainer_acc_pct,array_acc_no_noise,array_acc_noise5,nt_devices"
base="$W/${MODE}_plain_$SEED"
net=$(train_ "$base")
set -- $(sim_ "$net" --set device.programming_noise=0)
echo "unconstrained,0,0,-,$SEED,$(eval_ "$base"),$1,-,$2"
for L in $LEVELS; do
    set -- $(sim_ "$net" --set device.levels=$L --set device.programming_noise=0)
    echo "post-training,$L,0,-,$SEED,-,$1,$(noisy_ "$net" --set device.levels=$L),$2"
    if [ "$GRID" = cross ]; then
        for F in $FANINS; do quantised_ "$L" "$F" synapses; done
    else
        quantised_ "$L" 0 synapses
    fi
done
if [ "$GRID" = axes ]; then
    for F in $FANINS; do quantised_ "$FANIN_LEVEL" "$F" synapses; done
    for F in $SIDES; do quantised_ "$FANIN_LEVEL" "$F" lines_per_side; done
fi
