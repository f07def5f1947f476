// Too few routing cycles per step: late spikes appear and are counted exactly as predicted from the
// route lengths (every emitted spike of neuron s is delivered once per link of s, d(s, dst) cycles after
// emission); the hop-latency histogram equals the predicted one per distance, under both late policies.
// An unmappable network is refused with MOSAIC_ERR_UNMAPPABLE.
#include "mosaic_sim.h"
#include "sim_test_util.h"

// Predicted deliveries per latency from the simulator's own per-neuron spike counts.
static std::vector<long long> predicted_hist(const MosaicNetwork *net, const MosaicMapping *map,
                                             const MosaicSimStats *s) {
    std::vector<long long> h((size_t)s->max_latency + 1, 0);
    const int k = net->arch.neurons_per_tile;
    for (int l = 0; l < net->n_links; l++) {
        const int from = map->placement[net->link_src[l] / k], to = map->placement[net->link_dst[l]];
        const int d = mosaic_tile_distance(&net->arch, from, to);
        h[(size_t)std::min(d, s->max_latency)] += s->neuron_spikes[net->link_src[l]];
    }
    return h;
}

static void run_policy(const MosaicNetwork *net, const MosaicMapping *map, int K, int policy, uint64_t seed) {
    MosaicSimOptions opt;
    mosaic_sim_options_default(&opt);
    opt.cycles_per_step = K;
    opt.late_policy = policy;
    MosaicSim *sim = NULL;
    MosaicErr err;
    if (mosaic_sim_create(&sim, net, map, &opt, &err) != MOSAIC_OK) {
        fprintf(stderr, "create: %s\n", err.msg);
        CHECK(0);
        return;
    }
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, 9);
    for (int i = 0; i < 3; i++) {
        std::vector<uint8_t> x = sim_test_input(100, net->n_inputs, 0.08, &rng);
        CHECK(mosaic_sim_run(sim, x.data(), 100, NULL, NULL, &err) == MOSAIC_OK);
    }
    const MosaicSimStats *s = mosaic_sim_stats(sim);
    if (K == 0) {
        CHECK_EQ_INT(s->cycles_per_step, map->max_route); // the default: the mapping's longest route
        K = s->cycles_per_step;
    }
    std::vector<long long> want = predicted_hist(net, map, s);
    long long late_want = 0;
    for (int d = K + 1; d <= s->max_latency; d++) late_want += want[(size_t)d];
    int bins_wrong = 0;
    for (int d = 0; d <= s->max_latency; d++) bins_wrong += s->latency_hist[d] != want[(size_t)d];
    printf("  K=%d %s: late %lld (predicted %lld), dropped %lld, deliveries %lld, histogram", K,
           policy == MOSAIC_LATE_DROP ? "drop" : "next_step", (long long)s->late, late_want,
           (long long)s->late_dropped, (long long)s->deliveries);
    for (int d = 0; d <= s->max_latency; d++) printf(" %lld", (long long)s->latency_hist[d]);
    printf("\n");
    CHECK_EQ_INT(bins_wrong, 0);
    CHECK_EQ_INT(s->late, late_want);
    CHECK_EQ_INT(s->late_dropped, policy == MOSAIC_LATE_DROP ? late_want : 0);
    CHECK_EQ_INT(s->stray, 0);
    CHECK_EQ_INT(s->collisions, 0);
    if (K < map->max_route)
        CHECK(late_want > 0);
    else
        CHECK_EQ_INT(late_want, 0);
    mosaic_sim_free(sim);
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 7);
    MosaicArch arch;
    mosaic_arch_default(&arch);
    MosaicNetwork net;
    MosaicMapping map;
    memset(&map, 0, sizeof map);
    if (!sim_test_network(&net, &arch, "1:0.5,3:0.02,5:0.004,7:0.002", seed) || !sim_test_map(&map, &net))
        return EXIT_FAILURE;
    printf("network: %d links, longest route %d, %d violations\n", net.n_links, map.max_route,
           map.n_violations);
    CHECK_EQ_INT(map.n_violations, 0);
    TEST("LateSpikesCountedAsPredictedDrop") run_policy(&net, &map, 2, MOSAIC_LATE_DROP, seed);
    TEST("LateSpikesCountedAsPredictedNextStep") run_policy(&net, &map, 4, MOSAIC_LATE_NEXT_STEP, seed);
    TEST("NoLateSpikesWithTheDefaultCycles") run_policy(&net, &map, 0, MOSAIC_LATE_DROP, seed);
    // Late spikes take the longest paths through the gating (drained past K+1 cycles, delivered a step
    // late): the naive evaluation must see exactly the same.
    for (int policy : {MOSAIC_LATE_DROP, MOSAIC_LATE_NEXT_STEP})
        TEST(policy == MOSAIC_LATE_DROP ? "GatedEqualsNaiveLateDrop" : "GatedEqualsNaiveLateNextStep") {
            MosaicSimOptions opt;
            mosaic_sim_options_default(&opt);
            opt.cycles_per_step = 3;
            opt.late_policy = policy;
            MosaicRng rng;
            mosaic_rng_derive(&rng, seed, 11);
            std::vector<std::vector<uint8_t>> xs;
            for (int i = 0; i < 2; i++) xs.push_back(sim_test_input(60, net.n_inputs, 0.08, &rng));
            CHECK_EQ_INT(sim_test_modes_differ(&net, &map, opt, xs, 60), 0);
        }

    TEST("UnmappableNetworkIsRefused") {
        MosaicNetwork dense;
        MosaicMapping dmap;
        memset(&dmap, 0, sizeof dmap);
        CHECK(sim_test_network(&dense, &arch, "1:0.9,3:0.3", seed) && sim_test_map(&dmap, &dense));
        CHECK(dmap.n_violations > 0);
        MosaicSim *sim = NULL;
        MosaicErr err;
        CHECK(mosaic_sim_create(&sim, &dense, &dmap, NULL, &err) == MOSAIC_ERR_UNMAPPABLE);
        CHECK(sim == NULL);
        printf("  refused: %s\n", err.msg);
        mosaic_mapping_free(&dmap);
        mosaic_network_free(&dense);
    }
    mosaic_mapping_free(&map);
    mosaic_network_free(&net);
    return mosaic_test_finish();
}
