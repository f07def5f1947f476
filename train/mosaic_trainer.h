/* mosaic_trainer: trains the Mosaic RSNN with BPTT and Adam under one of four methods, epoch by epoch.
 *
 * The trainer owns the network (MosaicNetwork, links kept sorted by (source, destination tile)), the
 * per-weight masks, the Adam moments and the method state (link budgets per (source tile, distance),
 * DeepR signs, per-link penalties, banned links). Every random draw comes from a stream derived from
 * (seed, purpose, epoch or step), so a run depends only on its config and the data: not on the thread
 * count, and a run resumed from a checkpoint equals an uninterrupted one bit for bit.
 *
 * Hardware-in-the-loop hooks (see train/README.md): between epochs the co-simulation loop may
 *   (a) replace the link budgets per (source tile, distance)      mosaic_trainer_set_budgets
 *   (b) veto candidate links during refill                        mosaic_trainer_set_hooks
 *   (c) force links out (and keep them out)                       mosaic_trainer_force_out
 *   (d) add a per-link penalty c * sum_j w_j^2                    mosaic_trainer_set_link_penalty */
#ifndef MOSAIC_TRAINER_H
#define MOSAIC_TRAINER_H

#include <stdint.h>
#include <stdio.h>

#include "mosaic_h5.h"
#include "mosaic_network.h"
#include "mosaic_spikeset.h"
#include "mosaic_train_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_TRAIN_MAX_D 64 /* distances recorded in the history (odd ones up to 63) */

typedef struct MosaicTrainer MosaicTrainer;

/* One row of the history: written after every epoch. */
typedef struct {
    int epoch;
    double lr, loss, train_acc, test_acc, test_loss;
    double rate;           /* spikes per neuron per step on the training set */
    int64_t pruned, grown; /* links pruned and grown by this epoch's rewirings */
    int64_t shortfall;     /* budget slots left empty after the epoch's last rewiring (deepr: synapses) */
    int64_t params;        /* active weights (inputs, intra-tile blocks and links) */
    int64_t links;         /* links with at least one non-zero weight */
    int64_t gamma[MOSAIC_TRAIN_MAX_D]; /* links per distance d (index d) */
    double samples_per_s;
    double seconds;
} MosaicTrainEpoch;

/* Hooks for refill (b): veto returns non-zero to reject the candidate link src -> dst_tile; on_add and
 * on_remove report every change of the link set (e.g. to keep a mapper's incremental state in step).
 * Any pointer may be NULL. */
typedef struct {
    int (*veto)(void *ctx, int32_t src, int32_t dst_tile);
    void (*on_add)(void *ctx, int32_t src, int32_t dst_tile);
    void (*on_remove)(void *ctx, int32_t src, int32_t dst_tile);
    void *ctx;
} MosaicRewireHooks;

/* (d): returns the coefficient c >= 0 of the penalty c * sum_j w_j^2 on the link src -> dst_tile. */
typedef double (*MosaicLinkPenaltyFn)(void *ctx, int32_t src, int32_t dst_tile);

/* Creates a trainer with a freshly initialised network. cfg and arch must already be validated. */
MosaicStatus mosaic_trainer_create(MosaicTrainer **out, const MosaicTrainConfig *cfg, const MosaicArch *arch,
                                   MosaicErr *err);
void mosaic_trainer_free(MosaicTrainer *tr); /* accepts NULL */

/* One epoch: shuffled mini-batches with Adam, the method's per-step and per-epoch operations, then an
 * evaluation on `test` (may be NULL). Fills *row (also appended to the history). */
MosaicStatus mosaic_trainer_epoch(MosaicTrainer *tr, const MosaicSpikeSet *train, const MosaicSpikeSet *test,
                                  MosaicTrainEpoch *row, MosaicErr *err);

/* Accuracy, mean cross-entropy and spikes per neuron per step of the current network on `set`. */
MosaicStatus mosaic_trainer_evaluate(const MosaicTrainer *tr, const MosaicSpikeSet *set, double *acc,
                                     double *loss, double *rate, MosaicErr *err);

/* ---- state ---- */
const MosaicTrainConfig *mosaic_trainer_config(const MosaicTrainer *tr);
const MosaicNetwork *mosaic_trainer_network(const MosaicTrainer *tr); /* the live network, all links */
int mosaic_trainer_epochs_done(const MosaicTrainer *tr);
int mosaic_trainer_history(const MosaicTrainer *tr, const MosaicTrainEpoch **rows);
int mosaic_trainer_max_distance(const MosaicTrainer *tr);
/* budgets[s * (max_distance + 1) + d]; NULL for methods without budgets. */
const int *mosaic_trainer_budgets(const MosaicTrainer *tr);
/* Links with a non-zero weight (those the exported network keeps; the dense methods' list holds every
 * possible link). */
int64_t mosaic_trainer_live_links(const MosaicTrainer *tr);
/* The exported network: a copy with links that have no non-zero weight dropped; caller frees. */
MosaicStatus mosaic_trainer_export(const MosaicTrainer *tr, MosaicNetwork *out, MosaicErr *err);

/* Checks the method's invariants after an epoch or creation (exact budgets, apart from slots no admissible
 * candidate could fill and protected links above a lowered budget; masked weights and their
 * moments zero, no duplicate or self-tile links); describes the first violation in err. */
MosaicStatus mosaic_trainer_check(const MosaicTrainer *tr, MosaicErr *err);

/* ---- hardware-in-the-loop hooks ---- */
/* (a) New budgets (same layout as mosaic_trainer_budgets), enforced at the next rewiring. Routing-aware
 * only (MOSAIC_ERR_INPUT otherwise). */
MosaicStatus mosaic_trainer_set_budgets(MosaicTrainer *tr, const int *budgets, MosaicErr *err);
/* (b) Refill hooks; a copy of the struct is kept. */
void mosaic_trainer_set_hooks(MosaicTrainer *tr, const MosaicRewireHooks *hooks);
/* (c) Removes the link src -> dst_tile now (its weights masked in dense methods) and bans it from
 * refill until mosaic_trainer_unban_all. Budgets are refilled elsewhere at the next rewiring. */
MosaicStatus mosaic_trainer_force_out(MosaicTrainer *tr, int32_t src, int32_t dst_tile, MosaicErr *err);
void mosaic_trainer_unban_all(MosaicTrainer *tr);
/* (d) Per-link penalty, evaluated now for every link and again for links born later. NULL removes it. */
void mosaic_trainer_set_link_penalty(MosaicTrainer *tr, MosaicLinkPenaltyFn fn, void *ctx);

/* Called after every batch with the samples done and the epoch's total (e.g. for a progress line during
 * long epochs). NULL removes it. */
void mosaic_trainer_set_progress(MosaicTrainer *tr, void (*fn)(void *ctx, int done, int total), void *ctx);

/* ---- checkpoints ---- */
/* Writes the complete state (network, masks, moments, method state, bans, history) to `path` through a
 * temporary file and a rename. `who` (may be NULL: "mosaic train", version unknown) gives the provenance's
 * program, version and git hash, and, in `config`, the run's resolved configuration when it holds more
 * than the trainer's arch and train keys (NULL: those keys); the seed is the trainer's. */
MosaicStatus mosaic_trainer_save(const MosaicTrainer *tr, const char *path, const MosaicProvenance *who,
                                 MosaicErr *err);
/* Restores a state saved by a trainer created with the same config and arch. */
MosaicStatus mosaic_trainer_load(MosaicTrainer *tr, const char *path, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
