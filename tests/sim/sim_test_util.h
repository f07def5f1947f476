/* Helpers shared by the simulator tests: a random network on a profile, its mapping, random input
 * spikes, and the reference inference loop (a direct C loop over the training engine's kernel
 * mosaic_lif_tile_current + mosaic_lif_step, which is what the trainer's inference computes). */
#ifndef SIM_TEST_UTIL_H
#define SIM_TEST_UTIL_H

#include <algorithm>
#include <string>
#include <vector>

#include "mosaic_lif.h"
#include "mosaic_mapper.h"
#include "mosaic_rng.h"
#include "mosaic_test.h"

// Random weights on a random link set drawn with the reference budget rule for `profile`.
static inline bool sim_test_network(MosaicNetwork *net, const MosaicArch *arch, const char *profile,
                                    uint64_t seed) {
    MosaicErr err;
    MosaicProfile prof;
    MosaicLinks links;
    mosaic_links_init(&links);
    if (mosaic_profile_parse(&prof, profile, "test", &err) != MOSAIC_OK ||
        mosaic_links_random(&links, arch, &prof, seed, &err) != MOSAIC_OK ||
        mosaic_network_create(net, arch, 128, 20, links.n, &err) != MOSAIC_OK) {
        fprintf(stderr, "test network: %s\n", err.msg);
        mosaic_links_free(&links);
        return false;
    }
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, 77);
    const int k = arch->neurons_per_tile, tiles = mosaic_arch_tiles(arch);
    for (size_t i = 0; i < (size_t)net->n_input_tiles * k * k; i++)
        net->w_in[i] = (float)(0.5 * mosaic_rng_uniform(&rng) - 0.15);
    for (int t = 0; t < tiles; t++) {
        if (mosaic_network_block_kind(net, t) != MOSAIC_BLOCK_RECURRENT) continue;
        for (int i = 0; i < k * k; i++)
            net->w_intra[(size_t)t * k * k + i] = (float)(0.1 * mosaic_rng_normal(&rng) - 0.01);
    }
    std::vector<float> w((size_t)k);
    for (int l = 0; l < links.n; l++) {
        for (int j = 0; j < k; j++) w[(size_t)j] = (float)(0.2 * mosaic_rng_normal(&rng) - 0.02);
        mosaic_network_add_link(net, links.src[l], links.dst[l], w.data());
    }
    mosaic_links_free(&links);
    return mosaic_network_canonicalize(net, &err) == MOSAIC_OK;
}

static inline bool sim_test_map(MosaicMapping *map, const MosaicNetwork *net) {
    MosaicErr err;
    MosaicLinks links;
    mosaic_links_init(&links);
    bool ok = true;
    for (int l = 0; l < net->n_links && ok; l++) // link l of the set = link l of the network
        ok = mosaic_links_push(&links, net->link_src[l], net->link_dst[l], &err) == MOSAIC_OK;
    ok = ok && mosaic_map(map, &net->arch, &links, NULL, MOSAIC_MAP_CONFIG, &err) == MOSAIC_OK;
    if (!ok) fprintf(stderr, "test mapping: %s\n", err.msg);
    mosaic_links_free(&links);
    return ok;
}

// (steps, n_inputs) 0/1 spikes at `rate` per channel per step.
static inline std::vector<uint8_t> sim_test_input(int steps, int n_inputs, double rate, MosaicRng *rng) {
    std::vector<uint8_t> x((size_t)steps * n_inputs);
    for (auto &v : x) v = mosaic_rng_uniform(rng) < rate;
    return x;
}

// The reference: every tile integrates every spike of the previous step through the canonical kernel.
static inline std::vector<uint8_t> sim_test_reference(const MosaicNetwork *net, const uint8_t *x, int steps) {
    MosaicErr err;
    MosaicInbound in;
    mosaic_inbound_build(&in, net, &err);
    const int k = net->arch.neurons_per_tile, tiles = mosaic_arch_tiles(&net->arch), N = tiles * k;
    std::vector<float> v((size_t)N, 0.0f), cur((size_t)k);
    std::vector<uint8_t> z((size_t)N, 0), raster((size_t)steps * N);
    std::vector<int32_t> spiked;
    for (int t = 0; t < steps; t++) {
        spiked.clear();
        for (int n = 0; n < N; n++)
            if (z[(size_t)n]) spiked.push_back(n);
        for (int tile = 0; tile < tiles; tile++) {
            mosaic_lif_tile_current(net, &in, tile, x + (size_t)t * net->n_inputs, spiked.data(),
                                    (int)spiked.size(), cur.data());
            mosaic_lif_step(k, net->alpha, net->threshold, v.data() + (size_t)tile * k,
                            z.data() + (size_t)tile * k, cur.data());
        }
        std::copy(z.begin(), z.end(), raster.begin() + (size_t)t * N);
    }
    mosaic_inbound_free(&in);
    return raster;
}

#ifdef MOSAIC_SIM_H
// Everything the simulator reports about a run, beside its cost: spikes, deliveries, latencies, line
// counts, the routers' hardware counters.
struct SimTestOutcome {
    std::vector<uint8_t> raster;
    std::vector<long long> stats;
    std::string wave; // the VCD text when opt.wave_path is set
};

static inline bool sim_test_outcome(const MosaicNetwork *net, const MosaicMapping *map, MosaicSimOptions opt,
                                    const std::vector<std::vector<uint8_t>> &xs, int steps,
                                    SimTestOutcome *out) {
    MosaicErr err;
    MosaicSim *sim = NULL;
    opt.record_raster = true;
    if (mosaic_sim_create(&sim, net, map, &opt, &err) != MOSAIC_OK) {
        fprintf(stderr, "create: %s\n", err.msg);
        return false;
    }
    out->raster.clear();
    for (const auto &x : xs) {
        if (mosaic_sim_run(sim, x.data(), steps, NULL, NULL, &err) != MOSAIC_OK) {
            fprintf(stderr, "run: %s\n", err.msg);
            mosaic_sim_free(sim);
            return false;
        }
        int n = 0;
        const uint8_t *r = mosaic_sim_raster(sim, &n);
        out->raster.insert(out->raster.end(), r, r + (size_t)n * mosaic_arch_neurons(&net->arch));
    }
    const MosaicSimStats *s = mosaic_sim_stats(sim);
    const size_t cp = (size_t)s->n_cells * 8;
    std::vector<long long> &v = out->stats;
    v = {s->samples, s->steps, s->deliveries, s->late, s->late_dropped, s->stray, s->collisions};
    v.insert(v.end(), s->port_spikes, s->port_spikes + cp);
    v.insert(v.end(), s->line_spikes, s->line_spikes + cp * s->max_lines);
    v.insert(v.end(), s->peak_lines, s->peak_lines + cp);
    v.insert(v.end(), s->latency_hist, s->latency_hist + s->max_latency + 1);
    v.insert(v.end(), s->neuron_spikes, s->neuron_spikes + mosaic_arch_neurons(&net->arch));
    mosaic_sim_free(sim);
    out->wave.clear();
    if (opt.wave_path) {
        FILE *f = fopen(opt.wave_path, "rb");
        char buf[65536];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) out->wave.append(buf, n);
        if (f) fclose(f);
        remove(opt.wave_path);
    }
    return true;
}

// A VCD as its header and its value changes cycle by cycle (each cycle's changes sorted), without the
// time stamps and the phase-cycle wires: the naive evaluation runs idle cycles that the gated one skips,
// so only the sequence of cycles in which something changes can agree.
static inline std::vector<std::string> sim_test_wave_changes(const std::string &vcd) {
    std::vector<std::string> out;
    const size_t end = vcd.find("$enddefinitions");
    if (end == std::string::npos) return out;
    out.push_back(vcd.substr(0, end));
    std::vector<std::string> skip; // identifiers of `cycle` and `late_phase`
    for (const char *name : {" cycle ", " late_phase "}) {
        const size_t at = vcd.find(name);
        if (at == std::string::npos || at > end) continue;
        const size_t id0 = vcd.rfind(' ', at - 1) + 1;
        skip.push_back(vcd.substr(id0, at - id0));
    }
    std::vector<std::string> cycle;
    auto flush = [&]() {
        if (cycle.empty()) return;
        std::sort(cycle.begin(), cycle.end());
        std::string joined;
        for (const auto &c : cycle) joined += c + "\n";
        out.push_back(joined);
        cycle.clear();
    };
    size_t pos = vcd.find('\n', end) + 1;
    while (pos > 0 && pos < vcd.size()) {
        size_t nl = vcd.find('\n', pos);
        if (nl == std::string::npos) nl = vcd.size();
        const std::string line = vcd.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty()) continue;
        if (line[0] == '#') {
            flush();
            continue;
        }
        const size_t sp = line.rfind(' ');
        const std::string id = sp == std::string::npos ? line.substr(1) : line.substr(sp + 1);
        if (std::find(skip.begin(), skip.end(), id) == skip.end()) cycle.push_back(line);
    }
    flush();
    return out;
}

// The activity-gated and the naive evaluation of the same samples agree on every spike and statistic;
// returns the number of differing entries (-1 if a run failed).
static inline long long sim_test_modes_differ(const MosaicNetwork *net, const MosaicMapping *map,
                                              MosaicSimOptions opt,
                                              const std::vector<std::vector<uint8_t>> &xs, int steps) {
    SimTestOutcome gated, naive;
    opt.naive = false;
    if (!sim_test_outcome(net, map, opt, xs, steps, &gated)) return -1;
    opt.naive = true;
    if (!sim_test_outcome(net, map, opt, xs, steps, &naive)) return -1;
    if (gated.raster.size() != naive.raster.size() || gated.stats.size() != naive.stats.size()) return -1;
    long long diff = 0, spikes = 0;
    for (size_t i = 0; i < gated.raster.size(); i++) diff += gated.raster[i] != naive.raster[i];
    for (uint8_t z : gated.raster) spikes += z;
    for (size_t i = 0; i < gated.stats.size(); i++) diff += gated.stats[i] != naive.stats[i];
    // Traced, both must show the same signal changes at the same cycles.
    if (opt.wave_path) {
        const std::vector<std::string> a = sim_test_wave_changes(gated.wave),
                                       b = sim_test_wave_changes(naive.wave);
        printf("  waveforms: %zu and %zu cycles with changes\n", a.size() - 1, b.size() - 1);
        if (a.size() < 2 || a != b) diff++;
    }
    printf("  gated vs naive: %lld spikes, %lld deliveries (%lld late), %lld differing entries\n", spikes,
           gated.stats[2], gated.stats[3], diff);
    return diff;
}
#endif

#endif
