/* cochlea_gammatone: the "fast basilar membrane" of cochlea-model.md §12 A. Fourth-order gammatone
 * filters (four cascaded complex one-pole sections) replace the hydrodynamic stage; the stages after it
 * are unchanged. f_c = 0.82 CF, b = 0.42 CF, peak gain = |V|max of the place. Run at fs, then every
 * second sample is kept with no anti-alias filter, reproducing the exact stage's decimation and
 * folding. The time-reversed signal is filtered and the output reversed, which mirrors the exact
 * model's anti-causal (leading) response; causal = 1 skips the reversal. */
#include <complex.h>
#include <math.h>

#include "cochlea_internal.h"

#define PI_ 3.14159265358979323846

/* Peak over frequency of the real-part filter: input cos(w n) gives amplitude
 * |H(w) + conj(H(-w))| / 2 with H(w) = 1 / (1 - a e^{-iw})^4. */
static double peak_gain_(const double complex a, const double fc, const double fs) {
    double best = 0.0;
    for (int i = 0; i <= 400; i++) {
        const double f = fc * (0.5 + 1.0 * i / 400.0);
        const double w = 2.0 * PI_ * f / fs;
        const double complex hp = 1.0 / cpow(1.0 - a * cexp(-I * w), 4);
        const double complex hm = 1.0 / cpow(1.0 - a * cexp(I * w), 4);
        const double g = cabs(hp + conj(hm)) / 2.0;
        if (g > best) best = g;
    }
    return best;
}

/* Two lanes of doubles: SSE2 on every x86-64, so two channels filter for the price of one. Lane
 * arithmetic is written in the same order as a scalar filter would be, and ISO C mode does not contract
 * to FMA, so each lane's result does not depend on its partner. */
typedef double V2_ __attribute__((vector_size(16)));

static void gammatone_lanes_(const double *s2, const size_t n, const double fs, const double *cf,
                             const double *gains, const int causal, float *const *u, const int lanes,
                             const size_t m) {
    V2_ ar, ai, gain;
    for (int l = 0; l < 2; l++) {
        const int src = l < lanes ? l : 0;
        const double fc = 0.82 * cf[src], b = 0.42 * cf[src];
        const double complex a = exp(-2.0 * PI_ * b / fs) * cexp(I * 2.0 * PI_ * fc / fs);
        ar[l] = creal(a), ai[l] = cimag(a);
        gain[l] = gains[src];
    }
    V2_ y1r = {0, 0}, y1i = {0, 0}, y2r = {0, 0}, y2i = {0, 0}, y3r = {0, 0}, y3i = {0, 0}, y4r = {0, 0},
        y4i = {0, 0};
    for (int l = 0; l < lanes; l++)
        for (size_t i = 0; i < m; i++) u[l][i] = 0.0f;
    /* Reversed time index: t runs forward over the filter input x[t] = s2[n-1-t] (anti-causal). The
     * output sample y[t] belongs to original time n-1-t; original even times are kept. */
    for (size_t t = 0; t < n; t++) {
        const size_t orig = causal ? t : n - 1 - t;
        const V2_ x = {s2[orig], s2[orig]};
        V2_ r, im;
        r = x + ar * y1r - ai * y1i, im = ar * y1i + ai * y1r;
        y1r = r, y1i = im;
        r = y1r + ar * y2r - ai * y2i, im = y1i + ar * y2i + ai * y2r;
        y2r = r, y2i = im;
        r = y2r + ar * y3r - ai * y3i, im = y2i + ar * y3i + ai * y3r;
        y3r = r, y3i = im;
        r = y3r + ar * y4r - ai * y4i, im = y3i + ar * y4i + ai * y4r;
        y4r = r, y4i = im;
        if ((orig & 1) == 0 && orig / 2 < m) {
            const V2_ out = gain * y4r;
            for (int l = 0; l < lanes; l++) u[l][orig / 2] = (float)out[l];
        }
    }
}

double cochlea_gammatone_gain(const double cf, const double vmax, const double fs) {
    const double fc = 0.82 * cf, b = 0.42 * cf;
    const double complex a = exp(-2.0 * PI_ * b / fs) * cexp(I * 2.0 * PI_ * fc / fs);
    return vmax / peak_gain_(a, fc, fs);
}

void cochlea_gammatone_channel(const double *s2, const size_t n, const double fs, const double cf,
                               const double gain, const int causal, float *u, const size_t m) {
    float *lanes[1] = {u};
    gammatone_lanes_(s2, n, fs, &cf, &gain, causal, lanes, 1, m);
}

void cochlea_gammatone_pair(const double *s2, const size_t n, const double fs, const double cf[2],
                            const double gain[2], const int causal, float *ua, float *ub, const size_t m) {
    float *lanes[2] = {ua, ub};
    gammatone_lanes_(s2, n, fs, cf, gain, causal, lanes, 2, m);
}
