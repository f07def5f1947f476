/* Quantised rewiring, the pure pieces: the cost rule, one neuron's projection on hand-made cases (dormancy
 * at level 0, L1 and random removal, counts mode with the single-synapse clamp, growth up to the target
 * within the allowed structure), the fan-in of a network, and the config errors. */
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
        CHECK(c.quant_fanin_mode == MOSAIC_QUANT_FANIN_COUNTS &&
              c.quant_removal == MOSAIC_QUANT_REMOVE_RANDOM && c.quant_learn_gmax == 1);
        CHECK(mosaic_cfg_set("train.quant.removal=smallest", &sec, 1, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "train.quant.removal") != NULL);
    }
    return mosaic_test_finish();
}
