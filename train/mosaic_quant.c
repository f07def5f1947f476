/* mosaic_quant: quantised rewiring inside the trainer (see mosaic_quant.h for the method). */
#include "mosaic_quant.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_mapper.h"
#include "mosaic_trainer_internal.h"

/* ---------------------------------------------------------------------------------------------
 * The pure pieces: cost, one neuron's projection, fan-in of a network
 * ------------------------------------------------------------------------------------------- */

int mosaic_quant_cost(double w, double step, int levels) {
    const double c = ceil(fabs(w) / step * (1 - 1e-6));
    return c >= levels - 1 ? levels - 1 : (int)c;
}

static int cost_of_(double w, const MosaicQuantRule *r) {
    return r->mode == MOSAIC_QUANT_FANIN_COUNTS ? mosaic_quant_cost(w, r->step, r->levels) : 1;
}

typedef struct {
    float mag;
    int i;
} Mag_;

static int cmp_mag_(const void *a, const void *b) {
    const Mag_ *x = a, *y = b;
    if (x->mag != y->mag) return x->mag < y->mag ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int mosaic_quant_project(float *w, uint8_t *live, const uint8_t *allowed, uint8_t *changed, int n,
                         const MosaicQuantRule *r, MosaicRng *rng) {
    int total = 0, nlive = 0;
    Mag_ *order = malloc(sizeof *order * (size_t)(n ? n : 1));
    assert(order); /* n is at most a few hundred per neuron */
    /* 1. Synapses rounding to level 0 are not programmed: dormant. */
    for (int i = 0; i < n; i++) {
        if (!live[i]) continue;
        if (mosaic_device_level(fabs(w[i]), r->step, r->levels) == 0) {
            live[i] = 0, w[i] = 0;
            if (changed) changed[i] = 1;
            continue;
        }
        order[nlive++] = (Mag_){fabsf(w[i]), i};
        total += cost_of_(w[i], r);
    }
    /* 2. Over the limit: remove the smallest (l1) or random live synapses until the neuron fits. */
    if (r->fanin > 0 && total > r->fanin) {
        if (r->removal == MOSAIC_QUANT_REMOVE_L1) {
            qsort(order, (size_t)nlive, sizeof *order, cmp_mag_);
        } else {
            for (int i = nlive - 1; i > 0; i--) {
                int j = (int)mosaic_rng_below(rng, (uint64_t)i + 1);
                Mag_ t = order[i];
                order[i] = order[j], order[j] = t;
            }
        }
        for (int q = 0; q < nlive && total > r->fanin; q++) {
            const int i = order[q].i;
            if (q == nlive - 1) { /* counts mode: one synapse above the limit keeps `fanin` counts */
                total -= cost_of_(w[i], r);
                w[i] = mosaic_device_level_weight(r->fanin, r->step, w[i]);
                total += cost_of_(w[i], r);
            } else {
                total -= cost_of_(w[i], r);
                live[i] = 0, w[i] = 0;
            }
            if (changed) changed[i] = 1;
        }
    }
    /* 3. Below the target: grow random allowed dormant synapses with one count. */
    if (r->target > 0 && total < r->target) {
        int nc = 0;
        for (int i = 0; i < n; i++)
            if (!live[i] && (!allowed || allowed[i])) order[nc++].i = i;
        while (total < r->target && nc > 0) {
            const int pick = (int)mosaic_rng_below(rng, (uint64_t)nc);
            const int i = order[pick].i;
            order[pick] = order[--nc];
            live[i] = 1;
            w[i] = mosaic_device_level_weight(1, r->step, mosaic_rng_u64(rng) & 1 ? 1.0 : -1.0);
            total += cost_of_(w[i], r);
            if (changed) changed[i] = 1;
        }
    }
    free(order);
    return total;
}

int mosaic_quant_entry_side(const MosaicArch *arch, int src, int dst) {
    MosaicPortRef marks[MOSAIC_ROUTE_MAX_MARKS];
    const int m = mosaic_route(arch, src, dst, marks);
    int gr, gc;
    mosaic_tile_cell(arch, dst, &gr, &gc);
    /* The route's last mark is the destination NT's input port, which is its side. */
    assert(m > 0 && marks[m - 1].cell == mosaic_cell_index(arch, gr, gc) && marks[m - 1].port <= MOSAIC_IN_W);
    return marks[m - 1].port;
}

int mosaic_quant_project_sides(float *w, uint8_t *live, const uint8_t *allowed, uint8_t *changed,
                               const int8_t *side, int n, const MosaicQuantRule *rule, MosaicRng *rng) {
    MosaicQuantRule r = *rule;
    r.mode = MOSAIC_QUANT_FANIN_SYNAPSES; /* a side counts its lines */
    const size_t cap = (size_t)(n ? n : 1);
    int *at = calloc(cap, sizeof *at);
    float *sw = calloc(cap, sizeof *sw);
    uint8_t *sl = calloc(cap, 1), *sa = calloc(cap, 1), *sc = calloc(cap, 1);
    assert(at && sw && sl && sa && sc); /* n is at most a few hundred per neuron */
    if (!(at && sw && sl && sa && sc)) abort();
    int worst = 0;
    for (int d = 0; d < 4; d++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (side[i] == d)
                at[m] = i, sw[m] = w[i], sl[m] = live[i], sa[m] = allowed ? allowed[i] : 1, sc[m++] = 0;
        const int f = mosaic_quant_project(sw, sl, sa, sc, m, &r, rng);
        worst = f > worst ? f : worst;
        for (int q = 0; q < m; q++) {
            if (!sc[q]) continue;
            w[at[q]] = sw[q], live[at[q]] = sl[q];
            if (changed) changed[at[q]] = 1;
        }
    }
    free(at), free(sw), free(sl), free(sa), free(sc);
    return worst;
}

void mosaic_quant_fanin_sides(const MosaicNetwork *net, int32_t *lines) {
    const int k = net->arch.neurons_per_tile;
    memset(lines, 0, sizeof(int32_t) * 4 * (size_t)mosaic_arch_neurons(&net->arch));
    for (int l = 0; l < net->n_links; l++) {
        const int dst = net->link_dst[l],
                  d = mosaic_quant_entry_side(&net->arch, mosaic_tile_of_neuron(&net->arch, net->link_src[l]),
                                              dst);
        for (int j = 0; j < k; j++)
            if (net->link_w[(size_t)l * k + j] != 0) lines[4 * ((size_t)dst * k + j) + d]++;
    }
}

void mosaic_quant_fanin(const MosaicNetwork *net, double step, int levels, int32_t *synapses,
                        int64_t *counts) {
    const int k = net->arch.neurons_per_tile, n = mosaic_arch_neurons(&net->arch);
    if (synapses) memset(synapses, 0, sizeof(int32_t) * (size_t)n);
    if (counts) memset(counts, 0, sizeof(int64_t) * (size_t)n);
#define ADD_(w, neuron)                                                                                      \
    do {                                                                                                     \
        if ((w) != 0) {                                                                                      \
            if (synapses) synapses[neuron]++;                                                                \
            if (counts) counts[neuron] += mosaic_device_level(fabs(w), step, levels);                        \
        }                                                                                                    \
    } while (0)
    for (int t = 0; t < net->n_input_tiles; t++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) ADD_(net->w_in[((size_t)t * k + i) * k + j], t * k + j);
    for (int t = 0; t < mosaic_arch_tiles(&net->arch); t++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) ADD_(net->w_intra[((size_t)t * k + i) * k + j], t * k + j);
    for (int l = 0; l < net->n_links; l++)
        for (int j = 0; j < k; j++) ADD_(net->link_w[(size_t)l * k + j], net->link_dst[l] * k + j);
#undef ADD_
}

/* ---------------------------------------------------------------------------------------------
 * Inside the trainer
 * ------------------------------------------------------------------------------------------- */

static double step_of_(const MosaicTrainer *tr) {
    return mosaic_device_step(tr->quant->gmax, tr->cfg.quant_levels);
}

static MosaicQuantRule rule_of_(const MosaicTrainer *tr) {
    const MosaicTrainConfig *c = &tr->cfg;
    MosaicQuantRule r = {
        c->quant_levels,  step_of_(tr),
        c->quant_fanin,   c->quant_fanin_mode,
        c->quant_removal, c->quant_fanin > 0 ? (c->quant_target < 0 ? c->quant_fanin : c->quant_target) : 0};
    return r;
}

/* The weight of parameter index p (parameter layout: w_in, w_intra, then links). */
static float *param_(const MosaicTrainer *tr, size_t p) {
    for (int s = NSEG_ - 1; s >= 0; s--)
        if (p >= tr->seg_off[s]) return trainer_seg_(tr, s) + (p - tr->seg_off[s]);
    return NULL;
}

/* Parameter indices of every possible synapse into neuron `n`, whether each may be live and (when
 * link_side is not NULL) its side: -1 for input rows and the intra-tile block, link_side[l] for link l.
 * Returns the count; `in_links` lists the links into each tile (CSR over tiles, built by incoming_()). */
static int synapses_of_(const MosaicTrainer *tr, int n, const int *in_off, const int *in_links,
                        const int8_t *link_side, size_t *idx, uint8_t *allowed, int8_t *side) {
    const int k = tr->k, t = n / k, j = n % k;
    int m = 0;
    const uint8_t *al = tr->quant->allowed;
    if (t < tr->net.n_input_tiles)
        for (int i = 0; i < k; i++) {
            size_t p = tr->seg_off[SEG_IN_] + ((size_t)t * k + i) * k + j;
            if (al[p]) idx[m] = p, side[m] = -1, allowed[m++] = 1;
        }
    for (int i = 0; i < k; i++) {
        size_t p = tr->seg_off[SEG_INTRA_] + ((size_t)t * k + i) * k + j;
        if (al[p]) idx[m] = p, side[m] = -1, allowed[m++] = 1;
    }
    for (int q = in_off[t]; q < in_off[t + 1]; q++) {
        const int l = in_links[q];
        idx[m] = tr->seg_off[SEG_LINK_] + (size_t)l * k + j;
        side[m] = link_side ? link_side[l] : -1;
        allowed[m++] = !tr->banned[trainer_key_(tr, tr->net.link_src[l], tr->net.link_dst[l])];
    }
    return m;
}

/* Links into each tile: in_off (tiles + 1), in_links (n_links). */
static int incoming_(const MosaicTrainer *tr, int **in_off, int **in_links) {
    *in_off = calloc((size_t)tr->tiles + 1, sizeof(int));
    *in_links = malloc(sizeof(int) * (size_t)(tr->net.n_links ? tr->net.n_links : 1));
    int *fill = calloc((size_t)tr->tiles, sizeof(int));
    if (!*in_off || !*in_links || !fill) {
        free(*in_off), free(*in_links), free(fill);
        return -1;
    }
    for (int l = 0; l < tr->net.n_links; l++) (*in_off)[tr->net.link_dst[l] + 1]++;
    for (int t = 0; t < tr->tiles; t++) (*in_off)[t + 1] += (*in_off)[t];
    for (int l = 0; l < tr->net.n_links; l++) {
        const int t = tr->net.link_dst[l];
        (*in_links)[(*in_off)[t] + fill[t]++] = l;
    }
    free(fill);
    return 0;
}

/* lines_per_side: the side each link enters its tile by; NULL in the other modes (and on no memory, which
 * the caller checks through the mode). */
static int8_t *link_sides_(const MosaicTrainer *tr) {
    if (tr->cfg.quant_fanin_mode != MOSAIC_QUANT_FANIN_LINES_PER_SIDE) return NULL;
    int8_t *side = malloc((size_t)(tr->net.n_links ? tr->net.n_links : 1));
    if (!side) return NULL;
    for (int l = 0; l < tr->net.n_links; l++)
        side[l] =
            (int8_t)mosaic_quant_entry_side(&tr->net.arch, tr->net.link_src[l] / tr->k, tr->net.link_dst[l]);
    return side;
}

/* Most synapses one neuron can have: its input rows, its block's rows and one per other tile's neuron. */
static int max_synapses_(const MosaicTrainer *tr) { return 2 * tr->k + tr->n; }

void quant_project_all_(MosaicTrainer *tr) {
    if (!tr->quant || tr->cfg.quant_fanin <= 0) return;
    const MosaicQuantRule r = rule_of_(tr);
    int *in_off, *in_links;
    const int cap = max_synapses_(tr);
    size_t *idx = malloc(sizeof(size_t) * (size_t)cap);
    float *w = malloc(sizeof(float) * (size_t)cap);
    uint8_t *live = malloc((size_t)cap), *al = malloc((size_t)cap), *changed = malloc((size_t)cap);
    int8_t *side = malloc((size_t)cap);
    const int per_side = r.mode == MOSAIC_QUANT_FANIN_LINES_PER_SIDE;
    int8_t *link_side = link_sides_(tr);
    const int ok = incoming_(tr, &in_off, &in_links) == 0 && (!per_side || link_side);
    /* The trainer has no error path after a step; a few hundred bytes per neuron are assumed. */
    assert(idx && w && live && al && changed && side && ok);
    if (!(idx && w && live && al && changed && side && ok)) abort();
    MosaicRng rng;
    trainer_rng_(&rng, tr->cfg.seed, STREAM_QUANT_, (uint64_t)tr->step | (1ull << 39));
    for (int n = 0; n < tr->n; n++) {
        const int m = synapses_of_(tr, n, in_off, in_links, link_side, idx, al, side);
        for (int q = 0; q < m; q++) w[q] = *param_(tr, idx[q]), live[q] = tr->mask[idx[q]], changed[q] = 0;
        if (per_side)
            mosaic_quant_project_sides(w, live, al, changed, side, m, &r, &rng);
        else
            mosaic_quant_project(w, live, al, changed, m, &r, &rng);
        for (int q = 0; q < m; q++) {
            if (!changed[q]) continue;
            *param_(tr, idx[q]) = w[q];
            tr->mask[idx[q]] = live[q];
            tr->adam_m[idx[q]] = tr->adam_v[idx[q]] = 0; /* a new or removed synapse starts afresh */
            if (idx[q] >= tr->seg_off[SEG_LINK_] && live[q])
                tr->sign[idx[q] - tr->seg_off[SEG_LINK_]] = w[q] < 0 ? -1 : 1;
        }
    }
    free(idx), free(w), free(live), free(al), free(changed), free(side), free(link_side), free(in_off),
        free(in_links);
}

MosaicStatus quant_create_(MosaicTrainer *tr, MosaicErr *err) {
    if (tr->cfg.quant_levels <= 0) return MOSAIC_OK;
    MosaicQuantState *q = calloc(1, sizeof *q);
    if (!q) return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory for quantisation");
    tr->quant = q;
    q->gmax = tr->cfg.quant_gmax;
    q->allowed = malloc(tr->seg_off[SEG_LINK_] ? tr->seg_off[SEG_LINK_] : 1);
    q->fwd = malloc(sizeof(float) * tr->nparams);
    if (!q->allowed || !q->fwd)
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "trainer: out of memory for quantisation");
    memcpy(q->allowed, tr->mask, tr->seg_off[SEG_LINK_]); /* the structure: masks before any projection */
    /* Shadow weights start inside +-gmax. */
    for (size_t p = 0; p < trainer_used_(tr); p++) {
        float *w = param_(tr, p);
        *w = fminf((float)q->gmax, fmaxf((float)-q->gmax, *w));
    }
    quant_project_all_(tr);
    return MOSAIC_OK;
}

void quant_free_(MosaicTrainer *tr) {
    if (!tr->quant) return;
    free(tr->quant->allowed), free(tr->quant->fwd), free(tr->quant);
    tr->quant = NULL;
}

const float *quant_forward_(MosaicTrainer *tr) {
    MosaicQuantState *q = tr->quant;
    const int L = tr->cfg.quant_levels;
    const double step = step_of_(tr);
    MosaicRng rng;
    trainer_rng_(&rng, tr->cfg.seed, STREAM_QUANT_, (uint64_t)tr->step);
    const size_t used = trainer_used_(tr);
    memset(q->fwd + used, 0, sizeof(float) * (tr->nparams - used));
    for (size_t p = 0; p < used; p++) {
        const float w = *param_(tr, p);
        if (!tr->mask[p] || w == 0) {
            q->fwd[p] = 0;
            continue;
        }
        /* Stochastic rounding (unbiased), never above the cost the fan-in projection charged. */
        const double x = fabs(w) / step, fl = floor(x);
        int c = (int)fl + (mosaic_rng_uniform(&rng) < x - fl);
        const int cmax = mosaic_quant_cost(w, step, L);
        q->fwd[p] = mosaic_device_level_weight(c < cmax ? c : cmax, step, w);
    }
    return q->fwd;
}

void quant_after_step_(MosaicTrainer *tr, double lr) {
    MosaicQuantState *q = tr->quant;
    if (!q) return;
    const MosaicTrainConfig *c = &tr->cfg;
    const size_t used = trainer_used_(tr);
    if (c->quant_learn_gmax) { /* d loss / d gmax = sum_i g_i q_i / gmax (straight through the rounding) */
        double g = 0;
        for (size_t p = 0; p < used; p++) g += (double)tr->grad[p] * q->fwd[p];
        g /= q->gmax;
        q->t++;
        q->m = c->beta1 * q->m + (1 - c->beta1) * g;
        q->v = c->beta2 * q->v + (1 - c->beta2) * g * g;
        const double mh = q->m / (1 - pow(c->beta1, (double)q->t)),
                     vh = q->v / (1 - pow(c->beta2, (double)q->t));
        q->gmax = fmax(1e-6, q->gmax - lr * mh / (sqrt(vh) + c->adam_eps));
    }
    const double step = step_of_(tr);
    const float gmax = (float)q->gmax;
    MosaicRng rng;
    trainer_rng_(&rng, c->seed, STREAM_QUANT_, (uint64_t)tr->step | (1ull << 38));
    const double sigma = c->quant_temperature > 0 ? sqrt(2 * lr * c->quant_temperature) * step : 0;
    for (size_t p = 0; p < used; p++) {
        if (!tr->mask[p]) continue;
        float *w = param_(tr, p);
        double v = *w;
        if (sigma > 0) v += sigma * mosaic_rng_normal(&rng);
        *w = fminf(gmax, fmaxf(-gmax, (float)v));
    }
    quant_project_all_(tr);
}

void quant_round_(const MosaicTrainer *tr, float *w_in, float *w_intra, float *link_w) {
    const int L = tr->cfg.quant_levels;
    const double step = step_of_(tr);
    float *out[NSEG_] = {w_in, w_intra, link_w};
    for (int s = 0; s < NSEG_; s++) {
        const float *w = trainer_seg_(tr, s);
        const uint8_t *mask = tr->mask + tr->seg_off[s];
        const size_t len = s == SEG_LINK_ ? (size_t)tr->net.n_links * tr->k : tr->seg_len[s];
        for (size_t i = 0; i < len; i++)
            out[s][i] = mask[i]
                            ? mosaic_device_level_weight(mosaic_device_level(fabs(w[i]), step, L), step, w[i])
                            : 0.0f;
    }
}

MosaicStatus quant_check_(const MosaicTrainer *tr, MosaicErr *err) {
    if (!tr->quant) return MOSAIC_OK;
    const MosaicQuantRule r = rule_of_(tr);
    const size_t used = trainer_used_(tr);
    for (size_t p = 0; p < used; p++) {
        const float w = *param_(tr, p);
        if (fabsf(w) > (float)tr->quant->gmax)
            return mosaic_err(err, MOSAIC_ERR_INTERNAL, "check: parameter %zu has |w| %g above gmax %g", p, w,
                              tr->quant->gmax);
        if (p < tr->seg_off[SEG_LINK_] && tr->mask[p] && !tr->quant->allowed[p])
            return mosaic_err(err, MOSAIC_ERR_INTERNAL, "check: parameter %zu is live outside the structure",
                              p);
    }
    if (r.fanin <= 0) return MOSAIC_OK;
    int *in_off = NULL, *in_links = NULL;
    const int cap = max_synapses_(tr), per_side = r.mode == MOSAIC_QUANT_FANIN_LINES_PER_SIDE;
    size_t *idx = malloc(sizeof(size_t) * (size_t)cap);
    uint8_t *al = malloc((size_t)cap);
    int8_t *side = malloc((size_t)cap), *link_side = link_sides_(tr);
    MosaicStatus st = MOSAIC_OK;
    if (!idx || !al || !side || (per_side && !link_side) || incoming_(tr, &in_off, &in_links) != 0) {
        free(idx), free(al), free(side), free(link_side);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "check: out of memory");
    }
    for (int n = 0; n < tr->n && st == MOSAIC_OK; n++) {
        const int m = synapses_of_(tr, n, in_off, in_links, link_side, idx, al, side);
        int total = 0, lines[4] = {0};
        for (int q = 0; q < m; q++) {
            if (!tr->mask[idx[q]] || (per_side && side[q] < 0)) continue; /* unlimited in lines_per_side */
            const float w = *param_(tr, idx[q]);
            if (mosaic_device_level(fabs(w), r.step, r.levels) == 0)
                st = mosaic_err(err, MOSAIC_ERR_INTERNAL,
                                "check: neuron %d has a live synapse at level 0 (w %g)", n, w);
            if (per_side) lines[side[q]]++;
            total += r.mode == MOSAIC_QUANT_FANIN_COUNTS ? mosaic_quant_cost(w, r.step, r.levels) : 1;
        }
        for (int d = 0; d < 4 && per_side && st == MOSAIC_OK; d++)
            if (lines[d] > r.fanin)
                st = mosaic_err(err, MOSAIC_ERR_INTERNAL,
                                "check: neuron %d has %d input lines on side %s, above the limit %d", n,
                                lines[d], mosaic_port_name(d), r.fanin);
        if (st == MOSAIC_OK && !per_side && total > r.fanin)
            st = mosaic_err(err, MOSAIC_ERR_INTERNAL, "check: neuron %d has fan-in %d above the limit %d", n,
                            total, r.fanin);
    }
    free(idx), free(al), free(side), free(link_side), free(in_off), free(in_links);
    return st;
}

int mosaic_trainer_quant_grid(const MosaicTrainer *tr, double *gmax, double *step) {
    if (!tr->quant) {
        *gmax = *step = 0;
        return 0;
    }
    *gmax = tr->quant->gmax;
    *step = step_of_(tr);
    return tr->cfg.quant_levels;
}
