/* mosaic_checkpoint: the trainer's complete state as a network file (traces/mosaic_netfile.h) with the
 * method state under /method, written to a temporary name and renamed, so a crash never leaves a
 * half-written checkpoint.
 *
 * /blocks and /links hold the live network (every link, in canonical order, which is the trainer's own
 * order); /method holds, as named arrays: header (int64 progress and shape), mask, adam_m, adam_v (per
 * parameter: w_in, w_intra, then the link capacity), sign (DeepR, stored +1), penalty (per link),
 * budgets and unfilled ((tiles, max_distance + 1)), banned ((N, tiles)), history (raw rows). The random
 * state needs no storage: every draw comes from a stream derived from (seed, purpose, epoch or step),
 * and epoch and step are in the header. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_netfile.h"
#include "mosaic_trainer_internal.h"

enum { HDR_N_ = 14 };

static void header_(const MosaicTrainer *tr, int64_t *h) {
    int64_t v[HDR_N_] = {tr->n,
                         tr->k,
                         tr->tiles,
                         tr->cap,
                         (int64_t)tr->nparams,
                         tr->cfg.method,
                         tr->cfg.seed,
                         tr->net.n_links,
                         tr->epoch,
                         tr->step,
                         tr->nhist,
                         tr->deepr_budget,
                         tr->maxd,
                         (int64_t)sizeof(MosaicTrainEpoch)};
    memcpy(h, v, sizeof v);
}

typedef struct {
    const char *name;
    MosaicH5Type type;
    void *p;
    int64_t dims[2];
    int rank;
    const char *units, *desc;
} Arr_;

/* The /method arrays; the sign array is converted by the caller (stored +1 as uint8). */
static int arrays_(const MosaicTrainer *tr, Arr_ *a, uint8_t *sign_u8) {
    const int64_t L = tr->net.n_links, k = tr->k, D = tr->maxd + 1;
    int n = 0;
    a[n++] = (Arr_){"method/mask",
                    MOSAIC_H5_U8,
                    tr->mask,
                    {(int64_t)tr->nparams},
                    1,
                    "bool",
                    "1 = active weight: w_in, w_intra, then link_w over the link capacity"};
    a[n++] = (Arr_){"method/adam_m",
                    MOSAIC_H5_F32,
                    tr->adam_m,
                    {(int64_t)tr->nparams},
                    1,
                    "gradient",
                    "Adam first moments, same layout as mask"};
    a[n++] = (Arr_){"method/adam_v",
                    MOSAIC_H5_F32,
                    tr->adam_v,
                    {(int64_t)tr->nparams},
                    1,
                    "gradient^2",
                    "Adam second moments, same layout as mask"};
    a[n++] = (Arr_){"method/sign",
                    MOSAIC_H5_U8,
                    sign_u8,
                    {L * k},
                    1,
                    "sign+1",
                    "DeepR fixed sign of each link weight plus one (0 = -1, 2 = +1, 1 = none)"};
    a[n++] = (Arr_){"method/penalty",
                    MOSAIC_H5_F32,
                    tr->pen,
                    {L},
                    1,
                    "1/weight^2",
                    "per-link L2 coefficient (hop penalty plus the hook's)"};
    a[n++] = (Arr_){"method/budgets",
                    MOSAIC_H5_I32,
                    tr->budgets,
                    {tr->tiles, D},
                    2,
                    "links",
                    "link budget per (source tile, distance)"};
    a[n++] = (Arr_){"method/unfilled",
                    MOSAIC_H5_I32,
                    tr->unfilled,
                    {tr->tiles, D},
                    2,
                    "links",
                    "budget slots the last refill could not fill"};
    a[n++] = (Arr_){"method/banned",
                    MOSAIC_H5_U8,
                    tr->banned,
                    {tr->n, tr->tiles},
                    2,
                    "bool",
                    "links forced out by the hardware-in-the-loop hook"};
    a[n++] = (Arr_){"method/history",
                    MOSAIC_H5_U8,
                    tr->hist,
                    {(int64_t)sizeof(MosaicTrainEpoch) * tr->nhist},
                    1,
                    "bytes",
                    "MosaicTrainEpoch rows in native layout (readable copy: history.h5)"};
    return n;
}

MosaicStatus mosaic_trainer_save(const MosaicTrainer *tr, const char *path, const MosaicProvenance *who,
                                 MosaicErr *err) {
    MosaicTrainConfig cfg = tr->cfg;
    MosaicArch arch = tr->arch;
    MosaicCfgSection sec[2] = {mosaic_arch_config_section(&arch), mosaic_train_config_section(&cfg)};
    char *yaml = mosaic_cfg_to_string(sec, 2);
    uint8_t *sign = malloc((size_t)tr->net.n_links * tr->k + 1);
    if (!yaml || !sign) {
        free(yaml), free(sign);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < (size_t)tr->net.n_links * tr->k; i++) sign[i] = (uint8_t)(tr->sign[i] + 1);
    MosaicProvenance prov = {"mosaic train", NULL, NULL, tr->cfg.seed, yaml};
    if (who) {
        prov.program = who->program;
        prov.version = who->version;
        prov.git_hash = who->git_hash;
        if (who->config) prov.config = who->config;
    }
    MosaicH5File *f = NULL;
    MosaicStatus st = mosaic_netfile_create(path, &tr->net, &prov, &f, err);
    int64_t h[HDR_N_], hd = HDR_N_;
    header_(tr, h);
    if (st == MOSAIC_OK)
        st =
            mosaic_h5_write(f, "method/header", MOSAIC_H5_I64, 1, &hd, h, "",
                            "neurons, k, tiles, link capacity, parameters, method, seed, links, epochs done, "
                            "Adam steps, history rows, deepr budget, max distance, history row bytes",
                            err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_attr_write_string(f, "/method", "name", mosaic_train_method_name(tr->cfg.method), err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_attr_write_string(
            f, "/method", "rng", "xoshiro256** streams derived from (seed, purpose, epoch or step)", err);
    Arr_ a[16];
    const int na = arrays_(tr, a, sign);
    for (int i = 0; st == MOSAIC_OK && i < na; i++)
        st = mosaic_h5_write(f, a[i].name, a[i].type, a[i].rank, a[i].dims, a[i].p, a[i].units, a[i].desc,
                             err);
    free(yaml), free(sign);
    if (st == MOSAIC_OK && tr->quant) {
        const MosaicQuantState *q = tr->quant;
        double qs[4] = {q->gmax, q->m, q->v, (double)q->t};
        const int64_t four = 4;
        st = mosaic_h5_write(f, "method/quant", MOSAIC_H5_F64, 1, &four, qs, "",
                             "quantised rewiring: gmax (weight of the top level), its Adam moments m, v and "
                             "steps",
                             err);
    }
    if (st != MOSAIC_OK) {
        mosaic_h5_abort(f);
        return st;
    }
    return mosaic_h5_commit(f, err);
}

MosaicStatus mosaic_trainer_load(MosaicTrainer *tr, const char *path, MosaicErr *err) {
    MosaicNetwork net;
    MosaicH5File *f = NULL;
    MOSAIC_TRY(mosaic_netfile_open(path, &net, &f, err));
    int64_t h[HDR_N_], mine[HDR_N_], hd = HDR_N_;
    uint8_t *sign = NULL;
    MosaicStatus st = mosaic_h5_read_into(f, "method/header", MOSAIC_H5_I64, 1, &hd, h, err);
    header_(tr, mine);
    static const int same[] = {0, 1, 2, 3, 4, 5, 6, 12, 13};
    static const char *names[] = {"neurons", "k",    "tiles",        "link capacity",   "parameters",
                                  "method",  "seed", "max distance", "history row size"};
    /* the configuration keys that set each field, for the message */
    static const char *keys[] = {"array.rows, array.cols, array.neurons_per_tile",
                                 "array.neurons_per_tile",
                                 "array.rows, array.cols",
                                 "array.*, train.data.inputs",
                                 "array.*, train.data.inputs, train.output_block",
                                 "train.method",
                                 "train.seed",
                                 "array.rows, array.cols",
                                 "none: a checkpoint of another mosaic version"};
    for (size_t i = 0; st == MOSAIC_OK && i < sizeof same / sizeof same[0]; i++) {
        if (h[same[i]] == mine[same[i]]) continue;
        if (same[i] == 5 && h[5] >= 0 && h[5] <= MOSAIC_METHOD_DENSE) /* a method by its name */
            st =
                mosaic_err(err, MOSAIC_ERR_INPUT,
                           "%s: the run was trained with method %s; the config gives %s (train.method)", path,
                           mosaic_train_method_name((int)h[5]), mosaic_train_method_name((int)mine[5]));
        else
            st = mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: the run has %s %lld; the configuration gives %lld (set by %s, which a run keeps)", path,
                names[i], (long long)h[same[i]], (long long)mine[same[i]], keys[i]);
    }
    if (st == MOSAIC_OK && (h[7] != net.n_links || h[7] > tr->cap || h[10] < 0 ||
                            net.n_input_tiles != tr->net.n_input_tiles || net.n_classes != tr->net.n_classes))
        st = mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: /links holds %d links and the header %lld (capacity %d); or the inputs/classes differ "
            "from the config",
            path, net.n_links, (long long)h[7], tr->cap);
    if (st == MOSAIC_OK && h[10] > tr->cap_hist) {
        MosaicTrainEpoch *nh = realloc(tr->hist, sizeof *nh * (size_t)h[10]);
        if (!nh)
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory for the history", path);
        else
            tr->hist = nh, tr->cap_hist = (int)h[10];
    }
    if (st == MOSAIC_OK && !(sign = malloc((size_t)h[7] * tr->k + 1)))
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    if (st == MOSAIC_OK) {
        const size_t k = (size_t)tr->k;
        tr->epoch = (int)h[8];
        tr->step = h[9];
        tr->nhist = (int)h[10];
        tr->deepr_budget = h[11];
        memcpy(tr->net.w_in, net.w_in, sizeof(float) * tr->seg_len[SEG_IN_]);
        memcpy(tr->net.w_intra, net.w_intra, sizeof(float) * tr->seg_len[SEG_INTRA_]);
        /* Slots past n_links must hold no weight and no per-link state. */
        memset(tr->net.link_w, 0, sizeof(float) * tr->seg_len[SEG_LINK_]);
        memset(tr->sign, 0, (size_t)tr->cap * k);
        memset(tr->pen, 0, sizeof(float) * (size_t)tr->cap);
        tr->net.n_links = net.n_links;
        memcpy(tr->net.link_src, net.link_src, sizeof(int32_t) * (size_t)net.n_links);
        memcpy(tr->net.link_dst, net.link_dst, sizeof(int32_t) * (size_t)net.n_links);
        memcpy(tr->net.link_w, net.link_w, sizeof(float) * (size_t)net.n_links * k);
        tr->net.alpha = net.alpha;
        tr->net.threshold = net.threshold;
    }
    Arr_ a[16];
    const int na = arrays_(tr, a, sign);
    for (int i = 0; st == MOSAIC_OK && i < na; i++)
        st = mosaic_h5_read_into(f, a[i].name, a[i].type, a[i].rank, a[i].dims, a[i].p, err);
    for (size_t i = 0; st == MOSAIC_OK && i < (size_t)tr->net.n_links * tr->k; i++)
        tr->sign[i] = (int8_t)(sign[i] - 1);
    if (st == MOSAIC_OK && tr->quant) {
        double qs[4];
        const int64_t four = 4;
        st = mosaic_h5_read_into(f, "method/quant", MOSAIC_H5_F64, 1, &four, qs, err);
        tr->quant->gmax = qs[0], tr->quant->m = qs[1], tr->quant->v = qs[2], tr->quant->t = (int64_t)qs[3];
    }
    free(sign);
    mosaic_h5_close(f);
    mosaic_network_free(&net);
    return st;
}
