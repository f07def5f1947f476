// bench_sim: the cycle-accurate array on a trained network, 5x5 and 8x8 (one child process each: SystemC
// elaborates once per process). Per geometry, all measured in the same run:
//   - the training engine's own inference of the same samples (mosaic_infer_sample): the peer;
//   - the activity-gated simulation (ideal devices): ms per sample, simulated cycles/s, samples/s;
//   - the naive baseline: every router and NT evaluated every cycle of every step's full K cycles;
//   - waveform cost: a 10-step window traced vs the same 10 steps untraced.
// Goals (issue 6): 5x5 sample < 20 ms; gated >= 10x naive; within 50x of the engine; wave <= 5x.
// Usage: bench_sim [--samples N] [--epochs E] [--only 5|8] [--sparse 0|1] [--profile
// gated|naive|gated_wc|naive_wc]
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "mosaic_infer.h"
#include "mosaic_mapper.h"
#include "mosaic_sim.h"
#include "mosaic_trainer.h"

namespace {

double now_s() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

std::vector<uint8_t> dense_sample(const MosaicSpikeSet *set, int s) {
    std::vector<uint8_t> x((size_t)set->steps * set->channels, 0);
    const int32_t *st = mosaic_spikeset_steps(set, s), *ch = mosaic_spikeset_chans(set, s);
    for (int t = 0; t < set->steps; t++)
        for (int i = st[t]; i < st[t + 1]; i++) x[(size_t)t * set->channels + ch[i]] = 1;
    return x;
}

bool fail(const char *what, const MosaicErr &err) {
    std::fprintf(stderr, "bench_sim: %s: %s\n", what, err.msg);
    return false;
}

struct Run {
    double s_per_sample = 0, cycles_per_s = 0, evals_per_cycle = 0, clocks_per_cycle = 0, cycles_per_step = 0;
    int correct = 0;
};

// Runs the samples through a fresh simulator with `opt`; returns timing (best of `reps` passes).
bool run_sim(const MosaicNetwork *net, const MosaicMapping *map, const std::vector<std::vector<uint8_t>> &xs,
             int steps, const int32_t *labels, MosaicSimOptions opt, int reps, Run *out) {
    MosaicSim *sim = nullptr;
    MosaicErr err;
    if (mosaic_sim_create(&sim, net, map, &opt, &err) != MOSAIC_OK) return fail("create", err);
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        int correct = 0;
        const double t0 = now_s();
        for (size_t i = 0; i < xs.size(); i++) {
            int pred = -1;
            if (mosaic_sim_run(sim, xs[i].data(), steps, nullptr, &pred, &err) != MOSAIC_OK) {
                mosaic_sim_free(sim);
                return fail("run", err);
            }
            correct += labels && pred == labels[i];
        }
        best = std::min(best, now_s() - t0);
        out->correct = correct;
    }
    const MosaicSimStats *s = mosaic_sim_stats(sim);
    out->s_per_sample = best / (double)xs.size();
    const double cycles_per_pass = (double)s->cycles / reps;
    out->cycles_per_s = cycles_per_pass / best;
    out->evals_per_cycle = s->cycles ? (double)s->cell_evals / (double)s->cycles : 0.0;
    out->clocks_per_cycle = s->cycles ? (double)s->rtl_clocks / (double)s->cycles : 0.0;
    out->cycles_per_step = (double)s->cycles / (double)s->steps;
    mosaic_sim_free(sim);
    return true;
}

// --profile MODE: after training, run only that configuration (gated, naive, gated_wc, naive_wc) for
// `profile_reps` passes, so that perf/callgrind see the simulator alone.
const char *g_profile = nullptr;
int g_profile_reps = 20;

int bench_geometry(int side, bool sparse, int n_samples, int epochs) {
    MosaicErr err;
    MosaicArch arch;
    mosaic_arch_default(&arch);
    arch.rows = arch.cols = side;
    MosaicTrainConfig cfg;
    mosaic_train_config_default(&cfg);
    cfg.method = MOSAIC_METHOD_ROUTING_AWARE;
    cfg.seed = 42;
    cfg.epochs = epochs;
    cfg.batch = 32;
    cfg.lr = 1e-2;
    cfg.classes = 10;                // learnable within a few epochs of a small synthetic set
    if (sparse) cfg.target_fr = 0.5; // 10 * mean(z) -> 0.5: about 0.05 spikes per neuron per step
    std::strcpy(cfg.profile, "1:0.8,3:0.01");
    const int train_n = side == 5 ? 256 : 128;
    MosaicSpikeSet train, test;
    if (mosaic_spikeset_synthetic(&train, train_n, cfg.steps, cfg.inputs, cfg.classes, 3, 100, &err) !=
            MOSAIC_OK ||
        mosaic_spikeset_synthetic(&test, n_samples, cfg.steps, cfg.inputs, cfg.classes, 3, 200, &err) !=
            MOSAIC_OK)
        return fail("synthetic data", err), 3;
    MosaicTrainer *tr = nullptr;
    if (mosaic_train_config_validate(&cfg, &arch, "bench", &err) != MOSAIC_OK ||
        mosaic_trainer_create(&tr, &cfg, &arch, &err) != MOSAIC_OK)
        return fail("trainer", err), 3;
    const double tt = now_s();
    MosaicTrainEpoch row{};
    for (int e = 0; e < epochs; e++)
        if (mosaic_trainer_epoch(tr, &train, &test, &row, &err) != MOSAIC_OK) return fail("epoch", err), 3;
    MosaicNetwork net;
    if (mosaic_trainer_export(tr, &net, &err) != MOSAIC_OK) return fail("export", err), 3;
    mosaic_trainer_free(tr);
    MosaicLinks links;
    mosaic_links_init(&links);
    for (int l = 0; l < net.n_links; l++) mosaic_links_push(&links, net.link_src[l], net.link_dst[l], &err);
    MosaicMapping map;
    std::memset(&map, 0, sizeof map);
    if (mosaic_map(&map, &net.arch, &links, nullptr, MOSAIC_MAP_CONFIG, &err) != MOSAIC_OK)
        return fail("map", err), 3;
    mosaic_links_free(&links);
    std::printf(
        "== %dx%d %s: trained %d epochs on %d synthetic samples in %.1f s (test accuracy %.3f, activity %.3f "
        "spikes/neuron/step); %d links, longest route %d, %d violations\n",
        side, side, sparse ? "sparse (target_fr 0.5)" : "dense (reference target_fr 5)", epochs, train_n,
        now_s() - tt, row.test_acc, row.rate, net.n_links, map.max_route, map.n_violations);
    if (map.n_violations) {
        std::printf("   not mappable on fixed hardware: skipped\n");
        return 1;
    }
    const int steps = cfg.steps, N = mosaic_arch_neurons(&arch);
    std::vector<std::vector<uint8_t>> xs;
    for (int s = 0; s < test.n; s++) xs.push_back(dense_sample(&test, s));

    // Peer: the training engine's inference of the same samples.
    std::vector<uint8_t> z((size_t)steps * N);
    double peer = 1e30;
    long long spikes = 0;
    for (int r = 0; r < 3; r++) {
        const double t0 = now_s();
        spikes = 0;
        for (auto &x : xs) {
            if (mosaic_infer_sample(&net, steps, x.data(), z.data(), nullptr, &err) != MOSAIC_OK)
                return fail("infer", err), 3;
            for (uint8_t v : z) spikes += v;
        }
        peer = std::min(peer, (now_s() - t0) / (double)xs.size());
    }
    const double activity = (double)spikes / ((double)xs.size() * steps * N);

    MosaicSimOptions opt;
    mosaic_sim_options_default(&opt);
    opt.use_device_model = 0;
    if (g_profile) {
        MosaicSimOptions p = opt;
        p.naive = std::strstr(g_profile, "naive") != nullptr;
        if (std::strstr(g_profile, "_wc")) p.cycles_per_step = mosaic_arch_max_distance(&arch);
        Run r;
        if (!run_sim(&net, &map, xs, steps, nullptr, p, g_profile_reps, &r)) return 3;
        std::printf("   profile %s: %.3f ms/sample\n", g_profile, 1e3 * r.s_per_sample);
        return 0;
    }
    Run gated, naive, traced, untraced, gated_wc, naive_wc;
    if (!run_sim(&net, &map, xs, steps, test.label, opt, 3, &gated)) return 3;
    MosaicSimOptions nopt = opt;
    nopt.naive = true;
    if (!run_sim(&net, &map, xs, steps, nullptr, nopt, 1, &naive)) return 3;
    // Hardware sized for any route: K = the array's largest distance instead of the mapping's longest
    // route. The naive evaluation pays for every one of those cycles; the gated one ends each phase when
    // no spike is in flight.
    MosaicSimOptions wc = opt, nwc = nopt;
    wc.cycles_per_step = nwc.cycles_per_step = mosaic_arch_max_distance(&arch);
    if (!run_sim(&net, &map, xs, steps, nullptr, wc, 1, &gated_wc) ||
        !run_sim(&net, &map, xs, steps, nullptr, nwc, 1, &naive_wc))
        return 3;
    std::vector<std::vector<uint8_t>> few(xs.begin(), xs.begin() + std::min<size_t>(xs.size(), 4));
    // Waveform: a 10-step window (steps 40..49 of each sample, where the synthetic patterns are active),
    // traced vs the same 10 steps untraced.
    std::vector<std::vector<uint8_t>> mid;
    for (auto &x : few)
        mid.emplace_back(x.begin() + (size_t)40 * cfg.inputs, x.begin() + (size_t)50 * cfg.inputs);
    char wave_path[] = "/tmp/bench_sim_XXXXXX.vcd";
    const int fd = mkstemps(wave_path, 4);
    if (fd >= 0) close(fd);
    MosaicSimOptions wopt = opt;
    wopt.wave_path = wave_path;
    wopt.wave_first_step = 0;
    wopt.wave_last_step = 1L << 40;
    if (!run_sim(&net, &map, mid, 10, nullptr, opt, 3, &untraced) ||
        !run_sim(&net, &map, mid, 10, nullptr, wopt, 3, &traced))
        return 3;
    FILE *wf = std::fopen(wave_path, "r");
    long wave_bytes = 0;
    if (wf) {
        std::fseek(wf, 0, SEEK_END);
        wave_bytes = std::ftell(wf);
        std::fclose(wf);
    }
    unlink(wave_path);

    const double acc = (double)gated.correct / (double)xs.size();
    std::printf("   engine inference (peer)  %8.3f ms/sample   activity %.3f spikes/neuron/step\n",
                1e3 * peer, activity);
    std::printf(
        "   array, activity-gated    %8.3f ms/sample   %7.1f samples/s  %.3g cycles/s  %.1f cycles/step  "
        "%.1f cell evals (%.1f RTL clocks)/cycle  accuracy %.3f\n",
        1e3 * gated.s_per_sample, 1.0 / gated.s_per_sample, gated.cycles_per_s, gated.cycles_per_step,
        gated.evals_per_cycle, gated.clocks_per_cycle, acc);
    std::printf(
        "   array, naive (all cells) %8.3f ms/sample   %7.1f samples/s  %.3g cycles/s  %.1f cycles/step  "
        "%.1f cell evals (%.1f RTL clocks)/cycle\n",
        1e3 * naive.s_per_sample, 1.0 / naive.s_per_sample, naive.cycles_per_s, naive.cycles_per_step,
        naive.evals_per_cycle, naive.clocks_per_cycle);
    std::printf(
        "   K = %d (largest distance of the array): gated %.3f ms/sample (%.1f cycles/step), naive %.3f "
        "ms/sample (%.1f cycles/step): %.1fx\n",
        mosaic_arch_max_distance(&arch), 1e3 * gated_wc.s_per_sample, gated_wc.cycles_per_step,
        1e3 * naive_wc.s_per_sample, naive_wc.cycles_per_step, naive_wc.s_per_sample / gated_wc.s_per_sample);
    std::printf("   10-step window: untraced %.3f ms, traced %.3f ms (%.2f MB VCD per window)\n",
                1e3 * untraced.s_per_sample, 1e3 * traced.s_per_sample,
                wave_bytes / 1e6 / (double)mid.size());
    const double speedup = naive.s_per_sample / gated.s_per_sample, vs_peer = gated.s_per_sample / peer,
                 wave = traced.s_per_sample / untraced.s_per_sample;
    std::printf(
        "   ratios: gated vs naive %.1fx faster (goal >= 10x: %s); array / engine %.1fx (goal <= 50x: %s); "
        "traced / untraced %.2fx (goal <= 5x: %s)",
        speedup, speedup >= 10 ? "met" : "MISSED", vs_peer, vs_peer <= 50 ? "met" : "MISSED", wave,
        wave <= 5 ? "met" : "MISSED");
    if (side == 5)
        std::printf("; 5x5 sample %.2f ms (goal < 20 ms: %s)", 1e3 * gated.s_per_sample,
                    gated.s_per_sample < 0.020 ? "met" : "MISSED");
    std::printf("\n");
    mosaic_mapping_free(&map);
    mosaic_network_free(&net);
    mosaic_spikeset_free(&train);
    mosaic_spikeset_free(&test);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    int samples = 20, epochs = 3, only = 0, sparse_only = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--samples"))
            samples = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--epochs"))
            epochs = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--only"))
            only = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--profile"))
            g_profile = argv[i + 1];
        else if (!std::strcmp(argv[i], "--sparse"))
            sparse_only = std::atoi(argv[i + 1]);
    }
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    std::printf(
        "bench_sim: %d samples of 100 steps per geometry, trained routing-aware networks (synthetic task)\n",
        samples);
    std::fflush(stdout);
    int rc = 0;
    for (int side : {5, 8})
        for (bool sparse : {false, true}) {
            if (only && only != side) continue;
            if (sparse_only >= 0 && sparse_only != (int)sparse) continue;
            const pid_t pid = fork();
            if (pid == 0) {
                const int code =
                    bench_geometry(side, sparse, samples, side == 5 ? epochs : std::max(1, epochs - 1));
                std::fflush(stdout);
                _exit(code);
            }
            int status = 0;
            waitpid(pid, &status, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) rc = 1;
        }
    return rc;
}
