/* mosaic_bins: binned, channel-reduced views of a spike dataset, shuffles and speaker splits
 * (see mosaic_bins.h). */
#include "mosaic_bins.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_rng.h"

struct MosaicBins {
    MosaicShd *shd;
    MosaicBinSpec spec;
    int T, C, S, U;
    double *edges; /* (T) reference rule: numpy.linspace(0, W, T) */
    MosaicSpikes buf;
    int64_t dropped;
    /* preloaded events: recording r owns events[offsets[r] .. offsets[r+1]), each step*U + unit,
     * repeated per spike in count mode, once per occupied cell in binary mode */
    uint32_t *events;
    int64_t *offsets;
    bool preloaded;
};

void mosaic_bin_spec_default(MosaicBinSpec *spec) {
    spec->steps = 100;
    spec->window = 1.4;
    spec->rule = MOSAIC_BIN_REFERENCE;
    spec->channels = 128;
    spec->binary = 1;
}

MosaicStatus mosaic_bins_create(MosaicShd *shd, const MosaicBinSpec *spec, MosaicBins **out, MosaicErr *err) {
    *out = NULL;
    const char *path = mosaic_shd_path(shd);
    if (spec->steps < 1 || spec->steps > 1000000 || (spec->rule == MOSAIC_BIN_REFERENCE && spec->steps < 2))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: binning: %d time steps, expected at least %d", path,
                          spec->steps, spec->rule == MOSAIC_BIN_REFERENCE ? 2 : 1);
    if (!(spec->window > 0) || !isfinite(spec->window))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: binning: window %g s, expected a positive number", path,
                          spec->window);
    if (spec->rule != MOSAIC_BIN_REFERENCE && spec->rule != MOSAIC_BIN_UNIFORM)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: binning: unknown rule %d", path, spec->rule);
    int U = mosaic_shd_num_units(shd);
    if (spec->channels < 0 || spec->channels > U)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: binning: %d channels, expected 0 (all) to %d (the units)", path,
                          spec->channels, U);
    MosaicBins *b = calloc(1, sizeof *b);
    if (!b) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    b->shd = shd;
    b->spec = *spec;
    b->T = spec->steps;
    b->U = U;
    b->C = spec->channels ? spec->channels : U;
    b->S = (U + b->C - 1) / b->C; /* reference: ceil(700 / 128) = 6 */
    if (spec->rule == MOSAIC_BIN_REFERENCE) {
        b->edges = malloc(sizeof(double) * (size_t)b->T);
        if (!b->edges) {
            free(b);
            return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
        }
        /* numpy.linspace: j * (W / (T-1)), the last edge exactly W. */
        double step = spec->window / (b->T - 1);
        for (int j = 0; j < b->T; j++) b->edges[j] = (double)j * step;
        b->edges[b->T - 1] = spec->window;
    }
    *out = b;
    return MOSAIC_OK;
}

void mosaic_bins_free(MosaicBins *bins) {
    if (!bins) return;
    free(bins->edges);
    free(bins->events);
    free(bins->offsets);
    mosaic_spikes_free(&bins->buf);
    free(bins);
}

int64_t mosaic_bins_count(const MosaicBins *bins) { return mosaic_shd_num_samples(bins->shd) * bins->S; }
int mosaic_bins_offsets(const MosaicBins *bins) { return bins->S; }
int mosaic_bins_steps(const MosaicBins *bins) { return bins->T; }
int mosaic_bins_channels(const MosaicBins *bins) { return bins->C; }
int64_t mosaic_bins_dropped(const MosaicBins *bins) { return bins->dropped; }

int32_t mosaic_bins_label(const MosaicBins *bins, int64_t view) {
    return mosaic_shd_label(bins->shd, mosaic_bins_recording(bins, view));
}

int32_t mosaic_bins_speaker(const MosaicBins *bins, int64_t view) {
    return mosaic_shd_speaker(bins->shd, mosaic_bins_recording(bins, view));
}

/* The time step of a spike at t seconds, or -1 outside the window. */
static int step_of_(const MosaicBins *b, float t) {
    double x = t;
    if (b->spec.rule == MOSAIC_BIN_UNIFORM) {
        double s = floor(x * b->T / b->spec.window);
        return s < b->T ? (int)s : -1;
    }
    /* numpy.digitize(x, edges): the number of edges <= x. Estimate, then settle on the exact edges so the
     * rounding of x / step cannot move a spike that sits on an edge. */
    int k = (int)floor(x / b->edges[1]); /* index of the last edge <= x, roughly */
    if (k > b->T - 1) k = b->T - 1;
    while (k + 1 < b->T && b->edges[k + 1] <= x) k++;
    while (k >= 0 && b->edges[k] > x) k--;
    int s = k + 1;
    return s < b->T ? s : -1;
}

static void add_cell_(uint8_t *cell, int binary) {
    if (binary)
        *cell = 1;
    else if (*cell < 255)
        (*cell)++;
}

/* Bins the spikes of one recording for offset `o` into out (T, C), which the caller zeroed. */
static void bin_spikes_(MosaicBins *b, const MosaicSpikes *sp, int o, uint8_t *out) {
    for (int64_t k = 0; k < sp->n; k++) {
        int u = sp->units[k];
        bool mine = u % b->S == o && u / b->S < b->C;
        if (!mine && o != 0) continue;
        int s = step_of_(b, sp->times[k]);
        if (s < 0) {
            if (o == 0) b->dropped++; /* every spike of the recording once, not once per offset */
            continue;
        }
        if (mine) add_cell_(&out[(size_t)s * b->C + u / b->S], b->spec.binary);
    }
}

static void bin_events_(const MosaicBins *b, int64_t r, int o, uint8_t *out) {
    for (int64_t e = b->offsets[r]; e < b->offsets[r + 1]; e++) {
        uint32_t code = b->events[e];
        int u = (int)(code % (uint32_t)b->U), s = (int)(code / (uint32_t)b->U);
        if (u % b->S != o || u / b->S >= b->C) continue;
        add_cell_(&out[(size_t)s * b->C + u / b->S], b->spec.binary);
    }
}

MosaicStatus mosaic_bins_sample(MosaicBins *bins, int64_t view, uint8_t *out, MosaicErr *err) {
    if (view < 0 || view >= mosaic_bins_count(bins))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: view sample %lld does not exist (the view has %lld)",
                          mosaic_shd_path(bins->shd), (long long)view, (long long)mosaic_bins_count(bins));
    int64_t r = view / bins->S;
    int o = (int)(view % bins->S);
    memset(out, 0, (size_t)bins->T * (size_t)bins->C);
    if (bins->preloaded) {
        bin_events_(bins, r, o, out);
        return MOSAIC_OK;
    }
    MOSAIC_TRY(mosaic_shd_read_sample(bins->shd, r, &bins->buf, err));
    bin_spikes_(bins, &bins->buf, o, out);
    return MOSAIC_OK;
}

MosaicStatus mosaic_bins_batch(MosaicBins *bins, const int64_t *views, int64_t n, uint8_t *out,
                               int32_t *labels, MosaicErr *err) {
    size_t per = (size_t)bins->T * (size_t)bins->C;
    for (int64_t i = 0; i < n; i++) {
        MOSAIC_TRY(mosaic_bins_sample(bins, views[i], out + (size_t)i * per, err));
        if (labels) labels[i] = mosaic_bins_label(bins, views[i]);
    }
    return MOSAIC_OK;
}

MosaicStatus mosaic_bins_preload(MosaicBins *bins, void (*progress)(int64_t done, int64_t total, void *ctx),
                                 void *ctx, MosaicErr *err) {
    const char *path = mosaic_shd_path(bins->shd);
    if (bins->preloaded) return MOSAIC_OK;
    if ((uint64_t)bins->T * (uint64_t)bins->U > UINT32_MAX)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: binning: %d steps x %d units is too large to preload",
                          path, bins->T, bins->U);
    int64_t n = mosaic_shd_num_samples(bins->shd);
    size_t cells = (size_t)bins->T * (size_t)bins->U;
    int64_t cap = 1 << 20, len = 0;
    uint32_t *events = malloc(sizeof(uint32_t) * (size_t)cap);
    int64_t *offsets = malloc(sizeof(int64_t) * (size_t)(n + 1));
    uint8_t *grid = calloc(cells, 1); /* one recording at full resolution, for binary de-duplication */
    MosaicStatus st = MOSAIC_OK;
    if (!events || !offsets || !grid)
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory for preloading", path);
    for (int64_t r = 0; r < n && st == MOSAIC_OK; r++) {
        offsets[r] = len;
        st = mosaic_shd_read_sample(bins->shd, r, &bins->buf, err);
        if (st != MOSAIC_OK) break;
        const MosaicSpikes *sp = &bins->buf;
        if (len + sp->n > cap) {
            while (len + sp->n > cap) cap *= 2;
            uint32_t *e = realloc(events, sizeof(uint32_t) * (size_t)cap);
            if (!e) {
                st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory for preloading", path);
                break;
            }
            events = e;
        }
        for (int64_t k = 0; k < sp->n; k++) {
            int s = step_of_(bins, sp->times[k]);
            if (s < 0) {
                bins->dropped++;
                continue;
            }
            uint32_t code = (uint32_t)s * (uint32_t)bins->U + (uint32_t)sp->units[k];
            if (bins->spec.binary) {
                if (grid[code]) continue;
                grid[code] = 1;
            }
            events[len++] = code;
        }
        if (bins->spec.binary) /* clear only what this recording touched */
            for (int64_t e = offsets[r]; e < len; e++) grid[events[e]] = 0;
        if (progress && ((r + 1) % 1024 == 0 || r + 1 == n)) progress(r + 1, n, ctx);
    }
    free(grid);
    if (st != MOSAIC_OK) {
        free(events);
        free(offsets);
        return st;
    }
    offsets[n] = len;
    uint32_t *shrunk = realloc(events, sizeof(uint32_t) * (size_t)(len ? len : 1));
    bins->events = shrunk ? shrunk : events;
    bins->offsets = offsets;
    bins->preloaded = true;
    return MOSAIC_OK;
}

/* ---- index sets ---- */

void mosaic_bins_shuffle(int64_t *idx, int64_t n, uint64_t seed, uint64_t epoch) {
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, epoch);
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)mosaic_rng_below(&rng, (uint64_t)i + 1);
        int64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

MosaicStatus mosaic_bins_split_by_speaker(const MosaicBins *bins, const int32_t *val_speakers, int n_val,
                                          int64_t **train, int64_t *n_train, int64_t **val,
                                          int64_t *n_val_out, MosaicErr *err) {
    const MosaicShd *shd = bins->shd;
    int64_t nrec = mosaic_shd_num_samples(shd), nview = mosaic_bins_count(bins);
    *train = *val = NULL;
    *n_train = *n_val_out = 0;
    for (int i = 0; i < n_val; i++) {
        bool found = false;
        for (int64_t r = 0; r < nrec && !found; r++) found = mosaic_shd_speaker(shd, r) == val_speakers[i];
        if (!found)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: validation speaker %d has no recording in '/extra/speaker'",
                              mosaic_shd_path(shd), val_speakers[i]);
    }
    int64_t *tr = malloc(sizeof(int64_t) * (size_t)(nview ? nview : 1));
    int64_t *va = malloc(sizeof(int64_t) * (size_t)(nview ? nview : 1));
    if (!tr || !va) {
        free(tr);
        free(va);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", mosaic_shd_path(shd));
    }
    int64_t nt = 0, nv = 0;
    for (int64_t r = 0; r < nrec; r++) {
        int32_t spk = mosaic_shd_speaker(shd, r);
        bool is_val = false;
        for (int i = 0; i < n_val && !is_val; i++) is_val = spk == val_speakers[i];
        for (int o = 0; o < bins->S; o++) {
            int64_t v = r * bins->S + o;
            if (is_val)
                va[nv++] = v;
            else
                tr[nt++] = v;
        }
    }
    assert(nt + nv == nview);
    *train = tr;
    *val = va;
    *n_train = nt;
    *n_val_out = nv;
    return MOSAIC_OK;
}
