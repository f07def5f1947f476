/* cochlea_gammatone: the "fast basilar membrane" of cochlea-model.md §12 A. Fourth-order gammatone
 * filters (four cascaded complex one-pole sections) replace the hydrodynamic stage; the stages after it
 * are unchanged. f_c = 0.82 CF, b = 0.42 CF, peak gain = |V|max of the place. Run at fs, then every
 * second sample is kept with no anti-alias filter, reproducing the exact stage's decimation and
 * folding. The time-reversed signal is filtered and the output reversed, which mirrors the exact
 * model's anti-causal (leading) response; causal = 1 skips the reversal. */
#include <complex.h>
#include <math.h>
#include <string.h>

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

/* Up to four channels in the lanes of one vector; lane arithmetic is written in the same order as a
 * scalar filter would be, and ISO C mode does not contract to FMA, so each lane's result does not depend
 * on its neighbours. Output: lane l of sample i at out[stride i + l] for l < lanes (stride 4: an
 * interleaved group; stride 1 with lanes = 1: one channel). */
COCHLEA_CLONES static void gammatone_lanes_(const double *s2, const size_t n, const double fs,
                                            const double *cf, const double *gains, const int lanes,
                                            const int causal, float *out, const size_t stride,
                                            const size_t m) {
    CochleaV4 ar, ai, gain;
    for (int l = 0; l < COCHLEA_LANES; l++) {
        const int src = l < lanes ? l : 0;
        const double fc = 0.82 * cf[src], b = 0.42 * cf[src];
        const double complex a = exp(-2.0 * PI_ * b / fs) * cexp(I * 2.0 * PI_ * fc / fs);
        ar[l] = creal(a), ai[l] = cimag(a);
        gain[l] = l < lanes ? gains[src] : 0.0;
    }
    const CochleaV4 zero = {0.0, 0.0, 0.0, 0.0};
    CochleaV4 y1r = zero, y1i = zero, y2r = zero, y2i = zero, y3r = zero, y3i = zero, y4r = zero, y4i = zero;
    for (size_t i = 0; i < stride * m; i++) out[i] = 0.0f;
    /* Reversed time index: t runs forward over the filter input x[t] = s2[n-1-t] (anti-causal). The
     * output sample y[t] belongs to original time n-1-t; original even times are kept. */
    for (size_t t = 0; t < n; t++) {
        const size_t orig = causal ? t : n - 1 - t;
        const CochleaV4 x = zero + s2[orig];
        CochleaV4 r, im;
        r = x + ar * y1r - ai * y1i, im = ar * y1i + ai * y1r;
        y1r = r, y1i = im;
        r = y1r + ar * y2r - ai * y2i, im = y1i + ar * y2i + ai * y2r;
        y2r = r, y2i = im;
        r = y2r + ar * y3r - ai * y3i, im = y2i + ar * y3i + ai * y3r;
        y3r = r, y3i = im;
        r = y3r + ar * y4r - ai * y4i, im = y3i + ar * y4i + ai * y4r;
        y4r = r, y4i = im;
        if ((orig & 1) == 0 && orig / 2 < m) {
            const CochleaV4 y = gain * y4r;
            if (stride == COCHLEA_LANES) {
                typedef float F4_ __attribute__((vector_size(16)));
                const F4_ yf = __builtin_convertvector(y, F4_);
                memcpy(out + COCHLEA_LANES * (orig / 2), &yf, sizeof yf);
            } else {
                for (int l = 0; l < lanes; l++) out[stride * (orig / 2) + (size_t)l] = (float)y[l];
            }
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
    gammatone_lanes_(s2, n, fs, &cf, &gain, 1, causal, u, 1, m);
}

void cochlea_gammatone_group(const double *s2, const size_t n, const double fs, const double *cf,
                             const double *gain, const int lanes, const int causal, float *u4,
                             const size_t m) {
    gammatone_lanes_(s2, n, fs, cf, gain, lanes, causal, u4, COCHLEA_LANES, m);
}
