/* Placement search on a scrambled network (heavier: label integration). Randomised: --seed N. */
#include "mosaic_mapper.h"
#include "mosaic_rng.h"
#include "mosaic_test.h"

static void random_links_(MosaicLinks *l, const MosaicArch *a, const char *profile, uint64_t seed) {
    MosaicProfile p;
    MosaicErr err;
    mosaic_links_init(l);
    CHECK(mosaic_profile_parse(&p, profile, "test", &err) == MOSAIC_OK);
    CHECK(mosaic_links_random(l, a, &p, seed, &err) == MOSAIC_OK);
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 20261122);
    MosaicArch a;
    mosaic_arch_default(&a);
    MosaicErr err;
    TEST("AnnealingRecoversAScrambledPlacement") {
        /* a network drawn at identity, then its movable tiles renumbered at random: far from the best
         * placement, which annealing should largely restore */
        MosaicLinks l;
        random_links_(&l, &a, "1:0.8,3:0.1", seed);
        int perm[25];
        for (int t = 0; t < 25; t++) perm[t] = t;
        MosaicRng rng;
        mosaic_rng_seed(&rng, seed + 5);
        for (int t = 23; t > 4; t--) {
            const int j = 4 + (int)mosaic_rng_below(&rng, (uint64_t)(t - 4 + 1)), x = perm[t];
            perm[t] = perm[j], perm[j] = x;
        }
        for (int i = 0; i < l.n; i++) {
            l.src[i] = perm[l.src[i] / 32] * 32 + l.src[i] % 32;
            l.dst[i] = perm[l.dst[i]];
        }
        MosaicAnnealOptions opt;
        mosaic_anneal_default(&opt);
        opt.iterations = 12000;
        opt.seed = seed;
        int32_t place[25];
        MosaicAnnealReport rep;
        CHECK(mosaic_place_anneal(place, &rep, &a, &l, &opt, &err) == MOSAIC_OK);
        printf("  scrambled: violations %d -> %d, M %lld -> %lld\n", rep.violations_before,
               rep.violations_after, (long long)rep.devices_before, (long long)rep.devices_after);
        CHECK(rep.violations_after * 10 < rep.violations_before * 7);
        CHECK(rep.devices_after * 2 < rep.devices_before);
        mosaic_links_free(&l);
    }
    return mosaic_test_finish();
}
