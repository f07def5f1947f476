/* mosaic_quant: quantised rewiring (Petschenig & Legenstein 2023) on Mosaic's NT crossbars.
 *
 * A weight is w = c+ * b - c- * b with non-negative integer counts of the two signed base weights +-b,
 * b = the conductance step gmax / (levels - 1) of a device pair (arch/mosaic_arch.h, the one level rule
 * the simulator programs with), one of the counts zero (one device of the pair is programmed), counts at
 * most levels - 1. The trainer keeps real-valued shadow weights (shadow count = |w| / b, sign = which
 * device) and Adam updates them; the forward pass of a training step uses stochastically rounded counts,
 * evaluation and export deterministically rounded ones (straight-through gradients). Shadow weights stay
 * within +-gmax. With base `optimised`, gmax (hence b) follows its own Adam gradient sum_i g_i q_i / gmax.
 *
 * Fan-in (train.quant.fanin > 0) turns on rewiring, after every step and after every link rewiring:
 *   1. a live synapse whose shadow count rounds to 0 (|w| < b/2: no device would be programmed) goes
 *      dormant: weight, Adam moments and mask zero;
 *   2. a neuron over its limit loses synapses until it fits: the smallest |w| first (l1) or uniformly at
 *      random (random). The limit counts live synapses (synapses: input lines) or the sum of their cost
 *      ceil(|w| / b) (counts: devices' levels), the cost bounding every rounding of the weight;
 *      lines_per_side limits each side of the neuron's tile separately (see below);
 *   3. a neuron below the target grows random dormant synapses (allowed by the structure: rows of real
 *      input channels, recurrent blocks, links present and not banned) with one count and a random sign;
 *   4. optionally (temperature) live shadow counts get DeepR noise sqrt(2 lr T) N(0, 1) before 1-3.
 * So the forward weights of every training step and the evaluated/exported weights respect the limit.
 *
 * lines_per_side: an NT's crossbar receives its routed input lines through its four side ports (in_N,
 * in_E, in_S, in_W; mosaic-reference.md §1). A link (source neuron -> destination tile) is one line, and
 * the side it enters by is the last mark of the mapper's one-turn route (mosaic_route, routing.md), taken
 * with the identity placement that `mosaic sim`, `mosaic cosim` and `mosaic map` use by default (a
 * placement found by `mosaic map --placement anneal` moves tiles and so the sides). Per neuron and side,
 * the lines with a live synapse into the neuron are limited to train.quant.fanin, by steps 1-3 applied to
 * each side on its own (growth to the target per side). The input rows and the intra-tile block use no
 * side line (mosaic-reference.md §1, §4): they are neither limited nor rewired in this mode.
 *
 * Export writes the rounded weights and sets the network's device model to levels and gmax, so the
 * simulator programs exactly these weights (no noise: identical spikes). */
#ifndef MOSAIC_QUANT_H
#define MOSAIC_QUANT_H

#include <stdint.h>

#include "mosaic_network.h"
#include "mosaic_rng.h"
#include "mosaic_trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The rule of one neuron's projection (from the train.quant.* keys). */
typedef struct {
    int levels;
    double step; /* base weight b */
    int fanin;   /* 0 = no limit */
    int mode;    /* MosaicQuantFaninMode */
    int removal; /* MosaicQuantRemoval */
    int target;  /* 0 = no growth */
} MosaicQuantRule;

/* The cost of a shadow weight: ceil(|w| / step) (less a relative 1e-6, so exact multiples are not
 * charged one more), at most levels - 1. Every rounding (stochastic or deterministic) of w has at most
 * this many counts. */
int mosaic_quant_cost(double w, double step, int levels);

/* Steps 1-3 above on one neuron's n incoming synapses: w (shadow weights), live (1 = active),
 * allowed (1 = may be grown; NULL = all). Changed synapses get w and live updated; `changed` (may be NULL)
 * receives 1 for each one touched. Returns the fan-in after the projection (synapses or counts). */
int mosaic_quant_project(float *w, uint8_t *live, const uint8_t *allowed, uint8_t *changed, int n,
                         const MosaicQuantRule *rule, MosaicRng *rng);

/* The side (MosaicDir, = the destination NT's input MosaicPort) by which a link from tile `src` enters
 * tile `dst` (src != dst), by the mapper's route with the identity placement. */
int mosaic_quant_entry_side(const MosaicArch *arch, int src, int dst);

/* lines_per_side: the projection of mosaic_quant_project (synapses counted, rule->fanin and rule->target
 * per side) on each side's synapses separately; side[i] is the MosaicDir of synapse i, or -1 for a
 * synapse on no side line (left untouched). Returns the largest fan-in of a side after the projection. */
int mosaic_quant_project_sides(float *w, uint8_t *live, const uint8_t *allowed, uint8_t *changed,
                               const int8_t *side, int n, const MosaicQuantRule *rule, MosaicRng *rng);

/* Fan-in of every neuron of `net` (n_neurons entries): synapses = non-zero weights into the neuron,
 * counts = sum of their levels under `step` (arch level rule). Either output may be NULL. */
void mosaic_quant_fanin(const MosaicNetwork *net, double step, int levels, int32_t *synapses,
                        int64_t *counts);

/* Lines with a non-zero weight into every neuron of `net` per side of its tile: lines[4 * neuron + side]
 * (n_neurons * 4 entries; sides by mosaic_quant_entry_side; a network holds one link per (source neuron,
 * tile), so links are distinct lines). */
void mosaic_quant_fanin_sides(const MosaicNetwork *net, int32_t *lines);

/* The trainer's grid: returns levels (0 when quantisation is off) and sets *gmax and *step. */
int mosaic_trainer_quant_grid(const MosaicTrainer *tr, double *gmax, double *step);

#ifdef __cplusplus
}
#endif
#endif
