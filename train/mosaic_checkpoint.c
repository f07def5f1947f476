/* mosaic_checkpoint: the trainer's complete state in one file, written through a temporary name and a
 * rename so that a crash never leaves a half-written checkpoint.
 *
 * Layout (native endianness, version 1): magic "MOSAICTRAINCKPT1", then a header of int64 values (shape,
 * method, seed, progress), then the arrays in a fixed order, each preceded by its byte length. The
 * random state needs no storage: every draw comes from a stream derived from (seed, purpose, epoch or
 * step), and epoch and step are in the header. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_trainer_internal.h"

static const char magic_[16] = "MOSAICTRAINCKPT1";

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
    void *p;
    size_t bytes;
} Arr_;

static int arrays_(const MosaicTrainer *tr, Arr_ *a) {
    const size_t L = (size_t)tr->net.n_links, k = (size_t)tr->k;
    int n = 0;
    a[n++] = (Arr_){tr->net.w_in, sizeof(float) * tr->seg_len[SEG_IN_]};
    a[n++] = (Arr_){tr->net.w_intra, sizeof(float) * tr->seg_len[SEG_INTRA_]};
    a[n++] = (Arr_){tr->net.link_src, sizeof(int32_t) * L};
    a[n++] = (Arr_){tr->net.link_dst, sizeof(int32_t) * L};
    a[n++] = (Arr_){tr->net.link_w, sizeof(float) * L * k};
    a[n++] = (Arr_){tr->mask, tr->nparams};
    a[n++] = (Arr_){tr->adam_m, sizeof(float) * tr->nparams};
    a[n++] = (Arr_){tr->adam_v, sizeof(float) * tr->nparams};
    a[n++] = (Arr_){tr->sign, L * k};
    a[n++] = (Arr_){tr->pen, sizeof(float) * L};
    a[n++] = (Arr_){tr->budgets, sizeof(int) * (size_t)tr->tiles * (tr->maxd + 1)};
    a[n++] = (Arr_){tr->unfilled, sizeof(int) * (size_t)tr->tiles * (tr->maxd + 1)};
    a[n++] = (Arr_){tr->banned, (size_t)tr->n * tr->tiles};
    a[n++] = (Arr_){tr->hist, sizeof(MosaicTrainEpoch) * (size_t)tr->nhist};
    return n;
}

MosaicStatus mosaic_trainer_save(const MosaicTrainer *tr, const char *path, MosaicErr *err) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create the checkpoint", tmp);
    int64_t h[HDR_N_];
    header_(tr, h);
    int ok = fwrite(magic_, 1, 16, f) == 16 && fwrite(h, sizeof h, 1, f) == 1;
    Arr_ a[16];
    int na = arrays_(tr, a);
    for (int i = 0; ok && i < na; i++) {
        uint64_t b = a[i].bytes;
        ok = fwrite(&b, sizeof b, 1, f) == 1 && (b == 0 || fwrite(a[i].p, 1, b, f) == b);
    }
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: writing the checkpoint failed", path);
    }
    return MOSAIC_OK;
}

MosaicStatus mosaic_trainer_load(MosaicTrainer *tr, const char *path, MosaicErr *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open the checkpoint", path);
    char mg[16];
    int64_t h[HDR_N_], mine[HDR_N_];
    MosaicStatus st = MOSAIC_OK;
    if (fread(mg, 1, 16, f) != 16 || memcmp(mg, magic_, 16) != 0 || fread(h, sizeof h, 1, f) != 1) {
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: not a mosaic training checkpoint (expected magic %.16s)",
                        path, magic_);
        goto done;
    }
    header_(tr, mine);
    static const int same[] = {0, 1, 2, 3, 4, 5, 6, 12, 13};
    static const char *names[] = {"neurons", "k",    "tiles",        "link capacity",   "parameters",
                                  "method",  "seed", "max distance", "history row size"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (h[same[i]] != mine[same[i]]) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: header field '%s' is %lld; the config gives %lld",
                            path, names[i], (long long)h[same[i]], (long long)mine[same[i]]);
            goto done;
        }
    if (h[7] < 0 || h[7] > tr->cap || h[10] < 0) {
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: header: %lld links (capacity %d), %lld history rows",
                        path, (long long)h[7], tr->cap, (long long)h[10]);
        goto done;
    }
    tr->net.n_links = (int)h[7];
    tr->epoch = (int)h[8];
    tr->step = h[9];
    tr->deepr_budget = h[11];
    if (h[10] > tr->cap_hist) {
        MosaicTrainEpoch *nh = realloc(tr->hist, sizeof *nh * (size_t)h[10]);
        if (!nh) {
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory for the history", path);
            goto done;
        }
        tr->hist = nh, tr->cap_hist = (int)h[10];
    }
    tr->nhist = (int)h[10];
    /* Zero everything first: slots past n_links must hold no weight and no moment. */
    memset(tr->net.link_w, 0, sizeof(float) * tr->seg_len[SEG_LINK_]);
    memset(tr->sign, 0, (size_t)tr->cap * tr->k);
    memset(tr->pen, 0, sizeof(float) * (size_t)tr->cap);
    Arr_ a[16];
    int na = arrays_(tr, a);
    for (int i = 0; i < na; i++) {
        uint64_t b;
        if (fread(&b, sizeof b, 1, f) != 1 || b != a[i].bytes || (b && fread(a[i].p, 1, b, f) != b)) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT,
                            "%s: array %d: expected %zu bytes; the file is truncated or from "
                            "another configuration",
                            path, i, a[i].bytes);
            goto done;
        }
    }
done:
    fclose(f);
    return st;
}
