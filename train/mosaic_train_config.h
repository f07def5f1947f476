/* mosaic_train_config: every constant of training, as `train.*` config keys with the reference defaults.
 *
 * Defaults follow mosaic-reference.md §4-5 (tau 45 ms, threshold 1, T 100 steps over 1.4 s, lambda_fr 10
 * with target 5 on 10*mean(z), 20 classes read from the last 20 neurons, Adam lr 1e-3 decaying to 1e-4).
 * Note on the decay: a step spans window/T = 14 ms, but the reference decays the membrane by
 * exp(-1 ms / tau) per step (dt = 1 ms for the neuron); train.neuron.dt_ms keeps that default. Set it
 * to 14 for a decay that matches the step length. */
#ifndef MOSAIC_TRAIN_CONFIG_H
#define MOSAIC_TRAIN_CONFIG_H

#include <stdint.h>

#include "mosaic_arch.h"
#include "mosaic_config.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MOSAIC_METHOD_ROUTING_AWARE =
        0, /* the paper's DeepR extension on links with per-(tile, distance) budgets */
    MOSAIC_METHOD_HOP_PENALTY = 1, /* the Mosaic baseline: dense, hop penalty, pruning, clipping, noise */
    MOSAIC_METHOD_DEEPR = 2,       /* classic DeepR: one global budget of synapses */
    MOSAIC_METHOD_DENSE = 3        /* plain BPTT on all links */
} MosaicTrainMethod;

typedef enum { MOSAIC_DATA_SYNTHETIC = 0, MOSAIC_DATA_SHD = 1 } MosaicDataSource;
/* The firing-rate term on the population mean (reference) or on every neuron's own rate. */
typedef enum { MOSAIC_RATE_POPULATION = 0, MOSAIC_RATE_NEURON = 1 } MosaicRateMode;
/* The output tile's intra-tile block. The reference code masks only readout -> readout weights. */
typedef enum { MOSAIC_OUTPUT_BLOCK_NONE = 0, MOSAIC_OUTPUT_BLOCK_PARTIAL = 1 } MosaicOutputBlock;

typedef enum {
    MOSAIC_QUANT_FANIN_SYNAPSES = 0,      /* input lines with a live synapse, per neuron */
    MOSAIC_QUANT_FANIN_COUNTS = 1,        /* total level counts, per neuron */
    MOSAIC_QUANT_FANIN_LINES_PER_SIDE = 2 /* routed input lines per side of the tile, per neuron */
} MosaicQuantFaninMode;
typedef enum { MOSAIC_QUANT_REMOVE_L1 = 0, MOSAIC_QUANT_REMOVE_RANDOM = 1 } MosaicQuantRemoval;

typedef struct {
    int method; /* MosaicTrainMethod */
    int64_t seed;
    int epochs, batch, threads;
    double lr, lr_end, beta1, beta2, adam_eps, clip_norm;
    double weight_noise; /* fraction of max |w|; < 0: the method's default (0.05 hop-penalty, else 0) */

    double tau_ms, dt_ms, threshold;
    double surrogate; /* steepness s of the surrogate dz/dv = 1 / (s |v - thr| + 1)^2 */
    int steps;
    double window_s;
    int inputs, classes;
    double lambda_fr, target_fr;
    int fr_mode; /* MosaicRateMode */

    double init_in, init_rec; /* input and intra-tile std, times 1/sqrt(k) */
    double birth_min;         /* |w| of a new link weight is in [birth_min, 2*birth_min) */
    int output_block;         /* MosaicOutputBlock */

    char profile[256];      /* routing-aware and deepr: "1:0.8,3:0.1" */
    double prune_magnitude; /* a weight is strong when |w| >= this */
    int prune_min_strong;   /* links with fewer strong weights are pruned */
    int rewire_every;       /* routing-aware: also rewire every n-th step of an epoch (0: at its end only) */

    double hop_lambda, hop_rate, hop_max_log, hop_prune, hop_clip_sigma;
    double deepr_l1, deepr_temperature, deepr_birth;

    /* Quantised rewiring (train/mosaic_quant.h): weights on the device levels, fan-in limit per neuron. */
    int quant_levels;         /* 0 = off; else counts 0 .. levels-1 of the step gmax / (levels - 1) */
    double quant_gmax;        /* weight of the highest level (initial value when learned) */
    int quant_learn_gmax;     /* MosaicQuantBase: 0 fixed, 1 optimised with Adam */
    int quant_fanin;          /* per neuron (per side in lines_per_side); 0 = no limit (and no rewiring) */
    int quant_fanin_mode;     /* MosaicQuantFaninMode */
    int quant_removal;        /* MosaicQuantRemoval */
    int quant_target;         /* encourage new synapses up to this fan-in; -1 = quant_fanin, 0 = off */
    double quant_temperature; /* DeepR-style noise on active counts: sqrt(2 lr T) N(0, 1) steps */

    int data_source; /* MosaicDataSource */
    char data_train[512], data_test[512];
    int data_offsets; /* stride offsets of every training recording used (0 = all); the test set uses all */
    int synth_train, synth_test;
    int64_t synth_seed;
} MosaicTrainConfig;

void mosaic_train_config_default(MosaicTrainConfig *cfg);
MosaicCfgSection mosaic_train_config_section(MosaicTrainConfig *cfg);

/* Cross-field checks with the architecture (e.g. inputs must leave tiles free for the output).
 * `source` names the origin in messages. */
MosaicStatus mosaic_train_config_validate(const MosaicTrainConfig *cfg, const MosaicArch *arch,
                                          const char *source, MosaicErr *err);

/* Keys set to something the chosen method never reads (train.rewire.every of a method that does not
 * rewire; train.quant.* keys with quantisation off or without a fan-in limit), as a sentence for the
 * console (no trailing newline; static storage, valid until the next call), or NULL. Not an error: one
 * configuration serves several methods through --set train.method=..., and the main job's sets
 * routing-aware keys. */
const char *mosaic_train_config_unused_note(const MosaicTrainConfig *cfg);

/* Membrane decay per step: exp(-dt_ms / tau_ms). */
double mosaic_train_config_alpha(const MosaicTrainConfig *cfg);
/* weight_noise with the method default resolved. */
double mosaic_train_config_noise(const MosaicTrainConfig *cfg);

const char *mosaic_train_method_name(int method);

#ifdef __cplusplus
}
#endif
#endif
