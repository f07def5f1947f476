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
    opt->pinned_first = 4;
    opt->pinned_last = 1;
    opt->iterations = 20000;
    opt->t_start = 0.02;
    opt->t_end = 0.0001;
    opt->seed = 1;
}

typedef struct {
    const MosaicArch *arch;
    const MosaicLinks *links;
    const int32_t *start, *order, *cap;
    int32_t *count, *stamp;
    int ncp;
    double weight; /* cost of one violation */
} Eval_;

static void eval_(const Eval_ *e, const int32_t *place, int *violations, int64_t *devices) {
    mapper_count_(e->arch, e->links, e->start, e->order, place, e->count, e->stamp, NULL);
    MapperDevices_ dev;
    mapper_devices_(e->arch, e->count, &dev);
    *violations = mapper_violations_(e->ncp, e->count, e->cap);
    *devices = dev.total;
}

static int better_(int v, int64_t m, int bv, int64_t bm) { return v < bv || (v == bv && m < bm); }

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
    MosaicStatus st = start && order && stamp && count && cap && place
                          ? mapper_group_by_source_(links, arch, "links", start, order, stamp, err)
                          : mosaic_err(err, MOSAIC_ERR_NOMEM, "placement: out of memory");
    if (st == MOSAIC_OK) {
        mapper_capacities_(arch, cap);
        Eval_ e = {arch, links, start, order, cap, count, stamp, ncp, 0};
        /* the weight of a violation: M of the array without links */
        memset(count, 0, sizeof(int32_t) * (size_t)ncp);
        MapperDevices_ empty;
        mapper_devices_(arch, count, &empty);
        e.weight = (double)empty.total;
        for (int t = 0; t < tiles; t++) place[t] = t;
        int v, bv;
        int64_t m, bm;
        eval_(&e, place, &v, &m);
        bv = report->violations_before = v;
        bm = report->devices_before = m;
        const int lo = opt->pinned_first < 0 ? 0 : opt->pinned_first;
        const int hi = tiles - (opt->pinned_last < 0 ? 0 : opt->pinned_last); /* movable: [lo, hi) */
        double cost = v * e.weight + (double)m;
        const double t0 = opt->t_start * cost, t1 = opt->t_end * cost;
        MosaicRng rng;
        mosaic_rng_seed(&rng, opt->seed);
        for (int it = 0; hi - lo >= 2 && it < opt->iterations; it++) {
            const double frac = opt->iterations > 1 ? (double)it / (opt->iterations - 1) : 1.0;
            const double temp = t0 > 0 && t1 > 0 ? t0 * pow(t1 / t0, frac) : 0.0;
            const int a = lo + (int)mosaic_rng_below(&rng, (uint64_t)(hi - lo));
            int b = lo + (int)mosaic_rng_below(&rng, (uint64_t)(hi - lo - 1));
            if (b >= a) b++;
            int32_t tmp = place[a];
            place[a] = place[b];
            place[b] = tmp;
            int nv;
            int64_t nm;
            eval_(&e, place, &nv, &nm);
            const double ncost = nv * e.weight + (double)nm;
            const double u = mosaic_rng_uniform(&rng);
            if (ncost <= cost || (temp > 0 && u < exp((cost - ncost) / temp))) {
                cost = ncost;
                report->moves_accepted++;
                if (better_(nv, nm, bv, bm)) {
                    bv = nv;
                    bm = nm;
                    memcpy(placement, place, sizeof(int32_t) * (size_t)tiles);
                }
            } else {
                tmp = place[a];
                place[a] = place[b];
                place[b] = tmp;
            }
        }
        report->violations_after = bv;
        report->devices_after = bm;
    }
    free(start), free(order), free(stamp), free(count), free(cap), free(place);
    return st;
}
