/* mosaic_lif: the one LIF step kernel shared by the training engine and the simulator's neuron tiles.
 *
 * Exactness contract: the ideal-device simulator must reproduce the training engine's spikes bit for
 * bit. Float addition is not associative, so both engines compute a tile's synaptic current with
 * mosaic_lif_tile_current (or, in the trainer's batched inner loop, with the same sequence of float32
 * additions, checked by a test) and update membranes with mosaic_lif_step. Never build with
 * -ffast-math.
 *
 * Dynamics (mosaic-reference.md §4), per time step t:
 *   I[t] = W_in^T x[t] + W_rec^T z[t-1]          (canonical order below)
 *   v[t] = alpha * v[t-1] + I[t] - thr * z[t-1]   (reset by subtraction)
 *   z[t] = v[t] > thr
 * Spikes z[t-1] are those routed during step t-1's routing phase (mosaic-reference.md §8). */
#ifndef MOSAIC_LIF_H
#define MOSAIC_LIF_H

#include <stdint.h>

#include "mosaic_network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* For each tile, the links that arrive there, by ascending source neuron. */
typedef struct {
    int tiles;
    int32_t *start; /* (tiles + 1) offsets into src/link */
    int32_t *src;   /* (n_links) source neuron, ascending within a tile */
    int32_t *link;  /* (n_links) index into the network's link arrays */
} MosaicInbound;

MosaicStatus mosaic_inbound_build(MosaicInbound *in, const MosaicNetwork *net, MosaicErr *err);
void mosaic_inbound_free(MosaicInbound *in);

/* Index of the link src -> tile, or -1 (binary search in the tile's inbound list). */
int mosaic_inbound_find(const MosaicInbound *in, int tile, int32_t src);

/* The synaptic current into the k neurons of `tile` for one step, in the canonical order:
 *   current[j] = 0.0f;
 *   for each input channel c of this tile with x[c] != 0, ascending:  current[j] += w_in[c][j];
 *   for each s in `spiked` (ascending neuron ids that spiked at t-1 and reached this tile):
 *       s on this tile, block RECURRENT:  current[j] += w_intra[s][j];
 *       s elsewhere with a link s->tile:  current[j] += link_w[link][j];
 *       otherwise: no contribution.
 * x: (n_inputs) input spikes of this step, or NULL. current: (k) output. */
void mosaic_lif_tile_current(const MosaicNetwork *net, const MosaicInbound *in, int tile, const uint8_t *x,
                             const int32_t *spiked, int nspiked, float *current);

/* One step of k neurons: v = alpha*v + current - thr*z; z = (v > thr). v, z: (k) in/out. */
static inline void mosaic_lif_step(int k, float alpha, float thr, float *v, uint8_t *z,
                                   const float *current) {
    for (int j = 0; j < k; j++) {
        float vj = alpha * v[j] + current[j] - thr * (float)z[j];
        v[j] = vj;
        z[j] = vj > thr;
    }
}

#ifdef __cplusplus
}
#endif
#endif
