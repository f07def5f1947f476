/* cochlea_internal: declarations shared by the cochlea sources, not part of the public API. */
#ifndef COCHLEA_INTERNAL_H
#define COCHLEA_INTERNAL_H

#include <stddef.h>

#include "cochlea_bm.h"
#include "cochlea_fft.h"
#include "mosaic_cochlea.h"

#ifdef _OPENMP
#include <omp.h>
/* num_threads() argument: the caller's count, or the runtime default for 0. */
#define COCHLEA_THREADS(t) ((t) > 0 ? (t) : omp_get_max_threads())
#endif

/* seconds * rate, snapped to an integer when within rounding of one. */
double cochlea_ticks(double seconds, double rate);

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

/* Gammatone stage 2 for one channel (§12 A): u[0..m) from the tapered signal s2 (n samples at fs). */
void cochlea_gammatone_channel(const double *s2, size_t n, double fs, double cf, double vmax, int causal,
                               float *u, size_t m);

#endif
