/* Placement: simulated annealing over tile permutations (input and output tiles pinned). Each move
 * swaps the places of two movable tiles and recounts the port loads of the whole network (a few tens
 * of microseconds for 5x5), so the cost is exact: violations and M as mosaic_map reports them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_mapper.h"
#include "mosaic_mapper_internal.h"
#include "mosaic_rng.h"

void mosaic_anneal_default(MosaicAnnealOptions *opt) {
    memset(opt, 0, sizeof *opt);
    opt->pinned_first = 4; /* the case study's input tiles; callers set mosaic_input_tiles of their network */
    opt->pinned_last = 1;
    opt->iterations = 20000;
    opt->t_start = 3.0;
    opt->t_end = 0.003;
    opt->seed = 1;
}

typedef struct {
    const MosaicArch *arch;
    const MosaicLinks *links;
    const int32_t *start, *order, *cap;
    int32_t *count, *stamp;
    int ncp;
    double weight; /* cost of one violation or one line over capacity */
} Eval_;

/* Port loads under `place`: violations, their total excess over capacity (the annealing's smooth
 * measure of how far from mappable) and M. */
static void eval_(const Eval_ *e, const int32_t *place, int *violations, int64_t *excess, int64_t *devices,
                  int64_t *wire) {
    mapper_count_(e->arch, e->links, e->start, e->order, place, e->count, e->stamp, NULL);
    MapperDevices_ dev;
    mapper_devices_(e->arch, e->count, &dev);
    int v = 0;
    int64_t x = 0, w = 0;
    for (int i = 0; i < e->ncp; i++) {
        w += e->count[i];
        if (e->count[i] > e->cap[i]) v++, x += e->count[i] - e->cap[i];
    }
    *violations = v;
    *excess = x;
    *devices = dev.total;
    *wire = w;
}

static int better_(int v, int64_t m, int bv, int64_t bm) { return v < bv || (v == bv && m < bm); }

/* Violations and lines over capacity first, then M; the total port load (lines summed over all ports,
 * the wiring) adds a smooth slope where the maxima behind M do not move. */
static double cost_(const Eval_ *e, int v, int64_t x, int64_t m, int64_t w) {
    return (v + (double)x) * e->weight + (double)m + (double)w * e->weight * 0.01;
}

static void swap_(int32_t *place, int a, int b) {
    const int32_t t = place[a];
    place[a] = place[b];
    place[b] = t;
}

/* A move: swap logical tile a with a movable tile placed next to it (3 in 4) or with any movable tile.
 * Local swaps keep most neighbour links short, which random swaps rarely do. */
static void pick_(MosaicRng *rng, const MosaicArch *arch, const int32_t *place, const int32_t *inverse,
                  int lo, int hi, int *a, int *b) {
    *a = lo + (int)mosaic_rng_below(rng, (uint64_t)(hi - lo));
    if (mosaic_rng_below(rng, 4) != 0) {
        const int p = place[*a], r = mosaic_tile_row(arch, p), c = mosaic_tile_col(arch, p);
        const int dir = (int)mosaic_rng_below(rng, 4);
        const int nr = r + mosaic_dir_dr(dir), nc = c + mosaic_dir_dc(dir);
        if (nr >= 0 && nr < arch->rows && nc >= 0 && nc < arch->cols) {
            const int t = inverse[nr * arch->cols + nc];
            if (t >= lo && t < hi) {
                *b = t;
                return;
            }
        }
    }
    *b = lo + (int)mosaic_rng_below(rng, (uint64_t)(hi - lo - 1));
    if (*b >= *a) (*b)++;
}

MosaicStatus mosaic_place_anneal(int32_t *placement, MosaicAnnealReport *report, const MosaicArch *arch,
                                 const MosaicLinks *links, const MosaicAnnealOptions *opt, MosaicErr *err) {
    const int tiles = mosaic_arch_tiles(arch), N = mosaic_arch_neurons(arch);
    const int ncp = mosaic_cells(arch) * MOSAIC_NPORTS;
    memset(report, 0, sizeof *report);
    for (int t = 0; t < tiles; t++) placement[t] = t;
    int32_t *start = malloc(sizeof(int32_t) * ((size_t)N + 1));
    int32_t *order = malloc(sizeof(int32_t) * ((size_t)links->n + 1));
    int32_t *stamp = malloc(sizeof(int32_t) * (size_t)(ncp > tiles ? ncp : tiles));
    int32_t *count = malloc(sizeof(int32_t) * (size_t)ncp);
    int32_t *cap = malloc(sizeof(int32_t) * (size_t)ncp);
    int32_t *place = malloc(sizeof(int32_t) * (size_t)tiles);
    int32_t *inverse = malloc(sizeof(int32_t) * (size_t)tiles);
    MosaicStatus st = start && order && stamp && count && cap && place && inverse
                          ? mapper_group_by_source_(links, arch, "links", start, order, stamp, err)
                          : mosaic_err(err, MOSAIC_ERR_NOMEM, "placement: out of memory");
    if (st == MOSAIC_OK) {
        mapper_capacities_(arch, cap);
        Eval_ e = {arch, links, start, order, cap, count, stamp, ncp, 0};
        /* one line over capacity weighs a tenth of the routers of an empty array */
        memset(count, 0, sizeof(int32_t) * (size_t)ncp);
        MapperDevices_ empty;
        mapper_devices_(arch, count, &empty);
        e.weight = (double)empty.total / 10;
        for (int t = 0; t < tiles; t++) place[t] = inverse[t] = t;
        int v, bv;
        int64_t x, m, bm, w;
        eval_(&e, place, &v, &x, &m, &w);
        bv = report->violations_before = v;
        bm = report->devices_before = m;
        double cost = cost_(&e, v, x, m, w);
        const int lo = opt->pinned_first < 0 ? 0 : opt->pinned_first;
        const int hi = tiles - (opt->pinned_last < 0 ? 0 : opt->pinned_last); /* movable: [lo, hi) */
        MosaicRng rng;
        mosaic_rng_seed(&rng, opt->seed);
        /* temperature scale: the median uphill step of a few sample moves from the start */
        double up[64];
        int nup = 0;
        for (int i = 0; hi - lo >= 2 && i < 64; i++) {
            int a, b, nv;
            int64_t nx, nm, nw;
            pick_(&rng, arch, place, inverse, lo, hi, &a, &b);
            swap_(place, a, b);
            eval_(&e, place, &nv, &nx, &nm, &nw);
            swap_(place, a, b);
            const double d = cost_(&e, nv, nx, nm, nw) - cost;
            if (d > 0) up[nup++] = d;
        }
        for (int i = 1; i < nup; i++) /* insertion sort: 64 values at most */
            for (int j = i; j > 0 && up[j - 1] > up[j]; j--) {
                const double t = up[j];
                up[j] = up[j - 1];
                up[j - 1] = t;
            }
        const double scale = nup ? up[nup / 2] : 0.0;
        const double t0 = opt->t_start * scale, t1 = opt->t_end * scale;
        for (int it = 0; hi - lo >= 2 && it < opt->iterations; it++) {
            const double frac = opt->iterations > 1 ? (double)it / (opt->iterations - 1) : 1.0;
            const double temp = t0 > 0 && t1 > 0 ? t0 * pow(t1 / t0, frac) : 0.0;
            int a, b, nv;
            int64_t nx, nm, nw;
            pick_(&rng, arch, place, inverse, lo, hi, &a, &b);
            swap_(place, a, b);
            eval_(&e, place, &nv, &nx, &nm, &nw);
            const double ncost = cost_(&e, nv, nx, nm, nw);
            const double u = mosaic_rng_uniform(&rng);
            if (ncost <= cost || (temp > 0 && u < exp((cost - ncost) / temp))) {
                cost = ncost;
                inverse[place[a]] = a;
                inverse[place[b]] = b;
                report->moves_accepted++;
                if (better_(nv, nm, bv, bm)) {
                    bv = nv;
                    bm = nm;
                    memcpy(placement, place, sizeof(int32_t) * (size_t)tiles);
                }
            } else {
                swap_(place, a, b);
            }
        }
        /* polish: steepest descent over all swaps of two movable tiles from the best placement found */
        memcpy(place, placement, sizeof(int32_t) * (size_t)tiles);
        eval_(&e, place, &v, &x, &m, &w);
        cost = cost_(&e, v, x, m, w);
        for (int improved = 1; improved && hi - lo >= 2;) {
            improved = 0;
            int ba = -1, bb = -1;
            double bcost = cost;
            for (int a = lo; a < hi; a++)
                for (int b = a + 1; b < hi; b++) {
                    int nv;
                    int64_t nx, nm, nw;
                    swap_(place, a, b);
                    eval_(&e, place, &nv, &nx, &nm, &nw);
                    swap_(place, a, b);
                    const double c = cost_(&e, nv, nx, nm, nw);
                    if (c < bcost) bcost = c, ba = a, bb = b;
                }
            if (ba >= 0) {
                swap_(place, ba, bb);
                cost = bcost;
                improved = 1;
                eval_(&e, place, &v, &x, &m, &w);
                if (better_(v, m, bv, bm)) {
                    bv = v;
                    bm = m;
                    memcpy(placement, place, sizeof(int32_t) * (size_t)tiles);
                }
            }
        }
        report->violations_after = bv;
        report->devices_after = bm;
    }
    free(start), free(order), free(stamp), free(count), free(cap), free(place), free(inverse);
    return st;
}
