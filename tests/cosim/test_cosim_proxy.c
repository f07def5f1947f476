/* The proxy's memory and mappability estimate from gamma_d. */
#include <stdlib.h>

#include "mosaic_mapper.h"
#include "mosaic_proxy.h"
#include "mosaic_test.h"

int main(int argc, char **argv) {
    uint64_t seed = mosaic_test_seed(argc, argv, 7);
    MosaicArch a;
    mosaic_arch_default(&a);
    MosaicErr err;

    TEST("ProfileOfGammaReproducesTheBudgets") {
        MosaicProfile p, q;
        CHECK(mosaic_profile_parse(&p, "1:0.8,3:0.1", "t", &err) == MOSAIC_OK);
        MosaicLinks links;
        mosaic_links_init(&links);
        CHECK(mosaic_links_random(&links, &a, &p, seed, &err) == MOSAIC_OK);
        int gamma[16];
        mosaic_links_gamma(&links, &a, NULL, gamma);
        mosaic_proxy_profile_of(&a, gamma, &q);
        CHECK_NEAR(q.p[1], 0.8, 0.002); /* per-tile rounding moves it a little */
        CHECK_NEAR(q.p[3], 0.1, 0.002);
        CHECK_NEAR(q.p[5], 0.0, 0);
        /* a random network at the recovered profile has (almost) the same gamma */
        MosaicLinks again;
        mosaic_links_init(&again);
        CHECK(mosaic_links_random(&again, &a, &q, seed + 1, &err) == MOSAIC_OK);
        int g2[16];
        mosaic_links_gamma(&again, &a, NULL, g2);
        CHECK(abs(g2[1] - gamma[1]) <= 13 && abs(g2[3] - gamma[3]) <= 13);
        mosaic_links_free(&links);
        mosaic_links_free(&again);
    }
    TEST("BudgetsGiveExactlyTheNetworksGamma") {
        /* a trained network below its budgets: the rule at its profile rounds 197 links at d = 3 to
         * another total; the corrected budgets draw exactly 2046 and 197 */
        int gamma[16] = {0}, g[16];
        int *budgets =
            malloc(sizeof(int) * (size_t)mosaic_arch_tiles(&a) * ((size_t)mosaic_arch_max_distance(&a) + 1));
        gamma[1] = 2046, gamma[3] = 197;
        mosaic_proxy_budgets(&a, gamma, budgets);
        for (int extra = 0; extra < 8; extra++) {
            gamma[3] = 190 + extra; /* every nearby total, above and below the rule's */
            mosaic_proxy_budgets(&a, gamma, budgets);
            MosaicLinks links;
            mosaic_links_init(&links);
            CHECK(mosaic_links_random_budgets(&links, &a, budgets, seed + (uint64_t)extra, &err) ==
                  MOSAIC_OK);
            mosaic_links_gamma(&links, &a, NULL, g);
            CHECK_EQ_INT(g[1], 2046);
            CHECK_EQ_INT(g[3], gamma[3]);
            CHECK_EQ_INT(g[5], 0);
            mosaic_links_free(&links);
        }
        free(budgets);
    }
    TEST("EstimateMatchesTheReferenceMeans") {
        /* mosaic-reference.md §3: p1 0.80 / p3 0.00 -> M about 0.34 M and always mappable;
         * p1 0.80 / p3 0.10 -> about 0.70 M and (routing.md) never mappable on 32/32/8. */
        MosaicProfile p;
        MosaicProxyEstimate e;
        MosaicLinks links;
        int gamma[16];
        CHECK(mosaic_profile_parse(&p, "1:0.8", "t", &err) == MOSAIC_OK);
        mosaic_links_init(&links);
        CHECK(mosaic_links_random(&links, &a, &p, seed, &err) == MOSAIC_OK);
        mosaic_links_gamma(&links, &a, NULL, gamma);
        mosaic_links_free(&links);
        CHECK(mosaic_proxy_estimate(&a, gamma, 6, seed, &e, &err) == MOSAIC_OK);
        CHECK(e.mean_m > 0.30e6 && e.mean_m < 0.38e6);
        CHECK_NEAR(e.p_mappable, 1.0, 0);
        CHECK(mosaic_profile_parse(&p, "1:0.8,3:0.1", "t", &err) == MOSAIC_OK);
        mosaic_links_init(&links);
        CHECK(mosaic_links_random(&links, &a, &p, seed, &err) == MOSAIC_OK);
        mosaic_links_gamma(&links, &a, NULL, gamma);
        mosaic_links_free(&links);
        CHECK(mosaic_proxy_estimate(&a, gamma, 6, seed, &e, &err) == MOSAIC_OK);
        CHECK(e.mean_m > 0.62e6 && e.mean_m < 0.78e6);
        CHECK_NEAR(e.p_mappable, 0.0, 0);
        CHECK(e.sd_m > 0);
        printf("p1 0.8 / p3 0.1: proxy M %.0f +- %.0f\n", e.mean_m, e.sd_m);
    }
    TEST("EstimatesAtNearbySeedsShareNoDraws") {
        /* proxy-check gives consecutive networks consecutive seeds: 100 of them at 20 draws each must
         * draw 2000 different networks (seed + i gave about 120) */
        enum { SEEDS = 100, DRAWS = 20 };
        static uint64_t all[SEEDS * DRAWS];
        int n = 0, repeats = 0;
        for (int s = 0; s < SEEDS; s++)
            for (int i = 0; i < DRAWS; i++) all[n++] = mosaic_proxy_draw_seed(seed + (uint64_t)s, i);
        for (int x = 0; x < n; x++)
            for (int y = x + 1; y < n; y++) repeats += all[x] == all[y];
        CHECK_EQ_INT(repeats, 0);
    }
    TEST("QuantilesInterpolateLikeNumpy") {
        const double x[4] = {1, 2, 3, 4}, one[1] = {7};
        CHECK_NEAR(mosaic_quantile_sorted(x, 4, 0.5), 2.5, 1e-12);
        CHECK_NEAR(mosaic_quantile_sorted(x, 4, 0.9), 3.7, 1e-12);
        CHECK_NEAR(mosaic_quantile_sorted(x, 2, 0.9), 1.9, 1e-12); /* never below the median */
        CHECK_NEAR(mosaic_quantile_sorted(one, 1, 0.9), 7, 0);
    }
    TEST("PearsonOfLinearDataIsOne") {
        double x[4] = {1, 2, 3, 4}, y[4] = {3, 5, 7, 9}, z[4] = {1, 1, 1, 1};
        CHECK_NEAR(mosaic_pearson(x, y, 4), 1.0, 1e-12);
        CHECK(isnan(mosaic_pearson(x, z, 4)));
    }
    TEST("HalfTheDrawsFittingIsAFitAndTheMatrixCountsVerdicts") {
        MosaicProxyEstimate half = {.p_mappable = 0.5}, less = {.p_mappable = 0.49};
        CHECK(mosaic_proxy_predicts_fit(&half) && !mosaic_proxy_predicts_fit(&less));
        const int proxy[5] = {1, 1, 0, 0, 1}, exact[5] = {1, 0, 0, 0, 2}; /* nonzero = fits */
        int c[2][2] = {{9, 9}, {9, 9}};
        mosaic_proxy_confusion(proxy, exact, 5, c);
        CHECK(c[1][1] == 2 && c[1][0] == 1 && c[0][1] == 0 && c[0][0] == 2);
    }
    return mosaic_test_finish();
}
