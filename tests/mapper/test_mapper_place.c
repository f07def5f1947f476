/* Placement search on a scrambled network (heavier: label integration). Randomised: --seed N. */
#include "mapper_fixture.h"
#include "mosaic_mapper.h"
#include "mosaic_rng.h"
#include "mosaic_test.h"

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 20261122);
    MosaicArch a;
    mosaic_arch_default(&a);
    TEST("AnnealingRecoversAScrambledPlacement") {
        /* a network drawn at identity, then its movable tiles renumbered at random: far from the best
         * placement, which annealing should largely restore */
        MosaicLinks l;
        fixture_random_links(&l, &a, "1:0.8,3:0.1", seed);
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
        int32_t place[25];
        MosaicAnnealReport rep;
        fixture_anneal(place, &rep, &a, &l, 12000, seed);
        CHECK(rep.violations_after * 10 < rep.violations_before * 7);
        CHECK(rep.devices_after * 2 < rep.devices_before);
        mosaic_links_free(&l);
    }
    return mosaic_test_finish();
}
