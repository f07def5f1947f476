#include "mosaic_spikeset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_bins.h"
#include "mosaic_rng.h"
#include "mosaic_shd.h"

MosaicStatus mosaic_spikeset_create(MosaicSpikeSet *set, int n, int steps, int channels, int classes,
                                    MosaicErr *err) {
    memset(set, 0, sizeof *set);
    set->n = n, set->steps = steps, set->channels = channels, set->classes = classes;
    set->cap_chan = (int64_t)n * steps + 1024;
    set->offset = calloc((size_t)n + 1, sizeof(int64_t));
    set->step_start = calloc((size_t)n * (steps + 1), sizeof(int32_t));
    set->chan = malloc(sizeof(int32_t) * (size_t)set->cap_chan);
    set->label = calloc((size_t)n ? (size_t)n : 1, sizeof(int32_t));
    if (!set->offset || !set->step_start || !set->chan || !set->label) {
        mosaic_spikeset_free(set);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "spike set: out of memory for %d samples", n);
    }
    return MOSAIC_OK;
}

void mosaic_spikeset_free(MosaicSpikeSet *set) {
    if (!set) return;
    free(set->offset), free(set->step_start), free(set->chan), free(set->label);
    memset(set, 0, sizeof *set);
}

MosaicStatus mosaic_spikeset_add(MosaicSpikeSet *set, int s, const uint8_t *x, int label, MosaicErr *err) {
    if (s < 0 || s >= set->n || label < 0 || label >= set->classes)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "spike set: sample %d label %d: expected sample < %d, label < %d", s, label, set->n,
                          set->classes);
    int64_t base = set->offset[s], need = 0;
    for (int64_t i = 0; i < (int64_t)set->steps * set->channels; i++) need += x[i] != 0;
    if (base + need > set->cap_chan) {
        int64_t cap = (base + need) * 2;
        int32_t *c = realloc(set->chan, sizeof(int32_t) * (size_t)cap);
        if (!c) return mosaic_err(err, MOSAIC_ERR_NOMEM, "spike set: out of memory at sample %d", s);
        set->chan = c, set->cap_chan = cap;
    }
    int32_t *ss = set->step_start + (size_t)s * (set->steps + 1);
    int32_t m = 0;
    for (int t = 0; t < set->steps; t++) {
        ss[t] = m;
        for (int c = 0; c < set->channels; c++)
            if (x[(size_t)t * set->channels + c]) set->chan[base + m++] = c;
    }
    ss[set->steps] = m;
    set->offset[s + 1] = base + m;
    set->label[s] = label;
    return MOSAIC_OK;
}

#define SWEEPS_ 3

MosaicStatus mosaic_spikeset_synthetic(MosaicSpikeSet *set, int n, int steps, int channels, int classes,
                                       uint64_t pattern_seed, uint64_t sample_seed, MosaicErr *err) {
    MOSAIC_TRY(mosaic_spikeset_create(set, n, steps, channels, classes, err));
    /* Class patterns: per sweep a start and end channel, a start and end time (fractions of T). */
    double *pat = malloc(sizeof(double) * (size_t)classes * SWEEPS_ * 4);
    uint8_t *x = malloc((size_t)steps * channels);
    if (!pat || !x) {
        free(pat), free(x), mosaic_spikeset_free(set);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "synthetic set: out of memory");
    }
    MosaicRng rng;
    mosaic_rng_derive(&rng, pattern_seed, 0);
    for (int i = 0; i < classes * SWEEPS_; i++) {
        double *p = pat + 4 * i;
        p[0] = mosaic_rng_uniform(&rng) * channels;
        p[1] = mosaic_rng_uniform(&rng) * channels;
        p[2] = 0.05 + 0.4 * mosaic_rng_uniform(&rng);
        p[3] = p[2] + 0.2 + 0.3 * mosaic_rng_uniform(&rng);
    }
    const double width = channels / 24.0 + 1.0, background = 0.01, peak = 0.35;
    MosaicStatus st = MOSAIC_OK;
    for (int s = 0; s < n && st == MOSAIC_OK; s++) {
        mosaic_rng_derive(&rng, sample_seed, (uint64_t)s + 1);
        int label = (int)mosaic_rng_below(&rng, (uint64_t)classes);
        double tshift = (mosaic_rng_uniform(&rng) - 0.5) * 0.1 * steps;
        double cshift = (mosaic_rng_uniform(&rng) - 0.5) * 0.06 * channels;
        double gain = 0.7 + 0.6 * mosaic_rng_uniform(&rng);
        for (int t = 0; t < steps; t++)
            for (int c = 0; c < channels; c++) {
                double rate = background;
                for (int w = 0; w < SWEEPS_; w++) {
                    const double *p = pat + 4 * (label * SWEEPS_ + w);
                    double u = ((t - tshift) / steps - p[2]) / (p[3] - p[2]);
                    if (u < 0 || u > 1) continue;
                    double centre = p[0] + u * (p[1] - p[0]) + cshift, dc = (c - centre) / width;
                    rate += gain * peak * exp(-0.5 * dc * dc);
                }
                x[(size_t)t * channels + c] = mosaic_rng_uniform(&rng) < rate;
            }
        st = mosaic_spikeset_add(set, s, x, label, err);
    }
    free(pat), free(x);
    if (st != MOSAIC_OK) mosaic_spikeset_free(set);
    return st;
}

MosaicStatus mosaic_spikeset_load_shd(MosaicSpikeSet *set, const char *path, int steps, double window_s,
                                      int channels, int classes, MosaicErr *err) {
    return mosaic_spikeset_load_shd_offsets(set, path, steps, window_s, channels, classes, 0, err);
}

MosaicStatus mosaic_spikeset_load_shd_offsets(MosaicSpikeSet *set, const char *path, int steps,
                                              double window_s, int channels, int classes, int offsets,
                                              MosaicErr *err) {
    memset(set, 0, sizeof *set);
    MosaicShd *shd = NULL;
    MOSAIC_TRY(mosaic_shd_open(path, &shd, err));
    if (mosaic_shd_num_samples(shd) == 0) {
        mosaic_shd_close(shd);
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: the dataset holds no recordings (expected at least one)", path);
    }
    if (mosaic_shd_num_classes(shd) > classes) {
        MosaicStatus st =
            mosaic_err(err, MOSAIC_ERR_INPUT,
                       "%s: /extra/keys names %d classes; expected at most %d (train.data.classes)", path,
                       mosaic_shd_num_classes(shd), classes);
        mosaic_shd_close(shd);
        return st;
    }
    MosaicBinSpec spec;
    mosaic_bin_spec_default(&spec);
    spec.steps = steps;
    spec.window = window_s;
    spec.channels = channels;
    spec.binary = 1;
    MosaicBins *bins = NULL;
    uint8_t *x = NULL;
    MosaicStatus st = mosaic_bins_create(shd, &spec, &bins, err);
    if (st == MOSAIC_OK) st = mosaic_bins_preload(bins, NULL, NULL, err);
    if (st == MOSAIC_OK) st = mosaic_bins_check_window(bins, "train.data.window_s", err);
    const int64_t views = st == MOSAIC_OK ? mosaic_bins_count(bins) : 0;
    const int S = st == MOSAIC_OK ? mosaic_bins_offsets(bins) : 1, keep = offsets > 0 ? offsets : S;
    if (st == MOSAIC_OK && keep > S)
        st = mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: key 'train.data.offsets': expected at most the %d stride offsets of this file, got %d", path,
            S, offsets);
    const int64_t n = views / S * keep;
    if (st == MOSAIC_OK && n > INT32_MAX)
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: %lld view samples exceed the engine's limit", path,
                        (long long)n);
    if (st == MOSAIC_OK) st = mosaic_spikeset_create(set, (int)n, steps, channels, classes, err);
    if (st == MOSAIC_OK && !(x = malloc((size_t)steps * channels)))
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    /* Offsets i * S / keep, i < keep: spread over the recording's channel range. */
    for (int64_t s = 0; st == MOSAIC_OK && s < n; s++) {
        const int64_t v = mosaic_bins_view(bins, s / keep, (int)(s % keep * S / keep));
        st = mosaic_bins_sample(bins, v, x, err);
        if (st == MOSAIC_OK) st = mosaic_spikeset_add(set, (int)s, x, mosaic_bins_label(bins, v), err);
    }
    free(x);
    if (st == MOSAIC_OK) {
        set->spikes_read = mosaic_bins_spikes(bins);
        set->spikes_outside = mosaic_bins_dropped(bins);
    }
    mosaic_bins_free(bins);
    mosaic_shd_close(shd);
    if (st != MOSAIC_OK) mosaic_spikeset_free(set);
    return st;
}
