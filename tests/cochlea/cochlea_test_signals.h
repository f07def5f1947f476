/* Synthetic test signals for the cochlea tests (tones, clicks, a vowel-like "word"). */
#ifndef COCHLEA_TEST_SIGNALS_H
#define COCHLEA_TEST_SIGNALS_H

#include <math.h>
#include <stdlib.h>

#include "mosaic_cochlea.h"
#include "mosaic_rng.h"

#define TS_PI_ 3.14159265358979323846

/* n samples at fs, a sine of frequency f between on and off seconds, zero elsewhere. */
static inline float *ts_tone(const size_t n, const double fs, const double f, const double on,
                             const double off) {
    float *x = calloc(n, sizeof *x);
    for (size_t i = (size_t)(on * fs); i < (size_t)(off * fs) && i < n; i++)
        x[i] = (float)sin(2 * TS_PI_ * f * (double)i / fs);
    return x;
}

/* A vowel-like word: harmonics of f0 shaped by two formants, under a 0.4 s raised-cosine envelope
 * centred at `centre` seconds. Added onto x. */
static inline void ts_add_word(float *x, const size_t n, const double fs, const double f0, const double f1,
                               const double f2, const double centre, const double amp) {
    const double half = 0.2;
    for (size_t i = 0; i < n; i++) {
        const double t = (double)i / fs - (centre - half);
        if (t < 0 || t > 2 * half) continue;
        const double env = 0.5 - 0.5 * cos(TS_PI_ * t / half);
        double v = 0;
        for (int h = 1; h * f0 < 6000; h++) {
            const double fh = h * f0;
            const double g = 1.0 / (1 + pow((fh - f1) / 150, 2)) + 0.5 / (1 + pow((fh - f2) / 250, 2)) + 0.02;
            v += g * sin(2 * TS_PI_ * fh * t + 0.3 * h);
        }
        x[i] += (float)(amp * env * v);
    }
}

/* Adds white noise of RMS `rms`. */
static inline void ts_add_noise(float *x, const size_t n, const double rms, const uint64_t seed) {
    MosaicRng rng;
    mosaic_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++) x[i] += (float)(rms * mosaic_rng_normal(&rng));
}

/* Stage 1 applied to a float signal: a normalised, tapered double copy. */
static inline double *ts_stage1(const float *x, const size_t n, const double level) {
    double *s = malloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++) s[i] = x[i];
    mosaic_cochlea_normalise_taper(s, n, level);
    return s;
}

#endif
