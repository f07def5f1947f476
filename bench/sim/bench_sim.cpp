// bench_sim: the cycle-accurate array on a trained network, 5x5 and 8x8 (one child process each: SystemC
// elaborates once per process). Per geometry, all measured in the same run:
//   - the training engine's own inference of the same samples (mosaic_infer_sample): the peer;
//   - the activity-gated simulation (ideal devices): ms per sample, simulated cycles/s, samples/s;
//   - the naive baseline: every router and NT evaluated every cycle of every step's full K cycles;
//   - waveform cost: a 10-step window traced vs the same 10 steps untraced.
// Goals (issue 6): 5x5 sample < 20 ms; gated >= 10x naive; within 50x of the engine; wave <= 5x.
// Options: bench_sim --help.
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_options.h"
#include "mosaic_bins.h"
#include "mosaic_clock.h"
#include "mosaic_cosim.h"
#include "mosaic_infer.h"
#include "mosaic_mapper.h"
#include "mosaic_netfile.h"
#include "mosaic_sim.h"
#include "mosaic_trainer.h"

namespace {

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

// This thread's CPU time: the simulator runs on the calling thread, and the process figure
// (mosaic_cpu_s) would also count the trainer's OpenMP workers spinning after the last epoch.
double thread_cpu_s() {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// One configuration measured over several passes: wall and CPU seconds per sample of every pass.
struct Run {
    std::vector<double> wall, cpu;
    double cycles_per_pass = 0, evals_per_cycle = 0, clocks_per_cycle = 0, cycles_per_step = 0;
    int correct = 0;
    long long spikes = 0; // neuron spikes of the last pass: every configuration must give the engine's
    double ms() const { return 1e3 * median(wall); }
    double cpu_ms() const { return 1e3 * median(cpu); }
    double cycles_per_s() const { return cycles_per_pass / (median(wall) * (double)samples); }
    size_t samples = 1;
};

// One pass of the samples through a fresh simulator with `opt` (creation and programming not timed).
bool run_sim(const MosaicNetwork *net, const MosaicMapping *map, const std::vector<std::vector<uint8_t>> &xs,
             int steps, const int32_t *labels, MosaicSimOptions opt, Run *out) {
    MosaicSim *sim = nullptr;
    MosaicErr err;
    if (mosaic_sim_create(&sim, net, map, &opt, &err) != MOSAIC_OK) return fail("create", err);
    int correct = 0;
    const double t0 = mosaic_now_s(), c0 = thread_cpu_s();
    for (size_t i = 0; i < xs.size(); i++) {
        int pred = -1;
        if (mosaic_sim_run(sim, xs[i].data(), steps, nullptr, &pred, &err) != MOSAIC_OK) {
            mosaic_sim_free(sim);
            return fail("run", err);
        }
        correct += labels && pred == labels[i];
    }
    out->wall.push_back((mosaic_now_s() - t0) / (double)xs.size());
    out->cpu.push_back((thread_cpu_s() - c0) / (double)xs.size());
    out->correct = correct;
    out->samples = xs.size();
    const MosaicSimStats *s = mosaic_sim_stats(sim);
    out->cycles_per_pass = (double)s->cycles;
    out->evals_per_cycle = s->cycles ? (double)s->cell_evals / (double)s->cycles : 0.0;
    out->clocks_per_cycle = s->cycles ? (double)s->rtl_clocks / (double)s->cycles : 0.0;
    out->cycles_per_step = (double)s->cycles / (double)s->steps;
    out->spikes = 0;
    for (int i = 0; i < mosaic_arch_neurons(&net->arch); i++) out->spikes += s->neuron_spikes[i];
    mosaic_sim_free(sim);
    return true;
}

// --profile MODE: after training, run only that configuration (gated, naive, gated_wc, naive_wc) for
// `profile_reps` passes, so that perf/callgrind see the simulator alone.
const char *g_profile = nullptr;
int g_reps = 5; // passes per configuration (--reps); medians are quoted

// The measurement of one trained, mapped network on its test samples (labels may be null).
int measure(const MosaicNetwork &net, const MosaicMapping &map, const std::vector<std::vector<uint8_t>> &xs,
            const int32_t *labels, int steps);

// A network trained here on the synthetic task (issue 6's default), then measured.
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
    const double tt = mosaic_now_s();
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
        mosaic_now_s() - tt, row.test_acc, row.rate, net.n_links, map.max_route, map.n_violations);
    if (map.n_violations) {
        std::printf("   not mappable on fixed hardware: skipped\n");
        return 1;
    }
    std::vector<std::vector<uint8_t>> xs;
    for (int s = 0; s < test.n; s++) xs.push_back(dense_sample(&test, s));
    const int rc = measure(net, map, xs, test.label, cfg.steps);
    mosaic_mapping_free(&map);
    mosaic_network_free(&net);
    mosaic_spikeset_free(&train);
    mosaic_spikeset_free(&test);
    return rc;
}

// A network the user trained (a network file, e.g. a co-simulation checkpoint) on the first samples of
// an SHD-layout file (stride offset 0 of each recording, binned as training bins them).
int bench_file(const char *net_path, const char *data_path, int n_samples, int steps) {
    MosaicErr err;
    MosaicNetwork net;
    if (mosaic_netfile_read(net_path, &net, &err) != MOSAIC_OK) return fail("network", err), 2;
    // Binned as its run was (as `mosaic sim` bins it), when the file records the run's configuration.
    MosaicBinSpec spec;
    mosaic_bin_spec_default(&spec);
    MosaicArch run_arch;
    MosaicTrainConfig run_cfg;
    int recorded = 0;
    if (mosaic_cosim_recorded_config(net_path, &run_arch, &run_cfg, &recorded, &err) != MOSAIC_OK)
        return fail("network", err), 2;
    if (recorded) {
        if (steps > 0 && steps != run_cfg.steps)
            return std::fprintf(stderr, "bench_sim: --steps %d: %s was trained with %d steps\n", steps,
                                net_path, run_cfg.steps),
                   2;
        steps = run_cfg.steps;
        spec.window = run_cfg.window_s;
    } else if (steps <= 0)
        steps = 100;
    MosaicLinks links;
    mosaic_links_init(&links);
    for (int l = 0; l < net.n_links; l++) mosaic_links_push(&links, net.link_src[l], net.link_dst[l], &err);
    MosaicMapping map;
    std::memset(&map, 0, sizeof map);
    const MosaicStatus ms = mosaic_map(&map, &net.arch, &links, nullptr, MOSAIC_MAP_CONFIG, &err);
    mosaic_links_free(&links);
    if (ms != MOSAIC_OK) return fail("map", err), 3;
    MosaicShd *shd = nullptr;
    MosaicBins *bins = nullptr;
    spec.steps = steps;
    spec.channels = net.n_inputs;
    MosaicStatus st = mosaic_shd_open(data_path, &shd, &err);
    if (st == MOSAIC_OK) st = mosaic_bins_create(shd, &spec, &bins, &err);
    std::vector<std::vector<uint8_t>> xs;
    std::vector<int32_t> labels;
    const int64_t n = st == MOSAIC_OK ? std::min<int64_t>(n_samples, mosaic_shd_num_samples(shd)) : 0;
    for (int64_t i = 0; i < n && st == MOSAIC_OK; i++) {
        std::vector<uint8_t> x((size_t)steps * net.n_inputs);
        const int64_t view = mosaic_bins_view(bins, i, 0);
        st = mosaic_bins_sample(bins, view, x.data(), &err);
        xs.push_back(std::move(x));
        labels.push_back(mosaic_bins_label(bins, view));
    }
    mosaic_bins_free(bins);
    mosaic_shd_close(shd);
    if (st != MOSAIC_OK) return fail("data", err), 2;
    std::printf("== %dx%d: %s (%d links, longest route %d, %d violations) on %zu samples of %s, %d steps "
                "over %g s%s\n",
                net.arch.rows, net.arch.cols, net_path, net.n_links, map.max_route, map.n_violations,
                xs.size(), data_path, steps, spec.window, recorded ? " (as its run recorded)" : "");
    const int rc = map.n_violations ? (std::printf("   not mappable on this hardware: skipped\n"), 1)
                                    : measure(net, map, xs, labels.data(), steps);
    mosaic_mapping_free(&map);
    mosaic_network_free(&net);
    return rc;
}

int measure(const MosaicNetwork &net, const MosaicMapping &map, const std::vector<std::vector<uint8_t>> &xs,
            const int32_t *labels, int steps) {
    MosaicErr err;
    const MosaicArch arch = net.arch;
    const int N = mosaic_arch_neurons(&arch), side = arch.rows, inputs = net.n_inputs;
    MosaicSimOptions opt;
    mosaic_sim_options_default(&opt);
    opt.use_device_model = 0;
    MosaicSimOptions nopt = opt;
    nopt.naive = true;
    if (g_profile) {
        MosaicSimOptions p = std::strstr(g_profile, "naive") ? nopt : opt;
        if (std::strstr(g_profile, "_wc")) p.cycles_per_step = mosaic_arch_max_distance(&arch);
        Run r;
        for (int i = 0; i < g_reps; i++)
            if (!run_sim(&net, &map, xs, steps, nullptr, p, &r)) return 3;
        std::printf("   profile %s: %.3f ms/sample (CPU %.3f ms)\n", g_profile, r.ms(), r.cpu_ms());
        return 0;
    }
    // Hardware sized for any route: K = the array's largest distance instead of the mapping's longest
    // route. The naive evaluation pays for every one of those cycles; the gated one ends each phase when
    // no spike is in flight.
    MosaicSimOptions wc = opt, nwc = nopt;
    wc.cycles_per_step = nwc.cycles_per_step = mosaic_arch_max_distance(&arch);
    // Waveform: a window of up to 10 steps (steps 40..49 of a 100-step sample, inside the synthetic
    // patterns and the spoken digits alike), traced vs the same steps untraced.
    const int w0 = steps >= 50 ? 40 : std::max(0, steps - 10), wn = std::min(10, steps - w0);
    std::vector<std::vector<uint8_t>> mid;
    for (size_t i = 0; i < std::min<size_t>(xs.size(), 4); i++)
        mid.emplace_back(xs[i].begin() + (size_t)w0 * inputs, xs[i].begin() + (size_t)(w0 + wn) * inputs);
    char wave_path[] = "/tmp/bench_sim_XXXXXX.vcd";
    const int fd = mkstemps(wave_path, 4);
    if (fd >= 0) close(fd);
    MosaicSimOptions wopt = opt;
    wopt.wave_path = wave_path;
    wopt.wave_first_step = 0;
    wopt.wave_last_step = 1L << 40;

    // Every configuration once per pass, passes interleaved, so that a change of machine load hits all
    // of them alike; medians over the passes.
    Run peer, gated, naive, gated_wc, naive_wc, untraced, traced;
    std::vector<uint8_t> z((size_t)steps * N);
    long long spikes = 0;
    std::fflush(stdout); // the header before the progress line on stderr, also when stdout is a pipe
    for (int r = 0; r < g_reps; r++) {
        const double t0 = mosaic_now_s(), c0 = thread_cpu_s();
        spikes = 0;
        for (auto &x : xs) {
            if (mosaic_infer_sample(&net, steps, x.data(), z.data(), nullptr, &err) != MOSAIC_OK)
                return fail("infer", err), 3;
            for (uint8_t v : z) spikes += v;
        }
        peer.wall.push_back((mosaic_now_s() - t0) / (double)xs.size());
        peer.cpu.push_back((thread_cpu_s() - c0) / (double)xs.size());
        if (!run_sim(&net, &map, xs, steps, labels, opt, &gated) ||
            !run_sim(&net, &map, xs, steps, nullptr, nopt, &naive) ||
            !run_sim(&net, &map, xs, steps, nullptr, wc, &gated_wc) ||
            !run_sim(&net, &map, xs, steps, nullptr, nwc, &naive_wc) ||
            !run_sim(&net, &map, mid, wn, nullptr, opt, &untraced) ||
            !run_sim(&net, &map, mid, wn, nullptr, wopt, &traced))
            return 3;
        std::fprintf(stderr, "\r   pass %d/%d", r + 1, g_reps);
    }
    std::fprintf(stderr, "\r%*s\r", 24, ""); // clear the progress line before the results
    const double activity = (double)spikes / ((double)xs.size() * steps * N);
    FILE *wf = std::fopen(wave_path, "r");
    long wave_bytes = 0;
    if (wf) {
        std::fseek(wf, 0, SEEK_END);
        wave_bytes = std::ftell(wf);
        std::fclose(wf);
    }
    unlink(wave_path);

    // The compared runs computed the same thing: ideal devices and K at least the longest route, so every
    // configuration reproduces the engine's spikes (the tests check it spike for spike).
    const bool same = gated.spikes == spikes && naive.spikes == spikes && gated_wc.spikes == spikes &&
                      naive_wc.spikes == spikes;
    std::printf("   neuron spikes: engine %lld, gated %lld, naive %lld, K max %lld / %lld: %s\n", spikes,
                gated.spikes, naive.spikes, gated_wc.spikes, naive_wc.spikes,
                same ? "the same" : "DIFFERENT (the timings compare different work)");
    if (!same) return 1;
    const double acc = (double)gated.correct / (double)xs.size();
    std::printf("   medians of %d passes, wall (CPU) ms per sample of %d steps:\n", g_reps, steps);
    std::printf("   engine inference (peer)  %8.3f (%.3f)   activity %.3f spikes/neuron/step\n", peer.ms(),
                peer.cpu_ms(), activity);
    std::printf("   array, activity-gated    %8.3f (%.3f)  %7.1f samples/s  %.3g cycles/s  %.1f cycles/step  "
                "%.1f cell evals (%.1f RTL clocks)/cycle  accuracy %.3f\n",
                gated.ms(), gated.cpu_ms(), 1e3 / gated.ms(), gated.cycles_per_s(), gated.cycles_per_step,
                gated.evals_per_cycle, gated.clocks_per_cycle, acc);
    std::printf("   array, naive (all cells) %8.3f (%.3f)  %7.1f samples/s  %.3g cycles/s  %.1f cycles/step  "
                "%.1f cell evals (%.1f RTL clocks)/cycle\n",
                naive.ms(), naive.cpu_ms(), 1e3 / naive.ms(), naive.cycles_per_s(), naive.cycles_per_step,
                naive.evals_per_cycle, naive.clocks_per_cycle);
    std::printf("   K = %d (largest distance of the array): gated %.3f (%.3f), %.1f cycles/step; naive %.3f "
                "(%.3f), %.1f cycles/step: %.1fx (CPU %.1fx)\n",
                mosaic_arch_max_distance(&arch), gated_wc.ms(), gated_wc.cpu_ms(), gated_wc.cycles_per_step,
                naive_wc.ms(), naive_wc.cpu_ms(), naive_wc.cycles_per_step, naive_wc.ms() / gated_wc.ms(),
                naive_wc.cpu_ms() / gated_wc.cpu_ms());
    std::printf(
        "   %d-step window: untraced %.3f (%.3f) ms, traced %.3f (%.3f) ms (%.2f MB VCD per window)\n", wn,
        untraced.ms(), untraced.cpu_ms(), traced.ms(), traced.cpu_ms(),
        wave_bytes / 1e6 / (double)mid.size());
    const double clocks_g = gated.clocks_per_cycle * gated.cycles_per_step,
                 clocks_n = naive.clocks_per_cycle * naive.cycles_per_step;
    std::printf(
        "   RTL clock edges per step: gated %.1f, naive %.1f (%.1fx: the most gating can gain while router "
        "evaluations dominate both)\n",
        clocks_g, clocks_n, clocks_n / clocks_g);
    const double speedup = naive.ms() / gated.ms(), speedup_cpu = naive.cpu_ms() / gated.cpu_ms(),
                 vs_peer = gated.ms() / peer.ms(), vs_peer_cpu = gated.cpu_ms() / peer.cpu_ms(),
                 wave = traced.ms() / untraced.ms(), wave_cpu = traced.cpu_ms() / untraced.cpu_ms();
    std::printf("   ratios (wall, CPU): gated vs naive %.1fx, %.1fx faster (goal >= 10x: %s); array / engine "
                "%.1fx, %.1fx (goal <= 50x: %s); traced / untraced %.2fx, %.2fx (goal <= 5x: %s)",
                speedup, speedup_cpu, speedup >= 10 && speedup_cpu >= 10 ? "met" : "MISSED", vs_peer,
                vs_peer_cpu, vs_peer <= 50 && vs_peer_cpu <= 50 ? "met" : "MISSED", wave, wave_cpu,
                wave <= 5 && wave_cpu <= 5 ? "met" : "MISSED");
    if (side == 5)
        std::printf("; 5x5 sample %.2f ms wall (goal < 20 ms: %s)", gated.ms(),
                    gated.ms() < 20 ? "met" : "MISSED");
    std::printf("\n");
    return 0;
}

const char usage[] =
    "usage: bench_sim [--samples N] [--epochs E] [--only 5|8] [--sparse 0|1] [--reps R]\n"
    "                 [--profile gated|naive|gated_wc|naive_wc]\n"
    "       bench_sim --network NET.h5 --data TEST.h5 [--steps T] [--samples N] [--reps R]\n"
    "  The activity-gated array against the naive every-cell-every-cycle evaluation and the training\n"
    "  engine's inference (the peer), all measured in the same run, plus the cost of waveform tracing.\n"
    "  Without --network it trains routing-aware 5x5 and 8x8 networks on a synthetic task first.\n"
    "  --samples N   recordings per measurement (20)\n"
    "  --epochs E    training epochs of the 5x5 network (3; 8x8 gets E-1)\n"
    "  --only 5|8    one geometry only\n"
    "  --sparse 0|1  only the dense (0) or the sparse (1) activity setting\n"
    "  --reps R      passes; figures are medians over them (5)\n"
    "  --profile M   run only mode M, repeatedly, for perf/callgrind (no comparison)\n"
    "  --network NET.h5 --data TEST.h5  a network trained elsewhere (e.g. RUN/network.h5) on the first N\n"
    "                recordings of an SHD-layout file, binned with the steps and window its run recorded\n"
    "                (train and cosim record them in network.h5 and the checkpoints); --steps T for a\n"
    "                file without a record (default 100 steps of 1.4 s)\n";

} // namespace

int main(int argc, char **argv) {
    int samples = 20, epochs = 3, only = 0, sparse_only = -1;
    const char *network = nullptr, *data = nullptr;
    int steps = 0; // the time steps the network was trained with (train.data.steps); 0 = as recorded
    if (bench_wants_help(argc, argv)) bench_usage_exit(usage, 0);
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--samples"))
            samples = bench_int(argc, argv, &i, 1, usage);
        else if (!std::strcmp(argv[i], "--epochs"))
            epochs = bench_int(argc, argv, &i, 1, usage);
        else if (!std::strcmp(argv[i], "--only"))
            only = bench_int(argc, argv, &i, 5, usage);
        else if (!std::strcmp(argv[i], "--reps"))
            g_reps = bench_int(argc, argv, &i, 1, usage);
        else if (!std::strcmp(argv[i], "--profile"))
            g_profile = bench_value(argc, argv, &i, usage);
        else if (!std::strcmp(argv[i], "--sparse"))
            sparse_only = bench_int(argc, argv, &i, 0, usage);
        else if (!std::strcmp(argv[i], "--network"))
            network = bench_value(argc, argv, &i, usage);
        else if (!std::strcmp(argv[i], "--data"))
            data = bench_value(argc, argv, &i, usage);
        else if (!std::strcmp(argv[i], "--steps"))
            steps = bench_int(argc, argv, &i, 1, usage);
        else
            bench_unknown(argv, i, usage);
    }
    if (only && only != 5 && only != 8)
        return std::fprintf(stderr, "bench_sim: --only: expected 5 or 8\n"), 2;
    if (sparse_only > 1) return std::fprintf(stderr, "bench_sim: --sparse: expected 0 or 1\n"), 2;
    if (g_profile && std::strcmp(g_profile, "gated") && std::strcmp(g_profile, "naive") &&
        std::strcmp(g_profile, "gated_wc") && std::strcmp(g_profile, "naive_wc"))
        return std::fprintf(stderr, "bench_sim: --profile: expected gated, naive, gated_wc or naive_wc\n"), 2;
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    if (network || data) {
        if (!network || !data)
            return std::fprintf(stderr, "bench_sim: --network and --data go together\n"), 2;
        std::printf("bench_sim: %d samples, a network trained elsewhere\n", samples);
        return bench_file(network, data, samples, steps);
    }
    std::printf("bench_sim: %d samples of 100 steps per geometry, routing-aware networks trained briefly on "
                "the synthetic "
                "task for their activity (accuracy at chance; --network NET --data D for a network trained "
                "for real)\n",
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
