/* Profiles and the exact per-(source tile, distance) link budgets. */
#include "mosaic_profile.h"
#include "mosaic_test.h"

int main(void) {
    MosaicProfile p;
    MosaicErr err;
    MosaicArch a;
    mosaic_arch_default(&a);

    TEST("ParsesDistanceFractionPairs") {
        CHECK(mosaic_profile_parse(&p, "1:0.8,3:0.1", "--profile", &err) == MOSAIC_OK);
        CHECK_EQ_INT(p.max_d, 3);
        CHECK_NEAR(p.p[1], 0.8, 0);
        CHECK_NEAR(p.p[3], 0.1, 0);
        CHECK_NEAR(p.p[5], 0.0, 0);
        char buf[64];
        mosaic_profile_format(&p, buf, sizeof buf);
        CHECK(strcmp(buf, "1:0.8,3:0.1") == 0);
    }
    TEST("RejectsEvenDistancesAndBadFractions") {
        CHECK(mosaic_profile_parse(&p, "2:0.5", "--profile", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "'2:0.5'") != NULL);
        CHECK(mosaic_profile_parse(&p, "1:1.5", "--profile", &err) == MOSAIC_ERR_INPUT);
        CHECK(mosaic_profile_parse(&p, "1:-0.1", "--profile", &err) == MOSAIC_ERR_INPUT);
        CHECK(mosaic_profile_parse(&p, "1=0.8", "--profile", &err) == MOSAIC_ERR_INPUT);
        CHECK(mosaic_profile_parse(&p, "", "--profile", &err) == MOSAIC_ERR_INPUT);
    }
    TEST("RoundsHalfToEvenExactly") {
        CHECK(mosaic_profile_parse(&p, "1:0.125,3:0.5", "t", &err) == MOSAIC_OK);
        CHECK_EQ_INT(mosaic_profile_budget_for(&p, 1, 4), 0);  /* 0.5 -> 0 */
        CHECK_EQ_INT(mosaic_profile_budget_for(&p, 1, 12), 2); /* 1.5 -> 2 */
        CHECK_EQ_INT(mosaic_profile_budget_for(&p, 1, 20), 2); /* 2.5 -> 2 */
        CHECK_EQ_INT(mosaic_profile_budget_for(&p, 3, 5), 2);  /* 2.5 -> 2 */
        CHECK_EQ_INT(mosaic_profile_budget_for(&p, 3, 7), 4);  /* 3.5 -> 4 */
        CHECK_EQ_INT(mosaic_profile_budget_for(&p, 5, 7), 0);  /* not given */
        /* 0.1 is not exact in binary; 0.1 * 32 * 5 = 16 exactly. */
        CHECK(mosaic_profile_parse(&p, "3:0.1", "t", &err) == MOSAIC_OK);
        CHECK_EQ_INT(mosaic_profile_budget_for(&p, 3, 160), 16);
        CHECK_EQ_INT(mosaic_profile_budget_for(&p, 3, 32 * 3), 10); /* 9.6 */
    }
    TEST("BudgetsFor5x5AtP1Only") {
        CHECK(mosaic_profile_parse(&p, "1:0.8", "t", &err) == MOSAIC_OK);
        int budgets[25 * 16];
        int64_t total = mosaic_profile_budgets(&p, &a, budgets);
        /* Rounded per tile: 4 corners x round(51.2) + 12 edges x round(76.8) + 9 inner x round(102.4)
         * = 204 + 924 + 918 (not 0.8 x 32 x 80 = 2048: budgets are per source tile). */
        CHECK_EQ_INT(total, 2046);
        CHECK_EQ_INT(budgets[0 * 16 + 1], 51);   /* round(0.8*32*2 = 51.2) */
        CHECK_EQ_INT(budgets[12 * 16 + 1], 102); /* centre: 4 neighbours, 102.4 */
        CHECK_EQ_INT(budgets[12 * 16 + 3], 0);
    }
    return mosaic_test_finish();
}
