// Ideal-device simulation of a mapped random 5x5 network reproduces the reference LIF loop's spikes
// bit for bit over 20 samples, and the routers read back exactly the mapping's crossbar configuration.
#include <unistd.h>

#include "mosaic_sim.h"
#include "sim_test_util.h"

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 42);
    MosaicArch arch;
    mosaic_arch_default(&arch);
    MosaicNetwork net;
    MosaicMapping map;
    memset(&map, 0, sizeof map);
    if (!sim_test_network(&net, &arch, "1:0.8,3:0.02", seed) || !sim_test_map(&map, &net))
        return EXIT_FAILURE;
    printf("network: %d links, longest route %d, %d violations\n", net.n_links, map.max_route,
           map.n_violations);
    CHECK_EQ_INT(map.n_violations, 0);

    MosaicSimOptions opt;
    mosaic_sim_options_default(&opt);
    opt.record_raster = true;
    MosaicSim *sim = NULL;
    MosaicErr err;
    MosaicStatus st = mosaic_sim_create(&sim, &net, &map, &opt, &err);
    if (st != MOSAIC_OK) {
        fprintf(stderr, "create: %s\n", err.msg);
        return EXIT_FAILURE;
    }

    TEST("ConfigurationReadBackEqualsMapping") {
        int missing = 0;
        for (int c = 0; c < map.n_cells; c++)
            for (int i = map.conn_offset[c]; i < map.conn_offset[c + 1]; i++) {
                const MosaicXbarConn *x = &map.conn[i];
                missing +=
                    mosaic_sim_read_device(sim, c, x->in_port, x->in_line, x->out_port, x->out_line) != 1;
            }
        CHECK_EQ_INT(missing, 0);
        const MosaicSimStats *s = mosaic_sim_stats(sim);
        long long on = 0;
        for (int c = 0; c < s->n_cells; c++) on += s->devices_router[c];
        CHECK_EQ_INT(on, map.conn_offset[map.n_cells]); // nothing ON beyond the mapping
    }

    TEST("IdealSimulationMatchesReferenceBitForBit") {
        MosaicRng rng;
        mosaic_rng_derive(&rng, seed, 5);
        const int steps = 100, samples = 20, N = mosaic_arch_neurons(&arch);
        int identical = 0;
        long long spikes = 0;
        for (int s = 0; s < samples; s++) {
            std::vector<uint8_t> x = sim_test_input(steps, net.n_inputs, 0.08, &rng);
            std::vector<uint8_t> ref = sim_test_reference(&net, x.data(), steps);
            int32_t counts[20];
            int pred = -1;
            CHECK(mosaic_sim_run(sim, x.data(), steps, counts, &pred, &err) == MOSAIC_OK);
            int got_steps = 0;
            const uint8_t *r = mosaic_sim_raster(sim, &got_steps);
            CHECK_EQ_INT(got_steps, steps);
            int diff = 0;
            for (size_t i = 0; i < (size_t)steps * N; i++) {
                diff += r[i] != ref[i];
                spikes += ref[i];
            }
            if (diff) {
                long long a = 0, b = 0;
                int first = -1;
                for (size_t i = 0; i < (size_t)steps * N; i++) {
                    a += r[i], b += ref[i];
                    if (first < 0 && r[i] != ref[i]) first = (int)i;
                }
                printf("  sample %d: %d of %d spike cells differ (sim %lld, reference %lld spikes; first at "
                       "step %d "
                       "neuron %d)\n",
                       s, diff, steps * N, a, b, first / N, first % N);
            }
            identical += diff == 0;
        }
        const MosaicSimStats *st2 = mosaic_sim_stats(sim);
        printf(
            "  %d/%d samples identical, %lld reference spikes (%.3f per neuron per step), %lld deliveries, "
            "%lld cycles, %lld cell evaluations\n",
            identical, samples, spikes, (double)spikes / ((double)samples * steps * N),
            (long long)st2->deliveries, (long long)st2->cycles, (long long)st2->cell_evals);
        CHECK_EQ_INT(identical, samples);
        CHECK(spikes > 1000);          // the comparison is only meaningful with traffic
        CHECK(st2->deliveries > 1000); // and with spikes actually routed
        // The routers' hardware counters (read through the configuration port) agree with the lines the
        // simulator saw on every port.
        int counter_mismatch = 0;
        long long router_spikes = 0;
        for (int c = 0; c < st2->n_cells; c++)
            for (int p = 0; p < 8; p++) {
                long long sum = 0;
                for (int l = 0; l < st2->max_lines; l++)
                    sum += st2->line_spikes[((size_t)c * 8 + p) * st2->max_lines + l];
                counter_mismatch += sum != st2->port_spikes[c * 8 + p];
                router_spikes += sum;
            }
        printf("  %lld spikes on ports, %d counter mismatches, %lld RTL clocks\n", router_spikes,
               counter_mismatch, (long long)st2->rtl_clocks);
        CHECK_EQ_INT(counter_mismatch, 0);
        CHECK(router_spikes > 0);
        CHECK_EQ_INT(st2->late, 0);
        CHECK_EQ_INT(st2->stray, 0);
        CHECK_EQ_INT(st2->collisions, 0);
    }
    mosaic_sim_free(sim);

    TEST("GatedEqualsNaive") {
        MosaicRng rng;
        mosaic_rng_derive(&rng, seed, 6);
        std::vector<std::vector<uint8_t>> xs;
        for (int i = 0; i < 3; i++) xs.push_back(sim_test_input(100, net.n_inputs, 0.08, &rng));
        // A traced window across a sample boundary, at depth 2 (router inputs, error flags, membranes).
        char wave[] = "/tmp/test_sim_exact_XXXXXX.vcd";
        const int fd = mkstemps(wave, 4);
        CHECK(fd >= 0);
        if (fd >= 0) close(fd);
        opt.wave_path = wave;
        opt.wave_first_step = 90;
        opt.wave_last_step = 110;
        opt.wave_depth = 2;
        CHECK_EQ_INT(sim_test_modes_differ(&net, &map, opt, xs, 100), 0);
    }
    TEST("NtDevicesAreTheProgrammedWeights") {
        // Ideal: every non-zero trained weight holds a device pair; every pair stuck off: none does.
        const int k = arch.neurons_per_tile;
        long long nonzero = 0;
        for (size_t i = 0; i < (size_t)net.n_input_tiles * k * k; i++) nonzero += net.w_in[i] != 0.0f;
        for (size_t i = 0; i < (size_t)mosaic_arch_tiles(&arch) * k * k; i++)
            nonzero += net.w_intra[i] != 0.0f;
        for (size_t i = 0; i < (size_t)net.n_links * k; i++) nonzero += net.link_w[i] != 0.0f;
        MosaicSimOptions o;
        mosaic_sim_options_default(&o);
        for (int stuck = 0; stuck <= 1; stuck++) {
            MosaicNetwork dev_net = net; // shares the weights; the simulator only reads them
            dev_net.arch.device.ideal = !stuck;
            dev_net.arch.device.programming_noise = 0;
            dev_net.arch.device.stuck_off = stuck;
            MosaicSim *s2 = NULL;
            CHECK(mosaic_sim_create(&s2, &dev_net, &map, &o, &err) == MOSAIC_OK);
            if (!s2) continue;
            const MosaicSimStats *st3 = mosaic_sim_stats(s2);
            long long devices = 0;
            for (int t = 0; t < mosaic_arch_tiles(&arch); t++) devices += st3->devices_nt[t];
            CHECK_EQ_INT(devices, stuck ? 0 : nonzero);
            mosaic_sim_free(s2);
        }
    }
    mosaic_mapping_free(&map);
    mosaic_network_free(&net);
    return mosaic_test_finish();
}
