/* mosaic_network: the trained network as every module exchanges it (train exports it, the mapper
 * routes its links, the simulator programs the array with it, traces reads and writes it).
 *
 * Layout (mosaic-reference.md §4): N = R*C*k LIF neurons, neuron n on tile n / k. Input channels
 * 0 .. n_inputs-1 drive the first n_input_tiles tiles, channel t*k + i feeding tile t through that
 * tile's own k x k block (input tiles therefore have no intra-tile recurrence). The last n_classes
 * neurons are the readout; the output tile has no intra-tile recurrence unless output_recurrent.
 * All other tiles have a dense k x k recurrent block. Inter-tile connectivity is a set of links
 * (source neuron -> destination tile), each carrying k weights, one per destination neuron.
 *
 * Weights are float32: the training engine computes in float32 and the ideal-device simulator must
 * reproduce its spikes exactly. */
#ifndef MOSAIC_NETWORK_H
#define MOSAIC_NETWORK_H

#include <stdint.h>

#include "mosaic_arch.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MOSAIC_BLOCK_RECURRENT = 0, MOSAIC_BLOCK_INPUT = 1, MOSAIC_BLOCK_NONE = 2 } MosaicBlockKind;

typedef struct {
    MosaicArch arch;
    int n_inputs;         /* input channels (reference 128) */
    int n_input_tiles;    /* ceil(n_inputs / k) */
    int n_classes;        /* readout neurons = the last n_classes neurons */
    int output_recurrent; /* 0 (reference): the output tile has no intra-tile block */
    float alpha;          /* membrane decay per time step */
    float threshold;      /* firing threshold; reset by subtraction */

    float *w_in;    /* (n_input_tiles, k, k): [(t*k + i)*k + j] channel t*k+i -> neuron t*k+j */
    float *w_intra; /* (tiles, k, k): [(t*k + i)*k + j] neuron t*k+i -> neuron t*k+j; zero for
                       tiles whose block kind is not RECURRENT */

    int n_links;       /* active links */
    int cap_links;     /* allocated capacity */
    int32_t *link_src; /* (cap_links) source neuron */
    int32_t *link_dst; /* (cap_links) destination tile, != tile of source */
    float *link_w;     /* (cap_links, k): [l*k + j] weight onto neuron dst*k + j */
} MosaicNetwork;

/* Allocates a network for `arch` with zero weights and room for cap_links links. Fields other than
 * the arrays take the reference values (128 inputs, 20 classes, alpha = exp(-1/45), threshold 1). */
MosaicStatus mosaic_network_create(MosaicNetwork *net, const MosaicArch *arch, int n_inputs, int n_classes,
                                   int cap_links, MosaicErr *err);
void mosaic_network_free(MosaicNetwork *net); /* accepts a zeroed or freed network */

/* Deep copy into an uninitialised `dst`. */
MosaicStatus mosaic_network_copy(MosaicNetwork *dst, const MosaicNetwork *src, MosaicErr *err);

MosaicBlockKind mosaic_network_block_kind(const MosaicNetwork *net, int tile);

/* Appends a link (grows capacity if needed). Returns its index or -1 on allocation failure. */
int mosaic_network_add_link(MosaicNetwork *net, int32_t src, int32_t dst, const float *weights);

/* Sorts links by (src, dst) and checks them: sources in range, destinations in range and not the
 * source's own tile, no duplicates. The order is the canonical one written to files. */
MosaicStatus mosaic_network_canonicalize(MosaicNetwork *net, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
