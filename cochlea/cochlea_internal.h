/* cochlea_internal: declarations shared by the cochlea sources, not part of the public API. */
#ifndef COCHLEA_INTERNAL_H
#define COCHLEA_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "cochlea_bm.h"
#include "cochlea_fft.h"
#include "mosaic_cochlea.h"
#include "mosaic_rng.h"

#ifdef _OPENMP
#include <omp.h>
/* num_threads() argument: the caller's count, or the runtime default for 0. */
#define COCHLEA_THREADS(t) ((t) > 0 ? (t) : omp_get_max_threads())
#endif

/* FNV-1a over n bytes, continuing from h (parameter digests; start with 0xCBF29CE484222325). */
static inline uint64_t cochlea_fnv1a(uint64_t h, const void *data, const size_t n) {
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}

/* seconds * rate, snapped to an integer when within rounding of one. */
double cochlea_ticks(double seconds, double rate);

/* -ln(1 - p): the hazard of one sample. P stays below ~0.03 in practice (§9.1), where seven terms of the
 * series are exact to 3e-12 relative and much cheaper than a log; log1p covers the rest. P >= 1 counts as
 * certain: a hazard of 60 gives a miss probability of 1e-26. */
static inline double cochlea_hazard(const double p) {
    if (p < 0.03)
        return p * (1.0 + p * (0.5 + p * (1.0 / 3 + p * (0.25 + p * (0.2 + p * (1.0 / 6 + p / 7))))));
    if (p >= 1.0) return 60.0;
    return -log1p(-p);
}

/* Places per SIMD group: the per-sample stages (gammatone, hair cell, bushy cell) run four places in the
 * lanes of vectors of doubles (cochlea_lanes.h). Signals of a group are interleaved: sample n of lane l
 * at [4n + l]. */
#define COCHLEA_LANES 4

/* On x86-64 with GCC the lane loops exist for AVX2 and for baseline SSE2, picked per call by
 * cochlea_use_avx2(); elsewhere only the baseline width. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define COCHLEA_DISPATCH 1
static inline int cochlea_use_avx2(void) { return __builtin_cpu_supports("avx2"); }
#else
#define COCHLEA_DISPATCH 0
static inline int cochlea_use_avx2(void) { return 0; }
#endif

/* An Exp(1) variate (ziggurat; cochlea_exp1_init must have run once in the process). */
double cochlea_exp1(MosaicRng *rng);
void cochlea_exp1_init(void);

/* Event-driven fibres from the cumulative hazard: lam[stride * n] = sum_{i<n} cochlea_hazard(P[i]) for
 * n = 0..m; the kept spikes of sample n are added to counts[stride * n] (zeroed by the caller; stride 1 for
 * one channel, COCHLEA_LANES for a lane of an interleaved group). */
MosaicStatus cochlea_fibres_from_hazard(const double *lam, size_t stride, size_t m, double rate, int fibres,
                                        double tau_ref, uint64_t seed, uint64_t stream, uint8_t *counts,
                                        MosaicErr *err);

/* Hair cells of a group of four interleaved channels u4 (4m floats). hazard = 1: out4 receives the
 * cumulative hazards (4(m + 1) doubles, the event sampler's input); hazard = 0: P (4m doubles). */
void cochlea_haircell_group(const float *u4, size_t m, double rate, int hazard, double *out4);

/* Bushy cells of a group: counts4 interleaved (4m); lane l's spike samples go to spikes[l] (m entries;
 * NULL: not recorded), their number to nspikes[l]. */
void cochlea_bushy_group(const uint8_t *counts4, size_t m, double rate, int fibres, double tau_ref,
                         uint32_t *const spikes[4], size_t nspikes[4]);

/* V(omega_k, x_j) on the grid omega_k = 2 pi (1 + k (F-1)/(m-1)), k < m (§4.4), one row per place.
 * Row j holds bins [0, len[j]); bins beyond are negligible (exactly 0). */
typedef struct {
    double fs;
    size_t m;
    int channels;
    double s0, skip;
    size_t *len;        /* (channels,) */
    kiss_fft_cpx **row; /* (channels,)(len[j]) */
    size_t bytes;
    int refs;
    unsigned long long last_use;
} CochleaVTable;

/* Per-place characteristic frequency and peak |V| (for the gammatone bank). */
typedef struct {
    double fs, s0;
    int channels;
    double *cf;   /* (channels,) Hz */
    double *vmax; /* (channels,) */
    double *gain; /* (channels,) gammatone gain: peak of the filter = vmax */
} CochleaPlaceTable;

/* The frequency grid's shared quantities (m entries); NULL if memory runs out. */
CochleaBmFreq *cochlea_grid_freqs(const CochleaBm *bm, double fs, size_t m, int threads);

/* One row of V at place x over the grid, written to row[0..m); returns the number of leading bins up
 * to the last non-zero one. */
size_t cochlea_v_row(const CochleaBm *bm, const CochleaBmFreq *fq, size_t m, double x, double skip,
                     kiss_fft_cpx *row);

/* Returns the table for the key, building it (in parallel) when missing; NULL if memory runs out.
 * Pair with cochlea_cache_release. */
const CochleaVTable *cochlea_cache_vtable(MosaicCochleaCache *cache, double fs, size_t m, int channels,
                                          double s0, double skip, int threads);
void cochlea_cache_release(MosaicCochleaCache *cache, const CochleaVTable *table);

/* The place table for (fs, channels, s0), built once per cache; NULL if memory runs out. */
const CochleaPlaceTable *cochlea_cache_places(MosaicCochleaCache *cache, double fs, int channels, double s0,
                                              int threads);

/* Gain that makes the gammatone filter of a place with this CF peak at vmax (a 401-point scan). */
double cochlea_gammatone_gain(double cf, double vmax, double fs);

/* Gammatone stage 2 for one channel (§12 A): u[0..m) from the tapered signal s2 (n samples at fs). */
void cochlea_gammatone_channel(const double *s2, size_t n, double fs, double cf, double gain, int causal,
                               float *u, size_t m);

/* The same for `lanes` (1..4) channels at once, written interleaved to u4 (4m floats; lanes beyond
 * `lanes` get 0). Each lane's result is bit-identical to a single-channel call. */
void cochlea_gammatone_group(const double *s2, size_t n, double fs, const double *cf, const double *gain,
                             int lanes, int causal, float *u4, size_t m);

#endif
