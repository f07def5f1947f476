/* Quantised rewiring, the pure pieces: the cost rule, one neuron's projection on hand-made cases (dormancy
 * at level 0, L1 and random removal, counts mode with the single-synapse clamp, growth up to the target
 * within the allowed structure), the lines_per_side mode (the side a link enters by, the projection per
 * side, growth per side), the fan-in of a network (per neuron and per side), and the config errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_quant.h"
#include "mosaic_test.h"

static MosaicQuantRule rule_(int fanin, int mode, int removal, int target) {
    MosaicQuantRule r = {11, mosaic_device_step(1.0, 11), fanin, mode, removal, target};
    return r;
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 42);
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, 1);

    TEST("CostBoundsEveryRounding") {
        const double step = 0.1;
        CHECK_EQ_INT(mosaic_quant_cost(0.3, step, 11), 3); /* 0.3 / 0.1 is 2.9999999999999996 */
        CHECK_EQ_INT(mosaic_quant_cost(0.31, step, 11), 4);
        CHECK_EQ_INT(mosaic_quant_cost(-0.25, step, 11), 3);
        CHECK_EQ_INT(mosaic_quant_cost(0.0, step, 11), 0);
        CHECK_EQ_INT(mosaic_quant_cost(5.0, step, 11), 10); /* at most levels - 1 */
        for (int i = 0; i < 2000; i++) {
            const double w = 2.2 * mosaic_rng_uniform(&rng) - 1.1;
            CHECK(mosaic_device_level(fabs(w), step, 11) <= mosaic_quant_cost(w, step, 11));
            CHECK(mosaic_quant_cost(w, step, 11) <= (int)ceil(fabs(w) / step));
        }
        /* An exported level weight reads back as the same level (the simulator's rule). */
        for (int c = 0; c < 11; c++)
            CHECK_EQ_INT(mosaic_device_level(fabs(mosaic_device_level_weight(c, step, -1)), step, 11), c);
    }

    TEST("SynapsesModeL1RemovesTheSmallestAfterDormancy") {
        const MosaicQuantRule r = rule_(3, MOSAIC_QUANT_FANIN_SYNAPSES, MOSAIC_QUANT_REMOVE_L1, 0);
        float w[5] = {0.5f, -0.2f, 0.9f, 0.04f, -0.7f};
        uint8_t live[5] = {1, 1, 1, 1, 1}, changed[5] = {0};
        const int fan = mosaic_quant_project(w, live, NULL, changed, 5, &r, &rng);
        CHECK_EQ_INT(fan, 3);
        const uint8_t want_live[5] = {1, 0, 1, 0, 1}, want_changed[5] = {0, 1, 0, 1, 0};
        CHECK(memcmp(live, want_live, 5) == 0);
        CHECK(memcmp(changed, want_changed, 5) == 0);
        CHECK(w[0] == 0.5f && w[1] == 0 && w[2] == 0.9f && w[3] == 0 && w[4] == -0.7f);
    }

    TEST("CountsModeRemovesUntilTheCountsFitAndClampsALoneSynapse") {
        MosaicQuantRule r = rule_(10, MOSAIC_QUANT_FANIN_COUNTS, MOSAIC_QUANT_REMOVE_L1, 0);
        float w[3] = {0.5f, -0.2f, 0.9f}; /* costs 5, 2, 9: total 16 */
        uint8_t live[3] = {1, 1, 1};
        CHECK_EQ_INT(mosaic_quant_project(w, live, NULL, NULL, 3, &r, &rng), 9);
        CHECK(live[0] == 0 && live[1] == 0 && live[2] == 1 && w[2] == 0.9f);
        r.fanin = 4;
        CHECK_EQ_INT(mosaic_quant_project(w, live, NULL, NULL, 3, &r, &rng), 4);
        CHECK(live[2] == 1);
        CHECK(w[2] == mosaic_device_level_weight(4, r.step, 1));
        CHECK_EQ_INT(mosaic_quant_cost(w[2], r.step, 11), 4);
    }

    TEST("RandomRemovalPicksEveryLiveSynapse") {
        const MosaicQuantRule r = rule_(2, MOSAIC_QUANT_FANIN_SYNAPSES, MOSAIC_QUANT_REMOVE_RANDOM, 0);
        int removed[4] = {0};
        const int trials = 400;
        for (int t = 0; t < trials; t++) {
            float w[4] = {0.5f, 0.6f, -0.7f, 0.8f};
            uint8_t live[4] = {1, 1, 1, 1};
            CHECK_EQ_INT(mosaic_quant_project(w, live, NULL, NULL, 4, &r, &rng), 2);
            for (int i = 0; i < 4; i++) removed[i] += !live[i];
        }
        /* Each synapse is removed with probability 1/2: 200 of 400 expected, 140 is 6 sigma away. */
        for (int i = 0; i < 4; i++) CHECK(removed[i] > 140 && removed[i] < 260);
        printf("  removed %d %d %d %d of %d\n", removed[0], removed[1], removed[2], removed[3], trials);
    }

    TEST("GrowthReachesTheTargetOnlyWhereAllowed") {
        const MosaicQuantRule r = rule_(4, MOSAIC_QUANT_FANIN_SYNAPSES, MOSAIC_QUANT_REMOVE_L1, 3);
        float w[5] = {0};
        uint8_t live[5] = {0}, allowed[5] = {1, 1, 0, 1, 1};
        CHECK_EQ_INT(mosaic_quant_project(w, live, allowed, NULL, 5, &r, &rng), 3);
        int n = 0;
        for (int i = 0; i < 5; i++) {
            n += live[i];
            if (live[i])
                CHECK(fabsf(w[i]) == mosaic_device_level_weight(1, r.step, 1));
            else
                CHECK(w[i] == 0);
        }
        CHECK_EQ_INT(n, 3);
        CHECK(!live[2]);
        /* Fewer allowed candidates than the target: all of them, no more. */
        float w2[3] = {0};
        uint8_t live2[3] = {0}, allowed2[3] = {0, 1, 0};
        CHECK_EQ_INT(mosaic_quant_project(w2, live2, allowed2, NULL, 3, &r, &rng), 1);
        CHECK(live2[1] && !live2[0] && !live2[2]);
    }

    TEST("EntrySideIsTheRoutesLastPortAndMatchesRoutingMd") {
        MosaicArch arch;
        mosaic_arch_default(&arch); /* 5x5 */
        const int T = mosaic_arch_tiles(&arch);
        /* Hand-made cases around tile 12 (row 2, column 2). */
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 7, 12), MOSAIC_DIR_N);  /* north neighbour */
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 17, 12), MOSAIC_DIR_S); /* south neighbour */
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 11, 12), MOSAIC_DIR_W); /* west neighbour */
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 13, 12), MOSAIC_DIR_E); /* east neighbour */
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 2, 12), MOSAIC_DIR_W);  /* same column: from W */
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 22, 12), MOSAIC_DIR_W);
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 10, 12), MOSAIC_DIR_W); /* same row, west */
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 4, 12), MOSAIC_DIR_E);  /* north-east */
        CHECK_EQ_INT(mosaic_quant_entry_side(&arch, 20, 12), MOSAIC_DIR_W); /* south-west */
        /* Every pair: routing.md "an NT's in_N/in_S only receive its direct N/S neighbour; all other
         * traffic enters from E or W", E exactly from tiles east of the destination. */
        int per_side[4] = {0};
        for (int a = 0; a < T; a++)
            for (int b = 0; b < T; b++) {
                if (a == b) continue;
                const int d = mosaic_quant_entry_side(&arch, a, b);
                per_side[d]++;
                const int ar = mosaic_tile_row(&arch, a), ac = mosaic_tile_col(&arch, a),
                          br = mosaic_tile_row(&arch, b), bc = mosaic_tile_col(&arch, b);
                if (d == MOSAIC_DIR_N) CHECK(ac == bc && ar == br - 1);
                if (d == MOSAIC_DIR_S) CHECK(ac == bc && ar == br + 1);
                if (d == MOSAIC_DIR_E) CHECK(ac > bc);
                if (d == MOSAIC_DIR_W) CHECK(ac <= bc && !(ac == bc && abs(ar - br) == 1));
            }
        CHECK_EQ_INT(per_side[MOSAIC_DIR_N], 20); /* 5 columns x 4 vertical neighbour pairs */
        CHECK_EQ_INT(per_side[MOSAIC_DIR_S], 20);
        CHECK_EQ_INT(per_side[MOSAIC_DIR_N] + per_side[MOSAIC_DIR_E] + per_side[MOSAIC_DIR_S] +
                         per_side[MOSAIC_DIR_W],
                     T * (T - 1));
    }

    TEST("LinesPerSideLimitsEachSideAndLeavesUnroutedSynapses") {
        const MosaicQuantRule r = rule_(2, MOSAIC_QUANT_FANIN_LINES_PER_SIDE, MOSAIC_QUANT_REMOVE_L1, 0);
        /* two unrouted (input row, intra block), three on N, two on E, one on W */
        const int8_t side[8] = {-1,           -1,           MOSAIC_DIR_N, MOSAIC_DIR_N,
                                MOSAIC_DIR_N, MOSAIC_DIR_E, MOSAIC_DIR_E, MOSAIC_DIR_W};
        float w[8] = {0.01f, 0.9f, 0.5f, -0.2f, 0.9f, 0.3f, 0.04f, -0.7f};
        uint8_t live[8] = {1, 1, 1, 1, 1, 1, 1, 1}, changed[8] = {0};
        CHECK_EQ_INT(mosaic_quant_project_sides(w, live, NULL, changed, side, 8, &r, &rng), 2);
        /* N: the smallest of three goes; E: 0.04 rounds to level 0 (dormant); W: within the limit; the
         * unrouted 0.01 stays although it is at level 0: no side line, no limit, no rewiring. */
        const uint8_t want_live[8] = {1, 1, 1, 0, 1, 1, 0, 1}, want_changed[8] = {0, 0, 0, 1, 0, 0, 1, 0};
        CHECK(memcmp(live, want_live, 8) == 0);
        CHECK(memcmp(changed, want_changed, 8) == 0);
        CHECK(w[0] == 0.01f && w[3] == 0 && w[6] == 0 && w[7] == -0.7f);
        /* A limit of 1: one line per side, the largest one each. */
        MosaicQuantRule r1 = r;
        r1.fanin = 1;
        CHECK_EQ_INT(mosaic_quant_project_sides(w, live, NULL, NULL, side, 8, &r1, &rng), 1);
        const uint8_t want1[8] = {1, 1, 0, 0, 1, 1, 0, 1};
        CHECK(memcmp(live, want1, 8) == 0);
    }

    TEST("LinesPerSideRandomRemovalStaysOnTheOverfullSide") {
        const MosaicQuantRule r = rule_(1, MOSAIC_QUANT_FANIN_LINES_PER_SIDE, MOSAIC_QUANT_REMOVE_RANDOM, 0);
        const int8_t side[5] = {MOSAIC_DIR_S, MOSAIC_DIR_S, MOSAIC_DIR_S, MOSAIC_DIR_E, -1};
        int kept[3] = {0};
        for (int t = 0; t < 300; t++) {
            float w[5] = {0.9f, 0.5f, -0.3f, 0.2f, 0.6f};
            uint8_t live[5] = {1, 1, 1, 1, 1};
            CHECK_EQ_INT(mosaic_quant_project_sides(w, live, NULL, NULL, side, 5, &r, &rng), 1);
            CHECK_EQ_INT(live[0] + live[1] + live[2], 1);
            CHECK(live[3] && live[4]);
            for (int i = 0; i < 3; i++) kept[i] += live[i];
        }
        /* Each S line is kept with probability 1/3: 100 of 300 expected, 50 is over 6 sigma away. */
        for (int i = 0; i < 3; i++) CHECK(kept[i] > 50 && kept[i] < 150);
        printf("  kept %d %d %d of 300\n", kept[0], kept[1], kept[2]);
    }

    TEST("LinesPerSideGrowsEachSideToTheTarget") {
        const MosaicQuantRule r = rule_(3, MOSAIC_QUANT_FANIN_LINES_PER_SIDE, MOSAIC_QUANT_REMOVE_L1, 2);
        /* N has 3 candidates (one banned), E one, W one live already plus two; S none; one unrouted. */
        const int8_t side[9] = {MOSAIC_DIR_N, MOSAIC_DIR_N, MOSAIC_DIR_N, MOSAIC_DIR_E, MOSAIC_DIR_W,
                                MOSAIC_DIR_W, MOSAIC_DIR_W, -1,           MOSAIC_DIR_N};
        float w[9] = {0, 0, 0, 0, 0.5f, 0, 0, 0, 0};
        uint8_t live[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0}, allowed[9] = {1, 0, 1, 1, 1, 1, 1, 1, 1};
        CHECK_EQ_INT(mosaic_quant_project_sides(w, live, allowed, NULL, side, 9, &r, &rng), 2);
        CHECK_EQ_INT(live[0] + live[1] + live[2] + live[8], 2);
        CHECK(!live[1]); /* not allowed */
        CHECK(live[3]);  /* the only E candidate */
        CHECK(live[4] && w[4] == 0.5f);
        CHECK_EQ_INT(live[5] + live[6], 1); /* W: one more to reach 2 */
        CHECK(!live[7] && w[7] == 0);       /* unrouted: never grown in this mode */
        for (int i = 0; i < 9; i++)
            if (live[i] && i != 4) CHECK(fabsf(w[i]) == mosaic_device_level_weight(1, r.step, 1));
    }

    TEST("FaninOfANetwork") {
        MosaicArch arch;
        mosaic_arch_default(&arch);
        arch.rows = 2, arch.cols = 2, arch.neurons_per_tile = 4;
        MosaicNetwork net;
        MosaicErr err;
        CHECK(mosaic_network_create(&net, &arch, 4, 2, 4, &err) == MOSAIC_OK);
        const double step = 0.1;
        net.w_in[1 * 4 + 2] = 0.3f;              /* channel 1 -> neuron 2 */
        net.w_intra[4 * 4 + 0 * 4 + 2] = 0.2f;   /* tile 0 block is input: ignored by kind, counted here */
        net.w_intra[1 * 16 + 3 * 4 + 1] = -0.5f; /* tile 1: neuron 7 -> neuron 5 */
        const float lw[4] = {0, 0.1f, 0, 0.25f};
        CHECK(mosaic_network_add_link(&net, 2, 1, lw) >= 0); /* neuron 2 -> tile 1: neurons 5 and 7 */
        int32_t syn[16];
        int64_t cnt[16];
        mosaic_quant_fanin(&net, step, 11, syn, cnt);
        CHECK_EQ_INT(syn[2], 1);
        CHECK_EQ_INT(cnt[2], 3);
        CHECK_EQ_INT(syn[5], 2);
        CHECK_EQ_INT(cnt[5], 6); /* 5 + 1 */
        CHECK_EQ_INT(syn[7], 1);
        CHECK_EQ_INT(cnt[7], 3); /* 0.25 rounds half away from zero */
        CHECK_EQ_INT(syn[0], 0);
        /* Per side (2x2 tiles: 0 1 / 2 3): the link 2 -> tile 1 comes from the west neighbour. */
        CHECK(mosaic_network_add_link(&net, 13, 1, lw) >= 0); /* tile 3 -> tile 1: south neighbour */
        const float lw2[4] = {0.3f, 0, 0, 0};
        CHECK(mosaic_network_add_link(&net, 9, 1, lw2) >= 0); /* tile 2 -> 1: other column, from W */
        CHECK(mosaic_network_add_link(&net, 12, 0, lw) >= 0); /* tile 3 -> 0: source east, from E */
        int32_t lines[64];
        mosaic_quant_fanin_sides(&net, lines);
        const int32_t want5[4] = {0, 0, 1, 1}, want4[4] = {0, 0, 0, 1}, want1[4] = {0, 1, 0, 0},
                      none[4] = {0};
        CHECK(memcmp(lines + 4 * 5, want5, sizeof want5) == 0); /* N E S W */
        CHECK(memcmp(lines + 4 * 7, want5, sizeof want5) == 0);
        CHECK(memcmp(lines + 4 * 4, want4, sizeof want4) == 0);
        CHECK(memcmp(lines + 4 * 1, want1, sizeof want1) == 0);
        CHECK(memcmp(lines + 4 * 6, none, sizeof none) == 0);
        CHECK(memcmp(lines + 4 * 2, none, sizeof none) == 0); /* input rows and intra blocks: no side */
        mosaic_network_free(&net);
    }

    TEST("ConfigErrorsNameTheKeys") {
        MosaicArch arch;
        mosaic_arch_default(&arch);
        MosaicTrainConfig c;
        MosaicErr err;
        mosaic_train_config_default(&c);
        c.quant_levels = 1;
        CHECK(mosaic_train_config_validate(&c, &arch, "t.yaml", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "train.quant.levels") != NULL);
        c.quant_levels = 4;
        c.method = MOSAIC_METHOD_DEEPR;
        CHECK(mosaic_train_config_validate(&c, &arch, "t.yaml", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "deepr") != NULL);
        c.method = MOSAIC_METHOD_DENSE;
        arch.device.levels = 8;
        CHECK(mosaic_train_config_validate(&c, &arch, "t.yaml", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "device.levels") != NULL);
        arch.device.levels = 4;
        c.quant_fanin = 8, c.quant_target = 9;
        CHECK(mosaic_train_config_validate(&c, &arch, "t.yaml", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "train.quant.target") != NULL);
        c.quant_target = 8;
        CHECK(mosaic_train_config_validate(&c, &arch, "t.yaml", &err) == MOSAIC_OK);
        /* The keys are in the table, so --set works and a bad enum value is refused. */
        MosaicCfgSection sec = mosaic_train_config_section(&c);
        CHECK(mosaic_cfg_set("train.quant.fanin_mode=counts", &sec, 1, &err) == MOSAIC_OK);
        CHECK(mosaic_cfg_set("train.quant.removal=random", &sec, 1, &err) == MOSAIC_OK);
        CHECK(mosaic_cfg_set("train.quant.base=optimised", &sec, 1, &err) == MOSAIC_OK);
        CHECK(mosaic_cfg_set("train.quant.fanin_mode=lines_per_side", &sec, 1, &err) == MOSAIC_OK);
        CHECK(c.quant_fanin_mode == MOSAIC_QUANT_FANIN_LINES_PER_SIDE);
        CHECK(mosaic_cfg_set("train.quant.fanin_mode=counts", &sec, 1, &err) == MOSAIC_OK);
        CHECK(c.quant_fanin_mode == MOSAIC_QUANT_FANIN_COUNTS &&
              c.quant_removal == MOSAIC_QUANT_REMOVE_RANDOM && c.quant_learn_gmax == 1);
        CHECK(mosaic_cfg_set("train.quant.removal=smallest", &sec, 1, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "train.quant.removal") != NULL);
    }
    return mosaic_test_finish();
}
