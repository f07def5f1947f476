/* cochlea_bm: V(omega, x) of the long-wave cochlea (cochlea-model.md §4.3). */
#define _XOPEN_SOURCE 700 /* j0, y0, j1, y1 (POSIX) */
#include "cochlea_bm.h"

#include <assert.h>
#include <math.h>

#include "cochlea_hankel.h"

#define PI_ 3.14159265358979323846

void cochlea_bm_init(CochleaBm *bm, const double s0) {
    bm->length = 3.5;
    bm->rho = 1.0;
    bm->h = 0.1;
    bm->m = 0.05;
    bm->s0 = s0;
    bm->alpha = 3.0;
    bm->a = 3500.0;
    bm->r0 = 0.15 * sqrt(bm->m * s0);
}

double cochlea_bm_place(const CochleaBm *bm, const int j, const int channels) {
    return channels > 1 ? bm->length * (double)j / (double)(channels - 1) : 0.0;
}

/* Dynamic stiffness K and the place factors of one point. */
static double complex stiffness_(const CochleaBm *bm, const double omega, const double x) {
    const double s = bm->s0 * exp(-bm->alpha * x) - bm->a;
    const double r = bm->r0 * exp(-bm->alpha * x / 2.0);
    return s - bm->m * omega * omega - I * omega * r;
}

/* D(omega, x) of the closed-form phase integral; sqrt_k is sqrt(K(omega, x)). */
static double complex d_(const CochleaBm *bm, const double omega, const double beta, const double x,
                         const double complex sqrt_k) {
    const double r = bm->r0 * exp(-bm->alpha * x / 2.0);
    const double sb = sqrt(beta);
    /* i (2 beta + i omega R) / (2 sqrt beta) = -omega R / (2 sqrt beta) + i sqrt beta */
    const double complex first = -omega * r / (2.0 * sb) + I * sb;
    return exp(bm->alpha * x / 2.0) * (first - sqrt_k);
}

double complex cochlea_bm_z(const CochleaBm *bm, const double omega) {
    const double z = (2.0 * omega / bm->alpha) * sqrt(2.0 / (bm->h * bm->s0));
    return sqrt(2.0 * bm->s0 / bm->h) * (y0(z) + I * j0(z)) / (j1(z) - I * y1(z));
}

void cochlea_bm_freq(const CochleaBm *bm, const double omega, CochleaBmFreq *out) {
    assert(omega > 0.0);
    out->omega = omega;
    out->beta = bm->a + bm->m * omega * omega;
    const double complex k_stiff = stiffness_(bm, omega, 0.0);
    const double complex sqrt_k = cochlea_csqrt(k_stiff);
    out->k0 = omega * cochlea_csqrt(bm->rho / (bm->h * k_stiff));
    out->d0 = d_(bm, omega, out->beta, 0.0, sqrt_k);
    out->phi0 = 2.0 / bm->alpha * out->k0;
    const double complex p0 = cochlea_csqrt(out->phi0 / out->k0) * cochlea_hankel0(out->phi0);
    out->gain = 2.0 * omega * cochlea_bm_z(bm, omega) / p0;
}

/* Phi and the local wavenumber at place x (shared by cochlea_bm_phi and cochlea_bm_v). */
static double complex phi_k_(const CochleaBm *bm, const CochleaBmFreq *fq, const double x,
                             double complex *k_stiff_out, double complex *k_out) {
    const double omega = fq->omega;
    const double complex k_stiff = stiffness_(bm, omega, x);
    const double complex sqrt_k = cochlea_csqrt(k_stiff);
    /* omega sqrt(rho / (h K)) == omega sqrt(rho/h) / sqrt(K) because Im K < 0 keeps both in the
     * first quadrant. */
    *k_out = omega * sqrt(bm->rho / bm->h) / sqrt_k;
    *k_stiff_out = k_stiff;
    if (x == 0.0) return fq->phi0;
    const double complex dx = d_(bm, omega, fq->beta, x, sqrt_k);
    return fq->phi0 - (2.0 * I * omega / (bm->alpha * sqrt(bm->h * fq->beta))) * cochlea_clog(fq->d0 / dx);
}

double complex cochlea_bm_phi(const CochleaBm *bm, const CochleaBmFreq *fq, const double x) {
    double complex k_stiff, k;
    return phi_k_(bm, fq, x, &k_stiff, &k);
}

double complex cochlea_bm_v(const CochleaBm *bm, const CochleaBmFreq *fq, const double x,
                            const double skip_nepers, double complex *phi_out) {
    double complex k_stiff, k;
    const double complex phi = phi_k_(bm, fq, x, &k_stiff, &k);
    if (phi_out) *phi_out = phi;
    if (skip_nepers > 0.0 && cimag(phi) - cimag(fq->phi0) > skip_nepers) return 0.0;
    const double complex p = cochlea_csqrt(phi / k) * cochlea_hankel0(phi);
    return fq->gain * p / k_stiff;
}

static double vabs_(const CochleaBm *bm, const double f, const double x) {
    CochleaBmFreq fq;
    cochlea_bm_freq(bm, 2.0 * PI_ * f, &fq);
    return cabs(cochlea_bm_v(bm, &fq, x, 0.0, NULL));
}

void cochlea_bm_cf(const CochleaBm *bm, const double x, const double f_max, double *cf_hz, double *vmax) {
    /* Coarse log-spaced scan, then golden-section refinement inside the best bracket. |V| is unimodal
     * around its peak at the resolution of the scan (the filters are broad, Q10 ~ 1.5). */
    enum { SCAN = 96 };
    const double lo = log(20.0), hi = log(f_max);
    int best = 0;
    double best_v = -1.0;
    for (int i = 0; i < SCAN; i++) {
        const double v = vabs_(bm, exp(lo + (hi - lo) * i / (SCAN - 1)), x);
        if (v > best_v) best_v = v, best = i;
    }
    double a = lo + (hi - lo) * (best > 0 ? best - 1 : 0) / (SCAN - 1);
    double b = lo + (hi - lo) * (best < SCAN - 1 ? best + 1 : SCAN - 1) / (SCAN - 1);
    const double g = 0.6180339887498949;
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = vabs_(bm, exp(c), x), fd = vabs_(bm, exp(d), x);
    for (int it = 0; it < 40; it++) {
        if (fc > fd) {
            b = d, d = c, fd = fc;
            c = b - g * (b - a);
            fc = vabs_(bm, exp(c), x);
        } else {
            a = c, c = d, fc = fd;
            d = a + g * (b - a);
            fd = vabs_(bm, exp(d), x);
        }
    }
    const double f = exp(0.5 * (a + b));
    const double v = vabs_(bm, f, x);
    /* The scan's end points can beat the interior (unit 0 peaks at f_max). */
    const double v_end = vabs_(bm, f_max, x);
    if (v_end > v && v_end >= best_v) {
        *cf_hz = f_max, *vmax = v_end;
    } else if (best_v > v) {
        *cf_hz = exp(lo + (hi - lo) * best / (SCAN - 1)), *vmax = best_v;
    } else {
        *cf_hz = f, *vmax = v;
    }
}
