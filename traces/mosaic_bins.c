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
    double *edges;       /* (T) reference rule: numpy.linspace(0, W, T) */
    double inv_width;    /* 1 / (width of a step): the first guess of a spike's step */
    uint16_t *offset_of; /* (U) unit u -> view offset u % S (tables: a division per spike was the hot spot) */
    int32_t *channel_of; /* (U) unit u -> channel u / S, or -1 if that reaches C */
    MosaicSpikes buf;
    int64_t dropped;
    int64_t seen;    /* spikes counted the way `dropped` counts them: inside the window or not */
    double max_time; /* the latest of them */
    /* preloaded events: view v owns cells[first[v] .. first[v+1]), each a cell index t*C + c of its
     * (T, C) matrix; once per occupied cell in binary mode, once per spike in count mode */
    uint32_t *cells;
    int64_t *first; /* (views + 1) */
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
    b->offset_of = malloc(sizeof(uint16_t) * (size_t)U);
    b->channel_of = malloc(sizeof(int32_t) * (size_t)U);
    if (spec->rule == MOSAIC_BIN_REFERENCE) b->edges = malloc(sizeof(double) * (size_t)b->T);
    if (!b->offset_of || !b->channel_of || (spec->rule == MOSAIC_BIN_REFERENCE && !b->edges)) {
        mosaic_bins_free(b);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    }
    for (int u = 0; u < U; u++) {
        b->offset_of[u] = (uint16_t)(u % b->S);
        b->channel_of[u] = u / b->S < b->C ? u / b->S : -1;
    }
    if (spec->rule == MOSAIC_BIN_REFERENCE) {
        /* numpy.linspace: j * (W / (T-1)), the last edge exactly W. */
        double step = spec->window / (b->T - 1);
        for (int j = 0; j < b->T; j++) b->edges[j] = (double)j * step;
        b->edges[b->T - 1] = spec->window;
        b->inv_width = (b->T - 1) / spec->window;
    } else {
        b->inv_width = b->T / spec->window;
    }
    *out = b;
    return MOSAIC_OK;
}

void mosaic_bins_free(MosaicBins *bins) {
    if (!bins) return;
    free(bins->edges);
    free(bins->cells);
    free(bins->first);
    free(bins->offset_of);
    free(bins->channel_of);
    mosaic_spikes_free(&bins->buf);
    free(bins);
}

int64_t mosaic_bins_count(const MosaicBins *bins) { return mosaic_shd_num_samples(bins->shd) * bins->S; }
int mosaic_bins_offsets(const MosaicBins *bins) { return bins->S; }
int mosaic_bins_steps(const MosaicBins *bins) { return bins->T; }
int mosaic_bins_channels(const MosaicBins *bins) { return bins->C; }
int64_t mosaic_bins_dropped(const MosaicBins *bins) { return bins->dropped; }
int64_t mosaic_bins_spikes(const MosaicBins *bins) { return bins->seen; }

MosaicStatus mosaic_bins_check_window(const MosaicBins *bins, const char *key, MosaicErr *err) {
    /* Typically times written in milliseconds: only the first 1/1000 of the window stays, every input
     * is (nearly) silent, and training or simulating on it runs to the end and reports chance with no
     * hint why. A short window that cuts recordings short drops far fewer. */
    if (bins->seen == 0 || (double)bins->dropped <= 0.99 * (double)bins->seen) return MOSAIC_OK;
    return mosaic_err(
        err, MOSAIC_ERR_INPUT,
        "%s: /spikes/times: %lld of the %lld spikes%s (%.2f %%) lie at or after the end of the "
        "%g s window (%s), the latest at %g s, so the inputs would be (nearly) silent; expected "
        "times in seconds from the start of each recording (are these milliseconds?)",
        mosaic_shd_path(bins->shd), (long long)bins->dropped, (long long)bins->seen,
        bins->preloaded ? "" : " read so far", 100.0 * (double)bins->dropped / (double)bins->seen,
        bins->spec.window, key, bins->max_time);
}

int32_t mosaic_bins_label(const MosaicBins *bins, int64_t view) {
    return mosaic_shd_label(bins->shd, mosaic_bins_recording(bins, view));
}

int32_t mosaic_bins_speaker(const MosaicBins *bins, int64_t view) {
    return mosaic_shd_speaker(bins->shd, mosaic_bins_recording(bins, view));
}

/* The time step of a spike at t seconds (t >= 0 and finite: the reader validated it), or -1 outside
 * the window. */
static inline int step_of_(const MosaicBins *b, float t) {
    const double x = t, guess = x * b->inv_width;
    const int T = b->T;
    if (b->spec.rule == MOSAIC_BIN_UNIFORM) { /* floor(t*T/W) exactly as documented, not t*(T/W) */
        const double s = x * T / b->spec.window;
        return s < T ? (int)s : -1;
    }
    /* numpy.digitize(x, edges): the number of edges <= x. The guess is the index of the last edge <= x
     * up to rounding; settle on the exact edges so a spike that sits on an edge goes where numpy puts it. */
    const double *edges = b->edges;
    if (x >= edges[T - 1]) return -1;
    int k = guess < T - 1 ? (int)guess : T - 1;
    while (k + 1 < T && edges[k + 1] <= x) k++;
    while (k >= 0 && edges[k] > x) k--;
    return k + 1;
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
        int u = sp->units[k], c = b->channel_of[u];
        bool mine = b->offset_of[u] == o && c >= 0;
        if (!mine && o != 0) continue;
        int s = step_of_(b, sp->times[k]);
        if (o == 0) { /* every spike of the recording once, not once per offset */
            b->seen++;
            if (sp->times[k] > b->max_time) b->max_time = sp->times[k];
            if (s < 0) b->dropped++;
        }
        if (s < 0) continue;
        if (mine) add_cell_(&out[(size_t)s * b->C + c], b->spec.binary);
    }
}

static void bin_events_(const MosaicBins *b, int64_t view, uint8_t *out) {
    const uint32_t *c = b->cells + b->first[view], *end = b->cells + b->first[view + 1];
    if (b->spec.binary)
        for (; c < end; c++) out[*c] = 1;
    else
        for (; c < end; c++) add_cell_(&out[*c], 0);
}

MosaicStatus mosaic_bins_sample(MosaicBins *bins, int64_t view, uint8_t *out, MosaicErr *err) {
    if (view < 0 || view >= mosaic_bins_count(bins))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: view sample %lld does not exist (the view has %lld)",
                          mosaic_shd_path(bins->shd), (long long)view, (long long)mosaic_bins_count(bins));
    int64_t r = view / bins->S;
    int o = (int)(view % bins->S);
    memset(out, 0, (size_t)bins->T * (size_t)bins->C);
    if (bins->preloaded) {
        bin_events_(bins, view, out);
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
    const int T = bins->T, C = bins->C, S = bins->S, U = bins->U;
    if ((uint64_t)T * (uint64_t)U > UINT32_MAX)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: binning: %d steps x %d units is too large to preload",
                          path, T, U);
    int64_t n = mosaic_shd_num_samples(bins->shd);
    int64_t cap = 1 << 20, len = 0, tmp_cap = 0;
    uint32_t *cells = malloc(sizeof(uint32_t) * (size_t)cap);
    int64_t *first = malloc(sizeof(int64_t) * (size_t)(n * S + 1));
    uint8_t *grid = calloc((size_t)T * (size_t)U, 1); /* one recording at full resolution: de-duplication */
    uint32_t *tmp_cell = NULL;                        /* one recording's cells, before grouping by offset */
    uint16_t *tmp_off = NULL;
    uint32_t *tmp_grid = NULL;
    int64_t *count = calloc((size_t)S + 1, sizeof(int64_t));
    MosaicStatus st = MOSAIC_OK;
    if (!cells || !first || !grid || !count)
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory for preloading", path);
    for (int64_t r = 0; r < n && st == MOSAIC_OK; r++) {
        st = mosaic_shd_read_sample(bins->shd, r, &bins->buf, err);
        if (st != MOSAIC_OK) break;
        const MosaicSpikes *sp = &bins->buf;
        if (sp->n > tmp_cap || len + sp->n > cap) {
            while (len + sp->n > cap) cap *= 2;
            tmp_cap = sp->n > tmp_cap ? sp->n : tmp_cap;
            uint32_t *c = realloc(cells, sizeof(uint32_t) * (size_t)cap);
            if (c) cells = c;
            uint32_t *tc = realloc(tmp_cell, sizeof(uint32_t) * (size_t)tmp_cap);
            if (tc) tmp_cell = tc;
            uint16_t *to = realloc(tmp_off, sizeof(uint16_t) * (size_t)tmp_cap);
            if (to) tmp_off = to;
            uint32_t *tg = realloc(tmp_grid, sizeof(uint32_t) * (size_t)tmp_cap);
            if (tg) tmp_grid = tg;
            if (!c || !tc || !to || !tg) {
                st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory for preloading", path);
                break;
            }
        }
        /* bin, then group by offset (a counting sort) so each view owns one contiguous run */
        int64_t m = 0;
        memset(count, 0, sizeof(int64_t) * ((size_t)S + 1));
        for (int64_t k = 0; k < sp->n; k++) {
            int u = sp->units[k], c = bins->channel_of[u];
            int s = step_of_(bins, sp->times[k]);
            bins->seen++;
            if (sp->times[k] > bins->max_time) bins->max_time = sp->times[k];
            if (s < 0) {
                bins->dropped++;
                continue;
            }
            if (c < 0) continue;
            if (bins->spec.binary) {
                uint32_t g = (uint32_t)s * (uint32_t)U + (uint32_t)u;
                if (grid[g]) continue;
                grid[g] = 1;
                tmp_grid[m] = g;
            }
            uint16_t o = bins->offset_of[u];
            tmp_cell[m] = (uint32_t)(s * C + c);
            tmp_off[m++] = o;
            count[o + 1]++;
        }
        for (int o = 0; o < S; o++) {
            first[r * S + o] = len + count[o];
            count[o + 1] += count[o];
        }
        for (int64_t k = 0; k < m; k++) cells[len + count[tmp_off[k]]++] = tmp_cell[k];
        len += m;
        if (bins->spec.binary) /* clear only what this recording set */
            for (int64_t k = 0; k < m; k++) grid[tmp_grid[k]] = 0;
        if (progress && ((r + 1) % 1024 == 0 || r + 1 == n)) progress(r + 1, n, ctx);
    }
    free(grid);
    free(tmp_cell);
    free(tmp_off);
    free(tmp_grid);
    free(count);
    if (st != MOSAIC_OK) {
        free(cells);
        free(first);
        return st;
    }
    first[n * S] = len;
    uint32_t *shrunk = realloc(cells, sizeof(uint32_t) * (size_t)(len ? len : 1));
    bins->cells = shrunk ? shrunk : cells;
    bins->first = first;
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
