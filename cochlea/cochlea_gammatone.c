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

#define LANES_GAMMATONE
#include "cochlea_lanes_all.h"
#undef LANES_GAMMATONE

/* Up to four channels at once, in the lanes of a group. Lane l of kept sample i goes to out[stride i + l]
 * (stride 4: an interleaved group; stride 1 with lanes = 1: one channel). */
static void gammatone_lanes_(const double *s2, const size_t n, const double fs, const double *cf,
                             const double *gains, const int lanes, const int causal, float *out,
                             const size_t stride, const size_t m) {
    double ar[4], ai[4], gain[4];
    for (int l = 0; l < 4; l++) {
        const int src = l < lanes ? l : 0;
        const double fc = 0.82 * cf[src], b = 0.42 * cf[src];
        const double complex a = exp(-2.0 * PI_ * b / fs) * cexp(I * 2.0 * PI_ * fc / fs);
        ar[l] = creal(a), ai[l] = cimag(a);
        gain[l] = l < lanes ? gains[src] : 0.0;
    }
    for (size_t i = 0; i < stride * m; i++) out[i] = 0.0f;
#if COCHLEA_DISPATCH
    if (cochlea_use_avx2()) {
        gammatone_run_avx2(s2, n, ar, ai, gain, lanes, causal, out, stride, m);
        return;
    }
#endif
    gammatone_run_base(s2, n, ar, ai, gain, lanes, causal, out, stride, m);
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
