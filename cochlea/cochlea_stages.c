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

void mosaic_cochlea_haircell(const float *u, const size_t m, const double rate, double *prob) {
    const double dt = 1.0 / rate;
    const double k0 = HC_G_ * HC_A_ / (HC_A_ + HC_B_);
    double c = HC_M_ * HC_Y_ * k0 / (HC_L_ * k0 + HC_Y_ * (HC_L_ + HC_R_));
    double q = c * (HC_L_ + HC_R_) / k0;
    double w = c * HC_R_ / HC_X_;
    const double gdt = HC_G_ * dt, ydt = HC_Y_ * dt, lrdt = (HC_L_ + HC_R_) * dt, rdt = HC_R_ * dt;
    const double xdt = HC_X_ * dt, hdt = HC_H_ * dt;
    /* Explicit Euler exactly as the package does it (§9.1: a better integrator changes the transients
     * and so the spike statistics). Every right-hand side uses the state before the step. */
    for (size_t n = 0; n < m; n++) {
        const double ua = (double)u[n] + HC_A_;
        const double kn = ua > 0.0 ? gdt * ua / (ua + HC_B_) : 0.0;
        const double rho = q < HC_M_ ? ydt * (HC_M_ - q) : 0.0;
        const double eject = kn * q, loss = lrdt * c, reuptake = rdt * c, reproc = xdt * w;
        q = clamp0_(q + rho - eject + reproc);
        c = clamp0_(c + eject - loss);
        w = clamp0_(w + reuptake - reproc);
        prob[n] = hdt * c;
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

/* -ln(1 - p): the hazard of one sample. P stays below ~0.03 in practice (§9.1), where seven terms of the
 * series are exact to 3e-12 relative and much cheaper than a log; log1p covers the rest. P >= 1 counts as
 * certain: a hazard of 60 gives a miss probability of 1e-26. */
static double hazard_(const double p) {
    if (p < 0.03)
        return p * (1.0 + p * (0.5 + p * (1.0 / 3 + p * (0.25 + p * (0.2 + p * (1.0 / 6 + p / 7))))));
    if (p >= 1.0) return 60.0;
    return -log1p(-p);
}

/* Min-heap of fibres keyed by (target hazard, fibre index): the fibre whose next spike comes first. */
typedef struct {
    double target;
    int fibre;
} Pending_;

static int before_(const Pending_ a, const Pending_ b) {
    return a.target < b.target || (a.target == b.target && a.fibre < b.fibre);
}

static void sift_down_(Pending_ *h, const int n, int i) {
    for (;;) {
        const int l = 2 * i + 1, r = l + 1;
        int s = i;
        if (l < n && before_(h[l], h[s])) s = l;
        if (r < n && before_(h[r], h[s])) s = r;
        if (s == i) return;
        const Pending_ t = h[i];
        h[i] = h[s], h[s] = t;
        i = s;
    }
}

MosaicStatus mosaic_cochlea_fibres(const double *prob, const size_t m, const double rate, const int fibres,
                                   const double tau_ref, const MosaicCochleaSampler sampler,
                                   const uint64_t seed, const uint64_t stream, uint8_t *counts, double *work,
                                   MosaicErr *err) {
    assert(fibres >= 1 && fibres <= 255);
    memset(counts, 0, m);
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, stream);
    /* Kept spikes are at least ceil(tau F) samples apart (the comparison is n - n_last >= tau F). */
    const size_t dead = (size_t)ceil(cochlea_ticks(tau_ref, rate));
    /* Cumulative hazard lam[n] = sum_{i<n} -ln(1 - P[i]) (NaN propagates into lam[m]). */
    double *lam = work;
    lam[0] = 0.0;
    for (size_t n = 0; n < m; n++) lam[n + 1] = lam[n] + hazard_(prob[n]);
    if (isnan(lam[m])) {
        size_t bad = 0;
        while (bad < m && !isnan(prob[bad])) bad++;
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "cochlea fibres: channel %llu: hair-cell probability at sample %zu is NaN "
                          "(expected a number in [0, 1])",
                          (unsigned long long)stream, bad);
    }
    if (sampler == MOSAIC_COCHLEA_SAMPLER_BERNOULLI) {
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
    /* Event-driven: a fibre free from sample s with an Exp(1) draw E spikes at the first n >= s with
     * lam[n+1] > lam[s] + E (no candidate in [s, n] has probability prod (1 - P) = e^{-(lam[n+1]-lam[s])}).
     * Draws inside the dead time would be deleted anyway, so jumping over it gives the same law. The
     * fibres wait in a heap ordered by target; crossings come out in time order, so one forward sweep
     * of lam serves all of them: O(m + spikes log fibres). Draws: one per fibre in fibre order, then
     * one per kept spike in (target, fibre) order. */
    Pending_ heap[255];
    for (int f = 0; f < fibres; f++) heap[f] = (Pending_){-log1p(-mosaic_rng_uniform(&rng)), f};
    for (int i = fibres / 2 - 1; i >= 0; i--) sift_down_(heap, fibres, i);
    int live = fibres;
    size_t cur = 0;
    while (live > 0) {
        const double target = heap[0].target;
        while (cur < m && !(lam[cur + 1] > target)) cur++;
        if (cur >= m) break; /* every remaining target lies beyond the recording */
        counts[cur]++;
        const size_t start = cur + dead;
        if (start < m) {
            heap[0].target = lam[start] - log1p(-mosaic_rng_uniform(&rng));
        } else {
            heap[0] = heap[--live];
        }
        sift_down_(heap, live, 0);
    }
    return MOSAIC_OK;
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
