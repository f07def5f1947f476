/* mosaic_infer: the trained network run forward on one sample, exactly as training computes it.
 *
 * This is the reference the ideal-device simulator compares against bit for bit: it uses the engine's
 * float forward pass (mosaic_bptt), whose per-tile currents and membrane updates are those of
 * mosaic_lif_tile_current and mosaic_lif_step. */
#ifndef MOSAIC_INFER_H
#define MOSAIC_INFER_H

#include <stdint.h>

#include "mosaic_bptt.h"
#include "mosaic_network.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The index arrays a MosaicBpttView needs beside the network's own arrays. */
typedef struct {
    int32_t *out_start; /* (N+1) */
    uint8_t *recurrent; /* (tiles) */
} MosaicViewIndex;

/* Fills `view` (steps T) over `net`, whose links must be sorted by source (mosaic_network_canonicalize
 * order). The view points into net and idx: both must outlive it. */
MosaicStatus mosaic_view_build(MosaicBpttView *view, MosaicViewIndex *idx, const MosaicNetwork *net,
                               int steps, MosaicErr *err);
void mosaic_view_index_free(MosaicViewIndex *idx);

/* Runs one sample: x (steps, n_inputs) input spikes (non-zero = spike); writes spikes (steps, N) as 0/1
 * and, if v is not NULL, the membranes (steps, N). The links of `net` must be sorted by source. */
MosaicStatus mosaic_infer_sample(const MosaicNetwork *net, int steps, const uint8_t *x, uint8_t *spikes,
                                 float *v, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
