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

/* Two SSE2 lanes of doubles. Vector comparisons give all-ones/zero masks; `sel_` keeps a lane where its
 * mask is set and gives +0 elsewhere, which is what the scalar `cond ? v : 0.0` and clamp0_ give (NaN
 * included). No FMA contraction in ISO C mode, so each lane computes exactly the scalar step's bits. */
typedef double V2_ __attribute__((vector_size(16)));
typedef long long V2M_ __attribute__((vector_size(16)));

static inline V2_ sel_(const V2M_ mask, const V2_ v) { return (V2_)((V2M_)v & mask); }

void cochlea_haircell_hazard_pair(const float *ua, const float *ub, const size_t m, const double rate,
                                  double *la, double *lb) {
    /* Hair cells and cumulative fibre hazards of two channels, one per lane: the same arithmetic as
     * hc_step_ and cochlea_hazard, so the same output as the separate stages. */
    HcConst_ k;
    HcState_ s0;
    hc_init_(rate, &k, &s0);
    const V2_ zero = {0.0, 0.0}, va = {HC_A_, HC_A_}, vb = {HC_B_, HC_B_}, vm = {HC_M_, HC_M_};
    const V2_ gdt = {k.gdt, k.gdt}, ydt = {k.ydt, k.ydt}, lrdt = {k.lrdt, k.lrdt}, rdt = {k.rdt, k.rdt};
    const V2_ xdt = {k.xdt, k.xdt}, hdt = {k.hdt, k.hdt};
    V2_ q = {s0.q, s0.q}, c = {s0.c, s0.c}, w = {s0.w, s0.w}, lam = zero;
    la[0] = lb[0] = 0.0;
    for (size_t n = 0; n < m; n++) {
        const V2_ u = {(double)ua[n], (double)ub[n]};
        const V2_ uu = u + va;
        const V2_ kn = sel_(uu > zero, gdt * uu / (uu + vb));
        const V2_ rho = sel_(q < vm, ydt * (vm - q));
        const V2_ eject = kn * q, loss = lrdt * c, reuptake = rdt * c, reproc = xdt * w;
        q = q + rho - eject + reproc;
        q = sel_(q > zero, q);
        c = c + eject - loss;
        c = sel_(c > zero, c);
        w = w + reuptake - reproc;
        w = sel_(w > zero, w);
        const V2_ p = hdt * c;
        V2_ h = p * (1.0 + p * (0.5 + p * (1.0 / 3 + p * (0.25 + p * (0.2 + p * (1.0 / 6 + p / 7))))));
        if (!(p[0] < 0.03 && p[1] < 0.03)) h[0] = cochlea_hazard(p[0]), h[1] = cochlea_hazard(p[1]);
        lam = lam + h;
        la[n + 1] = lam[0];
        lb[n + 1] = lam[1];
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

/* Tournament tree over the fibres' targets: node i holds the smallest target below it and whose it is,
 * the left (lower-index) one on a tie, so the root is the fibre due first. Nodes carry the values, so
 * walking up after one leaf changes needs no dependent loads: log2(leaves) compare-and-selects. */
#define TREE_LEAVES_ 256

typedef struct {
    int leaves;
    double val[2 * TREE_LEAVES_];
    int idx[2 * TREE_LEAVES_];
} Tourney_;

static inline void tourney_fix_(Tourney_ *t, const int i) {
    const int l = 2 * i, r = l + 1;
    const int right_wins = t->val[r] < t->val[l];
    t->val[i] = right_wins ? t->val[r] : t->val[l];
    t->idx[i] = right_wins ? t->idx[r] : t->idx[l];
}

static void tourney_init_(Tourney_ *t, const double *target, const int fibres) {
    t->leaves = 1;
    while (t->leaves < fibres) t->leaves *= 2;
    for (int i = 0; i < t->leaves; i++) {
        t->val[t->leaves + i] = i < fibres ? target[i] : INFINITY;
        t->idx[t->leaves + i] = i;
    }
    for (int i = t->leaves - 1; i >= 1; i--) tourney_fix_(t, i);
}

static inline void tourney_set_(Tourney_ *t, const int f, const double target) {
    t->val[t->leaves + f] = target;
    for (int i = (t->leaves + f) / 2; i >= 1; i /= 2) tourney_fix_(t, i);
}

/* An Exp(1) variate: -ln(1 - U) with U uniform on [0, 1) (53 bits; 1 - U is exact, so log serves and is
 * cheaper than log1p). */
static inline double exp1_(MosaicRng *rng) { return -log(1.0 - mosaic_rng_uniform(rng)); }

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
    double first[TREE_LEAVES_];
    for (int f = 0; f < fibres; f++) first[f] = exp1_(&rng);
    tourney_init_(&t, first, fibres);
    size_t cur = 0;
    for (;;) {
        const int f = t.idx[1];
        const double target = t.val[1];
        if (!(target < INFINITY)) break;
        while (cur < m && !(lam[cur + 1] > target)) cur++;
        if (cur >= m) break; /* every remaining target lies beyond the recording */
        counts[cur]++;
        const size_t start = cur + dead;
        tourney_set_(&t, f, start < m ? lam[start] + exp1_(&rng) : INFINITY);
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
