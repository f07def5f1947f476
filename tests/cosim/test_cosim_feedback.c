/* Closed-loop feedback keeps a training network within the hardware's port capacities (checked with the
 * exact mapper after every epoch); the open loop does not; a memory budget is honoured. */
#include <stdlib.h>
#include <string.h>

#include "mosaic_feedback.h"
#include "mosaic_mapper.h"
#include "mosaic_mapper_io.h"
#include "mosaic_test.h"
#include "mosaic_test_small_net.h"

/* A 4x4 array of 16-neuron tiles with proportionally narrow ports: p3 0.2 overloads it. */
static void small_(MosaicTrainConfig *c, MosaicArch *a, uint64_t seed) {
    mosaic_test_small_net(c, a, 4, 4, seed);
    for (int p = 0; p < 8; p++) a->cap_nt[p] = a->cap_r1[p] = 16, a->cap_r0[p] = 4;
    c->steps = 20, c->epochs = 3;
    strcpy(c->profile, "1:0.8,3:0.2");
}

/* Exact mapping of the trainer's current links. */
static int violations_(const MosaicTrainer *tr, int64_t *devices) {
    MosaicLinks links;
    mosaic_links_init(&links);
    MosaicErr err;
    const MosaicNetwork *net = mosaic_trainer_network(tr);
    mosaic_links_from_network(&links, net, &err);
    MosaicMapping m;
    memset(&m, 0, sizeof m);
    int v = -1;
    if (mosaic_map(&m, &net->arch, &links, NULL, MOSAIC_MAP_REPORT, &err) == MOSAIC_OK) {
        v = m.n_violations;
        if (devices) *devices = m.dev_total;
    }
    mosaic_mapping_free(&m);
    mosaic_links_free(&links);
    return v;
}

int main(int argc, char **argv) {
    uint64_t seed = mosaic_test_seed(argc, argv, 42);
    MosaicErr err;
    MosaicSpikeSet train, test;
    CHECK(mosaic_spikeset_synthetic(&train, 128, 20, 32, 4, 3, 100, &err) == MOSAIC_OK);
    CHECK(mosaic_spikeset_synthetic(&test, 64, 20, 32, 4, 3, 200, &err) == MOSAIC_OK);
    MosaicTrainConfig cfg;
    MosaicArch arch;
    small_(&cfg, &arch, seed);

    TEST("RouterDevicesAgreeWithTheExactMapper") {
        MosaicTrainer *tr = NULL;
        CHECK(mosaic_trainer_create(&tr, &cfg, &arch, &err) == MOSAIC_OK);
        MosaicFeedback fb;
        CHECK(mosaic_feedback_attach(&fb, tr, 0, 0, &err) == MOSAIC_OK);
        int64_t exact = 0;
        violations_(tr, &exact);
        CHECK_EQ_INT(mosaic_router_devices(fb.router), exact);
        /* a link at distance 5 from tile 0 to tile 10: devices_with equals the devices after adding */
        int32_t src = 3, dst = 10;
        if (!mosaic_router_has(fb.router, src, dst)) {
            int64_t with = mosaic_router_devices_with(fb.router, src, dst);
            CHECK_EQ_INT(mosaic_router_devices(fb.router), exact); /* unchanged */
            CHECK(mosaic_router_add(fb.router, src, dst, &err) == MOSAIC_OK);
            CHECK_EQ_INT(mosaic_router_devices(fb.router), with);
        }
        mosaic_feedback_free(&fb);
        mosaic_trainer_free(tr);
    }
    TEST("ClosedLoopEndsAndStaysMappable") {
        MosaicTrainer *tr = NULL;
        CHECK(mosaic_trainer_create(&tr, &cfg, &arch, &err) == MOSAIC_OK);
        int before = violations_(tr, NULL);
        printf("  violations at initialisation: %d\n", before);
        CHECK(before > 0); /* the profile overloads this array */
        MosaicFeedback fb;
        CHECK(mosaic_feedback_attach(&fb, tr, 1, 0, &err) == MOSAIC_OK);
        int forced = 0;
        CHECK(mosaic_feedback_prune(&fb, tr, &forced, &err) == MOSAIC_OK);
        CHECK(forced > 0);
        CHECK_EQ_INT(violations_(tr, NULL), 0);
        CHECK_EQ_INT(mosaic_router_violations(fb.router), 0);
        for (int e = 0; e < cfg.epochs; e++) {
            MosaicTrainEpoch row;
            CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
            int v = violations_(tr, NULL);
            printf("  epoch %d: test %.2f, pruned %lld, grown %lld, shortfall %lld, vetoed %lld, violations "
                   "%d\n",
                   e, row.test_acc, (long long)row.pruned, (long long)row.grown, (long long)row.shortfall,
                   (long long)fb.vetoed_capacity, v);
            CHECK_EQ_INT(v, 0);
            /* the hooks kept the router in step with the trainer */
            int64_t exact = 0;
            violations_(tr, &exact);
            CHECK_EQ_INT(mosaic_router_devices(fb.router), exact);
            CHECK_EQ_INT(mosaic_router_links(fb.router), mosaic_trainer_network(tr)->n_links);
        }
        CHECK(fb.vetoed_capacity > 0);
        mosaic_feedback_free(&fb);
        mosaic_trainer_free(tr);
    }
    TEST("OpenLoopChangesNothing") {
        MosaicTrainer *tr = NULL;
        CHECK(mosaic_trainer_create(&tr, &cfg, &arch, &err) == MOSAIC_OK);
        MosaicFeedback fb;
        CHECK(mosaic_feedback_attach(&fb, tr, 0, 0, &err) == MOSAIC_OK);
        MosaicTrainEpoch row;
        CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
        CHECK(violations_(tr, NULL) > 0);
        CHECK_EQ_INT(fb.vetoed_capacity, 0);
        CHECK_EQ_INT(mosaic_router_links(fb.router), mosaic_trainer_network(tr)->n_links);
        mosaic_feedback_free(&fb);
        mosaic_trainer_free(tr);
    }
    TEST("MemoryBudgetIsHonoured") {
        MosaicTrainer *tr = NULL;
        CHECK(mosaic_trainer_create(&tr, &cfg, &arch, &err) == MOSAIC_OK);
        MosaicFeedback fb;
        CHECK(mosaic_feedback_attach(&fb, tr, 1, 0, &err) == MOSAIC_OK);
        CHECK(mosaic_feedback_prune(&fb, tr, NULL, &err) == MOSAIC_OK);
        int64_t m = mosaic_router_devices(fb.router);
        fb.memory_budget = 0.9 * (double)m;
        CHECK(mosaic_feedback_prune(&fb, tr, NULL, &err) == MOSAIC_OK);
        int64_t after = 0;
        CHECK_EQ_INT(violations_(tr, &after), 0);
        printf("  M %lld -> %lld under a budget of %.0f\n", (long long)m, (long long)after, fb.memory_budget);
        CHECK((double)after <= fb.memory_budget);
        MosaicTrainEpoch row;
        CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
        violations_(tr, &after);
        CHECK((double)after <= fb.memory_budget);
        mosaic_feedback_free(&fb);
        mosaic_trainer_free(tr);
    }
    TEST("TrafficPenaltyShrinksLinksOfBusySources") {
        /* Two identical runs; in one, every source is measured busy (rate 1) and every link pays
         * c * rate * hops * sum w^2. The penalised run must end with smaller inter-tile weights. */
        double norm[2] = {0, 0};
        for (int penalised = 0; penalised < 2; penalised++) {
            MosaicTrainer *tr = NULL;
            CHECK(mosaic_trainer_create(&tr, &cfg, &arch, &err) == MOSAIC_OK);
            MosaicFeedback fb;
            CHECK(mosaic_feedback_attach(&fb, tr, 0, 0, &err) == MOSAIC_OK);
            int n = mosaic_arch_neurons(&arch);
            int64_t *spikes = malloc(sizeof(int64_t) * (size_t)n);
            for (int i = 0; i < n; i++) spikes[i] = 100;
            CHECK(mosaic_feedback_set_traffic(&fb, tr, penalised ? 1.0 : 0.0, spikes, 100, &err) ==
                  MOSAIC_OK);
            if (penalised) CHECK(fb.rate && fb.rate[0] == 1.0);
            MosaicTrainEpoch row;
            CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
            const MosaicNetwork *net = mosaic_trainer_network(tr);
            for (size_t i = 0; i < (size_t)net->n_links * (size_t)arch.neurons_per_tile; i++)
                norm[penalised] += (double)net->link_w[i] * net->link_w[i];
            free(spikes);
            mosaic_feedback_free(&fb);
            mosaic_trainer_free(tr);
        }
        printf("  sum of squared link weights: %.3f without, %.3f with the traffic penalty\n", norm[0],
               norm[1]);
        CHECK(norm[1] < 0.9 * norm[0]);
    }
    mosaic_spikeset_free(&train);
    mosaic_spikeset_free(&test);
    return mosaic_test_finish();
}
