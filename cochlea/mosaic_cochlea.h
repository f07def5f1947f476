/* mosaic_cochlea: the auditory front end that turns audio into SHD-style spike trains.
 *
 * The chain is the one of docs/cochlea-model.md (the LAUSCHER/SHD model): resampling to 48 kHz, RMS
 * normalisation and a Hann taper, a hydrodynamic basilar membrane evaluated in the frequency domain,
 * Meddis inner hair cells, 40 auditory-nerve fibres per place with dead time, and one bushy-cell LIF per
 * place. Output: (sample, unit) pairs at the internal rate F = fs/2, unit 0 = base (~22.5 kHz CF), unit
 * C-1 = apex (~100 Hz). Channels are processed in parallel (OpenMP), one or two at a time per thread, and
 * the output is a pure function of (audio, seed, parameters) whatever the thread count: channel j draws
 * from mosaic_rng_derive(seed, j).
 *
 * Libraries never print: every fallible call returns a MosaicStatus and fills a MosaicErr. */
#ifndef MOSAIC_COCHLEA_H
#define MOSAIC_COCHLEA_H

#include <stddef.h>
#include <stdint.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MOSAIC_COCHLEA_BM_EXACT = 0,    /* frequency-domain hydrodynamic model (§4), SHD fidelity */
    MOSAIC_COCHLEA_BM_GAMMATONE = 1 /* §12 "A": 4th-order gammatone bank, ~10x faster, see docs */
} MosaicCochleaBm;

typedef enum {
    MOSAIC_COCHLEA_SAMPLER_EVENT = 0,    /* exponential-hazard jumps: cost scales with spikes (§6) */
    MOSAIC_COCHLEA_SAMPLER_BERNOULLI = 1 /* one uniform per fibre and sample: the plain reference */
} MosaicCochleaSampler;

typedef struct {
    int channels;       /* C, places = output units (700 for SHD) */
    int fibres;         /* auditory-nerve fibres per place (40) */
    double fs;          /* working input rate; other rates are resampled to it (48000) */
    double level;       /* RMS normalisation target lambda (0.3) */
    double s0;          /* basilar-membrane base stiffness, dyn/cm^3 (1e9, §4.7) */
    double skip_nepers; /* V := 0 where Im Phi(w,x) - Im Phi(w,0) exceeds this (40); <= 0: never */
    double tau_ref;     /* fibre dead time and bushy-cell refractory period, s (1e-3) */
    MosaicCochleaBm bm;
    MosaicCochleaSampler sampler;
    int causal;         /* 1: apply conj(V), a causal cochlea (NOT SHD: SHD used V as written, §4.4) */
    int fixed_length;   /* 1: §9.2 variant, zero-pad the tapered signal to a cached fast length */
    int trim;           /* 1: cut leading/trailing silence before normalising (SHD words are cut tight) */
    double trim_db;     /* trim threshold below the loudest 10 ms frame (40 dB) */
    double trim_margin; /* seconds kept on either side of the word (0.03) */
    int threads;        /* OpenMP threads, 0 = the runtime default; never changes the output */
} MosaicCochleaParams;

void mosaic_cochlea_params_default(MosaicCochleaParams *p);

/* MOSAIC_ERR_INPUT naming the field if a parameter is out of range. */
MosaicStatus mosaic_cochlea_params_check(const MosaicCochleaParams *p, MosaicErr *err);

/* A 64-bit digest of every parameter that changes the output (not `threads`). */
uint64_t mosaic_cochlea_params_hash(const MosaicCochleaParams *p);

/* Spikes ordered by sample, then unit. t = sample / rate seconds. */
typedef struct {
    size_t count;
    uint32_t *sample; /* (count,) internal sample index */
    uint16_t *unit;   /* (count,) place, 0 = base */
    double rate;      /* internal rate F = floor(fs/2) */
    size_t samples;   /* M, internal samples of the recording */
    uint64_t seed;    /* the seed the fibres were drawn with */
} MosaicCochleaSpikes;

void mosaic_cochlea_spikes_free(MosaicCochleaSpikes *s); /* accepts NULL and empty */

/* Filter cache: V(omega_k, x_j) rows per (fs, grid length, channels, s0, skip), built once and reused
 * across calls (§9.3), and the place table (CF, |V|max) the gammatone bank needs. Rows store only up to
 * their last non-negligible bin, in single precision (~115 MB per second of 48 kHz audio at 700
 * places). Least recently used entries are dropped beyond budget_bytes, before a new table is built, so
 * the budget bounds the tables' peak memory; a table larger than the budget is never built (the chain
 * streams instead). Thread-safe; one cache may serve concurrent conversions.
 */
typedef struct MosaicCochleaCache MosaicCochleaCache;
MosaicCochleaCache *mosaic_cochlea_cache_create(size_t budget_bytes);
/* The budget the dataset makers use unless told otherwise: tables up to ~1.1 s of 48 kHz audio at 700
 * places are cached, longer recordings are streamed, so converting a 2 s recording (or any other) peaks
 * below 200 MB of memory. */
#define MOSAIC_COCHLEA_CACHE_DEFAULT_BYTES ((size_t)160 << 20)
void mosaic_cochlea_cache_free(MosaicCochleaCache *cache);
size_t mosaic_cochlea_cache_bytes(const MosaicCochleaCache *cache);
size_t mosaic_cochlea_cache_budget(const MosaicCochleaCache *cache);
/* Changes the budget, dropping least recently used unreferenced tables beyond it (a caller that holds
 * other large data, e.g. a dataset maker's spikes, can keep the sum bounded). */
void mosaic_cochlea_cache_set_budget(MosaicCochleaCache *cache, size_t budget_bytes);

/* ---- whole chain ---- */

/* audio (n samples, mono, at fs_in) -> spikes. Resamples to p->fs if fs_in differs (*resampled set to
 * 1 so the caller can log it; may be NULL), optionally trims silence, normalises, tapers and runs the
 * chain. Digital silence (RMS 0) is defined as no stimulus: the output is the spontaneous activity only.
 * cache may be NULL: V rows are then computed per channel pair and dropped (O(M) memory per thread,
 * full V cost every call); the same happens when the table would exceed the cache's budget. n < 2 after
 * trimming: MOSAIC_ERR_INPUT. On failure *out is left empty. */
MosaicStatus mosaic_cochlea_convert(const float *audio, size_t n, double fs_in, const MosaicCochleaParams *p,
                                    uint64_t seed, MosaicCochleaCache *cache, MosaicCochleaSpikes *out,
                                    int *resampled, MosaicErr *err);

/* Reads a WAV/FLAC/... file through libsndfile as floats in [-1, 1). Mono only: a multi-channel file is
 * rejected (MOSAIC_ERR_INPUT) unless downmix is set, in which case the channels are averaged.
 * *samples is malloc'ed; caller frees. */
MosaicStatus mosaic_cochlea_read_audio(const char *path, int downmix, float **samples, size_t *n, double *fs,
                                       MosaicErr *err);

/* ---- stages, exposed for tests and debugging (cochlea-model.md §10) ---- */

/* Band-limited resampling (libsoxr, very high quality). *out is malloc'ed; caller frees. */
MosaicStatus mosaic_cochlea_resample(const float *in, size_t n, double fs_in, double fs_out, float **out,
                                     size_t *n_out, MosaicErr *err);

/* The [*start, *start + *len) span left after cutting leading and trailing frames quieter than
 * trim_db below the loudest 10 ms frame, with `margin` seconds kept on each side. All-zero input keeps
 * everything. */
void mosaic_cochlea_trim(const float *x, size_t n, double fs, double trim_db, double margin, size_t *start,
                         size_t *len);

/* Stage 1 in place: scale to RMS `level`, then the Hann taper of §3. Returns 0 for digital silence
 * (left all zero), 1 otherwise. */
int mosaic_cochlea_normalise_taper(double *s, size_t n, double level);

/* Stage 3: Meddis hair cell (explicit Euler of §5.2) over u (m samples at rate F) -> P per sample. */
void mosaic_cochlea_haircell(const float *u, size_t m, double rate, double *prob);

/* Stage 4: `fibres` fibres driven by prob; counts[n] = kept fibre spikes at sample n (0..fibres), drawn
 * from mosaic_rng_derive(seed, stream). work holds m + 1 doubles (event sampler). MOSAIC_ERR_INPUT if prob
 * holds a NaN. */
MosaicStatus mosaic_cochlea_fibres(const double *prob, size_t m, double rate, int fibres, double tau_ref,
                                   MosaicCochleaSampler sampler, uint64_t seed, uint64_t stream,
                                   uint8_t *counts, double *work, MosaicErr *err);

/* Stage 5: bushy-cell LIF of §7 over counts. Spike samples go to spikes[0..*nspikes); spikes must hold
 * m entries. */
void mosaic_cochlea_bushy(const uint8_t *counts, size_t m, double rate, int fibres, double tau_ref,
                          uint32_t *spikes, size_t *nspikes);

/* Intermediate signals of one channel for the tapered signal s2 (n samples at p->fs): u (stage 2),
 * prob (stage 3) and counts (stage 4) of m = floor(n/2)+1 samples each; any may be NULL. Only this
 * channel's V row and its partner's (the chain packs pairs into one inverse DFT) are computed (no cache),
 * so one channel costs about 2/C of a cold conversion. */
MosaicStatus mosaic_cochlea_trace_channel(const double *s2, size_t n, const MosaicCochleaParams *p,
                                          int channel, uint64_t seed, float *u, double *prob, uint8_t *counts,
                                          MosaicErr *err);

/* Intermediate signals of a few units for a recording (doc §10), computed as mosaic_cochlea_convert does
 * (same preparation, same bits, same fibre streams: a unit's bushy spikes here are its spikes in the
 * converted output). Arrays are (units, samples), row k for unit[k]. */
typedef struct {
    int units;
    size_t samples; /* M */
    double rate;    /* F = floor(fs/2) */
    uint64_t seed;
    int *unit;       /* (units,) */
    float *u;        /* stage 2: basilar-membrane (partition) velocity, model units */
    double *prob;    /* stage 3: hair-cell release probability per sample */
    uint8_t *counts; /* stage 4: kept fibre spikes per sample (0..fibres) */
    uint8_t *bushy;  /* stage 5: 1 where the bushy cell spikes */
} MosaicCochleaProbe;

/* Probes units[0..nunits) of the chain for audio (n samples at fs_in); the cache is not used (each
 * unit costs about 2/C of a cold conversion for the exact membrane). MOSAIC_ERR_INPUT for a unit outside
 * 0..channels-1 and whatever mosaic_cochlea_convert rejects. Free with mosaic_cochlea_probe_free. */
MosaicStatus mosaic_cochlea_probe(const float *audio, size_t n, double fs_in, const MosaicCochleaParams *p,
                                  uint64_t seed, const int *units, int nunits, MosaicCochleaProbe *out,
                                  MosaicErr *err);
void mosaic_cochlea_probe_free(MosaicCochleaProbe *probe); /* accepts NULL and empty */

/* Characteristic frequency (Hz) of unit j of `channels` (argmax |V|), for reports and tests. */
double mosaic_cochlea_cf(int j, int channels, double s0, double fs);

#ifdef __cplusplus
}
#endif
#endif
