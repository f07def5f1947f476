#include "mosaic_infer.h"

#include <stdlib.h>
#include <string.h>

MosaicStatus mosaic_view_build(MosaicBpttView *view, MosaicViewIndex *idx, const MosaicNetwork *net,
                               int steps, MosaicErr *err) {
    const int k = net->arch.neurons_per_tile, tiles = mosaic_arch_tiles(&net->arch);
    const int n = mosaic_arch_neurons(&net->arch);
    memset(idx, 0, sizeof *idx);
    idx->out_start = calloc((size_t)n + 1, sizeof(int32_t));
    idx->recurrent = calloc((size_t)tiles, 1);
    if (!idx->out_start || !idx->recurrent) {
        mosaic_view_index_free(idx);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "network view: out of memory");
    }
    for (int l = 0; l < net->n_links; l++) {
        if (l && net->link_src[l] < net->link_src[l - 1]) {
            mosaic_view_index_free(idx);
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "network view: link %d (source %d) follows source %d; expected links sorted by "
                              "source (call mosaic_network_canonicalize)",
                              l, net->link_src[l], net->link_src[l - 1]);
        }
        idx->out_start[net->link_src[l] + 1]++;
    }
    for (int i = 0; i < n; i++) idx->out_start[i + 1] += idx->out_start[i];
    for (int t = 0; t < tiles; t++)
        idx->recurrent[t] = mosaic_network_block_kind(net, t) == MOSAIC_BLOCK_RECURRENT;
    memset(view, 0, sizeof *view);
    view->n_neurons = n;
    view->k = k;
    view->tiles = tiles;
    view->steps = steps;
    view->n_inputs = net->n_inputs;
    view->n_input_tiles = net->n_input_tiles;
    view->n_classes = net->n_classes;
    view->alpha = net->alpha;
    view->thr = net->threshold;
    view->sg = (float)MOSAIC_SURROGATE_REFERENCE; /* spikes are hard: only training reads it */
    view->w_in = net->w_in;
    view->w_intra = net->w_intra;
    view->recurrent = idx->recurrent;
    view->link_w = net->link_w;
    view->link_dst = net->link_dst;
    view->out_start = idx->out_start;
    return MOSAIC_OK;
}

void mosaic_view_index_free(MosaicViewIndex *idx) {
    if (!idx) return;
    free(idx->out_start);
    free(idx->recurrent);
    memset(idx, 0, sizeof *idx);
}

MosaicStatus mosaic_infer_sample(const MosaicNetwork *net, int steps, const uint8_t *x, uint8_t *spikes,
                                 float *v, MosaicErr *err) {
    MosaicBpttView view;
    MosaicViewIndex idx;
    MOSAIC_TRY(mosaic_view_build(&view, &idx, net, steps, err));
    const int n = view.n_neurons, ni = net->n_inputs;
    int32_t *x_start = malloc(sizeof(int32_t) * ((size_t)steps + 1));
    int32_t *x_chan = malloc(sizeof(int32_t) * ((size_t)steps * ni + 1));
    float *v_all = v ? v : malloc(sizeof(float) * (size_t)steps * n);
    float *counts = malloc(sizeof(float) * (size_t)(net->n_classes + 1));
    MosaicBpttWork *w = mosaic_bptt_work_create(n);
    MosaicStatus st = MOSAIC_OK;
    if (!x_start || !x_chan || !v_all || !counts || !w) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "inference: out of memory");
        goto done;
    }
    x_start[0] = 0;
    for (int t = 0; t < steps; t++) {
        int m = x_start[t];
        for (int c = 0; c < ni; c++)
            if (x[(size_t)t * ni + c]) x_chan[m++] = c;
        x_start[t + 1] = m;
    }
    double zsum;
    mosaic_bptt_sample_forward(&view, x_start, x_chan, v_all, counts, &zsum, w);
    for (size_t i = 0; i < (size_t)steps * n; i++) spikes[i] = v_all[i] > view.thr;
done:
    mosaic_bptt_work_free(w);
    free(counts);
    if (v_all != v) free(v_all);
    free(x_chan);
    free(x_start);
    mosaic_view_index_free(&idx);
    return st;
}
