/* `mosaic sim`: runs a trained network on the cycle-accurate array (SystemC + Verilated routers) over a
 * spike dataset and writes the simulation result file. Built as a stub that says so when the simulator
 * is not (-DMOSAIC_WITH_SIM=OFF: mosaic_sim defines MOSAIC_HAVE_SIM for its users). */
#include "commands.h"

#ifndef MOSAIC_HAVE_SIM
#include <stdio.h>

int mosaic_cmd_sim(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "mosaic sim: this build has no simulator (configure with -DMOSAIC_WITH_SIM=ON)\n");
    return 3;
}
#else
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cli_run.h"
#include "cli_util.h"
#include "commands.h"
#include "mosaic_bins.h"
#include "mosaic_clock.h"
#include "mosaic_cosim.h"
#include "mosaic_files.h"
#include "mosaic_h5.h"
#include "mosaic_mapper_io.h"
#include "mosaic_netfile.h"
#include "mosaic_sim.h"
#include "mosaic_sim_result.h"
#include "mosaic_train_run.h"

extern char **environ;

static void sim_usage_(FILE *out) {
    std::fprintf(
        out,
        "usage: mosaic sim --network NET.h5|RUN [--mapping MAP.h5] --data TEST.h5[.gz] --out SIM.h5\n"
        "                  [--samples N] [--offset O|all] [--steps T] [--ideal] [--cycles-per-step K]\n"
        "                  [--late drop|next_step] [--wave FILE.vcd|FILE.fst] [--wave-window A:B|N]\n"
        "                  [--wave-depth 1|2] [--naive] [--quiet] [--set key=value ...]\n"
        "Runs the network on the cycle-accurate Mosaic array: Verilated routers programmed from the "
        "mapper's\n"
        "line assignment through their configuration ports, LIF neuron tiles on the training engine's "
        "kernel.\n"
        "  --network      a network file, or the folder of a train or cosim run (RUN/network.h5, binned as "
        "RUN/config.yaml)\n"
        "  --mapping      a mapping file from `mosaic map --out`: its placement is used and its line\n"
        "                 assignment must equal the one re-derived here\n"
        "  --data         SHD-layout dataset, binned like training (100 steps over 1.4 s, every 6th "
        "channel);\n"
        "                 sample i is view offset O of recording i (--offset all: every view, as training\n"
        "                 evaluates)\n"
        "  --samples      N recordings (views with --offset all) spread evenly over the file, so that a\n"
        "                 file sorted by class still gives every class (default: all)\n"
        "                 (the run's train.data.steps and window_s take precedence over the defaults:\n"
        "                 from RUN/config.yaml, or the configuration a checkpoint file records; --steps\n"
        "                 overrides the number of steps)\n"
        "  --ideal        ideal NT devices (otherwise the network file's device.* keys apply)\n"
        "  --set          architecture keys over the network file's (device.*, timing.*, capacity.*; not\n"
        "                 array.*, which the network fixes; `mosaic config` lists them)\n"
        "  --cycles-per-step  routing cycles per time step (default: the longest route of the mapping)\n"
        "  --late         spikes needing more cycles: dropped (default) or integrated one step later\n"
        "  --wave         waveform of router traffic, signals named by grid cell (r1_2_3.out_E); .fst via\n"
        "                 gtkwave's vcd2fst. --wave-window: global time steps [A, B) (default 0:10);\n"
        "                 --wave-depth 2 adds input ports, collision flags and membranes (waveforms/)\n"
        "  --naive        evaluate every cell every cycle (the benchmark baseline of activity gating)\n"
        "exit status: 0 ok, 1 the network does not fit the array (violation report printed), 2 bad input,\n"
        "3 I/O or internal error\n");
}

static bool ends_with_(const char *s, const char *suffix) {
    const size_t n = std::strlen(s), m = std::strlen(suffix);
    return n >= m && std::strcmp(s + n - m, suffix) == 0;
}

// The binning and training set a run's configuration gives (steps, window, train.data.train when SHD).
static void binning_of_(const MosaicTrainConfig &cfg, long *steps, double *window_s,
                        std::string *train_data) {
    *steps = cfg.steps;
    *window_s = cfg.window_s;
    if (cfg.data_source == MOSAIC_DATA_SHD) *train_data = cfg.data_train;
}

// The network of a run folder (RUN/network.h5, which mosaic train and mosaic cosim write, binned as
// RUN/config.yaml says), or a network file: the checkpoints train and cosim export record the run's
// configuration in their root attribute "config", whose binning applies too (cosim's simulator gets
// such a file; a window other than 1.4 s binned at 1.4 s made the array score a different input).
// A file without one (steps and window left alone, no training set known) simulates as before.
static MosaicStatus load_network_(const char *path, MosaicNetwork *net, long *steps, double *window_s,
                                  std::string *train_data, MosaicErr *err) {
    char net_path[4096];
    bool is_run = false;
    MOSAIC_TRY(cli_run_network(path, net_path, sizeof net_path, &is_run, err));
    MosaicArch arch;
    MosaicTrainConfig cfg;
    if (is_run) {
        MOSAIC_TRY(cli_run_check_config(path, err));
        const std::string cfg_path = std::string(path) + "/config.yaml";
        MOSAIC_TRY(cli_load_train_config(cfg_path.c_str(), nullptr, 0, &arch, &cfg, nullptr, err));
        binning_of_(cfg, steps, window_s, train_data);
    }
    MOSAIC_TRY(mosaic_netfile_read(net_path, net, err));
    if (is_run) return MOSAIC_OK;
    int found = 0;
    MosaicErr bad;
    if (mosaic_cosim_recorded_config(net_path, &arch, &cfg, &found, &bad) != MOSAIC_OK)
        std::fprintf(stderr, "mosaic sim: note: %s; binning with the defaults\n", bad.msg);
    else if (found)
        binning_of_(cfg, steps, window_s, train_data);
    return MOSAIC_OK;
}

// The violation report of a network that does not fit (one line per port over capacity).
static void print_violations_(const MosaicMapping *m) {
    std::printf("NOT MAPPABLE: %d port(s) above capacity; the array cannot run this network\n",
                m->n_violations);
    const int shown = std::min(m->n_violations, 40);
    for (int i = 0; i < shown; i++) {
        const MosaicViolation *v = &m->violations[i];
        std::printf("  %-3s (%2d,%2d) %-5s %4d lines > capacity %d\n",
                    mosaic_cell_kind_name((MosaicCellKind)v->kind), v->gr, v->gc, mosaic_port_name(v->port),
                    v->count, v->capacity);
    }
    if (shown < m->n_violations)
        std::printf("  ... %d more (mosaic map lists all)\n", m->n_violations - shown);
}

// The mapping file's placement, and a check that its crossbar configuration equals the re-derived one.
static MosaicStatus read_mapping_file_(const char *path, int tiles, std::vector<int32_t> &placement,
                                       MosaicErr *err) {
    MosaicH5File *f = nullptr;
    MOSAIC_TRY(mosaic_h5_open(path, &f, err));
    char *format = nullptr;
    MosaicStatus st = mosaic_h5_attr_read_string(f, "/", "format", &format, err);
    if (st == MOSAIC_OK && std::strcmp(format, MOSAIC_MAPPING_FORMAT) != 0)
        st = mosaic_err(err, MOSAIC_ERR_INPUT,
                        "%s: root attribute 'format' is '%s'; expected '%s' (a file from `mosaic map --out`)",
                        path, format, MOSAIC_MAPPING_FORMAT);
    std::free(format);
    placement.assign((size_t)tiles, 0);
    const int64_t dims[1] = {tiles};
    if (st == MOSAIC_OK)
        st = mosaic_h5_read_into(f, "placement", MOSAIC_H5_I32, 1, dims, placement.data(), err);
    mosaic_h5_close(f);
    return st;
}

static MosaicStatus check_mapping_file_(const char *path, const MosaicMapping *m, MosaicErr *err) {
    MosaicH5File *f = nullptr;
    MOSAIC_TRY(mosaic_h5_open(path, &f, err));
    const int nconn = m->conn_offset[m->n_cells], tiles = mosaic_arch_tiles(&m->arch);
    const int nrows = m->row_offset[tiles];
    static const char *router_cols[] = {"routers/in_port", "routers/in_line", "routers/out_port",
                                        "routers/out_line", "routers/source"};
    static const char *nt_cols[] = {"nt/side", "nt/line", "nt/link", "nt/source"};
    const int ncp = m->n_cells * MOSAIC_NPORTS, nlines = m->line_offset[ncp];
    int64_t links = 0;
    MosaicStatus st = mosaic_h5_attr_read_int64(f, "/", "n_links", &links, err);
    if (st == MOSAIC_OK && links != m->n_links)
        st = mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: maps %lld links; the network has %d (the mapping file belongs to another network, "
            "e.g. another checkpoint)",
            path, (long long)links, m->n_links);
    std::vector<int32_t> col;
    // every column of the line assignment: crossbar connections, NT rows, and the lines of every port
    for (int c = 0; c < 11 && st == MOSAIC_OK; c++) {
        const bool router = c < 5, nt = c >= 5 && c < 9;
        const int n = router ? nconn : nt ? nrows : c == 9 ? ncp + 1 : nlines;
        const char *name = router   ? router_cols[c]
                           : nt     ? nt_cols[c - 5]
                           : c == 9 ? "lines/offset"
                                    : "lines/source";
        col.assign((size_t)n, 0);
        const int64_t dims[1] = {n};
        st = mosaic_h5_read_into(f, name, MOSAIC_H5_I32, 1, dims, col.data(), err);
        for (int i = 0; i < n && st == MOSAIC_OK; i++) {
            int32_t want;
            if (router) {
                const MosaicXbarConn &x = m->conn[i];
                want = c == 0   ? x.in_port
                       : c == 1 ? x.in_line
                       : c == 2 ? x.out_port
                       : c == 3 ? x.out_line
                                : x.source;
            } else if (nt) {
                const MosaicNtRow &r = m->rows[i];
                want = c == 5 ? r.side : c == 6 ? r.line : c == 7 ? r.link : r.source;
            } else {
                want = c == 9 ? m->line_offset[i] : m->line_source[i];
            }
            if (col[(size_t)i] != want)
                st = mosaic_err(
                    err, MOSAIC_ERR_INPUT,
                    "%s: dataset '%s' entry %d is %d but the network's mapping gives %d (the mapping "
                    "file belongs to another network or architecture)",
                    path, name, i, col[(size_t)i], want);
        }
    }
    mosaic_h5_close(f);
    return st;
}

// Converts the VCD written by the simulator into FST with gtkwave's vcd2fst.
static int vcd_to_fst_(const char *vcd, const char *fst) {
    pid_t pid;
    char *argv[] = {(char *)"vcd2fst", (char *)vcd, (char *)fst, nullptr};
    if (posix_spawnp(&pid, "vcd2fst", nullptr, nullptr, argv, environ) != 0) return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int mosaic_cmd_sim(int argc, char **argv) {
    const char *net_path = nullptr, *map_path = nullptr, *data_path = nullptr, *out_path = nullptr;
    const char *samples_s = nullptr, *offset_s = nullptr, *steps_s = nullptr, *cycles_s = nullptr,
               *late_s = nullptr;
    const char *wave_path = nullptr, *window_s = nullptr, *depth_s = nullptr;
    bool ideal = false, naive = false, quiet = false;
    CliSets sets = {};
    for (int i = 1; i < argc; i++) {
        int r;
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) return sim_usage_(stdout), 0;
        if (!std::strcmp(argv[i], "--ideal")) {
            ideal = true;
            continue;
        }
        if (!std::strcmp(argv[i], "--naive")) {
            naive = true;
            continue;
        }
        if (!std::strcmp(argv[i], "--quiet")) {
            quiet = true;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--network", &net_path)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--mapping", &map_path)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--data", &data_path)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--out", &out_path)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--samples", &samples_s)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--offset", &offset_s)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--steps", &steps_s)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--cycles-per-step", &cycles_s)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--late", &late_s)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--wave", &wave_path)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--wave-window", &window_s)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--wave-depth", &depth_s)) != 0 ||
            (r = cli_take_set(argc, argv, &i, &sets)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        std::fprintf(stderr, "mosaic sim: unknown option '%s'\n", argv[i]);
        sim_usage_(stderr);
        return 2;
    }
    if (!net_path || !data_path || !out_path) {
        std::fprintf(stderr, "mosaic sim: --network, --data and --out are required\n");
        sim_usage_(stderr);
        return 2;
    }
    auto int_arg = [](const char *name, const char *s, long lo, long hi, long *v) {
        char *end = nullptr;
        *v = std::strtol(s, &end, 10);
        if (!*s || *end || *v < lo || *v > hi) {
            std::fprintf(stderr, "mosaic sim: %s: expected an integer in [%ld, %ld], got '%s'\n", name, lo,
                         hi, s);
            return false;
        }
        return true;
    };
    long samples = -1, offset = 0, steps = 100, cycles = 0, depth = 1, late = -1;
    if ((samples_s && !int_arg("--samples", samples_s, 1, 1L << 30, &samples)) ||
        (offset_s && std::strcmp(offset_s, "all") && !int_arg("--offset", offset_s, 0, 1 << 20, &offset)) ||
        (steps_s && !int_arg("--steps", steps_s, 2, 1 << 20, &steps)) ||
        (cycles_s && !int_arg("--cycles-per-step", cycles_s, 1, 1 << 20, &cycles)) ||
        (depth_s && !int_arg("--wave-depth", depth_s, 1, 2, &depth)))
        return 2;
    if (late_s) {
        if (!std::strcmp(late_s, "drop"))
            late = MOSAIC_LATE_DROP;
        else if (!std::strcmp(late_s, "next_step"))
            late = MOSAIC_LATE_NEXT_STEP;
        else {
            std::fprintf(stderr, "mosaic sim: --late: expected drop or next_step, got '%s'\n", late_s);
            return 2;
        }
    }
    long wave_a = 0, wave_b = 10;
    if (window_s) {
        const char *colon = std::strchr(window_s, ':');
        char *end = nullptr;
        if (colon) {
            wave_a = std::strtol(window_s, &end, 10);
            const bool ok_a = end == colon;
            wave_b = std::strtol(colon + 1, &end, 10);
            if (!ok_a || *end || colon == window_s || wave_a < 0 || wave_b <= wave_a) wave_b = -1;
        } else {
            wave_b = std::strtol(window_s, &end, 10);
            if (*end || !*window_s || wave_b < 1) wave_b = -1;
        }
        if (wave_b < 0) {
            std::fprintf(stderr,
                         "mosaic sim: --wave-window: expected A:B (0 <= A < B) or N time steps, got '%s'\n",
                         window_s);
            return 2;
        }
    }
    if (!wave_path && (window_s || depth_s)) {
        std::fprintf(stderr, "mosaic sim: %s shapes a waveform: give --wave FILE.vcd|.fst too\n",
                     window_s ? "--wave-window" : "--wave-depth");
        return 2;
    }
    if (wave_path && !ends_with_(wave_path, ".vcd") && !ends_with_(wave_path, ".fst")) {
        std::fprintf(stderr, "mosaic sim: --wave: expected a .vcd or .fst file name, got '%s'\n", wave_path);
        return 2;
    }
    if (int rc = cli_check_out_file("sim", "--out", out_path)) return rc;
    if (wave_path)
        if (int rc = cli_check_out_file("sim", "--wave", wave_path)) return rc;
    {
        // Neither output may be an input (or the other output): writing it would destroy that file.
        char net_file[4200];
        bool is_run = false;
        MosaicErr ignored;
        if (cli_run_network(net_path, net_file, sizeof net_file, &is_run, &ignored) != MOSAIC_OK)
            std::snprintf(net_file, sizeof net_file, "%s", net_path);
        const char *outs[2][2] = {{"--out", out_path}, {"--wave", wave_path}};
        const char *ins[4][2] = {
            {"--network", net_file}, {"--mapping", map_path}, {"--data", data_path}, {"--out", out_path}};
        for (int o = 0; o < 2; o++)
            for (int k = 0; k < (o ? 4 : 3); k++)
                if (cli_check_distinct("sim", outs[o][0], outs[o][1], ins[k][0], ins[k][1])) return 2;
    }

    // ---- network, architecture overrides, mapping ----
    MosaicErr err;
    MosaicNetwork net;
    long run_steps = 0;
    double run_window = 0;
    std::string train_data;
    MosaicStatus st = load_network_(net_path, &net, &run_steps, &run_window, &train_data, &err);
    if (st == MOSAIC_OK && run_steps > 0 && !steps_s) steps = run_steps;
    if (st != MOSAIC_OK) return cli_fail("sim", st, &err);
    // As eval: data laid out unlike the run's training set would feed its inputs other channels.
    if (!train_data.empty() &&
        (st = mosaic_train_check_data_layout(train_data.c_str(), data_path, &err)) != MOSAIC_OK) {
        mosaic_network_free(&net);
        return cli_fail("sim", st, &err);
    }
    const MosaicArch before = net.arch;
    MosaicCfgSection sec = mosaic_arch_config_section(&net.arch);
    for (int i = 0; i < sets.nsets && st == MOSAIC_OK; i++) st = mosaic_cfg_set(sets.sets[i], &sec, 1, &err);
    if (st == MOSAIC_OK) st = mosaic_arch_validate(&net.arch, "--set", &err);
    if (st == MOSAIC_OK && (net.arch.rows != before.rows || net.arch.cols != before.cols ||
                            net.arch.neurons_per_tile != before.neurons_per_tile))
        st = mosaic_err(
            &err, MOSAIC_ERR_INPUT,
            "--set: array.rows, array.cols and array.neurons_per_tile are fixed by the network file %s",
            net_path);
    if (st != MOSAIC_OK) {
        mosaic_network_free(&net);
        return cli_fail("sim", st, &err);
    }
    if (ideal && !net.arch.device.ideal)
        std::printf("mosaic sim: note: --ideal overrides device.ideal = false%s\n",
                    sets.nsets ? " (from --set or the network file)" : " (from the network file)");
    if (ideal) net.arch.device.ideal = true;
    const int tiles = mosaic_arch_tiles(&net.arch);
    std::vector<int32_t> placement;
    if (map_path && (st = read_mapping_file_(map_path, tiles, placement, &err)) != MOSAIC_OK) {
        mosaic_network_free(&net);
        return cli_fail("sim", st, &err);
    }
    MosaicLinks links;
    mosaic_links_init(&links);
    MosaicMapping map;
    std::memset(&map, 0, sizeof map);
    st = mosaic_links_from_network(&links, &net, &err);
    if (st == MOSAIC_OK)
        st = mosaic_map(&map, &net.arch, &links, map_path ? placement.data() : nullptr, MOSAIC_MAP_CONFIG,
                        &err);
    mosaic_links_free(&links);
    int code = 0;
    if (st == MOSAIC_OK && map.n_violations > 0) {
        print_violations_(&map);
        code = 1;
    } else if (st == MOSAIC_OK && map_path) {
        st = check_mapping_file_(map_path, &map, &err);
    }
    if (st != MOSAIC_OK || code) {
        mosaic_mapping_free(&map);
        mosaic_network_free(&net);
        return code ? code : cli_fail("sim", st, &err);
    }

    // ---- dataset ----
    MosaicShd *shd = nullptr;
    MosaicBins *bins = nullptr;
    MosaicBinSpec spec;
    mosaic_bin_spec_default(&spec);
    spec.steps = (int)steps;
    if (run_window > 0) spec.window = run_window;
    spec.channels = net.n_inputs;
    st = mosaic_shd_open(data_path, &shd, &err);
    // As train and eval: a label the readout cannot express, or nothing to simulate, is bad input.
    if (st == MOSAIC_OK && mosaic_shd_num_classes(shd) > net.n_classes)
        st = mosaic_err(
            &err, MOSAIC_ERR_INPUT,
            "%s: /extra/keys names %d classes; expected at most %d (the network's readout neurons)",
            data_path, mosaic_shd_num_classes(shd), net.n_classes);
    if (st == MOSAIC_OK && mosaic_shd_num_samples(shd) == 0)
        st = mosaic_err(&err, MOSAIC_ERR_INPUT, "%s: the dataset holds no recordings (expected at least one)",
                        data_path);
    if (st == MOSAIC_OK) st = mosaic_bins_create(shd, &spec, &bins, &err);
    if (st == MOSAIC_OK && offset >= mosaic_bins_offsets(bins))
        st = mosaic_err(&err, MOSAIC_ERR_INPUT, "--offset %ld: the dataset %s has view offsets 0 .. %d",
                        offset, data_path, mosaic_bins_offsets(bins) - 1);
    if (st != MOSAIC_OK) {
        mosaic_bins_free(bins);
        mosaic_shd_close(shd);
        mosaic_mapping_free(&map);
        mosaic_network_free(&net);
        return cli_fail("sim", st, &err);
    }
    // One view per recording (offset O), or every view of every recording (--offset all, as training
    // evaluates).
    const bool all_views = offset_s && !std::strcmp(offset_s, "all");
    const int64_t available = all_views ? mosaic_bins_count(bins) : mosaic_shd_num_samples(shd);
    const int n = (int)(samples > 0 ? std::min<int64_t>(samples, available) : available);
    if (samples > available)
        std::fprintf(stderr, "mosaic sim: --samples %ld: %s has %lld %s; simulating all of them\n", samples,
                     data_path, (long long)available, all_views ? "views" : "recordings");
    // The window counts global steps over all samples: one past the run would record nothing.
    const long run_steps_total = (long)n * steps;
    if (wave_path && wave_a >= run_steps_total) {
        std::fprintf(
            stderr,
            "mosaic sim: error: --wave-window %ld:%ld: the run has %ld time steps (%d samples of %ld); "
            "expected a window starting below %ld\n",
            wave_a, wave_b, run_steps_total, n, steps, run_steps_total);
        mosaic_bins_free(bins);
        mosaic_shd_close(shd);
        mosaic_mapping_free(&map);
        mosaic_network_free(&net);
        return 2;
    }
    if (wave_path && wave_b > run_steps_total) {
        std::fprintf(
            stderr,
            "mosaic sim: note: --wave-window %ld:%ld: the run has %ld time steps; recording %ld:%ld\n",
            wave_a, wave_b, run_steps_total, wave_a, run_steps_total);
        wave_b = run_steps_total;
    }

    // ---- simulator ----
    MosaicSimOptions opt;
    mosaic_sim_options_default(&opt);
    opt.cycles_per_step = (int)cycles;
    opt.late_policy = (int)late;
    opt.naive = naive;
    opt.wave_depth = (int)depth;
    opt.wave_first_step = wave_a;
    opt.wave_last_step = wave_b;
    std::string vcd_path, fst_tmp;
    int tracked[2] = {-1, -1};
    if (wave_path) {
        // Under a temporary name until complete, like every result: an interrupted run leaves no
        // truncated waveform under the name asked for (nor replaces an earlier one).
        const std::string tmp = std::string(wave_path) + ".tmp-" + std::to_string((long)getpid());
        vcd_path = tmp + ".vcd";
        fst_tmp = tmp + ".fst";
        tracked[0] = mosaic_tmp_track(vcd_path.c_str());
        tracked[1] = mosaic_tmp_track(fst_tmp.c_str());
        opt.wave_path = vcd_path.c_str();
    }
    MosaicSim *sim = nullptr;
    st = mosaic_sim_create(&sim, &net, &map, &opt, &err);
    std::vector<uint8_t> x((size_t)steps * net.n_inputs);
    std::vector<int64_t> index((size_t)n);
    std::vector<int32_t> label((size_t)n), predicted((size_t)n), counts((size_t)n * net.n_classes);
    const double t0 = mosaic_now_s();
    double last_print = t0;
    int correct = 0;
    for (int i = 0; i < n && st == MOSAIC_OK; i++) {
        const int64_t pick = mosaic_spread_index(i, n, available);
        index[(size_t)i] = all_views ? pick : mosaic_bins_view(bins, pick, (int)offset);
        st = mosaic_bins_sample(bins, index[(size_t)i], x.data(), &err);
        if (st == MOSAIC_OK)
            st = mosaic_bins_check_window(
                bins,
                run_window > 0
                    ? "the run's train.data.window_s"
                    : "the default; a run folder, or a checkpoint it exported, gives its train.data.window_s",
                &err);
        if (st != MOSAIC_OK) break;
        label[(size_t)i] = mosaic_bins_label(bins, index[(size_t)i]);
        int pred = 0;
        st =
            mosaic_sim_run(sim, x.data(), (int)steps, counts.data() + (size_t)i * net.n_classes, &pred, &err);
        predicted[(size_t)i] = pred;
        correct += pred == label[(size_t)i];
        const double now = mosaic_now_s();
        if (!quiet && (now - last_print > 0.5 || i + 1 == n)) {
            std::fprintf(stderr, "\rsim: sample %d/%d  accuracy %.3f  %.1f samples/s   ", i + 1, n,
                         (double)correct / (i + 1), (i + 1) / (now - t0));
            if (i + 1 == n) std::fprintf(stderr, "\n");
            last_print = now;
        }
    }
    const double wall = mosaic_now_s() - t0;
    if (st != MOSAIC_OK) {
        mosaic_sim_free(sim); // closes the waveform: the unfinished one goes
        if (wave_path) unlink(vcd_path.c_str());
        mosaic_tmp_untrack(tracked[0]);
        mosaic_tmp_untrack(tracked[1]);
        mosaic_bins_free(bins);
        mosaic_shd_close(shd);
        mosaic_mapping_free(&map);
        mosaic_network_free(&net);
        return cli_fail("sim", st, &err);
    }
    const MosaicSimStats *s = mosaic_sim_stats(sim);

    // ---- result file ----
    std::string yaml;
    {
        char *buf = nullptr;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        if (mem) {
            mosaic_arch_write_yaml(mem, &net.arch);
            std::fclose(mem);
            yaml.assign(buf ? buf : "", len);
            std::free(buf);
        }
    }
    MosaicProvenance prov = {"mosaic sim", MOSAIC_VERSION, MOSAIC_GIT_HASH, net.arch.device.seed,
                             yaml.c_str()};
    MosaicSimSamples smp = {n,
                            net.n_classes,
                            mosaic_arch_neurons(&net.arch),
                            tiles,
                            index.data(),
                            label.data(),
                            predicted.data(),
                            counts.data(),
                            wall};
    st = mosaic_sim_result_write(out_path, &net.arch, s, &smp, &prov, &err);

    // ---- summary ----
    const int N = mosaic_arch_neurons(&net.arch);
    long long spikes = 0;
    for (int i = 0; i < N; i++) spikes += s->neuron_spikes[i];
    std::printf(
        "mosaic sim: %d samples x %ld steps on %dx%d tiles of %d (K = %d cycles/step, late %s, devices %s)\n",
        n, steps, net.arch.rows, net.arch.cols, net.arch.neurons_per_tile, s->cycles_per_step,
        s->late_policy == MOSAIC_LATE_DROP ? "drop" : "next_step",
        net.arch.device.ideal ? "ideal" : "modelled");
    std::printf("accuracy on the array: %.4f (%d/%d)\n", n ? (double)correct / n : 0.0, correct, n);
    std::printf("activity: %.4f spikes per neuron per step; %lld deliveries, late %lld (dropped %lld), "
                "collisions %lld, stray %lld\n",
                (double)spikes / ((double)N * (double)s->steps), (long long)s->deliveries, (long long)s->late,
                (long long)s->late_dropped, (long long)s->collisions, (long long)s->stray);
    std::printf("hop latency (cycles: deliveries):");
    for (int d = 0; d <= s->max_latency; d++)
        if (s->latency_hist[d]) std::printf(" %d: %lld", d, (long long)s->latency_hist[d]);
    std::printf("\n");
    // The busiest router port by peak lines in one cycle, against its width.
    int best = -1;
    for (int cp = 0; cp < s->n_cells * MOSAIC_NPORTS; cp++) {
        const int cell = cp / MOSAIC_NPORTS;
        if (mosaic_cell_kind(cell / mosaic_grid_cols(&net.arch), cell % mosaic_grid_cols(&net.arch)) ==
            MOSAIC_CELL_NT)
            continue;
        if (best < 0 || s->peak_lines[cp] > s->peak_lines[best]) best = cp;
    }
    if (best >= 0) {
        const int cell = best / MOSAIC_NPORTS, gc = mosaic_grid_cols(&net.arch);
        std::printf(
            "busiest router port: %s (%d,%d) %s peak %d lines in one cycle, %d assigned, capacity %d, "
            "%lld spikes\n",
            mosaic_cell_kind_name(mosaic_cell_kind(cell / gc, cell % gc)), cell / gc, cell % gc,
            mosaic_port_name(best % MOSAIC_NPORTS), s->peak_lines[best], s->port_lines[best],
            s->port_capacity[best], (long long)s->port_spikes[best]);
    }
    long long dev_nt = 0, dev_r = 0;
    int dev_nt_max = 0;
    for (int t = 0; t < tiles; t++)
        dev_nt += s->devices_nt[t], dev_nt_max = std::max(dev_nt_max, s->devices_nt[t]);
    for (int c = 0; c < s->n_cells; c++) dev_r += s->devices_router[c];
    std::printf(
        "devices: NT crossbars %lld programmed (max %d of %d x %d per tile); routers %lld ON; crossbars "
        "R1 %d x %d, R0 %d x %d\n",
        dev_nt, dev_nt_max, s->nt_rows, s->nt_cols, dev_r, s->r1_side, s->r1_side, s->r0_side, s->r0_side);
    std::printf("speed: %.3f s, %.1f samples/s, %.3g simulated cycles/s, %.1f cell evaluations per cycle%s\n",
                wall, n / wall, (double)s->cycles / wall,
                s->cycles ? (double)s->cell_evals / (double)s->cycles : 0.0, naive ? " (naive)" : "");
    if (st == MOSAIC_OK && (st = mosaic_sim_close_wave(sim, &err)) != MOSAIC_OK) {
        // name the file the user asked for, not its temporary name
        const char *why = std::strstr(err.msg, ": writing");
        MosaicErr named;
        mosaic_err(&named, st, "%s%s", wave_path, why ? why : err.msg);
        err = named;
    }
    mosaic_sim_free(sim);
    int rc = st == MOSAIC_OK ? 0 : cli_fail("sim", st, &err);
    if (rc == 0) std::printf("wrote %s\n", out_path);
    if (rc != 0 && wave_path) unlink(vcd_path.c_str());
    if (rc == 0 && wave_path) {
        if (ends_with_(wave_path, ".fst")) {
            if (vcd_to_fst_(vcd_path.c_str(), fst_tmp.c_str()) != 0) {
                std::fprintf(stderr, "mosaic sim: vcd2fst failed; the VCD is kept at %s\n", vcd_path.c_str());
                unlink(fst_tmp.c_str());
                rc = 3;
            } else {
                unlink(vcd_path.c_str());
                vcd_path = fst_tmp;
            }
        }
        if (rc == 0 && std::rename(vcd_path.c_str(), wave_path) != 0) {
            std::fprintf(stderr, "mosaic sim: %s: cannot rename the finished waveform %s to it (%s)\n",
                         wave_path, vcd_path.c_str(), std::strerror(errno));
            unlink(vcd_path.c_str());
            rc = 3;
        }
        if (rc == 0)
            std::printf("wrote %s (steps %ld..%ld, depth %ld)\n", wave_path, wave_a, wave_b - 1, depth);
    }
    mosaic_tmp_untrack(tracked[0]);
    mosaic_tmp_untrack(tracked[1]);
    mosaic_bins_free(bins);
    mosaic_shd_close(shd);
    mosaic_mapping_free(&map);
    mosaic_network_free(&net);
    return rc;
}
#endif
