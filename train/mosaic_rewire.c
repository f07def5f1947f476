/* mosaic_rewire: the link set of the trainer and the methods that change it (routing-aware DeepR on
 * links, classic DeepR on synapses), the penalties per link, the hardware-in-the-loop hooks, the
 * invariant check and the export. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_trainer_internal.h"

/* ---------------------------------------------------------------------------------------------
 * Private helpers
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    int64_t key;
    int32_t src, dst;
    int from; /* >= 0: old link index; < 0: -(new index) - 1 */
} Entry_;

static int cmp_entry_(const void *a, const void *b) {
    int64_t x = ((const Entry_ *)a)->key, y = ((const Entry_ *)b)->key;
    return (x > y) - (x < y);
}

static int strong_count_(const MosaicTrainer *tr, int l) {
    const float *w = tr->net.link_w + (size_t)l * tr->k;
    int s = 0;
    for (int j = 0; j < tr->k; j++) s += fabsf(w[j]) >= tr->cfg.prune_magnitude;
    return s;
}

static void birth_weights_(const MosaicTrainer *tr, MosaicRng *rng, float *w) {
    const double lo = tr->cfg.birth_min;
    for (int j = 0; j < tr->k; j++) {
        double mag = lo * (1 + mosaic_rng_uniform(rng));
        w[j] = (float)(mosaic_rng_u64(rng) & 1 ? mag : -mag);
    }
}

static double hop_coefficient_(const MosaicTrainer *tr, int d) {
    const MosaicTrainConfig *c = &tr->cfg;
    double m = exp(c->hop_rate * d) - 1;
    if (m > exp(c->hop_max_log)) m = exp(c->hop_max_log);
    if (m < 0) m = 0;
    return c->hop_lambda * m / ((double)tr->n * tr->n); /* mean over the N x N recurrent matrix */
}

/* The L2 coefficient of one link: the hop penalty of the baseline plus the hook's (d). */
static float link_penalty_(const MosaicTrainer *tr, int32_t src, int32_t dst) {
    int d = mosaic_tile_distance(&tr->arch, src / tr->k, dst);
    double p = tr->cfg.method == MOSAIC_METHOD_HOP_PENALTY ? hop_coefficient_(tr, d) : 0;
    if (tr->pen_fn) p += tr->pen_fn(tr->pen_ctx, src, dst);
    return (float)p;
}

/* Rebuilds the link arrays from the kept old links and `m` new ones (weights nw (m, k)), sorted by
 * (src, dst); per-link state moves with its link, new links start with zero moments and full masks. */
static MosaicStatus relink_(MosaicTrainer *tr, const uint8_t *keep, const int32_t *ns, const int32_t *nd,
                            const float *nw, int m, MosaicErr *err) {
    const int n_old = tr->net.n_links, k = tr->k;
    int n_keep = 0;
    for (int l = 0; l < n_old; l++) n_keep += keep[l];
    const int total = n_keep + m;
    if (total > tr->cap)
        return mosaic_err(err, MOSAIC_ERR_INTERNAL, "rewire: %d links exceed capacity %d", total, tr->cap);
    Entry_ *e = malloc(sizeof *e * (size_t)(total ? total : 1));
    int32_t *s2 = malloc(sizeof(int32_t) * (size_t)(total ? total : 1));
    int32_t *d2 = malloc(sizeof(int32_t) * (size_t)(total ? total : 1));
    float *w2 = malloc(sizeof(float) * (size_t)(total ? total : 1) * k);
    float *m2 = malloc(sizeof(float) * (size_t)(total ? total : 1) * k);
    float *v2 = malloc(sizeof(float) * (size_t)(total ? total : 1) * k);
    uint8_t *k2 = malloc((size_t)(total ? total : 1) * k);
    int8_t *g2 = malloc((size_t)(total ? total : 1) * k);
    float *p2 = malloc(sizeof(float) * (size_t)(total ? total : 1));
    MosaicStatus st = MOSAIC_OK;
    if (!e || !s2 || !d2 || !w2 || !m2 || !v2 || !k2 || !g2 || !p2) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "rewire: out of memory");
        goto done;
    }
    int q = 0;
    for (int l = 0; l < n_old; l++)
        if (keep[l])
            e[q++] = (Entry_){trainer_key_(tr, tr->net.link_src[l], tr->net.link_dst[l]), tr->net.link_src[l],
                              tr->net.link_dst[l], l};
    for (int i = 0; i < m; i++) e[q++] = (Entry_){trainer_key_(tr, ns[i], nd[i]), ns[i], nd[i], -i - 1};
    qsort(e, (size_t)total, sizeof *e, cmp_entry_);
    const size_t off = tr->seg_off[SEG_LINK_];
    for (int i = 0; i < total; i++) {
        if (i && e[i].key == e[i - 1].key) {
            st = mosaic_err(err, MOSAIC_ERR_INTERNAL, "rewire: duplicate link %d -> tile %d", e[i].src,
                            e[i].dst);
            goto done;
        }
        s2[i] = e[i].src, d2[i] = e[i].dst;
        const size_t to = (size_t)i * k;
        if (e[i].from >= 0) {
            const size_t fr = (size_t)e[i].from * k;
            memcpy(w2 + to, tr->net.link_w + fr, sizeof(float) * k);
            memcpy(m2 + to, tr->adam_m + off + fr, sizeof(float) * k);
            memcpy(v2 + to, tr->adam_v + off + fr, sizeof(float) * k);
            memcpy(k2 + to, tr->mask + off + fr, (size_t)k);
            memcpy(g2 + to, tr->sign + fr, (size_t)k);
            p2[i] = tr->pen[e[i].from];
        } else {
            const int nidx = -e[i].from - 1;
            memcpy(w2 + to, nw + (size_t)nidx * k, sizeof(float) * k);
            memset(m2 + to, 0, sizeof(float) * k);
            memset(v2 + to, 0, sizeof(float) * k);
            memset(k2 + to, 1, (size_t)k);
            for (int j = 0; j < k; j++) g2[to + j] = w2[to + j] < 0 ? -1 : 1;
            p2[i] = 0;
        }
    }
    /* Everything past the new end is zero: inactive slots hold no weight and no moment. */
    memset(tr->net.link_w, 0, sizeof(float) * (size_t)tr->cap * k);
    memset(tr->adam_m + off, 0, sizeof(float) * (size_t)tr->cap * k);
    memset(tr->adam_v + off, 0, sizeof(float) * (size_t)tr->cap * k);
    memset(tr->mask + off, 0, (size_t)tr->cap * k);
    memset(tr->sign, 0, (size_t)tr->cap * k);
    memset(tr->pen, 0, sizeof(float) * (size_t)tr->cap);
    memcpy(tr->net.link_src, s2, sizeof(int32_t) * (size_t)total);
    memcpy(tr->net.link_dst, d2, sizeof(int32_t) * (size_t)total);
    memcpy(tr->net.link_w, w2, sizeof(float) * (size_t)total * k);
    memcpy(tr->adam_m + off, m2, sizeof(float) * (size_t)total * k);
    memcpy(tr->adam_v + off, v2, sizeof(float) * (size_t)total * k);
    memcpy(tr->mask + off, k2, (size_t)total * k);
    memcpy(tr->sign, g2, (size_t)total * k);
    memcpy(tr->pen, p2, sizeof(float) * (size_t)total);
    tr->net.n_links = total;
    for (int i = 0; i < total; i++)
        if (e[i].from < 0) tr->pen[i] = link_penalty_(tr, s2[i], d2[i]);
done:
    free(e), free(s2), free(d2), free(w2), free(m2), free(v2), free(k2), free(g2), free(p2);
    return st;
}

/* Every possible link (src, dst != tile of src), in (src, dst) order. */
static MosaicStatus all_links_(MosaicTrainer *tr, MosaicRng *rng, double std, MosaicErr *err) {
    const int k = tr->k;
    int m = 0;
    int32_t *ns = malloc(sizeof(int32_t) * (size_t)tr->cap), *nd = malloc(sizeof(int32_t) * (size_t)tr->cap);
    float *nw = malloc(sizeof(float) * (size_t)tr->cap * k);
    if (!ns || !nd || !nw) {
        free(ns), free(nd), free(nw);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory for %d links", tr->cap);
    }
    for (int s = 0; s < tr->n; s++)
        for (int d = 0; d < tr->tiles; d++) {
            if (d == s / k) continue;
            ns[m] = s, nd[m] = d;
            for (int j = 0; j < k; j++) nw[(size_t)m * k + j] = (float)(std * mosaic_rng_normal(rng));
            m++;
        }
    uint8_t none = 0;
    MosaicStatus st = relink_(tr, &none, ns, nd, nw, m, err);
    free(ns), free(nd), free(nw);
    return st;
}

static int is_protected_(const MosaicTrainer *tr, int l) { return tr->net.link_dst[l] == tr->out_tile; }

/* Routing-aware: remove links over budget (weakest first, protected ones never), then fill every
 * (source tile, distance) budget with random new links that are neither present, banned nor vetoed. */
static MosaicStatus fill_budgets_(MosaicTrainer *tr, uint8_t *keep, MosaicRng *rng, MosaicTrainEpoch *row,
                                  MosaicErr *err) {
    const int k = tr->k, tiles = tr->tiles, D = tr->maxd + 1;
    const MosaicArch *a = &tr->arch;
    int *count = calloc((size_t)tiles * D, sizeof(int));
    uint8_t *present = calloc((size_t)tr->n * tiles, 1);
    int32_t *ns = malloc(sizeof(int32_t) * (size_t)tr->cap), *nd = malloc(sizeof(int32_t) * (size_t)tr->cap);
    float *nw = malloc(sizeof(float) * (size_t)tr->cap * k);
    int64_t *cand = malloc(sizeof(int64_t) * (size_t)k * tiles);
    int *order = malloc(sizeof(int) * (size_t)(tr->net.n_links ? tr->net.n_links : 1));
    MosaicStatus st = MOSAIC_OK;
    if (!count || !present || !ns || !nd || !nw || !cand || !order) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "rewire: out of memory");
        goto done;
    }
    for (int l = 0; l < tr->net.n_links; l++) {
        if (!keep[l]) continue;
        int s = tr->net.link_src[l] / k, d = mosaic_tile_distance(a, s, tr->net.link_dst[l]);
        count[s * D + d]++;
        present[trainer_key_(tr, tr->net.link_src[l], tr->net.link_dst[l])] = 1;
    }
    /* Over budget (the budgets were lowered through hook a): drop the weakest unprotected links. */
    for (int s = 0; s < tiles; s++)
        for (int d = 1; d < D; d++) {
            int excess = count[s * D + d] - tr->budgets[s * D + d];
            while (excess > 0) {
                int worst = -1, worst_strong = 0;
                double worst_l1 = 0;
                for (int l = 0; l < tr->net.n_links; l++) {
                    if (!keep[l] || is_protected_(tr, l) || tr->net.link_src[l] / k != s ||
                        mosaic_tile_distance(a, s, tr->net.link_dst[l]) != d)
                        continue;
                    int sc = strong_count_(tr, l);
                    double l1 = 0;
                    for (int j = 0; j < k; j++) l1 += fabsf(tr->net.link_w[(size_t)l * k + j]);
                    if (worst < 0 || sc < worst_strong || (sc == worst_strong && l1 < worst_l1))
                        worst = l, worst_strong = sc, worst_l1 = l1;
                }
                if (worst < 0) break; /* only protected links left */
                keep[worst] = 0;
                present[trainer_key_(tr, tr->net.link_src[worst], tr->net.link_dst[worst])] = 0;
                if (tr->hooks.on_remove)
                    tr->hooks.on_remove(tr->hooks.ctx, tr->net.link_src[worst], tr->net.link_dst[worst]);
                row->pruned++;
                count[s * D + d]--;
                excess--;
            }
        }
    int m = 0;
    for (int s = 0; s < tiles; s++)
        for (int d = 1; d < D; d++) {
            int need = tr->budgets[s * D + d] - count[s * D + d];
            tr->unfilled[s * D + d] = 0;
            if (need <= 0) continue;
            int nc = 0;
            for (int i = 0; i < k; i++)
                for (int t = 0; t < tiles; t++) {
                    int src = s * k + i;
                    int64_t key = trainer_key_(tr, src, t);
                    if (t != s && mosaic_tile_distance(a, s, t) == d && !present[key] && !tr->banned[key])
                        cand[nc++] = key;
                }
            while (need > 0 && nc > 0) {
                int pick = (int)mosaic_rng_below(rng, (uint64_t)nc);
                int64_t key = cand[pick];
                cand[pick] = cand[--nc];
                int32_t src = (int32_t)(key / tiles), dst = (int32_t)(key % tiles);
                if (tr->hooks.veto && tr->hooks.veto(tr->hooks.ctx, src, dst)) continue;
                ns[m] = src, nd[m] = dst;
                birth_weights_(tr, rng, nw + (size_t)m * k);
                m++;
                present[key] = 1;
                need--;
                if (tr->hooks.on_add) tr->hooks.on_add(tr->hooks.ctx, src, dst);
            }
            tr->unfilled[s * D + d] = need;
            row->shortfall += need;
        }
    row->grown += m;
    st = relink_(tr, keep, ns, nd, nw, m, err);
done:
    free(count), free(present), free(ns), free(nd), free(nw), free(cand), free(order);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Methods
 * ------------------------------------------------------------------------------------------- */

MosaicStatus rewire_init_links_(MosaicTrainer *tr, MosaicErr *err) {
    MosaicRng rng;
    trainer_rng_(&rng, tr->cfg.seed, STREAM_INIT_, 1);
    const int k = tr->k;
    switch (tr->cfg.method) {
    case MOSAIC_METHOD_ROUTING_AWARE: {
        MosaicTrainEpoch row = {0};
        uint8_t none = 0;
        return fill_budgets_(tr, &none, &rng, &row, err);
    }
    case MOSAIC_METHOD_DENSE:
    case MOSAIC_METHOD_HOP_PENALTY: return all_links_(tr, &rng, tr->cfg.init_rec / sqrt((double)tr->n), err);
    case MOSAIC_METHOD_DEEPR: {
        MOSAIC_TRY(all_links_(tr, &rng, 0.0, err));
        /* One global budget: as many synapses as the routing-aware budgets give, anywhere. */
        int64_t total = 0;
        for (int i = 0; i < tr->tiles * (tr->maxd + 1); i++) total += tr->budgets[i];
        tr->deepr_budget = total * k;
        const size_t slots = (size_t)tr->net.n_links * k, off = tr->seg_off[SEG_LINK_];
        memset(tr->mask + off, 0, slots);
        if ((size_t)tr->deepr_budget > slots) tr->deepr_budget = (int64_t)slots;
        for (int64_t placed = 0; placed < tr->deepr_budget;) {
            size_t i = (size_t)mosaic_rng_below(&rng, slots);
            if (tr->mask[off + i]) continue;
            tr->mask[off + i] = 1;
            double mag = tr->cfg.birth_min * (1 + mosaic_rng_uniform(&rng));
            tr->sign[i] = mosaic_rng_u64(&rng) & 1 ? 1 : -1;
            tr->net.link_w[i] = (float)(tr->sign[i] * mag);
            placed++;
        }
        return MOSAIC_OK;
    }
    }
    return mosaic_err(err, MOSAIC_ERR_INPUT, "trainer: unknown method %d", tr->cfg.method);
}

MosaicStatus rewire_routing_aware_(MosaicTrainer *tr, MosaicTrainEpoch *row, uint64_t rng_index,
                                   MosaicErr *err) {
    const int n = tr->net.n_links;
    uint8_t *keep = malloc((size_t)(n ? n : 1));
    if (!keep) return mosaic_err(err, MOSAIC_ERR_NOMEM, "rewire: out of memory");
    for (int l = 0; l < n; l++) {
        keep[l] = is_protected_(tr, l) || strong_count_(tr, l) >= tr->cfg.prune_min_strong;
        if (!keep[l]) {
            row->pruned++;
            if (tr->hooks.on_remove)
                tr->hooks.on_remove(tr->hooks.ctx, tr->net.link_src[l], tr->net.link_dst[l]);
        }
    }
    MosaicRng rng;
    trainer_rng_(&rng, tr->cfg.seed, STREAM_REWIRE_, rng_index);
    row->shortfall = 0; /* a state, not an event count: the empty slots after the latest rewiring */
    MosaicStatus st = fill_budgets_(tr, keep, &rng, row, err);
    free(keep);
    return st;
}

/* Link l exists in hardware (the exported network's rule: a non-zero weight; an inactive synapse holds 0). */
static int deepr_link_live_(const MosaicTrainer *tr, int l) {
    return trainer_link_live_(tr->net.link_w + (size_t)l * tr->k, tr->k);
}

/* Tries to activate free slot i (its link not banned): a synapse in a link without one creates the link
 * in hardware, so the veto (the closed loop's capacity and memory) may refuse it. A link refused once in
 * this revival (refused[l], when the caller keeps that memo) is not asked again: the answer would not
 * change, and the closed loop counts each refusal. Returns 1 if placed. */
static int deepr_place_(MosaicTrainer *tr, MosaicRng *rng, size_t i, uint8_t *refused) {
    const MosaicRewireHooks *h = &tr->hooks;
    const int l = (int)(i / (size_t)tr->k);
    const int32_t src = tr->net.link_src[l], dst = tr->net.link_dst[l];
    const int birth = (h->veto || h->on_add) && !deepr_link_live_(tr, l);
    if (birth && h->veto) {
        if (refused && refused[l]) return 0;
        if (h->veto(h->ctx, src, dst)) {
            if (refused) refused[l] = 1;
            return 0;
        }
    }
    tr->mask[tr->seg_off[SEG_LINK_] + i] = 1;
    tr->sign[i] = mosaic_rng_u64(rng) & 1 ? 1 : -1;
    tr->net.link_w[i] = (float)(tr->sign[i] * tr->cfg.deepr_birth);
    if (birth && h->on_add) h->on_add(h->ctx, src, dst);
    return 1;
}

/* After a long run of misses: every admissible slot (free, link not banned, link live or its birth not
 * vetoed) is listed and the rest are drawn among them. Returns how many could not be placed. */
static int64_t deepr_revive_scan_(MosaicTrainer *tr, MosaicRng *rng, int64_t count, uint8_t *refused) {
    const size_t slots = (size_t)tr->net.n_links * tr->k;
    const uint8_t *mask = tr->mask + tr->seg_off[SEG_LINK_];
    size_t *cand = malloc(sizeof(size_t) * (slots ? slots : 1)), n = 0;
    if (!cand) return count;
    for (int l = 0; l < tr->net.n_links; l++) {
        const int32_t src = tr->net.link_src[l], dst = tr->net.link_dst[l];
        if (tr->banned[trainer_key_(tr, src, dst)] || (refused && refused[l])) continue;
        if (tr->hooks.veto && !deepr_link_live_(tr, l) && tr->hooks.veto(tr->hooks.ctx, src, dst)) {
            if (refused) refused[l] = 1;
            continue;
        }
        for (int j = 0; j < tr->k; j++)
            if (!mask[(size_t)l * tr->k + j]) cand[n++] = (size_t)l * tr->k + j;
    }
    while (count > 0 && n > 0) {
        const size_t r = (size_t)mosaic_rng_below(rng, n), i = cand[r];
        cand[r] = cand[--n];
        count -= deepr_place_(tr, rng, i, refused); /* a birth is asked again: earlier ones changed ports */
    }
    free(cand);
    return count;
}

int64_t rewire_deepr_revive_(MosaicTrainer *tr, MosaicRng *rng, int64_t count) {
    const size_t slots = (size_t)tr->net.n_links * tr->k;
    const uint8_t *mask = tr->mask + tr->seg_off[SEG_LINK_];
    if (count <= 0) return 0;
    /* Without a veto these are exactly the reference rule's draws (it draws until a free slot comes).
     * Under the closed loop's veto nearly every free slot may be refused, or none be left: after `slots`
     * misses in a row the admissible slots are listed instead, and synapses that fit nowhere stay
     * dormant (the step revives up to the budget, so a later step asks for them again). */
    uint8_t *refused = tr->hooks.veto ? calloc((size_t)(tr->net.n_links ? tr->net.n_links : 1), 1) : NULL;
    size_t misses = 0;
    while (count > 0) {
        if (tr->hooks.veto && misses >= slots) {
            count = deepr_revive_scan_(tr, rng, count, refused);
            break;
        }
        size_t i = (size_t)mosaic_rng_below(rng, slots);
        const int l = (int)(i / (size_t)tr->k);
        if (mask[i] || tr->banned[trainer_key_(tr, tr->net.link_src[l], tr->net.link_dst[l])] ||
            !deepr_place_(tr, rng, i, refused)) {
            misses++;
            continue;
        }
        misses = 0;
        count--;
    }
    free(refused);
    return count;
}

void rewire_deepr_step_(MosaicTrainer *tr, double lr) {
    const size_t slots = (size_t)tr->net.n_links * tr->k, off = tr->seg_off[SEG_LINK_];
    const MosaicTrainConfig *c = &tr->cfg;
    MosaicRng rng;
    trainer_rng_(&rng, c->seed, STREAM_DEEPR_, (uint64_t)tr->step);
    const double shrink = lr * c->deepr_l1, sigma = sqrt(2 * lr * c->deepr_temperature);
    uint8_t *mask = tr->mask + off;
    int64_t active = 0;
    for (size_t i = 0; i < slots; i++) {
        if (!mask[i]) continue;
        double theta = tr->sign[i] * (double)tr->net.link_w[i] - shrink;
        if (sigma > 0) theta += sigma * mosaic_rng_normal(&rng);
        if (theta <= 0) {
            mask[i] = 0;
            tr->net.link_w[i] = 0;
            tr->adam_m[off + i] = tr->adam_v[off + i] = 0;
            /* its link's last synapse: the link leaves the hardware */
            const int l = (int)(i / (size_t)tr->k);
            if (tr->hooks.on_remove && !deepr_link_live_(tr, l))
                tr->hooks.on_remove(tr->hooks.ctx, tr->net.link_src[l], tr->net.link_dst[l]);
        } else {
            tr->net.link_w[i] = (float)(tr->sign[i] * theta);
            active++;
        }
    }
    /* Revive as many dormant synapses, chosen uniformly, with a random fixed sign: the ones that died
     * now, and any the closed loop's hardware could not hold at an earlier step. */
    rewire_deepr_revive_(tr, &rng, tr->deepr_budget - active);
}

void rewire_penalties_(MosaicTrainer *tr, int from) {
    for (int l = from; l < tr->net.n_links; l++)
        tr->pen[l] = link_penalty_(tr, tr->net.link_src[l], tr->net.link_dst[l]);
}

int64_t rewire_gamma_(const MosaicTrainer *tr, int64_t *gamma) {
    memset(gamma, 0, sizeof(int64_t) * MOSAIC_TRAIN_MAX_D);
    int64_t links = 0;
    for (int l = 0; l < tr->net.n_links; l++) {
        if (!trainer_link_live_(tr->net.link_w + (size_t)l * tr->k, tr->k)) continue;
        int d = mosaic_tile_distance(&tr->arch, tr->net.link_src[l] / tr->k, tr->net.link_dst[l]);
        if (d < MOSAIC_TRAIN_MAX_D) gamma[d]++;
        links++;
    }
    return links;
}

/* ---------------------------------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------------------------------- */

MosaicStatus mosaic_trainer_set_budgets(MosaicTrainer *tr, const int *budgets, MosaicErr *err) {
    if (tr->cfg.method != MOSAIC_METHOD_ROUTING_AWARE)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "budgets: method %s has no per-(tile, distance) budgets",
                          mosaic_train_method_name(tr->cfg.method));
    const int D = tr->maxd + 1;
    for (int s = 0; s < tr->tiles; s++)
        for (int d = 0; d < D; d++) {
            int b = budgets[s * D + d];
            int counts[MOSAIC_PROFILE_MAX_D + 1];
            mosaic_tiles_at_distance(&tr->arch, s, counts);
            if (b < 0 || b > tr->k * counts[d])
                return mosaic_err(
                    err, MOSAIC_ERR_INPUT,
                    "budgets: tile %d distance %d: expected 0 .. %d links (k times %d tiles), got %d", s, d,
                    tr->k * counts[d], counts[d], b);
        }
    memcpy(tr->budgets, budgets, sizeof(int) * (size_t)tr->tiles * D);
    return MOSAIC_OK;
}

void mosaic_trainer_set_hooks(MosaicTrainer *tr, const MosaicRewireHooks *hooks) {
    if (hooks)
        tr->hooks = *hooks;
    else
        memset(&tr->hooks, 0, sizeof tr->hooks);
}

MosaicStatus mosaic_trainer_force_out(MosaicTrainer *tr, int32_t src, int32_t dst, MosaicErr *err) {
    if (src < 0 || src >= tr->n || dst < 0 || dst >= tr->tiles || dst == src / tr->k)
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "force out: link %d -> tile %d: expected a source in [0, %d) and another tile in [0, %d)", src,
            dst, tr->n, tr->tiles);
    tr->banned[trainer_key_(tr, src, dst)] = 1;
    int l = -1;
    for (int lo = 0, hi = tr->net.n_links; lo < hi;) {
        int mid = (lo + hi) / 2;
        int64_t key = trainer_key_(tr, tr->net.link_src[mid], tr->net.link_dst[mid]);
        if (key == trainer_key_(tr, src, dst)) {
            l = mid;
            break;
        }
        if (key < trainer_key_(tr, src, dst))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (l < 0) return MOSAIC_OK;
    if (tr->hooks.on_remove) tr->hooks.on_remove(tr->hooks.ctx, src, dst);
    if (tr->cfg.method == MOSAIC_METHOD_ROUTING_AWARE) {
        uint8_t *keep = malloc((size_t)tr->net.n_links);
        if (!keep) return mosaic_err(err, MOSAIC_ERR_NOMEM, "force out: out of memory");
        memset(keep, 1, (size_t)tr->net.n_links);
        keep[l] = 0;
        MosaicStatus st = relink_(tr, keep, NULL, NULL, NULL, 0, err);
        free(keep);
        return st;
    }
    const size_t off = tr->seg_off[SEG_LINK_] + (size_t)l * tr->k;
    int64_t removed = 0;
    for (int j = 0; j < tr->k; j++) {
        removed += tr->mask[off + j];
        tr->mask[off + j] = 0;
        tr->net.link_w[(size_t)l * tr->k + j] = 0;
        tr->adam_m[off + j] = tr->adam_v[off + j] = 0;
    }
    /* DeepR keeps its synapse count: the removed ones are revived elsewhere now, from a stream of this
     * (step, link): the closed loop forces out many links at one step, and one shared stream made each
     * call replay the draws of the calls before it (quadratic in the links forced out). */
    if (tr->cfg.method == MOSAIC_METHOD_DEEPR && removed) {
        MosaicRng step_rng, rng;
        trainer_rng_(&step_rng, tr->cfg.seed, STREAM_DEEPR_, (uint64_t)tr->step | (1ull << 39));
        mosaic_rng_derive(&rng, mosaic_rng_u64(&step_rng), (uint64_t)trainer_key_(tr, src, dst));
        rewire_deepr_revive_(tr, &rng, removed);
    }
    return MOSAIC_OK;
}

void mosaic_trainer_unban_all(MosaicTrainer *tr) { memset(tr->banned, 0, (size_t)tr->n * tr->tiles); }

void mosaic_trainer_set_link_penalty(MosaicTrainer *tr, MosaicLinkPenaltyFn fn, void *ctx) {
    tr->pen_fn = fn;
    tr->pen_ctx = ctx;
    rewire_penalties_(tr, 0);
}

/* ---------------------------------------------------------------------------------------------
 * Invariants and export
 * ------------------------------------------------------------------------------------------- */

/* True when tile s at distance d holds more than `budget` links only because protected links cannot go. */
static int protected_only_(const MosaicTrainer *tr, int s, int d, int budget) {
    int unprot = 0, all = 0;
    for (int l = 0; l < tr->net.n_links; l++) {
        if (tr->net.link_src[l] / tr->k != s || mosaic_tile_distance(&tr->arch, s, tr->net.link_dst[l]) != d)
            continue;
        all++;
        unprot += !is_protected_(tr, l);
    }
    return all > budget && unprot == 0;
}

MosaicStatus mosaic_trainer_check(const MosaicTrainer *tr, MosaicErr *err) {
    const int k = tr->k, D = tr->maxd + 1;
    for (int l = 0; l < tr->net.n_links; l++) {
        int32_t s = tr->net.link_src[l], d = tr->net.link_dst[l];
        if (s < 0 || s >= tr->n || d < 0 || d >= tr->tiles || d == s / k)
            return mosaic_err(err, MOSAIC_ERR_INTERNAL,
                              "check: link %d (%d -> tile %d) out of range or inside its tile", l, s, d);
        if (l && trainer_key_(tr, s, d) <= trainer_key_(tr, tr->net.link_src[l - 1], tr->net.link_dst[l - 1]))
            return mosaic_err(err, MOSAIC_ERR_INTERNAL,
                              "check: link %d (%d -> tile %d) duplicate or out of order", l, s, d);
        if (tr->cfg.method == MOSAIC_METHOD_ROUTING_AWARE && tr->banned[trainer_key_(tr, s, d)])
            return mosaic_err(err, MOSAIC_ERR_INTERNAL, "check: banned link %d -> tile %d is present", s, d);
    }
    for (int sgi = 0; sgi < NSEG_; sgi++) {
        const size_t off = tr->seg_off[sgi], len = tr->seg_len[sgi];
        const float *w = trainer_seg_(tr, sgi);
        for (size_t i = 0; i < len; i++)
            if (!tr->mask[off + i] && (w[i] != 0 || tr->adam_m[off + i] != 0 || tr->adam_v[off + i] != 0))
                return mosaic_err(err, MOSAIC_ERR_INTERNAL,
                                  "check: segment %d entry %zu is masked but has w %g, m %g, v %g", sgi, i,
                                  w[i], tr->adam_m[off + i], tr->adam_v[off + i]);
    }
    if (tr->cfg.method == MOSAIC_METHOD_ROUTING_AWARE) {
        int *count = calloc((size_t)tr->tiles * D, sizeof(int));
        if (!count) return mosaic_err(err, MOSAIC_ERR_NOMEM, "check: out of memory");
        for (int l = 0; l < tr->net.n_links; l++) {
            int s = tr->net.link_src[l] / k;
            count[s * D + mosaic_tile_distance(&tr->arch, s, tr->net.link_dst[l])]++;
        }
        /* Exact budgets, except slots no admissible candidate could fill (vetoed or banned) and
         * protected links kept above a lowered budget. */
        for (int i = 0; i < tr->tiles * D; i++)
            if (count[i] + tr->unfilled[i] != tr->budgets[i] &&
                !(count[i] > tr->budgets[i] && protected_only_(tr, i / D, i % D, tr->budgets[i]))) {
                int s = i / D, d = i % D, c = count[i];
                free(count);
                return mosaic_err(err, MOSAIC_ERR_INTERNAL,
                                  "check: tile %d distance %d has %d links, budget %d", s, d, c,
                                  tr->budgets[i]);
            }
        free(count);
    }
    MOSAIC_TRY(quant_check_(tr, err));
    if (tr->cfg.method == MOSAIC_METHOD_DEEPR) {
        int64_t active = 0;
        const size_t off = tr->seg_off[SEG_LINK_];
        for (size_t i = 0; i < (size_t)tr->net.n_links * k; i++) {
            active += tr->mask[off + i];
            if (tr->mask[off + i] && tr->sign[i] * tr->net.link_w[i] < 0)
                return mosaic_err(err, MOSAIC_ERR_INTERNAL, "check: synapse %zu changed sign", i);
        }
        /* Below the budget only when the closed loop's veto left synapses with no admissible slot. */
        if (active > tr->deepr_budget || (active < tr->deepr_budget && !tr->hooks.veto))
            return mosaic_err(err, MOSAIC_ERR_INTERNAL, "check: %lld active synapses, budget %lld",
                              (long long)active, (long long)tr->deepr_budget);
    }
    return MOSAIC_OK;
}

int64_t mosaic_trainer_live_links(const MosaicTrainer *tr) {
    int64_t gamma[MOSAIC_TRAIN_MAX_D];
    return rewire_gamma_(tr, gamma);
}

MosaicStatus mosaic_trainer_export(const MosaicTrainer *tr, MosaicNetwork *out, MosaicErr *err) {
    MOSAIC_TRY(mosaic_network_copy(out, &tr->net, err));
    if (tr->quant) { /* the rounded levels, and the device model that programs exactly them */
        quant_round_(tr, out->w_in, out->w_intra, out->link_w);
        out->arch.device.levels = tr->cfg.quant_levels;
        out->arch.device.gmax = tr->quant->gmax;
    }
    const int k = tr->k;
    int m = 0;
    for (int l = 0; l < out->n_links; l++) {
        const float *w = out->link_w + (size_t)l * k;
        if (!trainer_link_live_(w, k)) continue;
        out->link_src[m] = out->link_src[l], out->link_dst[m] = out->link_dst[l];
        memmove(out->link_w + (size_t)m * k, w, sizeof(float) * k);
        m++;
    }
    out->n_links = m;
    return MOSAIC_OK;
}
