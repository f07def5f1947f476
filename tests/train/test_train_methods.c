/* Every method trains a small network on the synthetic task: the invariants hold after every epoch
 * (exact budgets, protected links intact, masked weights and moments zero, no duplicate links), and the
 * accuracy ends well above chance. */
#include <stdlib.h>
#include <string.h>

#include "mosaic_test.h"
#include "mosaic_test_small_net.h"
#include "mosaic_trainer.h"

static void small_(MosaicTrainConfig *c, MosaicArch *a, int method) {
    mosaic_test_small_net(c, a, 3, 3, 42);
    c->method = method;
    strcpy(c->profile, "1:0.5,3:0.2,5:0.1");
}

/* The small routing-aware trainer with one of the loss's or the output tile's options. */
static MosaicTrainer *routing_aware_(MosaicTrainConfig *cfg, uint64_t seed, int fr_mode, int output_block) {
    MosaicArch arch;
    small_(cfg, &arch, MOSAIC_METHOD_ROUTING_AWARE);
    cfg->seed = (int64_t)seed;
    cfg->fr_mode = fr_mode, cfg->output_block = output_block;
    MosaicTrainer *tr = NULL;
    MosaicErr err;
    if (mosaic_trainer_create(&tr, cfg, &arch, &err) != MOSAIC_OK) printf("%s\n", err.msg);
    return tr;
}

static int veto_output_tile_(void *ctx, int32_t src, int32_t dst_tile) {
    (void)ctx, (void)src;
    return dst_tile == 8;
}

static int veto_all_(void *ctx, int32_t src, int32_t dst_tile) {
    (void)ctx, (void)src, (void)dst_tile;
    return 1;
}

int main(int argc, char **argv) {
    uint64_t seed = mosaic_test_seed(argc, argv, 42);
    MosaicErr err;
    MosaicSpikeSet train, test;
    CHECK(mosaic_spikeset_synthetic(&train, 400, 30, 32, 4, 3, 100, &err) == MOSAIC_OK);
    CHECK(mosaic_spikeset_synthetic(&test, 200, 30, 32, 4, 3, 200, &err) == MOSAIC_OK);
    for (int method = 0; method < 4; method++) {
        char name[128];
        snprintf(name, sizeof name, "%sKeepsInvariantsAndLearns", mosaic_train_method_name(method));
        TEST(name) {
            MosaicTrainConfig cfg;
            MosaicArch arch;
            small_(&cfg, &arch, method);
            cfg.seed = (int64_t)seed;
            MosaicTrainer *tr;
            if (mosaic_trainer_create(&tr, &cfg, &arch, &err) != MOSAIC_OK) {
                printf("%s\n", err.msg);
                CHECK(0);
                continue;
            }
            MosaicStatus st = mosaic_trainer_check(tr, &err);
            if (st) printf("initial: %s\n", err.msg);
            CHECK(st == MOSAIC_OK);
            MosaicTrainEpoch row;
            for (int e = 0; e < cfg.epochs; e++) {
                /* Protected links (into the output tile) before the epoch must all survive it. */
                const MosaicNetwork *net = mosaic_trainer_network(tr);
                int np = 0;
                int64_t *prot = malloc(sizeof(int64_t) * (size_t)(net->n_links + 1));
                for (int l = 0; l < net->n_links; l++)
                    if (net->link_dst[l] == 8) prot[np++] = (int64_t)net->link_src[l] * 9 + net->link_dst[l];
                CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
                st = mosaic_trainer_check(tr, &err);
                if (st) printf("epoch %d: %s\n", e, err.msg);
                CHECK(st == MOSAIC_OK);
                if (method == 0) {
                    int found = 0;
                    for (int p = 0, l = 0; p < np; p++) {
                        while (l < net->n_links && (int64_t)net->link_src[l] * 9 + net->link_dst[l] < prot[p])
                            l++;
                        found +=
                            l < net->n_links && (int64_t)net->link_src[l] * 9 + net->link_dst[l] == prot[p];
                    }
                    CHECK_EQ_INT(found, np);
                }
                free(prot);
                printf(
                    "  epoch %d loss %.3f train %.3f test %.3f rate %.3f links %lld pruned %lld grown %lld "
                    "%.0f samples/s\n",
                    e, row.loss, row.train_acc, row.test_acc, row.rate, (long long)row.links,
                    (long long)row.pruned, (long long)row.grown, row.samples_per_s);
            }
            CHECK(row.test_acc > 0.5); /* chance is 0.25 */
            if (method == 0) CHECK(row.pruned + row.grown >= 0);
            mosaic_trainer_free(tr);
        }
    }
    TEST("PerNeuronRateTermLearnsAndHoldsEveryNeuronNearTheTarget") {
        MosaicTrainConfig cfg;
        MosaicTrainer *tr = routing_aware_(&cfg, seed, MOSAIC_RATE_NEURON, MOSAIC_OUTPUT_BLOCK_NONE);
        CHECK(tr != NULL);
        MosaicTrainEpoch row;
        for (int e = 0; e < cfg.epochs; e++)
            CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
        printf("  per-neuron rate term: test %.3f rate %.3f loss %.3f\n", row.test_acc, row.rate, row.loss);
        CHECK(row.test_acc > 0.5);
        CHECK(row.rate > 0.02 && row.rate < 0.3); /* target 0.1 per neuron */
        mosaic_trainer_free(tr);
    }
    TEST("PartialOutputBlockLeavesReadoutUncoupled") {
        /* The reference code's output tile: its intra-tile block trains, except readout -> readout. */
        MosaicTrainConfig cfg;
        MosaicTrainer *tr = routing_aware_(&cfg, seed, MOSAIC_RATE_POPULATION, MOSAIC_OUTPUT_BLOCK_PARTIAL);
        CHECK(tr != NULL);
        const MosaicNetwork *net = mosaic_trainer_network(tr);
        CHECK(net->output_recurrent == 1);
        CHECK(mosaic_network_block_kind(net, 8) == MOSAIC_BLOCK_RECURRENT);
        const int k = 16, r0 = k - cfg.classes;
        const float *blk = net->w_intra + (size_t)8 * k * k;
        float before[16 * 16];
        memcpy(before, blk, sizeof before);
        MosaicTrainEpoch row;
        CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
        CHECK(mosaic_trainer_check(tr, &err) == MOSAIC_OK);
        int coupled = 0, trained = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                if (i >= r0 && j >= r0)
                    coupled += blk[i * k + j] != 0;
                else
                    trained += blk[i * k + j] != before[i * k + j];
            }
        CHECK_EQ_INT(coupled, 0);
        CHECK(trained > (k * k - cfg.classes * cfg.classes) / 2);
        mosaic_trainer_free(tr);
    }
    TEST("RewiringEveryNStepsRunsAtTheCountedSteps") {
        /* With every weight weak, each rewiring prunes every unprotected link and refills the budgets; a
         * veto on links into the output tile keeps refills from adding protected ones, so the epoch's
         * pruned count is (number of rewirings) x (unprotected links): one at the end of the epoch plus
         * one after every n-th step that is not the last. */
        const int nb = (400 + 31) / 32; /* 13 steps per epoch */
        const int every_cases[] = {0, 1, 3, 4, 12, 13, 50};
        for (size_t c = 0; c < sizeof every_cases / sizeof every_cases[0]; c++) {
            const int every = every_cases[c];
            MosaicTrainConfig cfg;
            MosaicArch arch;
            small_(&cfg, &arch, MOSAIC_METHOD_ROUTING_AWARE);
            cfg.seed = (int64_t)seed, cfg.batch = 32, cfg.rewire_every = every;
            cfg.prune_magnitude = 1e3;
            MosaicTrainer *tr = NULL;
            CHECK(mosaic_trainer_create(&tr, &cfg, &arch, &err) == MOSAIC_OK);
            if (!tr) continue;
            mosaic_trainer_set_hooks(tr, &(MosaicRewireHooks){.veto = veto_output_tile_});
            const MosaicNetwork *net = mosaic_trainer_network(tr);
            int64_t unprotected = 0;
            for (int l = 0; l < net->n_links; l++) unprotected += net->link_dst[l] != 8;
            MosaicTrainEpoch row;
            for (int e = 0; e < 2; e++) {
                CHECK(mosaic_trainer_epoch(tr, &train, NULL, &row, &err) == MOSAIC_OK);
                CHECK(mosaic_trainer_check(tr, &err) == MOSAIC_OK);
                const int64_t rewirings = 1 + (every > 0 ? (nb - 1) / every : 0);
                if (row.pruned != rewirings * unprotected)
                    printf("  every %d: pruned %lld, expected %lld x %lld\n", every, (long long)row.pruned,
                           (long long)rewirings, (long long)unprotected);
                CHECK(row.pruned == rewirings * unprotected);
                CHECK(row.grown == row.pruned);
            }
            mosaic_trainer_free(tr);
        }
    }
    TEST("ShortfallIsTheStateAfterTheLastRewiringNotASum") {
        /* Every candidate vetoed: the first rewiring prunes every unprotected link and refills none; the
         * later ones of the epoch find nothing to prune and the same empty slots. */
        MosaicTrainConfig cfg;
        MosaicArch arch;
        small_(&cfg, &arch, MOSAIC_METHOD_ROUTING_AWARE);
        cfg.seed = (int64_t)seed, cfg.batch = 32, cfg.rewire_every = 3, cfg.prune_magnitude = 1e3;
        MosaicTrainer *tr = NULL;
        CHECK(mosaic_trainer_create(&tr, &cfg, &arch, &err) == MOSAIC_OK);
        if (tr) {
            mosaic_trainer_set_hooks(tr, &(MosaicRewireHooks){.veto = veto_all_});
            const MosaicNetwork *net = mosaic_trainer_network(tr);
            int64_t unprotected = 0;
            for (int l = 0; l < net->n_links; l++) unprotected += net->link_dst[l] != 8;
            MosaicTrainEpoch row;
            CHECK(mosaic_trainer_epoch(tr, &train, NULL, &row, &err) == MOSAIC_OK);
            CHECK(row.pruned == unprotected && row.grown == 0);
            CHECK(row.shortfall == unprotected);
            mosaic_trainer_free(tr);
        }
    }
    mosaic_spikeset_free(&train);
    mosaic_spikeset_free(&test);
    return mosaic_test_finish();
}
