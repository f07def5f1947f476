#include "mosaic_network.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

MosaicStatus mosaic_network_create(MosaicNetwork *net, const MosaicArch *arch, int n_inputs, int n_classes,
                                   int cap_links, MosaicErr *err) {
    memset(net, 0, sizeof *net);
    net->arch = *arch;
    int k = arch->neurons_per_tile, tiles = mosaic_arch_tiles(arch);
    net->n_inputs = n_inputs;
    net->n_input_tiles = mosaic_input_tiles(arch, n_inputs);
    net->n_classes = n_classes;
    net->alpha = (float)exp(-1.0 / 45.0);
    net->threshold = 1.0f;
    if (net->n_input_tiles >= tiles)
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "network: %d input channels need %d input tiles, but the %dx%d array has only %d tiles", n_inputs,
            net->n_input_tiles, arch->rows, arch->cols, tiles);
    if (n_classes > k)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "network: %d classes exceed the %d neurons of the output tile", n_classes, k);
    if (cap_links < 1) cap_links = 1;
    net->cap_links = cap_links;
    net->w_in = calloc((size_t)net->n_input_tiles * k * k, sizeof(float));
    net->w_intra = calloc((size_t)tiles * k * k, sizeof(float));
    net->link_src = malloc(sizeof(int32_t) * (size_t)cap_links);
    net->link_dst = malloc(sizeof(int32_t) * (size_t)cap_links);
    net->link_w = malloc(sizeof(float) * (size_t)cap_links * k);
    if (!net->w_in || !net->w_intra || !net->link_src || !net->link_dst || !net->link_w) {
        mosaic_network_free(net);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "network: out of memory");
    }
    return MOSAIC_OK;
}

void mosaic_network_free(MosaicNetwork *net) {
    if (!net) return;
    free(net->w_in);
    free(net->w_intra);
    free(net->link_src);
    free(net->link_dst);
    free(net->link_w);
    net->w_in = net->w_intra = net->link_w = NULL;
    net->link_src = net->link_dst = NULL;
    net->n_links = net->cap_links = 0;
}

MosaicStatus mosaic_network_copy(MosaicNetwork *dst, const MosaicNetwork *src, MosaicErr *err) {
    MOSAIC_TRY(mosaic_network_create(dst, &src->arch, src->n_inputs, src->n_classes, src->cap_links, err));
    int k = src->arch.neurons_per_tile, tiles = mosaic_arch_tiles(&src->arch);
    dst->output_recurrent = src->output_recurrent;
    dst->alpha = src->alpha;
    dst->threshold = src->threshold;
    memcpy(dst->w_in, src->w_in, sizeof(float) * (size_t)src->n_input_tiles * k * k);
    memcpy(dst->w_intra, src->w_intra, sizeof(float) * (size_t)tiles * k * k);
    dst->n_links = src->n_links;
    memcpy(dst->link_src, src->link_src, sizeof(int32_t) * (size_t)src->n_links);
    memcpy(dst->link_dst, src->link_dst, sizeof(int32_t) * (size_t)src->n_links);
    memcpy(dst->link_w, src->link_w, sizeof(float) * (size_t)src->n_links * k);
    return MOSAIC_OK;
}

MosaicBlockKind mosaic_network_block_kind(const MosaicNetwork *net, int tile) {
    if (tile < net->n_input_tiles) return MOSAIC_BLOCK_INPUT;
    if (tile == mosaic_arch_tiles(&net->arch) - 1 && !net->output_recurrent) return MOSAIC_BLOCK_NONE;
    return MOSAIC_BLOCK_RECURRENT;
}

int mosaic_network_add_link(MosaicNetwork *net, int32_t src, int32_t dst, const float *weights) {
    int k = net->arch.neurons_per_tile;
    if (net->n_links == net->cap_links) {
        int cap = net->cap_links * 2;
        int32_t *s = realloc(net->link_src, sizeof(int32_t) * (size_t)cap);
        if (s) net->link_src = s;
        int32_t *d = realloc(net->link_dst, sizeof(int32_t) * (size_t)cap);
        if (d) net->link_dst = d;
        float *w = realloc(net->link_w, sizeof(float) * (size_t)cap * k);
        if (w) net->link_w = w;
        if (!s || !d || !w) return -1;
        net->cap_links = cap;
    }
    int l = net->n_links++;
    net->link_src[l] = src;
    net->link_dst[l] = dst;
    if (weights)
        memcpy(net->link_w + (size_t)l * k, weights, sizeof(float) * (size_t)k);
    else
        memset(net->link_w + (size_t)l * k, 0, sizeof(float) * (size_t)k);
    return l;
}

typedef struct {
    int64_t key;
    int index;
} LinkKey_;

static int cmp_key_(const void *a, const void *b) {
    int64_t x = ((const LinkKey_ *)a)->key, y = ((const LinkKey_ *)b)->key;
    return (x > y) - (x < y);
}

MosaicStatus mosaic_network_canonicalize(MosaicNetwork *net, MosaicErr *err) {
    int n = net->n_links, k = net->arch.neurons_per_tile;
    int tiles = mosaic_arch_tiles(&net->arch), neurons = mosaic_arch_neurons(&net->arch);
    if (n == 0) return MOSAIC_OK;
    LinkKey_ *keys = malloc(sizeof *keys * (size_t)n);
    int32_t *s = malloc(sizeof(int32_t) * (size_t)n);
    int32_t *d = malloc(sizeof(int32_t) * (size_t)n);
    float *w = malloc(sizeof(float) * (size_t)n * k);
    MosaicStatus st = MOSAIC_OK;
    if (!keys || !s || !d || !w) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "network: out of memory");
        goto done;
    }
    for (int l = 0; l < n; l++) {
        int32_t src = net->link_src[l], dst = net->link_dst[l];
        if (src < 0 || src >= neurons || dst < 0 || dst >= tiles) {
            st =
                mosaic_err(err, MOSAIC_ERR_INPUT,
                           "network: link %d (%d -> tile %d): expected source in [0, %d) and tile in [0, %d)",
                           l, src, dst, neurons, tiles);
            goto done;
        }
        if (src / k == dst) {
            st = mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "network: link %d (%d -> tile %d) stays inside its tile; intra-tile synapses belong "
                "to the dense block",
                l, src, dst);
            goto done;
        }
        keys[l].key = (int64_t)src * tiles + dst;
        keys[l].index = l;
    }
    qsort(keys, (size_t)n, sizeof *keys, cmp_key_);
    for (int i = 0; i < n; i++) {
        if (i && keys[i].key == keys[i - 1].key) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "network: duplicate link %d -> tile %d",
                            net->link_src[keys[i].index], net->link_dst[keys[i].index]);
            goto done;
        }
        int l = keys[i].index;
        s[i] = net->link_src[l];
        d[i] = net->link_dst[l];
        memcpy(w + (size_t)i * k, net->link_w + (size_t)l * k, sizeof(float) * (size_t)k);
    }
    memcpy(net->link_src, s, sizeof(int32_t) * (size_t)n);
    memcpy(net->link_dst, d, sizeof(int32_t) * (size_t)n);
    memcpy(net->link_w, w, sizeof(float) * (size_t)n * k);
done:
    free(keys);
    free(s);
    free(d);
    free(w);
    return st;
}
