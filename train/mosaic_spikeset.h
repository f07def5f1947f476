/* mosaic_spikeset: the training engine's in-memory dataset (binned binary input spikes, labels) and
 * the built-in synthetic one.
 *
 * A sample is T steps; each step lists its active input channels ascending (a spike in a bin; counts
 * above one are not represented, as the network's input is binary). Readers of real data (SHD via the
 * traces module) fill this layout; the synthetic generator needs no files, for tests and benchmarks. */
#ifndef MOSAIC_SPIKESET_H
#define MOSAIC_SPIKESET_H

#include <stdint.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int n, steps, channels, classes;
    int64_t *offset;     /* (n+1) start of each sample's channel list in chan */
    int32_t *step_start; /* (n, steps+1) per-sample offsets into chan + offset[s] */
    int32_t *chan;       /* all active channels */
    int32_t *label;      /* (n) */
    int64_t cap_chan;
    int64_t spikes_read, spikes_outside; /* loaded from SHD: spikes in the file, and those past the window */
} MosaicSpikeSet;

/* An empty set for n samples of `steps` steps; fill with mosaic_spikeset_add in sample order. */
MosaicStatus mosaic_spikeset_create(MosaicSpikeSet *set, int n, int steps, int channels, int classes,
                                    MosaicErr *err);
void mosaic_spikeset_free(MosaicSpikeSet *set); /* accepts a zeroed set */

/* Appends sample `s` (must be the next one): dense x (steps, channels), non-zero = spike. */
MosaicStatus mosaic_spikeset_add(MosaicSpikeSet *set, int s, const uint8_t *x, int label, MosaicErr *err);

static inline const int32_t *mosaic_spikeset_steps(const MosaicSpikeSet *set, int s) {
    return set->step_start + (size_t)s * (set->steps + 1);
}
static inline const int32_t *mosaic_spikeset_chans(const MosaicSpikeSet *set, int s) {
    return set->chan + set->offset[s];
}

/* The built-in synthetic task: each class is a fixed set of three frequency sweeps (rising or falling
 * bands of channels over time, like formants of a spoken word) fixed by `pattern_seed`; each sample
 * shifts its class pattern in time and channel, and draws Bernoulli spikes from the resulting rates on
 * top of background noise. `sample_seed` draws the samples (use different seeds for train and test). */
MosaicStatus mosaic_spikeset_synthetic(MosaicSpikeSet *set, int n, int steps, int channels, int classes,
                                       uint64_t pattern_seed, uint64_t sample_seed, MosaicErr *err);

/* Reads a dataset in SHD layout (.h5 or .h5.gz) through the traces module's binning view: `steps`
 * bins over `window_s` seconds (the reference digitize rule), binary cells, the units reduced to
 * `channels` by the reference's stride rule, every channel offset a separate sample. `classes` is the
 * number the network reads out; a file with more classes is an error. */
MosaicStatus mosaic_spikeset_load_shd(MosaicSpikeSet *set, const char *path, int steps, double window_s,
                                      int channels, int classes, MosaicErr *err);
/* The same with only `offsets` of the S stride offsets of every recording (0 = all): offsets i * S / offsets
 * for i < offsets, spread over the channel range (S 6, offsets 2: 0 and 3), in recording order. More than
 * S is an error naming train.data.offsets. Cuts an epoch when the views of a recording are near copies. */
MosaicStatus mosaic_spikeset_load_shd_offsets(MosaicSpikeSet *set, const char *path, int steps,
                                              double window_s, int channels, int classes, int offsets,
                                              MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
