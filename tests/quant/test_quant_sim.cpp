// A network trained with quantised rewiring (routing-aware, 8 levels, fan-in 24) goes through the network
// file, the mapper and the simulator with the device model it was exported with (8 levels, its gmax, no
// noise): every test sample gives the training engine's spikes bit for bit and the hardware accuracy equals
// the trainer's evaluation. Then programming noise (5 % of Gmax, five device draws): the accuracy loss of
// the quantised network is reported next to that of the same network trained without quantisation and
// programmed at the same 8 levels (Gmax = its max |w|). Last, a network trained with the fan-in limit per
// side of the tile (lines_per_side, 4 lines) keeps the limit through the file and gives the engine's
// spikes on the array too.
#include <string.h>
#include <unistd.h>

#include <vector>

#include "../sim/sim_test_util.h"
#include "mosaic_infer.h"
#include "mosaic_netfile.h"
#include "mosaic_quant.h"
#include "mosaic_sim.h"
#include "mosaic_sim_device.h"
#include "mosaic_test_small_net.h"
#include "mosaic_trainer.h"

namespace {

std::vector<uint8_t> sample_input(const MosaicSpikeSet *set, int s) {
    std::vector<uint8_t> x((size_t)set->steps * set->channels, 0);
    const int32_t *st = mosaic_spikeset_steps(set, s), *ch = mosaic_spikeset_chans(set, s);
    for (int t = 0; t < set->steps; t++)
        for (int i = st[t]; i < st[t + 1]; i++) x[(size_t)t * set->channels + ch[i]] = 1;
    return x;
}

// Accuracy of the simulated array (device model of net->arch.device) on `set`; with `identical`, the
// number of samples whose whole raster equals the engine's inference on `net`.
double array_accuracy(const MosaicNetwork *net, const MosaicMapping *map, const MosaicSpikeSet *set,
                      int *identical) {
    MosaicSimOptions opt;
    mosaic_sim_options_default(&opt);
    opt.record_raster = identical != nullptr;
    MosaicSim *sim = nullptr;
    MosaicErr err;
    if (mosaic_sim_create(&sim, net, map, &opt, &err) != MOSAIC_OK) {
        fprintf(stderr, "sim: %s\n", err.msg);
        CHECK(0);
        return -1;
    }
    const int N = mosaic_arch_neurons(&net->arch);
    std::vector<uint8_t> ref((size_t)set->steps * N);
    std::vector<int32_t> counts((size_t)net->n_classes);
    int correct = 0;
    if (identical) *identical = 0;
    for (int s = 0; s < set->n; s++) {
        const std::vector<uint8_t> x = sample_input(set, s);
        int pred = -1;
        CHECK(mosaic_sim_run(sim, x.data(), set->steps, counts.data(), &pred, &err) == MOSAIC_OK);
        correct += pred == set->label[s];
        if (!identical) continue;
        CHECK(mosaic_infer_sample(net, set->steps, x.data(), ref.data(), nullptr, &err) == MOSAIC_OK);
        int steps = 0;
        const uint8_t *r = mosaic_sim_raster(sim, &steps);
        *identical += steps == set->steps && memcmp(r, ref.data(), ref.size()) == 0;
    }
    mosaic_sim_free(sim);
    return (double)correct / set->n;
}

struct Trained {
    MosaicNetwork net;
    double acc; // the trainer's own evaluation
};

bool train(Trained *out, int levels, uint64_t seed, const MosaicSpikeSet *tr_set,
           const MosaicSpikeSet *te_set, int fanin_mode = MOSAIC_QUANT_FANIN_SYNAPSES, int fanin = 24) {
    MosaicArch arch;
    MosaicTrainConfig cfg;
    mosaic_test_small_net(&cfg, &arch, 3, 3, seed);
    cfg.epochs = 6, cfg.prune_min_strong = 4;
    cfg.quant_levels = levels, cfg.quant_fanin = levels ? fanin : 0, cfg.quant_gmax = 0.6;
    cfg.quant_fanin_mode = fanin_mode;
    MosaicErr err;
    MosaicTrainer *tr = nullptr;
    if (mosaic_trainer_create(&tr, &cfg, &arch, &err) != MOSAIC_OK) {
        fprintf(stderr, "trainer: %s\n", err.msg);
        return false;
    }
    MosaicTrainEpoch row;
    bool ok = true;
    for (int e = 0; e < cfg.epochs && ok; e++)
        ok = mosaic_trainer_epoch(tr, tr_set, te_set, &row, &err) == MOSAIC_OK;
    ok = ok && mosaic_trainer_export(tr, &out->net, &err) == MOSAIC_OK;
    out->acc = row.test_acc;
    if (!ok) fprintf(stderr, "training: %s\n", err.msg);
    mosaic_trainer_free(tr);
    return ok;
}

// The device model (noise off) programs `net` at its own device.levels / device.gmax: true when every
// programmed weight equals the network's bit for bit.
bool programs_exactly(const MosaicNetwork *net) {
    MosaicDeviceModel dev = net->arch.device;
    dev.ideal = false, dev.programming_noise = 0, dev.read_noise = 0;
    MosaicNetwork eff;
    MosaicErr err;
    if (mosaic_device_program(&eff, net, &dev, &err) != MOSAIC_OK) return false;
    const int k = net->arch.neurons_per_tile, tiles = mosaic_arch_tiles(&net->arch);
    const bool same = !memcmp(eff.w_in, net->w_in, sizeof(float) * (size_t)net->n_input_tiles * k * k) &&
                      !memcmp(eff.w_intra, net->w_intra, sizeof(float) * (size_t)tiles * k * k) &&
                      !memcmp(eff.link_w, net->link_w, sizeof(float) * (size_t)net->n_links * k);
    mosaic_network_free(&eff);
    return same;
}

} // namespace

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 42);
    const int L = 8;
    MosaicErr err;
    MosaicSpikeSet train_set, test_set;
    CHECK(mosaic_spikeset_synthetic(&train_set, 400, 30, 32, 4, 3, 100, &err) == MOSAIC_OK);
    CHECK(mosaic_spikeset_synthetic(&test_set, 100, 30, 32, 4, 3, 200, &err) == MOSAIC_OK);
    Trained q, plain;
    if (!train(&q, L, seed, &train_set, &test_set) || !train(&plain, 0, seed, &train_set, &test_set))
        return EXIT_FAILURE;

    // Through the network file, as `mosaic sim` reads it.
    MosaicNetwork net;
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_quant_sim_%d.h5", (int)getpid());
    MosaicProvenance prov = {"test_quant_sim", nullptr, nullptr, (int64_t)seed, nullptr};
    CHECK(mosaic_netfile_write(path, &q.net, &prov, &err) == MOSAIC_OK);
    if (mosaic_netfile_read(path, &net, &err) != MOSAIC_OK) {
        fprintf(stderr, "read: %s\n", err.msg);
        return EXIT_FAILURE;
    }
    unlink(path);
    CHECK_EQ_INT(net.arch.device.levels, L);
    CHECK(net.arch.device.gmax == q.net.arch.device.gmax);
    MosaicMapping map;
    memset(&map, 0, sizeof map);
    CHECK(sim_test_map(&map, &net));
    CHECK_EQ_INT(map.n_violations, 0);
    printf(
        "quantised: %d links, longest route %d, trainer accuracy %.3f; unquantised: trainer accuracy %.3f\n",
        net.n_links, map.max_route, q.acc, plain.acc);

    TEST("DeviceModelProgramsEveryLevelExactly") {
        CHECK(programs_exactly(&net)); // the trained network at its exported levels and gmax
        // Random level weights for several level counts and gmax values a float cannot hold.
        MosaicRng rng;
        mosaic_rng_derive(&rng, seed, 5);
        const double gmaxes[] = {0.6, 1.0 / 3.0, 0.123456789, 2.7};
        for (int L : {2, 3, 8, 16, 255})
            for (double g : gmaxes) {
                MosaicNetwork r;
                CHECK(mosaic_network_copy(&r, &net, &err) == MOSAIC_OK);
                r.arch.device.levels = L, r.arch.device.gmax = g;
                const double step = mosaic_device_step(g, L);
                const size_t k = (size_t)r.arch.neurons_per_tile;
                float *regions[3] = {r.w_in, r.w_intra, r.link_w};
                const size_t lens[3] = {(size_t)r.n_input_tiles * k * k,
                                        (size_t)mosaic_arch_tiles(&r.arch) * k * k, (size_t)r.n_links * k};
                for (int g3 = 0; g3 < 3; g3++)
                    for (size_t i = 0; i < lens[g3]; i++)
                        regions[g3][i] = mosaic_device_level_weight((int)mosaic_rng_below(&rng, (uint64_t)L),
                                                                    step, mosaic_rng_uniform(&rng) - 0.5);
                const bool ok = programs_exactly(&r);
                if (!ok) printf("  levels %d, gmax %.9g: programmed weights differ\n", L, g);
                CHECK(ok);
                mosaic_network_free(&r);
            }
    }

    double ideal = 0;
    TEST("MatchingDeviceModelWithoutNoiseGivesTheEngineSpikes") {
        net.arch.device.ideal = false;
        net.arch.device.programming_noise = 0;
        net.arch.device.read_noise = 0;
        int identical = 0;
        ideal = array_accuracy(&net, &map, &test_set, &identical);
        printf("  %d/%d samples identical; accuracy array %.3f, trainer %.3f\n", identical, test_set.n, ideal,
               q.acc);
        CHECK_EQ_INT(identical, test_set.n);
        CHECK_NEAR(ideal, q.acc, 1e-12);
        CHECK(ideal > 0.4); // chance is 0.25
    }

    TEST("ProgrammingNoiseCostsLessThanQuantisingAfterTraining") {
        MosaicMapping pmap;
        memset(&pmap, 0, sizeof pmap);
        CHECK(sim_test_map(&pmap, &plain.net));
        // The unquantised network at the same levels without noise: post-training quantisation alone.
        plain.net.arch.device.ideal = false;
        plain.net.arch.device.levels = L;
        plain.net.arch.device.programming_noise = 0;
        const double ptq = array_accuracy(&plain.net, &pmap, &test_set, nullptr);
        double loss_q = 0, loss_p = 0;
        const int draws = 5;
        for (int d = 0; d < draws; d++) {
            net.arch.device.programming_noise = plain.net.arch.device.programming_noise = 0.05;
            net.arch.device.seed = plain.net.arch.device.seed = (int64_t)(seed + d);
            loss_q += (ideal - array_accuracy(&net, &map, &test_set, nullptr)) / draws;
            loss_p += (plain.acc - array_accuracy(&plain.net, &pmap, &test_set, nullptr)) / draws;
        }
        printf("  %d levels, 5%% programming noise, %d draws: accuracy loss quantised-trained %+.3f "
               "(from %.3f), trained unquantised %+.3f (from %.3f; %.3f at the levels without noise)\n",
               L, draws, loss_q, ideal, loss_p, plain.acc, ptq);
        // The claim, seen on seeds 1-5 and 42 (loss 0.00-0.04 against 0.05-0.15): training on the
        // levels makes the network robust to programming noise at those levels.
        CHECK(loss_q < loss_p);
        // The noise is really programmed: the noisy array's spikes leave the engine's somewhere.
        int identical = 0;
        array_accuracy(&net, &map, &test_set, &identical);
        printf("  with noise (seed %lld): %d/%d samples identical to the engine\n",
               (long long)net.arch.device.seed, identical, test_set.n);
        CHECK(identical < test_set.n);
        mosaic_mapping_free(&pmap);
    }

    TEST("LinesPerSideNetworkGivesTheEngineSpikes") {
        Trained sq;
        CHECK(train(&sq, L, seed, &train_set, &test_set, MOSAIC_QUANT_FANIN_LINES_PER_SIDE, 4));
        MosaicNetwork back;
        CHECK(mosaic_netfile_write(path, &sq.net, &prov, &err) == MOSAIC_OK);
        CHECK(mosaic_netfile_read(path, &back, &err) == MOSAIC_OK);
        unlink(path);
        const int N = mosaic_arch_neurons(&back.arch);
        std::vector<int32_t> lines(4 * (size_t)N);
        mosaic_quant_fanin_sides(&back, lines.data());
        int busiest = 0;
        for (int32_t v : lines) busiest = v > busiest ? v : busiest;
        CHECK_EQ_INT(busiest, 4);
        MosaicMapping smap;
        memset(&smap, 0, sizeof smap);
        CHECK(sim_test_map(&smap, &back));
        back.arch.device.ideal = false;
        back.arch.device.programming_noise = 0;
        int identical = 0;
        const double acc = array_accuracy(&back, &smap, &test_set, &identical);
        printf("  lines_per_side 4: busiest side %d lines, %d/%d samples identical, accuracy array %.3f, "
               "trainer %.3f\n",
               busiest, identical, test_set.n, acc, sq.acc);
        CHECK_EQ_INT(identical, test_set.n);
        CHECK_NEAR(acc, sq.acc, 1e-12);
        mosaic_mapping_free(&smap);
        mosaic_network_free(&back);
        mosaic_network_free(&sq.net);
    }
    mosaic_mapping_free(&map);
    mosaic_network_free(&net);
    mosaic_network_free(&q.net);
    mosaic_network_free(&plain.net);
    mosaic_spikeset_free(&train_set);
    mosaic_spikeset_free(&test_set);
    return mosaic_test_finish();
}
