/* mosaic_trainer_internal: the trainer's state, shared by its modules (trainer, rewire, checkpoint).
 * Not a public header. */
#ifndef MOSAIC_TRAINER_INTERNAL_H
#define MOSAIC_TRAINER_INTERNAL_H

#include "mosaic_bptt.h"
#include "mosaic_infer.h"
#include "mosaic_profile.h"
#include "mosaic_rng.h"
#include "mosaic_trainer.h"

/* Purposes of the derived random streams: stream = purpose << 40 | epoch or step. */
enum {
    STREAM_INIT_ = 1,
    STREAM_SHUFFLE_ = 2,
    STREAM_REWIRE_ = 3,
    STREAM_NOISE_ = 4,
    STREAM_DEEPR_ = 5,
    STREAM_QUANT_ = 6,
};
static inline void trainer_rng_(MosaicRng *rng, int64_t seed, uint64_t purpose, uint64_t index) {
    mosaic_rng_derive(rng, (uint64_t)seed, (purpose << 40) | index);
}

/* The parameters form three segments, each with a mask and Adam moments of the same layout:
 * SEG_IN_ w_in (n_input_tiles*k*k), SEG_INTRA_ w_intra (tiles*k*k), SEG_LINK_ link_w (cap*k). */
enum { SEG_IN_ = 0, SEG_INTRA_ = 1, SEG_LINK_ = 2, NSEG_ = 3 };

/* Quantised rewiring state (mosaic_quant.c); NULL when train.quant.levels is 0. */
typedef struct {
    double gmax, m, v; /* the top level's weight and its Adam moments (base `optimised`) */
    int64_t t;         /* Adam steps of gmax */
    uint8_t *allowed;  /* (seg_off[SEG_LINK_]) structure of w_in and w_intra: entries that may be live */
    float *fwd;        /* (nparams) the forward weights of the current step */
} MosaicQuantState;

#define GRAD_CHUNKS_ 8 /* gradients are summed per chunk of the batch, then chunks in order */

struct MosaicTrainer {
    MosaicTrainConfig cfg;
    MosaicArch arch;
    MosaicProfile prof;
    MosaicNetwork net; /* links sorted by (src, dst); cap_links = cap */
    int k, tiles, n, maxd, cap, out_tile;
    size_t seg_len[NSEG_], seg_off[NSEG_], nparams;

    uint8_t *mask; /* (nparams) 1 = active weight */
    float *adam_m; /* (nparams) */
    float *adam_v; /* (nparams) */
    int8_t *sign;  /* (cap*k) deepr: fixed sign of each inter-tile synapse */
    float *pen;    /* (cap) per-link L2 coefficient: hop penalty + hook */
    int *budgets;  /* (tiles*(maxd+1)) routing-aware */
    int *unfilled; /* (tiles*(maxd+1)) budget slots the last refill could not fill (vetoes, bans) */
    int64_t deepr_budget;
    uint8_t *banned; /* (n*tiles) links forced out by the hook */

    MosaicRewireHooks hooks;
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
    MosaicLinkPenaltyFn pen_fn;
    void *pen_ctx;

    int epoch;
    int64_t step;
    MosaicTrainEpoch *hist;
    int nhist, cap_hist;

    /* batch buffers */
    int bcap, nthreads;
    float *v_all;               /* (bcap, T, N) */
    uint64_t *zbits;            /* (bcap, zbits_len) spike bits of the forward pass for the backward */
    float *counts;              /* (bcap, C) */
    float *dcounts;             /* (bcap, C) */
    double *zsum;               /* (bcap) */
    double *zn;                 /* (N) per-neuron spike sums of the batch (train.loss.fr_mode neuron) */
    float *dzn;                 /* (N) their rate term's dL/dz */
    float *grad;                /* (GRAD_CHUNKS_, nparams) */
    int reference_backward;     /* tests: the batch gradient by sample_backward, one sample at a time */
    float *noisy;               /* (nparams) weights with programming noise, or NULL */
    MosaicBpttWork **work;      /* (nthreads * MOSAIC_BPTT_GROUP) */
    float *dv_store;            /* (nthreads, group_store_len) membrane gradients of a group, spike bits */
    MosaicBpttTransposed tpose; /* the batch's recurrent weights by destination tile */
    MosaicQuantState *quant;    /* quantised rewiring, or NULL */
};

static inline float *trainer_seg_(const MosaicTrainer *tr, int s) {
    return s == SEG_IN_ ? tr->net.w_in : s == SEG_INTRA_ ? tr->net.w_intra : tr->net.link_w;
}
/* Parameters in use: the input and intra-tile segments and the live links (the link segment's tail is
 * free room for links yet to be born). */
static inline size_t trainer_used_(const MosaicTrainer *tr) {
    return tr->seg_off[SEG_LINK_] + (size_t)tr->net.n_links * tr->k;
}
/* A link exists in hardware when one of its k weights is non-zero (what mosaic_trainer_export keeps). */
static inline int trainer_link_live_(const float *w, int k) {
    for (int j = 0; j < k; j++)
        if (w[j] != 0) return 1;
    return 0;
}

static inline int64_t trainer_key_(const MosaicTrainer *tr, int32_t src, int32_t dst) {
    return (int64_t)src * tr->tiles + dst;
}

/* ---- mosaic_rewire.c ---- */
/* The initial link set of the method (empty network on entry). */
MosaicStatus rewire_init_links_(MosaicTrainer *tr, MosaicErr *err);
/* Routing-aware pruning and refill (at the end of an epoch, and every train.rewire.every steps);
 * counts into *row. rng_index picks the random stream, so every rewiring of a run draws its own. */
MosaicStatus rewire_routing_aware_(MosaicTrainer *tr, MosaicTrainEpoch *row, uint64_t rng_index,
                                   MosaicErr *err);
/* Classic DeepR after each Adam step (lr of the step). */
void rewire_deepr_step_(MosaicTrainer *tr, double lr);
/* Revives `count` dormant link synapses, drawn uniformly among the inactive slots of links not banned, with
 * a random fixed sign and weight train.deepr.birth; a synapse that would create its link asks the veto
 * hook first and reports the new link to on_add. Returns how many found no admissible slot. */
int64_t rewire_deepr_revive_(MosaicTrainer *tr, MosaicRng *rng, int64_t count);
/* Per-link penalty coefficients for links [from, n_links). */
void rewire_penalties_(MosaicTrainer *tr, int from);
/* Links per distance with a non-zero weight, and their count. */
int64_t rewire_gamma_(const MosaicTrainer *tr, int64_t *gamma);

/* ---- mosaic_quant.c (all no-ops apart from quant_create_ when tr->quant is NULL) ---- */
/* State and the first projection, after the initial link set exists. */
MosaicStatus quant_create_(MosaicTrainer *tr, MosaicErr *err);
void quant_free_(MosaicTrainer *tr);
/* The stochastically rounded weights of this step (parameter layout), drawn from (seed, step). */
const float *quant_forward_(MosaicTrainer *tr);
/* gmax update from tr->grad, DeepR noise, clipping to +-gmax and the projection: after each Adam step. */
void quant_after_step_(MosaicTrainer *tr, double lr);
/* The projection alone (after the link set changed). */
void quant_project_all_(MosaicTrainer *tr);
/* Deterministically rounded copies of the three weight arrays (layouts of tr->net). */
void quant_round_(const MosaicTrainer *tr, float *w_in, float *w_intra, float *link_w);
MosaicStatus quant_check_(const MosaicTrainer *tr, MosaicErr *err);

#endif
