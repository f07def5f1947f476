#define _POSIX_C_SOURCE 200809L
#include "mosaic_synth.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mosaic_rng.h"
#include "mosaic_shd.h"

#define TRACKS_ 3

typedef struct {
    double u0[TRACKS_], u1[TRACKS_];  /* track centre at word start and end, as a fraction of units */
    double on[TRACKS_], off[TRACKS_]; /* track active span, as a fraction of the word */
} Word_;

void mosaic_synth_default(MosaicSynthSpec *s) {
    s->classes = 10;
    s->speakers = 8;
    s->per_speaker = 6;
    s->units = 700;
    s->duration_s = 0.8;
    s->rate_hz = 80;
    s->noise_hz = 3;
    s->seed = 1;
}

static int cmp_time_(const void *a, const void *b) {
    const float *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Spikes of one utterance into (times, units) pairs, sorted by time. */
static int64_t utterance_(const MosaicSynthSpec *s, const Word_ *w, double shift, double stretch,
                          MosaicRng *rng, float *pairs, int64_t cap) {
    const double dt = 1e-3, width = 0.012 * s->units;
    double len = s->duration_s * stretch * (0.9 + 0.2 * mosaic_rng_uniform(rng));
    double start = 0.05 + 0.1 * mosaic_rng_uniform(rng);
    int64_t n = 0;
    for (double t = 0; t < start + len + 0.1 && t < 1.35; t += dt) {
        double x = (t - start) / len; /* position within the word */
        for (int k = 0; k < TRACKS_; k++) {
            if (x < w->on[k] || x > w->off[k]) continue;
            double c = (w->u0[k] + (w->u1[k] - w->u0[k]) * x + shift) * s->units;
            for (int u = (int)(c - 3 * width); u <= (int)(c + 3 * width); u++) {
                if (u < 0 || u >= s->units) continue;
                double r = s->rate_hz * exp(-0.5 * (u - c) * (u - c) / (width * width));
                if (mosaic_rng_uniform(rng) < r * dt && n < cap) {
                    pairs[2 * n] = (float)(t + dt * mosaic_rng_uniform(rng));
                    pairs[2 * n + 1] = (float)u;
                    n++;
                }
            }
        }
    }
    /* background: a Poisson number of spikes spread uniformly */
    double expected = s->noise_hz * s->units * 1.4;
    int64_t nb = (int64_t)(expected + sqrt(expected) * mosaic_rng_normal(rng));
    for (int64_t i = 0; i < nb && n < cap; i++, n++) {
        pairs[2 * n] = (float)(1.4 * mosaic_rng_uniform(rng));
        pairs[2 * n + 1] = (float)mosaic_rng_below(rng, (uint64_t)s->units);
    }
    qsort(pairs, (size_t)n, 2 * sizeof(float), cmp_time_);
    return n;
}

static MosaicStatus write_split_(const char *path, const MosaicSynthSpec *s, const Word_ *words,
                                 int first_speaker, int last_speaker, MosaicErr *err) {
    char **names = malloc(sizeof(char *) * (size_t)s->classes);
    char *store = malloc((size_t)s->classes * 16);
    int64_t cap = 400000;
    float *pairs = malloc(sizeof(float) * 2 * (size_t)cap);
    float *times = malloc(sizeof(float) * (size_t)cap);
    int32_t *units = malloc(sizeof(int32_t) * (size_t)cap);
    MosaicStatus st = MOSAIC_OK;
    if (!names || !store || !pairs || !times || !units) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    for (int c = 0; c < s->classes; c++) {
        names[c] = store + 16 * c;
        snprintf(names[c], 16, "word-%d", c);
    }
    MosaicShdWriter *w = NULL;
    st = mosaic_shd_writer_begin(path, (const char *const *)names, s->classes, s->units, &w, err);
    if (st != MOSAIC_OK) goto done;
    for (int sp = first_speaker; sp < last_speaker && st == MOSAIC_OK; sp++) {
        MosaicRng srng;
        mosaic_rng_derive(&srng, (uint64_t)s->seed, 1000 + (uint64_t)sp);
        double shift = 0.08 * (2 * mosaic_rng_uniform(&srng) - 1),
               stretch = 0.8 + 0.4 * mosaic_rng_uniform(&srng);
        for (int c = 0; c < s->classes && st == MOSAIC_OK; c++)
            for (int r = 0; r < s->per_speaker && st == MOSAIC_OK; r++) {
                MosaicRng rng;
                mosaic_rng_derive(&rng, (uint64_t)s->seed,
                                  ((uint64_t)sp * 1000 + (uint64_t)c) * 1000 + (uint64_t)r);
                double jitter = 0.02 * mosaic_rng_normal(&rng);
                int64_t n = utterance_(s, &words[c], shift + jitter, stretch, &rng, pairs, cap);
                for (int64_t i = 0; i < n; i++) times[i] = pairs[2 * i], units[i] = (int32_t)pairs[2 * i + 1];
                st = mosaic_shd_writer_add(w, times, units, n, c, sp, err);
            }
    }
    if (st == MOSAIC_OK)
        st = mosaic_shd_writer_finish(w, err);
    else
        mosaic_shd_writer_abort(w);
done:
    free(names), free(store), free(pairs), free(times), free(units);
    return st;
}

MosaicStatus mosaic_synth_write(const char *dir, const MosaicSynthSpec *s, MosaicErr *err) {
    if (s->classes < 2 || s->classes > 1000 || s->speakers < 3 || s->per_speaker < 1 || s->units < 16 ||
        s->duration_s <= 0 || s->duration_s > 1.2)
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "synthetic dataset: expected classes in [2, 1000], speakers >= 3, per_speaker >= 1, "
            "units >= 16 and duration in (0, 1.2] s");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create directory: %s", dir, strerror(errno));
    Word_ *words = malloc(sizeof(Word_) * (size_t)s->classes);
    if (!words) return mosaic_err(err, MOSAIC_ERR_NOMEM, "synthetic dataset: out of memory");
    MosaicRng rng;
    mosaic_rng_derive(&rng, (uint64_t)s->seed, 7);
    for (int c = 0; c < s->classes; c++)
        for (int k = 0; k < TRACKS_; k++) {
            /* formant-like: low, middle and high bands, each sweeping a little */
            double base = 0.25 + 0.22 * k + 0.1 * mosaic_rng_uniform(&rng);
            words[c].u0[k] = base;
            words[c].u1[k] = base + 0.12 * (2 * mosaic_rng_uniform(&rng) - 1);
            words[c].on[k] = 0.4 * mosaic_rng_uniform(&rng);
            words[c].off[k] = 0.6 + 0.4 * mosaic_rng_uniform(&rng);
        }
    char path[4096];
    snprintf(path, sizeof path, "%s/train.h5", dir);
    MosaicStatus st = write_split_(path, s, words, 0, s->speakers - 2, err);
    if (st == MOSAIC_OK) {
        snprintf(path, sizeof path, "%s/test.h5", dir);
        st = write_split_(path, s, words, s->speakers - 2, s->speakers, err);
    }
    free(words);
    return st;
}
