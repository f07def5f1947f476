/* cochlea_stages: the stages after the basilar membrane (cochlea-model.md §5-7): Meddis hair cell,
 * auditory-nerve fibres with dead time, bushy-cell LIF. All per channel, O(m) memory. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "cochlea_internal.h"
#include "mosaic_cochlea.h"
#include "mosaic_rng.h"

/* ---- stage 3: Meddis hair cell (§5) ---- */

#define HC_A_ 5.0
#define HC_B_ 300.0
#define HC_G_ 2000.0
#define HC_Y_ 5.05
#define HC_L_ 2500.0
#define HC_R_ 6580.0
#define HC_X_ 66.3
#define HC_H_ 50000.0
#define HC_M_ 1.0

/* max(v, 0) without a libm call (fmax is not inlined on baseline x86-64). */
static inline double clamp0_(const double v) { return v > 0.0 ? v : 0.0; }

typedef struct {
    double gdt, ydt, lrdt, rdt, xdt, hdt;
} HcConst_;

typedef struct {
    double q, c, w;
} HcState_;

static void hc_init_(const double rate, HcConst_ *k, HcState_ *st) {
    const double dt = 1.0 / rate;
    const double k0 = HC_G_ * HC_A_ / (HC_A_ + HC_B_);
    st->c = HC_M_ * HC_Y_ * k0 / (HC_L_ * k0 + HC_Y_ * (HC_L_ + HC_R_));
    st->q = st->c * (HC_L_ + HC_R_) / k0;
    st->w = st->c * HC_R_ / HC_X_;
    *k = (HcConst_){HC_G_ * dt, HC_Y_ * dt, (HC_L_ + HC_R_) * dt, HC_R_ * dt, HC_X_ * dt, HC_H_ * dt};
}

/* One explicit Euler step exactly as the package does it (§9.1: a better integrator changes the
 * transients and so the spike statistics). Every right-hand side uses the state before the step;
 * returns P for this sample from the updated cleft content. */
static inline double hc_step_(HcState_ *st, const HcConst_ *k, const float u) {
    const double ua = (double)u + HC_A_;
    const double kn = ua > 0.0 ? k->gdt * ua / (ua + HC_B_) : 0.0;
    const double rho = st->q < HC_M_ ? k->ydt * (HC_M_ - st->q) : 0.0;
    const double eject = kn * st->q, loss = k->lrdt * st->c, reuptake = k->rdt * st->c,
                 reproc = k->xdt * st->w;
    st->q = clamp0_(st->q + rho - eject + reproc);
    st->c = clamp0_(st->c + eject - loss);
    st->w = clamp0_(st->w + reuptake - reproc);
    return k->hdt * st->c;
}

void mosaic_cochlea_haircell(const float *u, const size_t m, const double rate, double *prob) {
    HcConst_ k;
    HcState_ st;
    hc_init_(rate, &k, &st);
    for (size_t n = 0; n < m; n++) prob[n] = hc_step_(&st, &k, u[n]);
}

void cochlea_haircell_hazard_pair(const float *ua, const float *ub, const size_t m, const double rate,
                                  double *la, double *lb) {
    /* Hair cell and cumulative fibre hazard of two channels in one loop: the four recurrences are
     * independent, so the CPU overlaps their latency chains. Same arithmetic as the separate stages. */
    HcConst_ k;
    HcState_ sa, sb;
    hc_init_(rate, &k, &sa);
    sb = sa;
    la[0] = lb[0] = 0.0;
    for (size_t n = 0; n < m; n++) {
        la[n + 1] = la[n] + cochlea_hazard(hc_step_(&sa, &k, ua[n]));
        lb[n + 1] = lb[n] + cochlea_hazard(hc_step_(&sb, &k, ub[n]));
    }
}

void cochlea_haircell_pair(const float *ua, const float *ub, const size_t m, const double rate, double *pa,
                           double *pb) {
    /* Two independent recurrences in one loop: the CPU overlaps their latency chains. Same arithmetic
     * as mosaic_cochlea_haircell, so the same output bits. */
    HcConst_ k;
    HcState_ sa, sb;
    hc_init_(rate, &k, &sa);
    sb = sa;
    for (size_t n = 0; n < m; n++) {
        pa[n] = hc_step_(&sa, &k, ua[n]);
        pb[n] = hc_step_(&sb, &k, ub[n]);
    }
}

/* ---- stage 4: auditory-nerve fibres (§6) ---- */

double cochlea_ticks(const double seconds, const double rate) {
    /* tau * F as a real number, snapped to the nearest integer when within rounding of it: 1 ms at
     * 24 kHz must be exactly 24, not 24.000000000000004 (that would lengthen every refractory period). */
    const double t = seconds * rate;
    const double r = nearbyint(t);
    return fabs(t - r) < 1e-9 * fmax(1.0, t) ? r : t;
}

/* Tournament tree over the fibres' targets: node i holds the index of the smallest target below it,
 * the left (lower-index) one on a tie, so the root is the fibre due first. Updating one leaf costs
 * log2(leaves) branch-free comparisons instead of a scan over all fibres. */
#define TREE_LEAVES_ 256

typedef struct {
    int leaves;
    int node[2 * TREE_LEAVES_];
    double target[TREE_LEAVES_];
} Tourney_;

static inline int tourney_pick_(const Tourney_ *t, const int a, const int b) {
    return t->target[b] < t->target[a] ? b : a;
}

static void tourney_init_(Tourney_ *t, const int fibres) {
    t->leaves = 1;
    while (t->leaves < fibres) t->leaves *= 2;
    for (int i = fibres; i < t->leaves; i++) t->target[i] = INFINITY;
    for (int i = 0; i < t->leaves; i++) t->node[t->leaves + i] = i;
    for (int i = t->leaves - 1; i >= 1; i--)
        t->node[i] = tourney_pick_(t, t->node[2 * i], t->node[2 * i + 1]);
}

static inline void tourney_update_(Tourney_ *t, const int f) {
    for (int i = (t->leaves + f) / 2; i >= 1; i /= 2)
        t->node[i] = tourney_pick_(t, t->node[2 * i], t->node[2 * i + 1]);
}

MosaicStatus cochlea_fibres_from_hazard(const double *lam, const size_t m, const double rate,
                                        const int fibres, const double tau_ref, const uint64_t seed,
                                        const uint64_t stream, uint8_t *counts, MosaicErr *err) {
    assert(fibres >= 1 && fibres <= 255);
    if (isnan(lam[m]))
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "cochlea fibres: channel %llu: hair-cell probability is NaN somewhere in its %zu samples "
            "(expected numbers in [0, 1])",
            (unsigned long long)stream, m);
    memset(counts, 0, m);
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, stream);
    /* At most one spike per fibre and sample, even without dead time. */
    const size_t dead = (size_t)fmax(1.0, ceil(cochlea_ticks(tau_ref, rate)));
    /* Event-driven: a fibre free from sample s with an Exp(1) draw E spikes at the first n >= s with
     * lam[n+1] > lam[s] + E (no candidate in [s, n] has probability prod (1 - P) = e^{-(lam[n+1]-lam[s])}).
     * Draws inside the dead time would be deleted anyway, so jumping over it gives the same law.
     * Fibres are served in order of target, so crossings come out in time order and one forward sweep
     * of lam serves all of them: O(m + spikes log fibres). Draws: one per fibre in fibre order, then one
     * per kept spike in (target, fibre) order. */
    Tourney_ t;
    for (int f = 0; f < fibres; f++) t.target[f] = -log1p(-mosaic_rng_uniform(&rng));
    tourney_init_(&t, fibres);
    size_t cur = 0;
    for (;;) {
        const int f = t.node[1];
        const double target = t.target[f];
        if (!(target < INFINITY)) break;
        while (cur < m && !(lam[cur + 1] > target)) cur++;
        if (cur >= m) break; /* every remaining target lies beyond the recording */
        counts[cur]++;
        const size_t start = cur + dead;
        t.target[f] = start < m ? lam[start] - log1p(-mosaic_rng_uniform(&rng)) : INFINITY;
        tourney_update_(&t, f);
    }
    return MOSAIC_OK;
}

MosaicStatus mosaic_cochlea_fibres(const double *prob, const size_t m, const double rate, const int fibres,
                                   const double tau_ref, const MosaicCochleaSampler sampler,
                                   const uint64_t seed, const uint64_t stream, uint8_t *counts, double *work,
                                   MosaicErr *err) {
    assert(fibres >= 1 && fibres <= 255);
    for (size_t n = 0; n < m; n++)
        if (isnan(prob[n]))
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "cochlea fibres: channel %llu: hair-cell probability at sample %zu is NaN "
                              "(expected a number in [0, 1])",
                              (unsigned long long)stream, n);
    if (sampler == MOSAIC_COCHLEA_SAMPLER_BERNOULLI) {
        memset(counts, 0, m);
        MosaicRng rng;
        mosaic_rng_derive(&rng, seed, stream);
        /* Kept spikes are at least ceil(tau F) samples apart (the comparison is n - n_last >= tau F). */
        const size_t dead = (size_t)ceil(cochlea_ticks(tau_ref, rate));
        /* One uniform per fibre and sample, fibre-major; candidates inside the dead time are deleted. */
        for (int f = 0; f < fibres; f++) {
            size_t next_allowed = 0;
            for (size_t n = 0; n < m; n++) {
                const double u = mosaic_rng_uniform(&rng);
                if (u < prob[n] && n >= next_allowed) {
                    counts[n]++;
                    next_allowed = n + dead;
                }
            }
        }
        return MOSAIC_OK;
    }
    /* Cumulative hazard lam[n] = sum_{i<n} -ln(1 - P[i]). */
    double *lam = work;
    lam[0] = 0.0;
    for (size_t n = 0; n < m; n++) lam[n + 1] = lam[n] + cochlea_hazard(prob[n]);
    return cochlea_fibres_from_hazard(lam, m, rate, fibres, tau_ref, seed, stream, counts, err);
}

/* ---- stage 5: bushy cell (§7) ---- */

#define BC_TAU_M_ 1e-3
#define BC_TAU_S_ 0.5e-3
#define BC_W_TOTAL_ 13000.0

void mosaic_cochlea_bushy(const uint8_t *counts, const size_t m, const double rate, const int fibres,
                          const double tau_ref, uint32_t *spikes, size_t *nspikes) {
    const double dt = 1.0 / rate;
    const double dm = exp(-dt / BC_TAU_M_), ds = exp(-dt / BC_TAU_S_);
    const double wdt = BC_W_TOTAL_ / fibres * dt;
    const double refractory = cochlea_ticks(tau_ref, rate);
    double v = 0.0, cur = 0.0, kappa = 0.0;
    size_t count = 0;
    /* The update order of §7 fixes the stamping (sample n-1) and the 25-sample minimum interval. */
    for (size_t n = 0; n < m; n++) {
        if (n > 0) {
            if (kappa <= 0.0 && v >= 1.0) {
                spikes[count++] = (uint32_t)(n - 1);
                v = 0.0;
                kappa = refractory;
            } else if (kappa <= 0.0) {
                v *= dm;
            }
            cur *= ds;
        }
        cur += counts[n];
        if (kappa <= 0.0) v += wdt * cur;
        if (v > 1.0) v = 1.0;
        kappa -= 1.0;
    }
    *nspikes = count;
}
