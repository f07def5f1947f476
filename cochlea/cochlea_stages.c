/* cochlea_stages: the stages after the basilar membrane (cochlea-model.md §5-7): Meddis hair cell,
 * auditory-nerve fibres with dead time, bushy-cell LIF. All per channel, O(m) memory. */
#include <assert.h>
#include <math.h>
#include <pthread.h>
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

typedef struct {
    double gdt, ydt, lrdt, rdt, xdt, hdt;
} HcConst_;

/* st: q[4], c[4], w[4], lam[4] of a group's lanes, at the steady state for u = 0 (§5.2). */
static void hc_init_(const double rate, HcConst_ *k, double st[16]) {
    const double dt = 1.0 / rate;
    const double k0 = HC_G_ * HC_A_ / (HC_A_ + HC_B_);
    const double c0 = HC_M_ * HC_Y_ * k0 / (HC_L_ * k0 + HC_Y_ * (HC_L_ + HC_R_));
    for (int l = 0; l < 4; l++) {
        st[l] = c0 * (HC_L_ + HC_R_) / k0;
        st[4 + l] = c0;
        st[8 + l] = c0 * HC_R_ / HC_X_;
        st[12 + l] = 0.0;
    }
    *k = (HcConst_){HC_G_ * dt, HC_Y_ * dt, (HC_L_ + HC_R_) * dt, HC_R_ * dt, HC_X_ * dt, HC_H_ * dt};
}

/* Stage 5 constants (§7), here because the lane loops of stages 3 and 5 are included together. */
#define BC_TAU_M_ 1e-3
#define BC_TAU_S_ 0.5e-3
#define BC_W_TOTAL_ 13000.0

typedef struct {
    double dm, ds, wdt, refractory;
} BushyConst_;

#define LANES_HAIRCELL
#define LANES_BUSHY
#include "cochlea_lanes_all.h"
#undef LANES_HAIRCELL
#undef LANES_BUSHY

static void hc_run_(double *st, const HcConst_ *k, const float *u4, const size_t len, double *out4,
                    const int hazard) {
#if COCHLEA_DISPATCH
    if (cochlea_use_avx2()) {
        hc_run_avx2(st, k, u4, len, out4, hazard);
        return;
    }
#endif
    hc_run_base(st, k, u4, len, out4, hazard);
}

void cochlea_haircell_group(const float *u4, const size_t m, const double rate, const int hazard,
                            double *out4) {
    HcConst_ k;
    double st[16];
    hc_init_(rate, &k, st);
    if (hazard) memset(out4, 0, COCHLEA_LANES * sizeof *out4);
    hc_run_(st, &k, u4, m, out4, hazard);
}

#define BLOCK_ 256 /* samples per block when a single channel runs through the lane code */

void mosaic_cochlea_haircell(const float *u, const size_t m, const double rate, double *prob) {
    HcConst_ k;
    double st[16];
    hc_init_(rate, &k, st);
    float u4[4 * BLOCK_] = {0}; /* lane 0 carries the channel */
    double p4[4 * BLOCK_];
    for (size_t b = 0; b < m; b += BLOCK_) {
        const size_t len = m - b < BLOCK_ ? m - b : BLOCK_;
        for (size_t i = 0; i < len; i++) u4[4 * i] = u[b + i];
        hc_run_(st, &k, u4, len, p4, 0);
        for (size_t i = 0; i < len; i++) prob[b + i] = p4[4 * i];
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

/* Exp(1) variates by the ziggurat method (Marsaglia & Tsang 2000): 256 layers of equal area V under
 * e^-x; x[1] = r is the base rectangle's edge and x[0] = V / e^-r the width that folds the tail into the
 * base layer. One 64-bit draw per variate in ~99% of cases: its low 8 bits pick the layer, its high 53
 * bits the abscissa (disjoint bits, so the two are independent). The rest: the wedge test against e^-x, or
 * the tail r + Exp(1). Replaces -ln(1 - U), whose log dominated the fibre stage. */
#define ZIG_N_ 256
#define ZIG_R_ 7.69711747013104972
#define ZIG_V_ 3.949659822581572e-3

static struct {
    double f[ZIG_N_ + 1]; /* e^-x[i] */
    double w[ZIG_N_];     /* x[i] / 2^53: abscissa per unit of the 53-bit draw */
    uint64_t k[ZIG_N_];   /* draws below k[i] lie under the curve in every case */
} zig_;
static pthread_once_t zig_once_ = PTHREAD_ONCE_INIT;

static void zig_init_(void) {
    double x[ZIG_N_ + 1];
    x[0] = ZIG_V_ / exp(-ZIG_R_);
    x[1] = ZIG_R_;
    for (int i = 1; i < ZIG_N_ - 1; i++) x[i + 1] = -log(ZIG_V_ / x[i] + exp(-x[i]));
    x[ZIG_N_] = 0.0;
    for (int i = 0; i <= ZIG_N_; i++) zig_.f[i] = exp(-x[i]);
    for (int i = 0; i < ZIG_N_; i++) {
        zig_.w[i] = x[i] * 0x1.0p-53;
        zig_.k[i] = (uint64_t)(x[i + 1] / x[i] * 0x1.0p53);
    }
}

static inline double exp1_(MosaicRng *rng) {
    for (;;) {
        const uint64_t u = mosaic_rng_u64(rng);
        const int i = (int)(u & (ZIG_N_ - 1));
        const uint64_t j = u >> 11;
        const double x = (double)j * zig_.w[i];
        if (j < zig_.k[i]) return x;
        if (i == 0) return ZIG_R_ - log(1.0 - mosaic_rng_uniform(rng));
        if (zig_.f[i] + mosaic_rng_uniform(rng) * (zig_.f[i + 1] - zig_.f[i]) < exp(-x)) return x;
    }
}

double cochlea_exp1(MosaicRng *rng) { return exp1_(rng); }

void cochlea_exp1_init(void) { pthread_once(&zig_once_, zig_init_); }

MosaicStatus cochlea_fibres_from_hazard(const double *lam, const size_t stride, const size_t m,
                                        const double rate, const int fibres, const double tau_ref,
                                        const uint64_t seed, const uint64_t stream, uint8_t *counts,
                                        MosaicErr *err) {
    assert(fibres >= 1 && fibres <= 255);
    if (isnan(lam[stride * m]))
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "cochlea fibres: channel %llu: hair-cell probability is NaN somewhere in its %zu samples "
            "(expected numbers in [0, 1])",
            (unsigned long long)stream, m);
    cochlea_exp1_init();
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, stream);
    /* At most one spike per fibre and sample, even without dead time. */
    const size_t dead = (size_t)fmax(1.0, ceil(cochlea_ticks(tau_ref, rate)));
    /* Event-driven, on the pooled fibres. In hazard time (lam), each free fibre fires at unit rate: a
     * fibre free from sample s with an Exp(1) draw E spikes at the first n with lam[n+1] > lam[s] + E (no
     * candidate in [s, n] has probability prod (1 - P) = e^{-(lam[n+1]-lam[s])}); draws inside the dead
     * time would be deleted anyway, so jumping over it gives the same law (§6). Fibres are exchangeable
     * and the bushy cell sees only counts, so the pool is simulated instead: with k fibres free, the next
     * spike among them comes after Exp(1)/k of hazard time (the minimum of k Exp(1)), every other free
     * fibre's residual being again Exp(1) (memorylessness). A fibre that fires is dead for `dead` samples
     * and rejoins at the start of sample n + dead; the pool's remaining Exp(1) budget k (target - lam)
     * then spreads over k + 1 fibres. Revival samples come out in order, so a ring queue holds them.
     * lam never decreases, so a spike comes before the next revival exactly when lam[revival] > target: the
     * sweep runs only where a crossing is known to lie ahead, and stops there without a bounds test.
     * Cost: one draw per kept spike and at most one sweep of lam, no per-fibre bookkeeping. */
    double inv[256], grow[256];
    for (int f = 1; f <= fibres; f++) inv[f] = 1.0 / f, grow[f] = (double)f / (f + 1);
    size_t revive[256];
    int head = 0, queued = 0, free_fibres = fibres;
    double target = lam[0] + exp1_(&rng) * inv[free_fibres];
    size_t cur = 0;
    for (;;) {
        const size_t stop = queued ? revive[head] : m;
        if (lam[stride * stop] > target) { /* a spike in a sample before `stop` */
            while (!(lam[stride * (cur + 1)] > target)) cur++;
            counts[stride * cur]++;
            if (cur + dead < m) revive[(head + queued++) & 255] = cur + dead;
            free_fibres--;
            if (free_fibres == 0 && queued == 0) break;
            target = free_fibres ? target + exp1_(&rng) * inv[free_fibres] : INFINITY;
            continue;
        }
        if (stop == m) break;
        /* A fibre rejoins at the start of sample `stop` (lam[stop] <= target: nothing fired before). */
        cur = stop;
        const double level = lam[stride * cur];
        target = free_fibres ? level + (target - level) * grow[free_fibres] : level + exp1_(&rng);
        free_fibres++;
        head = (head + 1) & 255;
        queued--;
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
    memset(counts, 0, m);
    /* Cumulative hazard lam[n] = sum_{i<n} -ln(1 - P[i]). */
    double *lam = work;
    lam[0] = 0.0;
    for (size_t n = 0; n < m; n++) lam[n + 1] = lam[n] + cochlea_hazard(prob[n]);
    return cochlea_fibres_from_hazard(lam, 1, m, rate, fibres, tau_ref, seed, stream, counts, err);
}

/* ---- stage 5: bushy cell (§7; the lane loop is in cochlea_lanes.h) ---- */

static void bushy_init_(const double rate, const int fibres, const double tau_ref, BushyConst_ *k,
                        double st[12]) {
    const double dt = 1.0 / rate;
    *k = (BushyConst_){exp(-dt / BC_TAU_M_), exp(-dt / BC_TAU_S_), BC_W_TOTAL_ / fibres * dt,
                       cochlea_ticks(tau_ref, rate)};
    memset(st, 0, 12 * sizeof *st); /* v, cur, kappa of four lanes */
}

static void bushy_run_(double *st, const BushyConst_ *k, const uint8_t *counts4, const size_t n0,
                       const size_t len, uint32_t *const spikes[4], size_t nspikes[4]) {
#if COCHLEA_DISPATCH
    if (cochlea_use_avx2()) {
        bushy_run_avx2(st, k, counts4, n0, len, spikes, nspikes);
        return;
    }
#endif
    bushy_run_base(st, k, counts4, n0, len, spikes, nspikes);
}

void cochlea_bushy_group(const uint8_t *counts4, const size_t m, const double rate, const int fibres,
                         const double tau_ref, uint32_t *const spikes[4], size_t nspikes[4]) {
    BushyConst_ k;
    double st[12];
    bushy_init_(rate, fibres, tau_ref, &k, st);
    for (int l = 0; l < COCHLEA_LANES; l++) nspikes[l] = 0;
    bushy_run_(st, &k, counts4, 0, m, spikes, nspikes);
}

void mosaic_cochlea_bushy(const uint8_t *counts, const size_t m, const double rate, const int fibres,
                          const double tau_ref, uint32_t *spikes, size_t *nspikes) {
    BushyConst_ k;
    double st[12];
    bushy_init_(rate, fibres, tau_ref, &k, st);
    uint8_t c4[4 * BLOCK_] = {0};
    uint32_t *const lanes[4] = {spikes, NULL, NULL, NULL};
    size_t ns[4] = {0, 0, 0, 0};
    for (size_t b = 0; b < m; b += BLOCK_) {
        const size_t len = m - b < BLOCK_ ? m - b : BLOCK_;
        for (size_t i = 0; i < len; i++) c4[4 * i] = counts[b + i];
        bushy_run_(st, &k, c4, b, len, lanes, ns);
    }
    *nspikes = ns[0];
}
