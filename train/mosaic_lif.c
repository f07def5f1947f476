#include "mosaic_lif.h"

#include <stdlib.h>
#include <string.h>

MosaicStatus mosaic_inbound_build(MosaicInbound *in, const MosaicNetwork *net, MosaicErr *err) {
    int tiles = mosaic_arch_tiles(&net->arch), n = net->n_links;
    memset(in, 0, sizeof *in);
    in->tiles = tiles;
    in->start = calloc((size_t)tiles + 1, sizeof(int32_t));
    in->src = malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    in->link = malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    int32_t *fill = calloc((size_t)tiles, sizeof(int32_t));
    if (!in->start || !in->src || !in->link || !fill) {
        free(fill);
        mosaic_inbound_free(in);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "inbound index: out of memory");
    }
    for (int l = 0; l < n; l++) in->start[net->link_dst[l] + 1]++;
    for (int t = 0; t < tiles; t++) in->start[t + 1] += in->start[t];
    /* Counting sort by destination; a stable pass over links sorted by source keeps each tile's list
     * ascending. Links need not be canonical, so sort each tile's slice afterwards to be safe. */
    for (int l = 0; l < n; l++) {
        int t = net->link_dst[l];
        int pos = in->start[t] + fill[t]++;
        in->src[pos] = net->link_src[l];
        in->link[pos] = l;
    }
    free(fill);
    for (int t = 0; t < tiles; t++)
        for (int i = in->start[t] + 1; i < in->start[t + 1]; i++) /* insertion sort: usually sorted */
            for (int j = i; j > in->start[t] && in->src[j - 1] > in->src[j]; j--) {
                int32_t s = in->src[j], l = in->link[j];
                in->src[j] = in->src[j - 1], in->link[j] = in->link[j - 1];
                in->src[j - 1] = s, in->link[j - 1] = l;
            }
    return MOSAIC_OK;
}

void mosaic_inbound_free(MosaicInbound *in) {
    if (!in) return;
    free(in->start);
    free(in->src);
    free(in->link);
    memset(in, 0, sizeof *in);
}

int mosaic_inbound_find(const MosaicInbound *in, int tile, int32_t src) {
    int lo = in->start[tile], hi = in->start[tile + 1];
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (in->src[mid] < src)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < in->start[tile + 1] && in->src[lo] == src) ? in->link[lo] : -1;
}

void mosaic_lif_tile_current(const MosaicNetwork *net, const MosaicInbound *in, int tile, const uint8_t *x,
                             const int32_t *spiked, int nspiked, float *current) {
    const int k = net->arch.neurons_per_tile;
    for (int j = 0; j < k; j++) current[j] = 0.0f;
    if (x && tile < net->n_input_tiles) {
        for (int i = 0; i < k; i++) {
            int c = tile * k + i;
            if (c >= net->n_inputs || !x[c]) continue;
            const float *w = net->w_in + (size_t)c * k;
            for (int j = 0; j < k; j++) current[j] += w[j];
        }
    }
    const int recurrent = mosaic_network_block_kind(net, tile) == MOSAIC_BLOCK_RECURRENT;
    /* Walk the spike list and the tile's inbound list together: both ascend. */
    int p = in->start[tile], end = in->start[tile + 1];
    for (int s = 0; s < nspiked; s++) {
        int32_t src = spiked[s];
        const float *w = NULL;
        if (src / k == tile) {
            if (recurrent) w = net->w_intra + (size_t)src * k;
        } else {
            while (p < end && in->src[p] < src) p++;
            if (p < end && in->src[p] == src) w = net->link_w + (size_t)in->link[p] * k;
        }
        if (w)
            for (int j = 0; j < k; j++) current[j] += w[j];
    }
}
