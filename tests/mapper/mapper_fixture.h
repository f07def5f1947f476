/* Helpers shared by the mapper tests. */
#ifndef MAPPER_FIXTURE_H
#define MAPPER_FIXTURE_H

#include "mosaic_mapper.h"
#include "mosaic_test.h"

/* A random network with the reference budget rule. */
static inline void fixture_random_links(MosaicLinks *l, const MosaicArch *a, const char *profile,
                                        uint64_t seed) {
    MosaicProfile p;
    MosaicErr err;
    mosaic_links_init(l);
    CHECK(mosaic_profile_parse(&p, profile, "test", &err) == MOSAIC_OK);
    CHECK(mosaic_links_random(l, a, &p, seed, &err) == MOSAIC_OK);
}

/* Annealing with the default pins (4 input tiles, the last tile) for `iterations` moves. */
static inline void fixture_anneal(int32_t *place, MosaicAnnealReport *rep, const MosaicArch *a,
                                  const MosaicLinks *l, int iterations, uint64_t seed) {
    MosaicAnnealOptions opt;
    MosaicErr err;
    mosaic_anneal_default(&opt);
    opt.iterations = iterations;
    opt.seed = seed;
    CHECK(mosaic_place_anneal(place, rep, a, l, &opt, &err) == MOSAIC_OK);
    printf("  anneal %d moves: violations %d -> %d, M %lld -> %lld\n", iterations, rep->violations_before,
           rep->violations_after, (long long)rep->devices_before, (long long)rep->devices_after);
}

#endif
