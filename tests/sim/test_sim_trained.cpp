// A network trained by the training engine (routing-aware, synthetic task, 3x3 tiles of 16): the
// ideal-device simulation reproduces the engine's own inference (mosaic_infer_sample) spike for spike on
// every test sample, the hardware accuracy equals the software accuracy, and programming noise lowers
// the accuracy by a plausible amount (reported).
#include <string.h>

#include "mosaic_infer.h"
#include "mosaic_sim.h"
#include "mosaic_test_small_net.h"
#include "mosaic_trainer.h"
#include "sim_test_util.h"

static std::vector<uint8_t> dense_sample(const MosaicSpikeSet *set, int s) {
    std::vector<uint8_t> x((size_t)set->steps * set->channels, 0);
    const int32_t *st = mosaic_spikeset_steps(set, s), *ch = mosaic_spikeset_chans(set, s);
    for (int t = 0; t < set->steps; t++)
        for (int i = st[t]; i < st[t + 1]; i++) x[(size_t)t * set->channels + ch[i]] = 1;
    return x;
}

// Hardware accuracy on `set` with the device model in net->arch.device; also counts samples whose
// spikes equal the engine's inference when `compare` is set.
static double hw_accuracy(const MosaicNetwork *net, const MosaicMapping *map, const MosaicSpikeSet *set,
                          bool compare, int *identical) {
    MosaicSimOptions opt;
    mosaic_sim_options_default(&opt);
    opt.record_raster = compare;
    MosaicSim *sim = NULL;
    MosaicErr err;
    if (mosaic_sim_create(&sim, net, map, &opt, &err) != MOSAIC_OK) {
        fprintf(stderr, "create: %s\n", err.msg);
        CHECK(0);
        return -1;
    }
    const int N = mosaic_arch_neurons(&net->arch);
    int correct = 0;
    if (identical) *identical = 0;
    std::vector<uint8_t> ref((size_t)set->steps * N);
    for (int s = 0; s < set->n; s++) {
        std::vector<uint8_t> x = dense_sample(set, s);
        int pred = -1;
        std::vector<int32_t> counts((size_t)net->n_classes);
        CHECK(mosaic_sim_run(sim, x.data(), set->steps, counts.data(), &pred, &err) == MOSAIC_OK);
        correct += pred == set->label[s];
        if (compare) {
            CHECK(mosaic_infer_sample(net, set->steps, x.data(), ref.data(), NULL, &err) == MOSAIC_OK);
            int steps = 0;
            const uint8_t *r = mosaic_sim_raster(sim, &steps);
            *identical += steps == set->steps && memcmp(r, ref.data(), ref.size()) == 0;
        }
    }
    mosaic_sim_free(sim);
    return (double)correct / set->n;
}

// The engine's own accuracy by its own inference (argmax of readout counts, lowest index on ties).
static double sw_accuracy(const MosaicNetwork *net, const MosaicSpikeSet *set) {
    const int N = mosaic_arch_neurons(&net->arch), C = net->n_classes;
    std::vector<uint8_t> z((size_t)set->steps * N);
    MosaicErr err;
    int correct = 0;
    for (int s = 0; s < set->n; s++) {
        std::vector<uint8_t> x = dense_sample(set, s);
        CHECK(mosaic_infer_sample(net, set->steps, x.data(), z.data(), NULL, &err) == MOSAIC_OK);
        int best = 0;
        std::vector<int> cnt((size_t)C, 0);
        for (int t = 0; t < set->steps; t++)
            for (int c = 0; c < C; c++) cnt[(size_t)c] += z[(size_t)t * N + N - C + c];
        for (int c = 1; c < C; c++)
            if (cnt[(size_t)c] > cnt[(size_t)best]) best = c;
        correct += best == set->label[s];
    }
    return (double)correct / set->n;
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 42);
    MosaicErr err;
    MosaicSpikeSet train, test;
    CHECK(mosaic_spikeset_synthetic(&train, 400, 30, 32, 4, 3, 100, &err) == MOSAIC_OK);
    CHECK(mosaic_spikeset_synthetic(&test, 100, 30, 32, 4, 3, 200, &err) == MOSAIC_OK);
    MosaicArch arch;
    MosaicTrainConfig cfg;
    mosaic_test_small_net(&cfg, &arch, 3, 3, seed);
    MosaicTrainer *tr = NULL;
    if (mosaic_trainer_create(&tr, &cfg, &arch, &err) != MOSAIC_OK) {
        fprintf(stderr, "trainer: %s\n", err.msg);
        return EXIT_FAILURE;
    }
    MosaicTrainEpoch row;
    for (int e = 0; e < cfg.epochs; e++)
        CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
    MosaicNetwork net;
    CHECK(mosaic_trainer_export(tr, &net, &err) == MOSAIC_OK);
    mosaic_trainer_free(tr);
    MosaicMapping map;
    memset(&map, 0, sizeof map);
    CHECK(sim_test_map(&map, &net));
    printf("trained: test accuracy %.3f (trainer), rate %.3f, %d links, longest route %d, %d violations\n",
           row.test_acc, row.rate, net.n_links, map.max_route, map.n_violations);
    CHECK_EQ_INT(map.n_violations, 0);

    double sw = sw_accuracy(&net, &test), ideal = 0;
    TEST("IdealSimulationReproducesTheEngineSpikeForSpike") {
        int identical = 0;
        ideal = hw_accuracy(&net, &map, &test, true, &identical);
        printf("  %d/%d samples identical; accuracy hardware %.3f, software %.3f\n", identical, test.n, ideal,
               sw);
        CHECK_EQ_INT(identical, test.n);
        CHECK_NEAR(ideal, sw, 1e-12);
        CHECK(ideal > 0.5); // trained: well above chance (0.25)
    }
    TEST("ProgrammingNoiseLowersAccuracyPlausibly") {
        double acc[4];
        const double sigma[4] = {0.02, 0.05, 0.2, 0.8};
        for (int i = 0; i < 4; i++) {
            net.arch.device.ideal = false;
            net.arch.device.levels = 0;
            net.arch.device.programming_noise = sigma[i];
            net.arch.device.seed = (int64_t)seed;
            acc[i] = hw_accuracy(&net, &map, &test, false, NULL);
            printf("  programming noise %.2f of max |w|: accuracy %.3f (drop %+.3f vs ideal)\n", sigma[i],
                   acc[i], acc[i] - ideal);
        }
        net.arch.device.programming_noise = 0.05;
        net.arch.device.levels = 16;
        const double q16 = hw_accuracy(&net, &map, &test, false, NULL);
        printf("  16 levels + 5%% noise: accuracy %.3f (drop %+.3f)\n", q16, q16 - ideal);
        net.arch.device.ideal = true;
        CHECK(acc[0] >= ideal - 0.1); // small noise costs little
        CHECK(acc[1] >= ideal - 0.2);
        CHECK(acc[3] < ideal - 0.1); // heavy noise destroys the computation
        CHECK(acc[3] <= acc[1] + 0.02);
    }
    TEST("PartialOutputBlockNetworkRunsSpikeForSpike") {
        /* train.output_block partial: the output tile's block is programmed, readout -> readout zero */
        MosaicTrainConfig pc;
        MosaicArch pa;
        mosaic_test_small_net(&pc, &pa, 3, 3, seed);
        pc.epochs = 2;
        pc.output_block = MOSAIC_OUTPUT_BLOCK_PARTIAL;
        MosaicTrainer *pt = NULL;
        CHECK(mosaic_trainer_create(&pt, &pc, &pa, &err) == MOSAIC_OK);
        MosaicTrainEpoch prow;
        for (int e = 0; pt && e < pc.epochs; e++)
            CHECK(mosaic_trainer_epoch(pt, &train, &test, &prow, &err) == MOSAIC_OK);
        MosaicNetwork pnet;
        CHECK(pt && mosaic_trainer_export(pt, &pnet, &err) == MOSAIC_OK);
        mosaic_trainer_free(pt);
        CHECK_EQ_INT(pnet.output_recurrent, 1);
        MosaicMapping pmap;
        memset(&pmap, 0, sizeof pmap);
        CHECK(sim_test_map(&pmap, &pnet));
        int identical = 0;
        const double acc = hw_accuracy(&pnet, &pmap, &test, true, &identical);
        printf("  partial output block: %d/%d samples identical, accuracy %.3f\n", identical, test.n, acc);
        CHECK_EQ_INT(identical, test.n);
        CHECK_NEAR(acc, sw_accuracy(&pnet, &test), 1e-12);
        mosaic_mapping_free(&pmap);
        mosaic_network_free(&pnet);
    }
    mosaic_mapping_free(&map);
    mosaic_network_free(&net);
    mosaic_spikeset_free(&train);
    mosaic_spikeset_free(&test);
    return mosaic_test_finish();
}
