#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "mosaic_clock.h"
#include "mosaic_trainer_internal.h"

/* OpenMP pragmas that vanish (without an unknown-pragma warning) when OpenMP is off. */
#ifdef _OPENMP
#define OMP_PRAGMA_(x) _Pragma(#x)
#define OMP_(x) OMP_PRAGMA_(omp x)
#else
#define OMP_(x)
#endif

/* ---------------------------------------------------------------------------------------------
 * Private helpers
 * ------------------------------------------------------------------------------------------- */

static int threads_(const MosaicTrainConfig *cfg) {
#ifdef _OPENMP
    return cfg->threads > 0 ? cfg->threads : omp_get_max_threads();
#else
    (void)cfg;
    return 1;
#endif
}

static int thread_id_(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Batch buffers for up to `b` samples. */
static MosaicStatus ensure_batch_(MosaicTrainer *tr, int b, MosaicErr *err) {
    if (b <= tr->bcap) return MOSAIC_OK;
    const size_t tn = (size_t)tr->cfg.steps * tr->n, c = (size_t)tr->cfg.classes;
    const size_t zl = mosaic_bptt_zbits_len(tr->n, tr->cfg.steps);
    free(tr->v_all), free(tr->counts), free(tr->dcounts), free(tr->zsum), free(tr->zbits);
    tr->v_all = malloc(sizeof(float) * tn * b);
    tr->zbits = malloc(sizeof(uint64_t) * zl * b);
    tr->counts = malloc(sizeof(float) * c * b);
    tr->dcounts = malloc(sizeof(float) * c * b);
    tr->zsum = malloc(sizeof(double) * b);
    if (!tr->zn) tr->zn = malloc(sizeof(double) * (size_t)tr->n);
    if (!tr->dzn) tr->dzn = malloc(sizeof(float) * (size_t)tr->n);
    if (!tr->v_all || !tr->counts || !tr->dcounts || !tr->zsum || !tr->zbits || !tr->zn || !tr->dzn) {
        tr->bcap = 0;
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory for a batch of %d samples (%zu MB)",
                          b, sizeof(float) * tn * b >> 20);
    }
    tr->bcap = b;
    return MOSAIC_OK;
}

/* A view over the clean weights, or over the noisy copy. */
static void view_(const MosaicTrainer *tr, MosaicBpttView *view, MosaicViewIndex *idx, const float *weights) {
    *view = (MosaicBpttView){0};
    view->n_neurons = tr->n;
    view->k = tr->k;
    view->tiles = tr->tiles;
    view->steps = tr->cfg.steps;
    view->n_inputs = tr->net.n_inputs;
    view->n_input_tiles = tr->net.n_input_tiles;
    view->n_classes = tr->net.n_classes;
    view->alpha = tr->net.alpha;
    view->thr = tr->net.threshold;
    view->sg = (float)tr->cfg.surrogate;
    view->recurrent = idx->recurrent;
    view->link_dst = tr->net.link_dst;
    view->out_start = idx->out_start;
    if (weights) {
        view->w_in = weights + tr->seg_off[SEG_IN_];
        view->w_intra = weights + tr->seg_off[SEG_INTRA_];
        view->link_w = weights + tr->seg_off[SEG_LINK_];
    } else {
        view->w_in = tr->net.w_in;
        view->w_intra = tr->net.w_intra;
        view->link_w = tr->net.link_w;
    }
}

/* Programming noise on `src` (parameter layout; NULL = the clean weights): sigma = noise * max |w| over
 * the active weights, drawn per step. */
static void make_noisy_(MosaicTrainer *tr, double noise, const float *src) {
    float wmax = 0;
    for (int s = 0; s < NSEG_; s++) {
        const float *w = src ? src + tr->seg_off[s] : trainer_seg_(tr, s);
        size_t len = s == SEG_LINK_ ? (size_t)tr->net.n_links * tr->k : tr->seg_len[s];
        for (size_t i = 0; i < len; i++) wmax = fmaxf(wmax, fabsf(w[i]));
    }
    MosaicRng rng;
    trainer_rng_(&rng, tr->cfg.seed, STREAM_NOISE_, (uint64_t)tr->step);
    const double sigma = noise * wmax;
    for (int s = 0; s < NSEG_; s++) {
        const float *w = src ? src + tr->seg_off[s] : trainer_seg_(tr, s);
        const uint8_t *m = tr->mask + tr->seg_off[s];
        float *o = tr->noisy + tr->seg_off[s];
        size_t len = s == SEG_LINK_ ? (size_t)tr->net.n_links * tr->k : tr->seg_len[s];
        for (size_t i = 0; i < len; i++) o[i] = m[i] ? (float)(w[i] + sigma * mosaic_rng_normal(&rng)) : 0.0f;
    }
}

static double lr_at_(const MosaicTrainConfig *cfg, int epoch) {
    if (cfg->epochs <= 1 || cfg->lr <= 0) return cfg->lr;
    return cfg->lr * pow(cfg->lr_end / cfg->lr, (double)epoch / (cfg->epochs - 1));
}

/* ---------------------------------------------------------------------------------------------
 * Create / free
 * ------------------------------------------------------------------------------------------- */

MosaicStatus mosaic_trainer_create(MosaicTrainer **out, const MosaicTrainConfig *cfg, const MosaicArch *arch,
                                   MosaicErr *err) {
    *out = NULL;
    MOSAIC_TRY(mosaic_train_config_validate(cfg, arch, "config", err));
    MosaicTrainer *tr = calloc(1, sizeof *tr);
    if (!tr) return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory");
    tr->cfg = *cfg;
    tr->arch = *arch;
    MosaicStatus st = mosaic_profile_parse(&tr->prof, cfg->profile, "train.rewire.profile", err);
    if (st != MOSAIC_OK) return free(tr), st;
    tr->k = arch->neurons_per_tile;
    tr->tiles = mosaic_arch_tiles(arch);
    tr->n = mosaic_arch_neurons(arch);
    tr->maxd = mosaic_arch_max_distance(arch);
    tr->out_tile = tr->tiles - 1;
    tr->cap = tr->n * (tr->tiles - 1);
    st = mosaic_network_create(&tr->net, arch, cfg->inputs, cfg->classes, tr->cap, err);
    if (st != MOSAIC_OK) return free(tr), st;
    tr->net.output_recurrent = cfg->output_block == MOSAIC_OUTPUT_BLOCK_PARTIAL;
    tr->net.alpha = (float)mosaic_train_config_alpha(cfg);
    tr->net.threshold = (float)cfg->threshold;
    const size_t k = (size_t)tr->k;
    tr->seg_len[SEG_IN_] = (size_t)tr->net.n_input_tiles * k * k;
    tr->seg_len[SEG_INTRA_] = (size_t)tr->tiles * k * k;
    tr->seg_len[SEG_LINK_] = (size_t)tr->cap * k;
    tr->seg_off[0] = 0;
    for (int s = 1; s < NSEG_; s++) tr->seg_off[s] = tr->seg_off[s - 1] + tr->seg_len[s - 1];
    tr->nparams = tr->seg_off[NSEG_ - 1] + tr->seg_len[NSEG_ - 1];
    tr->nthreads = threads_(cfg);
    tr->mask = calloc(tr->nparams, 1);
    tr->adam_m = calloc(tr->nparams, sizeof(float));
    tr->adam_v = calloc(tr->nparams, sizeof(float));
    tr->sign = calloc((size_t)tr->cap * k, 1);
    tr->pen = calloc((size_t)tr->cap, sizeof(float));
    tr->budgets = calloc((size_t)tr->tiles * (tr->maxd + 1), sizeof(int));
    tr->unfilled = calloc((size_t)tr->tiles * (tr->maxd + 1), sizeof(int));
    tr->banned = calloc((size_t)tr->n * tr->tiles, 1);
    /* Cache-line aligned: the gradient rows of k = 32 floats are then two whole lines each. */
    tr->grad = aligned_alloc(64, (sizeof(float) * tr->nparams * GRAD_CHUNKS_ + 63) / 64 * 64);
    tr->noisy = mosaic_train_config_noise(cfg) > 0 ? malloc(sizeof(float) * tr->nparams) : NULL;
    tr->work = calloc((size_t)tr->nthreads * MOSAIC_BPTT_GROUP, sizeof *tr->work);
    tr->dv_store = aligned_alloc(64, sizeof(float) * (size_t)tr->nthreads *
                                         mosaic_bptt_group_store_len(tr->n, cfg->steps, tr->n + tr->cap));
    int ok = tr->mask && tr->adam_m && tr->adam_v && tr->sign && tr->pen && tr->budgets && tr->unfilled &&
             tr->banned && tr->grad && tr->work && (tr->noisy || mosaic_train_config_noise(cfg) <= 0);
    ok = ok && tr->dv_store;
    for (int t = 0; ok && t < tr->nthreads * MOSAIC_BPTT_GROUP; t++)
        ok = (tr->work[t] = mosaic_bptt_work_create(tr->n)) != NULL;
    if (!ok) {
        mosaic_trainer_free(tr);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory (%zu parameters)", tr->nparams);
    }
    mosaic_profile_budgets(&tr->prof, arch, tr->budgets);

    /* Inputs and intra-tile blocks: Gaussian, std = scale / sqrt(k); unused rows and non-recurrent
     * blocks stay masked. */
    MosaicRng rng;
    trainer_rng_(&rng, cfg->seed, STREAM_INIT_, 0);
    uint8_t *mi = tr->mask + tr->seg_off[SEG_IN_], *mr = tr->mask + tr->seg_off[SEG_INTRA_];
    for (int c = 0; c < cfg->inputs; c++)
        for (size_t j = 0; j < k; j++) {
            tr->net.w_in[c * k + j] = (float)(cfg->init_in / sqrt((double)k) * mosaic_rng_normal(&rng));
            mi[c * k + j] = 1;
        }
    for (int t = 0; t < tr->tiles; t++) {
        if (mosaic_network_block_kind(&tr->net, t) != MOSAIC_BLOCK_RECURRENT) continue;
        for (size_t i = 0; i < k * k; i++) {
            tr->net.w_intra[t * k * k + i] =
                (float)(cfg->init_rec / sqrt((double)k) * mosaic_rng_normal(&rng));
            mr[t * k * k + i] = 1;
        }
    }
    if (tr->net.output_recurrent) /* readout neurons do not drive one another: masked, kept at zero */
        for (size_t i = k - (size_t)cfg->classes; i < k; i++)
            for (size_t j = k - (size_t)cfg->classes; j < k; j++) {
                tr->net.w_intra[(size_t)tr->out_tile * k * k + i * k + j] = 0;
                mr[(size_t)tr->out_tile * k * k + i * k + j] = 0;
            }
    st = rewire_init_links_(tr, err);
    if (st == MOSAIC_OK) st = quant_create_(tr, err);
    if (st != MOSAIC_OK) return mosaic_trainer_free(tr), st;
    *out = tr;
    return MOSAIC_OK;
}

void mosaic_trainer_free(MosaicTrainer *tr) {
    if (!tr) return;
    mosaic_network_free(&tr->net);
    free(tr->mask), free(tr->adam_m), free(tr->adam_v), free(tr->sign), free(tr->pen), free(tr->budgets),
        free(tr->unfilled);
    free(tr->banned), free(tr->hist), free(tr->v_all), free(tr->counts), free(tr->dcounts), free(tr->zsum),
        free(tr->zn), free(tr->dzn);
    free(tr->zbits);
    free(tr->grad), free(tr->noisy);
    quant_free_(tr);
    mosaic_bptt_transpose_free(&tr->tpose);
    if (tr->work)
        for (int t = 0; t < tr->nthreads * MOSAIC_BPTT_GROUP; t++) mosaic_bptt_work_free(tr->work[t]);
    free(tr->dv_store);
    free(tr->work);
    free(tr);
}

/* ---------------------------------------------------------------------------------------------
 * One batch: forward all samples, the batch loss, backward by chunks, Adam
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    double loss;
    int correct;
    double zsum;
} BatchStats_;

static int argmax_(const float *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return best;
}

static void forward_batch_(MosaicTrainer *tr, const MosaicBpttView *view, const MosaicSpikeSet *set,
                           const int *idx, int b) {
    const size_t tn = (size_t)tr->cfg.steps * tr->n;
    const int C = tr->cfg.classes;
    const int ngroups = (b + MOSAIC_BPTT_GROUP - 1) / MOSAIC_BPTT_GROUP;
OMP_(parallel for schedule(dynamic, 1) num_threads(tr->nthreads))
for (int gi = 0; gi < ngroups; gi++) {
    const int i0 = gi * MOSAIC_BPTT_GROUP, grp = b - i0 < MOSAIC_BPTT_GROUP ? b - i0 : MOSAIC_BPTT_GROUP;
    const int32_t *xs[MOSAIC_BPTT_GROUP], *xc[MOSAIC_BPTT_GROUP];
    float *va[MOSAIC_BPTT_GROUP], *cn[MOSAIC_BPTT_GROUP];
    uint64_t *zb[MOSAIC_BPTT_GROUP];
    for (int q = 0; q < grp; q++) {
        const int s = idx[i0 + q];
        xs[q] = mosaic_spikeset_steps(set, s), xc[q] = mosaic_spikeset_chans(set, s);
        va[q] = tr->v_all + tn * (i0 + q), cn[q] = tr->counts + (size_t)C * (i0 + q);
        zb[q] = tr->zbits + mosaic_bptt_zbits_len(tr->n, tr->cfg.steps) * (i0 + q);
    }
    const int th = thread_id_();
    mosaic_bptt_group_forward(
        view, grp, xs, xc, va, cn, tr->zsum + i0, tr->work + th * MOSAIC_BPTT_GROUP,
        tr->dv_store + (size_t)th * mosaic_bptt_group_store_len(tr->n, tr->cfg.steps, tr->n + tr->cap), zb);
}
}

static void adam_(MosaicTrainer *tr, double lr) {
    const MosaicTrainConfig *c = &tr->cfg;
    tr->step++;
    const double bc1 = 1 - pow(c->beta1, (double)tr->step), bc2 = 1 - pow(c->beta2, (double)tr->step);
    const float b1 = (float)c->beta1, b2 = (float)c->beta2;
    const float step = (float)(lr / bc1), rbc2 = (float)(1 / sqrt(bc2)), eps = (float)c->adam_eps;
    const float *g = tr->grad;
    for (int s = 0; s < NSEG_; s++) {
        float *w = trainer_seg_(tr, s);
        const size_t off = tr->seg_off[s];
        const size_t len = s == SEG_LINK_ ? (size_t)tr->net.n_links * tr->k : tr->seg_len[s];
        float *m = tr->adam_m + off, *v = tr->adam_v + off;
        const uint8_t *mask = tr->mask + off;
        const float *gs = g + off;
        for (size_t i = 0; i < len; i++) {
            if (!mask[i]) continue; /* inactive: weight and moments stay zero */
            m[i] = b1 * m[i] + (1 - b1) * gs[i];
            v[i] = b2 * v[i] + (1 - b2) * gs[i] * gs[i];
            w[i] -= step * m[i] / (sqrtf(v[i]) * rbc2 + eps);
        }
    }
}

/* The hop-penalty baseline after each step: zero tiny recurrent weights, clip to +-clip_sigma * std. */
static void hop_post_step_(MosaicTrainer *tr) {
    const MosaicTrainConfig *c = &tr->cfg;
    double s1 = 0, s2 = 0;
    int64_t cnt = 0;
    for (int s = SEG_INTRA_; s <= SEG_LINK_; s++) {
        float *w = trainer_seg_(tr, s);
        const uint8_t *mask = tr->mask + tr->seg_off[s];
        const size_t len = s == SEG_LINK_ ? (size_t)tr->net.n_links * tr->k : tr->seg_len[s];
        for (size_t i = 0; i < len; i++) {
            if (!mask[i]) continue;
            if (fabsf(w[i]) < c->hop_prune) w[i] = 0;
            s1 += w[i], s2 += (double)w[i] * w[i], cnt++;
        }
    }
    if (c->hop_clip_sigma <= 0 || cnt < 2) return;
    double mean = s1 / cnt, sd = sqrt(fmax(0, s2 / cnt - mean * mean));
    const float lim = (float)(c->hop_clip_sigma * sd);
    for (int s = SEG_INTRA_; s <= SEG_LINK_; s++) {
        float *w = trainer_seg_(tr, s);
        const size_t len = s == SEG_LINK_ ? (size_t)tr->net.n_links * tr->k : tr->seg_len[s];
        for (size_t i = 0; i < len; i++) w[i] = fminf(lim, fmaxf(-lim, w[i]));
    }
}

/* The batch's parameter gradient into tr->grad (its first `used` elements): GRAD_CHUNKS_ fixed chunks of
 * the batch, each summed in sample order, then the chunks in order, so the float sums are the same
 * whatever the thread count. tr->reference_backward runs exactly that definition, one sample_backward
 * after another; the engine's path must give the same bits (test_train_exact). */
static void backward_chunks_(MosaicTrainer *tr, const MosaicBpttView *view, const MosaicSpikeSet *set,
                             const int *idx, int b, float dz_all) {
    const int C = tr->cfg.classes, T = tr->cfg.steps;
    const size_t tn = (size_t)T * tr->n;
    const int nch = b < GRAD_CHUNKS_ ? b : GRAD_CHUNKS_, L = MOSAIC_BPTT_LANES;
    const size_t used = trainer_used_(tr);
    if (tr->reference_backward) {
        for (int ch = 0; ch < nch; ch++) {
            float *g = tr->grad + tr->nparams * ch;
            memset(g, 0, sizeof(float) * used);
            MosaicBpttGrads grads = {g + tr->seg_off[SEG_IN_], g + tr->seg_off[SEG_INTRA_],
                                     g + tr->seg_off[SEG_LINK_]};
            for (int i = (int)((int64_t)b * ch / nch); i < (int)((int64_t)b * (ch + 1) / nch); i++)
                mosaic_bptt_sample_backward(view, mosaic_spikeset_steps(set, idx[i]),
                                            mosaic_spikeset_chans(set, idx[i]), tr->v_all + tn * i,
                                            tr->dcounts + (size_t)C * i, dz_all, &grads, tr->work[0]);
        }
    } else {
        /* Chunks go by pairs, so that one
         * group_backward call fills its lanes with up to half of them from each chunk of the pair. */
OMP_(parallel for schedule(dynamic, 1) num_threads(tr->nthreads))
for (int pair = 0; pair < (nch + 1) / 2; pair++) {
    MosaicBpttGrads grads[2];
    int at[2], hi[2];
    for (int h = 0; h < 2; h++) {
        const int ch = 2 * pair + h;
        at[h] = hi[h] = 0;
        if (ch >= nch) continue; /* the last pair of an odd number of chunks */
        float *g = tr->grad + tr->nparams * ch;
        memset(g, 0, sizeof(float) * used);
        grads[h] = (MosaicBpttGrads){g + tr->seg_off[SEG_IN_], g + tr->seg_off[SEG_INTRA_],
                                     g + tr->seg_off[SEG_LINK_]};
        at[h] = (int)((int64_t)b * ch / nch), hi[h] = (int)((int64_t)b * (ch + 1) / nch);
    }
    const int th = thread_id_();
    while (at[0] < hi[0] || at[1] < hi[1]) {
        /* Half the lanes from each chunk, all of them from one when the other has run out. */
        int take1 = hi[1] - at[1] < L / 2 ? hi[1] - at[1] : L / 2;
        const int take0 = hi[0] - at[0] < L - take1 ? hi[0] - at[0] : L - take1;
        if (take1 < L - take0) take1 = hi[1] - at[1] < L - take0 ? hi[1] - at[1] : L - take0;
        const int32_t *xs[MOSAIC_BPTT_LANES], *xc[MOSAIC_BPTT_LANES];
        const float *va[MOSAIC_BPTT_LANES], *dcn[MOSAIC_BPTT_LANES];
        const uint64_t *zb[MOSAIC_BPTT_LANES];
        MosaicBpttGrads *gs[MOSAIC_BPTT_LANES];
        for (int q = 0; q < take0 + take1; q++) {
            const int h = q >= take0, i = h ? at[1] + q - take0 : at[0] + q, s = idx[i];
            xs[q] = mosaic_spikeset_steps(set, s), xc[q] = mosaic_spikeset_chans(set, s);
            va[q] = tr->v_all + tn * i, dcn[q] = tr->dcounts + (size_t)C * i;
            zb[q] = tr->zbits + mosaic_bptt_zbits_len(tr->n, T) * i;
            gs[q] = &grads[h];
        }
        mosaic_bptt_group_backward(
            view, take0 + take1, xs, xc, va, dcn, dz_all, gs, tr->work[th * MOSAIC_BPTT_GROUP],
            tr->dv_store + (size_t)th * mosaic_bptt_group_store_len(tr->n, T, tr->n + tr->cap), zb);
        at[0] += take0, at[1] += take1;
    }
}
    }
    float *g = tr->grad;
OMP_(parallel for schedule(static) num_threads(tr->nthreads))
for (size_t i = 0; i < used; i++) {
    float acc = g[i];
    for (int ch = 1; ch < nch; ch++) acc += g[tr->nparams * ch + i];
    g[i] = acc;
}
}

static MosaicStatus train_batch_(MosaicTrainer *tr, const MosaicSpikeSet *set, const int *idx, int b,
                                 double lr, BatchStats_ *bs, MosaicErr *err) {
    MOSAIC_TRY(ensure_batch_(tr, b, err));
    const MosaicTrainConfig *c = &tr->cfg;
    const int C = c->classes, T = c->steps;
    const size_t tn = (size_t)T * tr->n;
    MosaicViewIndex vidx;
    MosaicBpttView view;
    {
        MosaicBpttView tmp;
        MOSAIC_TRY(mosaic_view_build(&tmp, &vidx, &tr->net, T, err));
    }
    const double noise = mosaic_train_config_noise(c);
    const float *fwd = tr->quant ? quant_forward_(tr) : NULL; /* quantised rewiring: rounded counts */
    if (noise > 0) make_noisy_(tr, noise, fwd), fwd = tr->noisy;
    view_(tr, &view, &vidx, fwd);
    if (mosaic_bptt_transpose_build(&tr->tpose, &view) != 0) {
        mosaic_view_index_free(&vidx);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory for the transposed weights");
    }
    view.tr = &tr->tpose;

    forward_batch_(tr, &view, set, idx, b);

    /* Loss: mean cross-entropy + lambda_fr * (target - 10 * mean z)^2 over the whole batch. */
    double zs = 0, ce = 0;
    int correct = 0;
    for (int i = 0; i < b; i++) zs += tr->zsum[i];
    const double count = (double)b * tn;
    const int per_neuron = c->fr_mode == MOSAIC_RATE_NEURON;
    const float dz_all =
        per_neuron ? 0.0f : (float)mosaic_bptt_fr_backward(zs, count, c->lambda_fr, c->target_fr);
    if (per_neuron) {
        memset(tr->zn, 0, sizeof(double) * (size_t)tr->n);
        for (int i = 0; i < b; i++) mosaic_bptt_spike_sums(&view, tr->v_all + tn * i, tr->zn);
        mosaic_bptt_frn_backward(tr->n, tr->zn, (double)b * c->steps, c->lambda_fr, c->target_fr, tr->dzn);
        view.dz_neuron = tr->dzn;
    }
    float logp[MOSAIC_MAX_K], dlogp[MOSAIC_MAX_K];
    for (int i = 0; i < b; i++) {
        const int label = set->label[idx[i]];
        const float *cnt = tr->counts + (size_t)C * i;
        mosaic_bptt_readout_forward(C, cnt, logp);
        ce += mosaic_bptt_ce_forward(logp, label);
        correct += argmax_(cnt, C) == label;
        memset(dlogp, 0, sizeof(float) * C);
        mosaic_bptt_ce_backward(C, label, 1.0f / b, dlogp);
        float *dc = tr->dcounts + (size_t)C * i;
        memset(dc, 0, sizeof(float) * C);
        mosaic_bptt_readout_backward(C, logp, dlogp, dc);
    }
    double loss = ce / b + (per_neuron ? mosaic_bptt_frn_forward(tr->n, tr->zn, (double)b * c->steps,
                                                                 c->lambda_fr, c->target_fr)
                                       : mosaic_bptt_fr_forward(zs, count, c->lambda_fr, c->target_fr));

    backward_chunks_(tr, &view, set, idx, b, dz_all);
    const size_t used = trainer_used_(tr);
    float *g = tr->grad;
    mosaic_view_index_free(&vidx);

    /* Per-link penalties (hop penalty, hook d) on the clean weights. */
    float *glink = g + tr->seg_off[SEG_LINK_];
    for (int l = 0; l < tr->net.n_links; l++) {
        const float p = tr->pen[l];
        if (p == 0) continue;
        const float *w = tr->net.link_w + (size_t)l * tr->k;
        double sq = 0;
        for (int j = 0; j < tr->k; j++)
            glink[(size_t)l * tr->k + j] += 2 * p * w[j], sq += (double)w[j] * w[j];
        loss += p * sq;
    }
    /* Mask, then clip the global norm. */
    double norm2 = 0;
    for (size_t i = 0; i < used; i++) {
        if (!tr->mask[i]) g[i] = 0;
        norm2 += (double)g[i] * g[i];
    }
    if (c->clip_norm > 0 && norm2 > c->clip_norm * c->clip_norm) {
        const float scale = (float)(c->clip_norm / sqrt(norm2));
        for (size_t i = 0; i < used; i++) g[i] *= scale;
    }
    adam_(tr, lr);
    if (c->method == MOSAIC_METHOD_HOP_PENALTY) hop_post_step_(tr);
    if (c->method == MOSAIC_METHOD_DEEPR) rewire_deepr_step_(tr, lr);
    quant_after_step_(tr, lr);
    bs->loss += loss * b;
    bs->correct += correct;
    bs->zsum += zs;
    return MOSAIC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Epoch and evaluation
 * ------------------------------------------------------------------------------------------- */

static MosaicStatus check_set_(const MosaicTrainer *tr, const MosaicSpikeSet *set, const char *what,
                               MosaicErr *err) {
    if (set->steps != tr->cfg.steps || set->channels > tr->cfg.inputs || set->classes > tr->cfg.classes)
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s set: %d steps, %d channels, %d classes; expected %d steps (train.data.steps), at "
            "most %d channels (train.data.inputs) and %d classes (train.data.classes)",
            what, set->steps, set->channels, set->classes, tr->cfg.steps, tr->cfg.inputs, tr->cfg.classes);
    if (set->n < 1) return mosaic_err(err, MOSAIC_ERR_INPUT, "%s set: no samples", what);
    return MOSAIC_OK;
}

MosaicStatus mosaic_trainer_epoch(MosaicTrainer *tr, const MosaicSpikeSet *train, const MosaicSpikeSet *test,
                                  MosaicTrainEpoch *row, MosaicErr *err) {
    MOSAIC_TRY(check_set_(tr, train, "training", err));
    if (test) MOSAIC_TRY(check_set_(tr, test, "test", err));
    const double t0 = mosaic_now_s();
    memset(row, 0, sizeof *row);
    row->epoch = tr->epoch;
    row->lr = lr_at_(&tr->cfg, tr->epoch);
    int *perm = malloc(sizeof(int) * (size_t)train->n);
    if (!perm) return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory");
    MosaicRng rng;
    trainer_rng_(&rng, tr->cfg.seed, STREAM_SHUFFLE_, (uint64_t)tr->epoch);
    for (int i = 0; i < train->n; i++) perm[i] = i;
    for (int i = train->n - 1; i > 0; i--) {
        int j = (int)mosaic_rng_below(&rng, (uint64_t)i + 1), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    BatchStats_ bs = {0};
    MosaicStatus st = MOSAIC_OK;
    const int every = tr->cfg.method == MOSAIC_METHOD_ROUTING_AWARE ? tr->cfg.rewire_every : 0;
    /* The other methods keep every possible link in the list and rewire synapse by synapse (DeepR) or
     * prune by magnitude (hop-penalty): their pruned and grown are the net change over the epoch, the
     * links dead at its end that were live at its start and the other way round (routing-aware counts
     * the events of each rewiring). */
    uint8_t *live0 = NULL;
    const int n_links0 = tr->net.n_links;
    if (tr->cfg.method != MOSAIC_METHOD_ROUTING_AWARE) {
        live0 = malloc((size_t)(n_links0 ? n_links0 : 1));
        if (!live0) return free(perm), mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory");
        for (int l = 0; l < n_links0; l++)
            live0[l] = (uint8_t)trainer_link_live_(tr->net.link_w + (size_t)l * tr->k, tr->k);
    }
    for (int start = 0, nb = 1; start < train->n && st == MOSAIC_OK; start += tr->cfg.batch, nb++) {
        int b = train->n - start < tr->cfg.batch ? train->n - start : tr->cfg.batch;
        st = train_batch_(tr, train, perm + start, b, row->lr, &bs, err);
        /* The last step of the epoch is followed by the end-of-epoch rewiring below, so that the hooks
         * and the exported network always see a freshly rewired network. The index sets bit 40 so
         * that these draws never share a stream with an epoch's. */
        if (st == MOSAIC_OK && every > 0 && nb % every == 0 && start + b < train->n) {
            st = rewire_routing_aware_(tr, row, (uint64_t)tr->step | (1ull << 40), err);
            quant_project_all_(tr);
        }
        if (tr->progress) tr->progress(tr->progress_ctx, start + b, train->n);
    }
    free(perm);
    if (st == MOSAIC_OK && live0 && tr->net.n_links == n_links0)
        for (int l = 0; l < n_links0; l++) {
            const int live = trainer_link_live_(tr->net.link_w + (size_t)l * tr->k, tr->k);
            row->pruned += live0[l] && !live;
            row->grown += !live0[l] && live;
        }
    free(live0);
    if (st == MOSAIC_OK && tr->cfg.method == MOSAIC_METHOD_DEEPR) {
        /* synapses the closed loop's hardware left no slot for (always 0 without a veto) */
        const uint8_t *m = tr->mask + tr->seg_off[SEG_LINK_];
        int64_t active = 0;
        for (size_t i = 0; i < (size_t)tr->net.n_links * tr->k; i++) active += m[i];
        row->shortfall = tr->deepr_budget - active;
    }
    MOSAIC_TRY(st);
    row->loss = bs.loss / train->n;
    /* A diverged run (weights and loss inf or nan) would otherwise go on, and be saved, as if training */
    if (!isfinite(row->loss)) {
        double pen = 0;
        for (int l = 0; l < tr->net.n_links; l++) pen = fmax(pen, (double)tr->pen[l]);
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "epoch %d: the training loss is %g: training diverged (train.lr %g; the largest "
                          "link penalty coefficient is %g, from %s); nothing of this epoch was saved",
                          tr->epoch + 1, row->loss, row->lr, pen,
                          tr->cfg.method == MOSAIC_METHOD_HOP_PENALTY
                              ? "train.hop.lambda, rate and max_log, and any cosim.traffic_penalty"
                              : "cosim.traffic_penalty, when set");
    }
    row->train_acc = (double)bs.correct / train->n;
    row->rate = bs.zsum / ((double)train->n * tr->cfg.steps * tr->n);
    const double t1 = mosaic_now_s();
    row->samples_per_s = train->n / (t1 - t0 > 0 ? t1 - t0 : 1e-9);
    if (tr->cfg.method == MOSAIC_METHOD_ROUTING_AWARE)
        MOSAIC_TRY(rewire_routing_aware_(tr, row, (uint64_t)tr->epoch, err));
    quant_project_all_(tr); /* new links arrive with every weight live */
    row->links = rewire_gamma_(tr, row->gamma);
    for (size_t i = 0; i < tr->nparams; i++) row->params += tr->mask[i];
    if (test) {
        double rate;
        MOSAIC_TRY(mosaic_trainer_evaluate(tr, test, &row->test_acc, &row->test_loss, &rate, err));
    }
    row->seconds = mosaic_now_s() - t0;
    if (tr->nhist == tr->cap_hist) {
        int cap = tr->cap_hist ? 2 * tr->cap_hist : 64;
        MosaicTrainEpoch *h = realloc(tr->hist, sizeof *h * (size_t)cap);
        if (!h) return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory for the history");
        tr->hist = h, tr->cap_hist = cap;
    }
    tr->hist[tr->nhist++] = *row;
    tr->epoch++;
    return MOSAIC_OK;
}

MosaicStatus mosaic_trainer_evaluate(const MosaicTrainer *tr, const MosaicSpikeSet *set, double *acc,
                                     double *loss, double *rate, MosaicErr *err) {
    MOSAIC_TRY(check_set_(tr, set, "evaluation", err));
    MosaicViewIndex vidx;
    MosaicBpttView view;
    MOSAIC_TRY(mosaic_view_build(&view, &vidx, &tr->net, tr->cfg.steps, err));
    const int C = tr->cfg.classes, nt = tr->nthreads;
    const size_t tn = (size_t)tr->cfg.steps * tr->n;
    float *v = malloc(sizeof(float) * tn * nt);
    float *counts = malloc(sizeof(float) * (size_t)C * set->n);
    double *zs = malloc(sizeof(double) * (size_t)set->n);
    float *rounded = tr->quant ? malloc(sizeof(float) * tr->nparams) : NULL; /* the levels, as exported */
    if (!v || !counts || !zs || (tr->quant && !rounded)) {
        free(v), free(counts), free(zs), free(rounded), mosaic_view_index_free(&vidx);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "evaluation: out of memory");
    }
    if (rounded) {
        view.w_in = rounded + tr->seg_off[SEG_IN_];
        view.w_intra = rounded + tr->seg_off[SEG_INTRA_];
        view.link_w = rounded + tr->seg_off[SEG_LINK_];
        quant_round_(tr, rounded + tr->seg_off[SEG_IN_], rounded + tr->seg_off[SEG_INTRA_],
                     rounded + tr->seg_off[SEG_LINK_]);
    }
OMP_(parallel for schedule(dynamic, 1) num_threads(nt))
for (int s = 0; s < set->n; s++) {
    int t = thread_id_();
    mosaic_bptt_sample_forward(&view, mosaic_spikeset_steps(set, s), mosaic_spikeset_chans(set, s),
                               v + tn * t, counts + (size_t)C * s, &zs[s], tr->work[t * MOSAIC_BPTT_GROUP]);
}
int correct = 0;
double ce = 0, z = 0;
float logp[MOSAIC_MAX_K];
for (int s = 0; s < set->n; s++) {
    const float *cnt = counts + (size_t)C * s;
    correct += argmax_(cnt, C) == set->label[s];
    mosaic_bptt_readout_forward(C, cnt, logp);
    ce += mosaic_bptt_ce_forward(logp, set->label[s]);
    z += zs[s];
}
*acc = (double)correct / set->n;
*loss = ce / set->n;
*rate = z / ((double)set->n * tn);
free(v), free(counts), free(zs), free(rounded);
mosaic_view_index_free(&vidx);
return MOSAIC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------------------------- */

const MosaicTrainConfig *mosaic_trainer_config(const MosaicTrainer *tr) { return &tr->cfg; }
const MosaicNetwork *mosaic_trainer_network(const MosaicTrainer *tr) { return &tr->net; }
int mosaic_trainer_epochs_done(const MosaicTrainer *tr) { return tr->epoch; }
int mosaic_trainer_history(const MosaicTrainer *tr, const MosaicTrainEpoch **rows) {
    *rows = tr->hist;
    return tr->nhist;
}
int mosaic_trainer_max_distance(const MosaicTrainer *tr) { return tr->maxd; }
const int *mosaic_trainer_budgets(const MosaicTrainer *tr) {
    return tr->cfg.method == MOSAIC_METHOD_ROUTING_AWARE ? tr->budgets : NULL;
}

void mosaic_trainer_set_progress(MosaicTrainer *tr, void (*fn)(void *ctx, int done, int total), void *ctx) {
    tr->progress = fn;
    tr->progress_ctx = ctx;
}
