/* mosaic_bins: the training view of a spike dataset: binned, channel-reduced, shuffled, split.
 *
 * Binning (mosaic-reference.md §4, the reference code's rule): T steps over a window of W seconds.
 * MOSAIC_BIN_REFERENCE reproduces numpy.digitize against numpy.linspace(0, W, T): edges e_j = j*W/(T-1),
 * a spike at t >= 0 goes to step #{j : e_j <= t} (numpy.digitize's value), so step 0 is never used and a
 * spike at t >= W falls outside the window (the reference would index out of range; we drop it and count it).
 * MOSAIC_BIN_UNIFORM uses T equal bins of W/T seconds: step = floor(t*T/W), t >= W dropped.
 * Cells are 1 if any spike fell in them (binary, as the reference) or spike counts saturating at 255.
 *
 * Channel reduction (the reference's reduce_inp_dimensions): with C output channels and U units,
 * stride S = ceil(U / C) (SHD: 700 / 128 -> 6). View offset o in [0, S) takes units o, o+S, o+2S, ...
 * as channels 0, 1, 2, ...; a unit whose channel index would reach C is dropped, and channels beyond
 * the last unit stay zero (SHD: offsets 0-3 fill 117 channels, 4-5 fill 116; channels 117..127 are
 * always zero, exactly as the reference pads with zeros). Every offset is a separate sample:
 * view index v = recording * S + offset. The view never copies a recording S times: it bins one
 * recording on demand (or from a compact preloaded event list) straight into the caller's matrix.
 * channels = 0 disables the reduction: C = U, S = 1, one view sample per recording.
 *
 * Batches: shuffle an index array with mosaic_bins_shuffle (seeded by mosaic_rng, per epoch) and take
 * consecutive slices; mosaic_bins_batch fills (B, T, C) matrices and labels. The split by speaker
 * keeps every view sample of a recording on the same side. */
#ifndef MOSAIC_BINS_H
#define MOSAIC_BINS_H

#include <stdint.h>

#include "mosaic_shd.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MOSAIC_BIN_REFERENCE = 0, MOSAIC_BIN_UNIFORM = 1 } MosaicBinRule;

typedef struct {
    int steps;     /* T (reference 100) */
    double window; /* W seconds (reference 1.4) */
    int rule;      /* MosaicBinRule (reference MOSAIC_BIN_REFERENCE) */
    int channels;  /* C output channels per view sample (reference 128); 0 = no reduction, all units */
    int binary;    /* 1 (reference): 0/1 cells; 0: spike counts, saturating at 255 */
} MosaicBinSpec;

/* The reference: 100 steps, 1.4 s, digitize rule, 128 channels, binary. */
void mosaic_bin_spec_default(MosaicBinSpec *spec);

typedef struct MosaicBins MosaicBins;

/* A view of `shd` (borrowed: it must outlive the view, and the view uses its handle for reads).
 * Fails on a spec out of range (steps < 1, window <= 0, channels < 0, or a reference rule with
 * steps < 2). */
MosaicStatus mosaic_bins_create(MosaicShd *shd, const MosaicBinSpec *spec, MosaicBins **out, MosaicErr *err);
void mosaic_bins_free(MosaicBins *bins); /* accepts NULL */

int64_t mosaic_bins_count(const MosaicBins *bins); /* view samples = recordings * offsets */
int mosaic_bins_offsets(const MosaicBins *bins);   /* S */
int mosaic_bins_steps(const MosaicBins *bins);     /* T */
int mosaic_bins_channels(const MosaicBins *bins);  /* C */
/* The i-th of n samples taken from `total` (n <= total), spread evenly over them: a file sorted by class
 * still gives every class (`mosaic sim --samples`, the co-simulation's held-out set). */
static inline int64_t mosaic_spread_index(int64_t i, int64_t n, int64_t total) { return i * total / n; }

/* View samples are numbered recording by recording: view = recording * S + offset (offset < S). */
static inline int64_t mosaic_bins_view(const MosaicBins *bins, int64_t recording, int offset) {
    return recording * mosaic_bins_offsets(bins) + offset;
}
static inline int64_t mosaic_bins_recording(const MosaicBins *bins, int64_t view) {
    return view / mosaic_bins_offsets(bins);
}
int32_t mosaic_bins_label(const MosaicBins *bins, int64_t view);
int32_t mosaic_bins_speaker(const MosaicBins *bins, int64_t view);

/* Optional: reads and bins every recording once and keeps the result as compact events (4 bytes per
 * occupied (step, unit) cell in binary mode, per spike in count mode), so later mosaic_bins_sample calls
 * never touch the file. Without it every call reads its recording (the streaming path, for files larger than
 * memory). `progress` (may be NULL) is called every 1024 recordings with (done, total, ctx). */
MosaicStatus mosaic_bins_preload(MosaicBins *bins, void (*progress)(int64_t done, int64_t total, void *ctx),
                                 void *ctx, MosaicErr *err);

/* Writes view sample `view` as a dense (T, C) uint8 matrix: out[t*C + c].
 * Threads: after mosaic_bins_preload, mosaic_bins_sample and mosaic_bins_batch only read the view and
 * may run on several threads at once (e.g. one batch slice per OpenMP thread); without preload they
 * read the file through the shared handle (HDF5 is not thread-safe) and must stay on one thread. */
MosaicStatus mosaic_bins_sample(MosaicBins *bins, int64_t view, uint8_t *out, MosaicErr *err);

/* Fills out (n, T, C) with the view samples views[0..n) and labels[0..n) with their labels (labels may
 * be NULL). */
MosaicStatus mosaic_bins_batch(MosaicBins *bins, const int64_t *views, int64_t n, uint8_t *out,
                               int32_t *labels, MosaicErr *err);

/* Spikes that fell outside the window (t >= W): every spike once after mosaic_bins_preload; on the
 * streaming path, counted each time offset 0 of a recording is binned. */
int64_t mosaic_bins_dropped(const MosaicBins *bins);
/* The spikes counted the same way, inside the window or not. */
int64_t mosaic_bins_spikes(const MosaicBins *bins);

/* Fails (naming the file, /spikes/times, the window and `key`, the configuration key that set it) when
 * more than 99 % of the spikes counted so far fell outside the window: almost always times written in
 * milliseconds instead of seconds. */
MosaicStatus mosaic_bins_check_window(const MosaicBins *bins, const char *key, MosaicErr *err);

/* ---- index sets: shuffles and splits ---- */

/* Fisher-Yates shuffle of idx[0..n) with the generator mosaic_rng_derive(seed, epoch): the same
 * (seed, epoch) always gives the same order. */
void mosaic_bins_shuffle(int64_t *idx, int64_t n, uint64_t seed, uint64_t epoch);

/* Splits the view samples by speaker: every view of a recording whose speaker is in
 * val_speakers[0..n_val) goes to *val, the rest to *train (both in increasing order, malloc'd, the
 * caller frees). A listed speaker that no recording has is an error (it is almost certainly a typo). */
MosaicStatus mosaic_bins_split_by_speaker(const MosaicBins *bins, const int32_t *val_speakers, int n_val,
                                          int64_t **train, int64_t *n_train, int64_t **val,
                                          int64_t *n_val_out, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
