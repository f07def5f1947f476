/* `mosaic cosim`: co-simulate training against the hardware (the product's main job).
 *
 * Trains with the training engine; every cosim.every epochs it exports the network, maps it exactly,
 * and runs it on the cycle-level array (`mosaic sim` as a child process on the second core) on
 * cosim.samples held-out samples while training continues. In the closed loop the exact port loads keep
 * rewiring within the hardware (mosaic_feedback.h); the open loop (cosim.feedback none) only measures.
 * RUN/ holds config.yaml, checkpoint.h5 (resume), network.h5 (the latest network, as after mosaic train),
 * checkpoints/ (network files), hw/ (mappings, simulation results and logs), history.csv, hardware.csv,
 * history.h5 and report.html. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"
#include "cli_util.h"
#include "commands.h"
#include "mosaic_bins.h"
#include "mosaic_clock.h"
#include "mosaic_cosim.h"
#include "mosaic_feedback.h"
#include "mosaic_files.h"
#include "mosaic_mapper_io.h"
#include "mosaic_netfile.h"
#include "mosaic_proxy.h"
#include "mosaic_report.h"
#include "mosaic_shd.h"
#ifdef MOSAIC_HAVE_SIM
#include "mosaic_sim.h"
#endif
#include "mosaic_subprocess.h"
#include "mosaic_train_run.h"

static void usage_(FILE *out) {
    fprintf(out,
            "usage: mosaic cosim --config FILE --out RUN [--set key=value ...]\n"
            "       mosaic cosim --resume RUN [--set key=value ...]\n"
            "       (either form takes --stop-after N: stop cleanly after N epochs of this session)\n"
            "       mosaic cosim --help-keys\n\n"
            "Trains the network and, every cosim.every epochs, maps it exactly and runs it on the\n"
            "cycle-accurate array (`mosaic sim`, a separate process on the second core) on cosim.samples\n"
            "held-out samples while training continues. With cosim.feedback closed (default) the exact\n"
            "port loads keep rewiring within the hardware's capacities (and cosim.memory_budget): links\n"
            "through overloaded ports are pruned first, and refill only creates links whose route fits;\n"
            "cosim.traffic_penalty adds a routing-energy penalty from measured spike rates. With\n"
            "cosim.feedback none the run only maps and simulates (open loop), for comparison. The closed\n"
            "loop needs train.method routing-aware or deepr: hop-penalty and dense keep every link and\n"
            "have nothing to rewire (run them with cosim.feedback none). Every key: --help-keys.\n"
            "Console: one line per epoch (loss, accuracies, rate = spikes per neuron per step, gamma dN =\n"
            "links at distance N, pruned/grown links, short = budget slots no admissible link could fill\n"
            "(deepr: synapses), then the exact mapping's ports over capacity and routing memory M, and\n"
            "vetoed = new links refused because their route would overload a port or exceed the memory\n"
            "budget); per hardware checkpoint its mapping, then its result. RUN/ receives config.yaml,\n"
            "checkpoint.h5, network.h5 (the latest network), checkpoints/, hw/, history.csv, hardware.csv,\n"
            "history.h5 and report.html. sim, map and eval take RUN itself. A folder that already holds a\n"
            "run (checkpoint.h5) is refused (use --resume); other files in RUN are left alone.\n"
            "A simulator crash or hang (cosim.sim_timeout) is reported and training goes on.\n"
            "The held-out samples come from train.data.test: with train.data.source synthetic checkpoints\n"
            "are mapped but never simulated, and cosim.traffic_penalty has no spike rates to act on.\n");
}

/* ---------------------------------------------------------------------------------------------
 * Run state
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    const char *run;
    char *yaml;
    MosaicArch arch;
    MosaicTrainConfig tcfg;
    MosaicCosimConfig ccfg;
    MosaicTrainer *tr;
    MosaicFeedback fb;
    MosaicSpikeSet train, test, held; /* held: the test samples the simulator runs, in its order */
    int views_per_recording;
    char self[4096];
    /* hardware records */
    MosaicHwRecord *hw;
    int n_hw, cap_hw;
    /* the simulation in flight */
    MosaicProc proc;
    int sim_running;
    int sim_record; /* index into hw of the checkpoint being simulated */
    char sim_out[4096], sim_log[4096];
    int feedback_attached; /* results also update the training (traffic penalty) */
    char sim_tmp[4200];    /* the simulator's temporary result file: removed if it is killed */
    int sim_tmp_tracked;
    /* last measured maps for the report */
    double *cell_util, *cell_spikes;
    int64_t vetoed_printed; /* refill candidates refused up to the last epoch line */
} Cosim_;

static MosaicProvenance provenance_(const Cosim_ *c) {
    MosaicProvenance p = {"mosaic cosim", MOSAIC_VERSION, MOSAIC_GIT_HASH, c->tcfg.seed, c->yaml};
    return p;
}

/* The test samples `mosaic sim --samples N --offset 0` runs: view offset 0 of N recordings spread evenly
 * over the test file (mosaic_spread_index), so that a file sorted by class gives every class. */
static MosaicStatus held_out_(Cosim_ *c, MosaicErr *err) {
    MosaicShd *shd = NULL;
    MOSAIC_TRY(mosaic_shd_open(c->tcfg.data_test, &shd, err));
    int64_t recordings = mosaic_shd_num_samples(shd);
    mosaic_shd_close(shd);
    if (recordings <= 0 || c->test.n % recordings)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: %d view samples are not a multiple of %lld recordings",
                          c->tcfg.data_test, c->test.n, (long long)recordings);
    c->views_per_recording = (int)(c->test.n / recordings);
    int n = c->ccfg.samples < recordings ? c->ccfg.samples : (int)recordings;
    const MosaicSpikeSet *t = &c->test;
    MOSAIC_TRY(mosaic_spikeset_create(&c->held, n, t->steps, t->channels, t->classes, err));
    uint8_t *x = malloc((size_t)t->steps * t->channels);
    if (!x) return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    MosaicStatus st = MOSAIC_OK;
    for (int i = 0; i < n && st == MOSAIC_OK; i++) {
        const int v = (int)mosaic_spread_index(i, n, recordings) * c->views_per_recording;
        memset(x, 0, (size_t)t->steps * t->channels);
        const int32_t *steps = mosaic_spikeset_steps(t, v), *chans = mosaic_spikeset_chans(t, v);
        for (int s = 0; s < t->steps; s++)
            for (int j = steps[s]; j < steps[s + 1]; j++) x[(size_t)s * t->channels + chans[j]] = 1;
        st = mosaic_spikeset_add(&c->held, i, x, t->label[v], err);
    }
    free(x);
    return st;
}

static MosaicHwRecord *new_record_(Cosim_ *c, int epoch) {
    if (c->n_hw == c->cap_hw) {
        int cap = c->cap_hw ? 2 * c->cap_hw : 16;
        MosaicHwRecord *h = realloc(c->hw, sizeof *h * (size_t)cap);
        if (!h) return NULL;
        c->hw = h;
        c->cap_hw = cap;
    }
    MosaicHwRecord *r = &c->hw[c->n_hw++];
    memset(r, 0, sizeof *r);
    r->epoch = epoch;
    r->hw_acc = r->sw_acc = r->late_spikes = r->proxy_total = NAN;
    return r;
}

/* ---------------------------------------------------------------------------------------------
 * Hardware checkpoints
 * ------------------------------------------------------------------------------------------- */

static void print_hw_(const Cosim_ *c, const MosaicHwRecord *r, const char *note) {
    printf(
        "  hw   epoch %d: %s, %d violations, M %.0f (NT %.0f, R1 %.0f, R0 %.0f; proxy %.0f), worst port %s",
        r->epoch, r->mappable ? "mappable" : "NOT mappable", r->violations, r->devices_total, r->devices_nt,
        r->devices_r1, r->devices_r0, r->proxy_total, r->worst_port);
    if (!isnan(r->hw_acc))
        printf(", late spikes %.0f, accuracy hw %.1f%% vs sw %.1f%% (%d samples)", r->late_spikes,
               100 * r->hw_acc, 100 * r->sw_acc, c->held.n);
    if (note) printf("  [%s]", note);
    printf("\n");
    fflush(stdout);
}

/* The result of a finished simulation into its record; the traffic penalty from its spike rates. */
static void collect_sim_(Cosim_ *c) {
    MosaicHwRecord *r = &c->hw[c->sim_record];
    char desc[160];
    mosaic_proc_describe(&c->proc, desc, sizeof desc);
    c->sim_running = 0;
    unlink(c->sim_tmp); /* left only by a simulator that was killed or crashed */
    mosaic_tmp_untrack(c->sim_tmp_tracked);
    if (c->proc.state != MOSAIC_PROC_EXITED || c->proc.exit_code != 0) {
        char note[4800];
        snprintf(note, sizeof note, "simulation of epoch %d failed: %s; see %s; training goes on", r->epoch,
                 desc, c->sim_log);
        print_hw_(c, r, note);
        return;
    }
    MosaicSimOutcome o;
    MosaicErr err;
    if (mosaic_cosim_read_sim(c->sim_out, &c->arch, &o, &err) != MOSAIC_OK) {
        printf("  hw   epoch %d: unreadable simulation result: %s; training goes on\n", r->epoch, err.msg);
        return;
    }
    r->hw_acc = o.accuracy;
    r->late_spikes = (double)o.late;
    free(c->cell_spikes);
    c->cell_spikes = o.cell_spikes;
    o.cell_spikes = NULL;
    char note[128];
    snprintf(note, sizeof note, "simulated in %.1f s", o.wall_s);
    if (c->feedback_attached && c->ccfg.feedback == MOSAIC_FEEDBACK_CLOSED && c->ccfg.traffic_penalty > 0) {
        if (mosaic_feedback_set_traffic(&c->fb, c->tr, c->ccfg.traffic_penalty, o.neuron_spikes, o.steps,
                                        &err) == MOSAIC_OK)
            snprintf(note, sizeof note, "simulated in %.1f s; traffic penalty updated", o.wall_s);
    }
    mosaic_sim_outcome_free(&o);
    print_hw_(c, r, note);
}

static void poll_sim_(Cosim_ *c, int wait);

/* The files of one hardware checkpoint: its network, and its mapping, simulation result and log. */
static void checkpoint_file_(const Cosim_ *c, int epoch, char *buf, size_t n) {
    mosaic_cosim_checkpoint_file(c->run, epoch, buf, n);
}

static void hw_file_(const Cosim_ *c, int epoch, const char *what, char *buf, size_t n) {
    mosaic_cosim_hw_file(c->run, epoch, what, buf, n);
}

/* On resume: the traffic penalty of the latest simulation result, as the stopped session had it in
 * force (checkpoint.h5 keeps the penalties of the links present then, not the rates that price the
 * links grown from here on; without this a resumed run trained differently from an unbroken one). */
static MosaicStatus restore_traffic_(Cosim_ *c, MosaicErr *err) {
    if (c->ccfg.feedback != MOSAIC_FEEDBACK_CLOSED || c->ccfg.traffic_penalty <= 0) return MOSAIC_OK;
    for (int i = c->n_hw - 1; i >= 0; i--) {
        if (isnan(c->hw[i].hw_acc)) continue;
        char path[4200];
        hw_file_(c, c->hw[i].epoch, "sim.h5", path, sizeof path);
        MosaicSimOutcome o;
        MosaicErr rerr;
        if (mosaic_cosim_read_sim(path, &c->arch, &o, &rerr) != MOSAIC_OK) { /* as complete_records_ */
            fprintf(stderr,
                    "mosaic cosim: note: %s; the traffic penalty waits for this session's first "
                    "simulation\n",
                    rerr.msg);
            return MOSAIC_OK;
        }
        const MosaicStatus st = mosaic_feedback_set_traffic(&c->fb, c->tr, c->ccfg.traffic_penalty,
                                                            o.neuron_spikes, o.steps, err);
        mosaic_sim_outcome_free(&o);
        return st;
    }
    return MOSAIC_OK;
}

/* Starts the simulator on the checkpoint of record hw[record] (its network and mapping files). */
static MosaicStatus start_sim_(Cosim_ *c, int record, MosaicErr *err) {
    const int epoch = c->hw[record].epoch;
    char net_path[4096], map_path[4096];
    checkpoint_file_(c, epoch, net_path, sizeof net_path);
    hw_file_(c, epoch, "mapping.h5", map_path, sizeof map_path);
    hw_file_(c, epoch, "sim.h5", c->sim_out, sizeof c->sim_out);
    hw_file_(c, epoch, "sim.log", c->sim_log, sizeof c->sim_log);
    char samples[32], steps[32];
    snprintf(samples, sizeof samples, "%d", c->held.n);
    snprintf(steps, sizeof steps, "%d", c->tcfg.steps);
    char *argv[24];
    int a = 0;
    argv[a++] = c->ccfg.sim_program[0] ? c->ccfg.sim_program : c->self;
    argv[a++] = "sim";
    argv[a++] = "--network", argv[a++] = net_path;
    argv[a++] = "--mapping", argv[a++] = map_path;
    argv[a++] = "--data", argv[a++] = c->tcfg.data_test;
    argv[a++] = "--samples", argv[a++] = samples;
    argv[a++] = "--steps", argv[a++] = steps;
    argv[a++] = "--out", argv[a++] = c->sim_out;
    argv[a++] = "--quiet";
    if (c->ccfg.sim_ideal) argv[a++] = "--ideal";
    argv[a] = NULL;
    MOSAIC_TRY(mosaic_proc_start(&c->proc, argv, c->sim_log, c->ccfg.sim_timeout, err));
    c->sim_running = 1;
    c->sim_record = record;
    /* the name its result file has until complete (traces' atomic writes), for when it is killed */
    mosaic_tmp_name_of(c->sim_out, "tmp", (long)c->proc.pid, c->sim_tmp, sizeof c->sim_tmp);
    c->sim_tmp_tracked = mosaic_tmp_track(c->sim_tmp);
    return MOSAIC_OK;
}

static MosaicStatus hardware_checkpoint_(Cosim_ *c, int epoch, MosaicErr *err);

/* The per-cell spike map of the last simulated record, for the report (NULL when there is none). */
static void load_spike_map_(Cosim_ *c) {
    for (int i = c->n_hw - 1; i >= 0 && !c->cell_spikes; i--) {
        if (isnan(c->hw[i].hw_acc)) continue;
        char path[4200];
        hw_file_(c, c->hw[i].epoch, "sim.h5", path, sizeof path);
        MosaicSimOutcome o;
        MosaicErr err;
        if (access(path, R_OK) != 0 || mosaic_cosim_read_sim(path, &c->arch, &o, &err) != MOSAIC_OK) return;
        c->cell_spikes = o.cell_spikes;
        o.cell_spikes = NULL;
        mosaic_sim_outcome_free(&o);
    }
}

/* On resume: the results of simulations that finished after the run stopped (their sim.h5 is there but
 * the records say nan), and, for a run that has finished its epochs, the simulation of its final
 * network when it was interrupted (the final network is always simulated); also the report's maps of
 * the last checkpoint. Returns how many records it completed. */
static int complete_records_(Cosim_ *c, int finished) {
    int done = 0;
    /* Interrupted after the last epoch's checkpoint but before its hardware record was written: the
     * final network is mapped and simulated now. */
    if (finished && (c->n_hw == 0 || c->hw[c->n_hw - 1].epoch != c->tcfg.epochs)) {
        MosaicErr err;
        if (hardware_checkpoint_(c, c->tcfg.epochs, &err) != MOSAIC_OK) {
            printf("  hw   epoch %d: cannot check the final network: %s\n", c->tcfg.epochs, err.msg);
            return done;
        }
        poll_sim_(c, 1);
        done++;
    }
    for (int i = 0; i < c->n_hw; i++) {
        MosaicHwRecord *r = &c->hw[i];
        if (!isnan(r->hw_acc)) continue;
        char path[4200];
        hw_file_(c, r->epoch, "sim.h5", path, sizeof path);
        MosaicSimOutcome o;
        MosaicErr err;
        if (access(path, R_OK) != 0 || mosaic_cosim_read_sim(path, &c->arch, &o, &err) != MOSAIC_OK) continue;
        r->hw_acc = o.accuracy;
        r->late_spikes = (double)o.late;
        mosaic_sim_outcome_free(&o);
        print_hw_(c, r, "result of a simulation that finished after the run stopped");
        done++;
    }
    MosaicHwRecord *last = c->n_hw ? &c->hw[c->n_hw - 1] : NULL;
    if (finished && last && last->epoch == c->tcfg.epochs && isnan(last->hw_acc) && last->mappable &&
        c->held.n > 0) {
        MosaicErr err;
        if (start_sim_(c, c->n_hw - 1, &err) != MOSAIC_OK) {
            printf("  hw   epoch %d: cannot simulate the final network: %s\n", last->epoch, err.msg);
            return done;
        }
        print_hw_(c, last, "its simulation was interrupted: simulating the final network again");
        poll_sim_(c, 1);
        done += !isnan(last->hw_acc);
    }
    /* The report's maps come from the last mapping and simulation, which this session did not make (a
     * resumed session that made no checkpoint of its own would otherwise write a report without them). */
    load_spike_map_(c);
    if (last && !c->cell_util && (c->cell_util = malloc(sizeof(double) * (size_t)mosaic_cells(&c->arch)))) {
        char path[4200];
        hw_file_(c, last->epoch, "mapping.h5", path, sizeof path);
        MosaicMapping m;
        MosaicErr err;
        /* the map is drawn on this run's cells: a mapping of another array would not fit them */
        if (mosaic_mapping_read(path, &m, &err) == MOSAIC_OK && m.arch.rows == c->arch.rows &&
            m.arch.cols == c->arch.cols) {
            mosaic_cosim_port_util(&m, c->cell_util);
            mosaic_mapping_free(&m);
        } else {
            mosaic_mapping_free(&m);
            free(c->cell_util);
            c->cell_util = NULL;
        }
    }
    return done;
}

static MosaicStatus hardware_checkpoint_(Cosim_ *c, int epoch, MosaicErr *err) {
    /* Intermediate checkpoints skip the simulation while the previous one still runs (training does
     * not wait); the final network is always simulated. */
    if (epoch == c->tcfg.epochs) poll_sim_(c, 1);
    char net_path[4096], map_path[4096];
    checkpoint_file_(c, epoch, net_path, sizeof net_path);
    hw_file_(c, epoch, "mapping.h5", map_path, sizeof map_path);
    MosaicNetwork net;
    MOSAIC_TRY(mosaic_trainer_export(c->tr, &net, err));
    MosaicProvenance prov = provenance_(c);
    MosaicStatus st = mosaic_netfile_write(net_path, &net, &prov, err);
    /* RUN/network.h5 is a run's network, as after mosaic train: sim, map and eval take the folder */
    char latest[4096];
    snprintf(latest, sizeof latest, "%s/network.h5", c->run);
    if (st == MOSAIC_OK) st = mosaic_netfile_write(latest, &net, &prov, err);
    MosaicLinks links;
    mosaic_links_init(&links);
    MosaicMapping m;
    memset(&m, 0, sizeof m);
    if (st == MOSAIC_OK) st = mosaic_links_from_network(&links, &net, err);
    if (st == MOSAIC_OK) st = mosaic_map(&m, &c->arch, &links, NULL, MOSAIC_MAP_CONFIG, err);
    MosaicHwRecord *r = st == MOSAIC_OK ? new_record_(c, epoch) : NULL;
    if (st == MOSAIC_OK && !r) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    if (st == MOSAIC_OK)
        /* one seed for the run, as proxy-check uses one: checkpoints with the same gamma_d get the same
         * estimate (seeded per epoch, two such checkpoints of one run differed by 12 %) */
        st = mosaic_cosim_record_mapping(r, &m, MOSAIC_PROXY_DRAWS, (uint64_t)c->tcfg.seed, err);
    if (st == MOSAIC_OK) st = mosaic_mapping_write(map_path, &m, &prov, err);
    double acc = NAN, loss, rate;
    if (st == MOSAIC_OK && c->held.n > 0)
        st = mosaic_trainer_evaluate(c->tr, &c->held, &acc, &loss, &rate, err);
    if (st == MOSAIC_OK) r->sw_acc = acc;
    if (st == MOSAIC_OK && !c->cell_util) {
        c->cell_util = malloc(sizeof(double) * (size_t)mosaic_cells(&c->arch));
        if (!c->cell_util) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    }
    if (st == MOSAIC_OK) mosaic_cosim_port_util(&m, c->cell_util);
    int mappable = st == MOSAIC_OK && mosaic_mapping_ok(&m);
    /* A mapping this program's simulator would refuse (more lines on a router side than its compiled
     * RTL has) is not handed to it: the record says why instead of "failed, see the log". */
    char refused[1100] = "";
#ifdef MOSAIC_HAVE_SIM
    MosaicErr why;
    if (mappable && c->held.n > 0 && !c->ccfg.sim_program[0] &&
        mosaic_sim_check_mapping(&net, &m, &why) != MOSAIC_OK)
        snprintf(refused, sizeof refused, "not simulated: %s", why.msg);
#endif
    mosaic_mapping_free(&m);
    mosaic_links_free(&links);
    mosaic_network_free(&net);
    if (st != MOSAIC_OK) return st;

    if (c->held.n == 0) {
        print_hw_(c, r, "no held-out data file: simulation needs train.data.source shd");
    } else if (!mappable) {
        print_hw_(c, r, "does not fit the array: not simulated");
    } else if (refused[0]) {
        print_hw_(c, r, refused);
    } else if (c->sim_running) {
        print_hw_(c, r, "simulator still busy with the previous checkpoint: not simulated");
    } else {
        MosaicErr serr;
        if (start_sim_(c, c->n_hw - 1, &serr) != MOSAIC_OK) { /* like a crash: reported, training goes on */
            char note[1200];
            snprintf(note, sizeof note, "the simulator did not start: %s; training goes on", serr.msg);
            print_hw_(c, r, note);
            return MOSAIC_OK;
        }
        print_hw_(c, r,
                  c->ccfg.sim_wait ? "simulating on the array" : "simulating on the array in the background");
        /* Which checkpoints find the simulator busy depends on the machine's load; waiting makes the
         * records and, with a traffic penalty, the training itself independent of it. */
        if (c->ccfg.sim_wait) poll_sim_(c, 1);
    }
    return MOSAIC_OK;
}

static void poll_sim_(Cosim_ *c, int wait) {
    if (!c->sim_running) return;
    MosaicProcState s = wait ? mosaic_proc_wait(&c->proc) : mosaic_proc_poll(&c->proc);
    if (s != MOSAIC_PROC_RUNNING) collect_sim_(c);
}

/* ---------------------------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------------------------- */

static MosaicStatus write_outputs_(Cosim_ *c, int with_report, MosaicErr *err) {
    const MosaicTrainEpoch *rows;
    int n = mosaic_trainer_history(c->tr, &rows);
    MosaicProvenance prov = provenance_(c);
    MOSAIC_TRY(mosaic_cosim_write_history(c->run, &prov, rows, n, mosaic_trainer_max_distance(c->tr), c->hw,
                                          c->n_hw, err));
    if (!with_report) return MOSAIC_OK;
    MosaicEpochRecord *ep = calloc((size_t)(n ? n : 1), sizeof *ep);
    if (!ep) return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        ep[i].epoch = rows[i].epoch + 1;
        ep[i].loss = rows[i].loss;
        ep[i].train_acc = rows[i].train_acc;
        ep[i].test_acc = rows[i].test_acc;
        ep[i].spikes_per_neuron_step = rows[i].rate;
        ep[i].pruned = (int)rows[i].pruned;
        ep[i].grown = (int)rows[i].grown;
        for (int d = 0; d < MOSAIC_TRAIN_MAX_D && d <= MOSAIC_REPORT_MAX_D; d++)
            ep[i].gamma[d] = (double)rows[i].gamma[d];
    }
    int np = 0;
    double *pm = malloc(sizeof(double) * (size_t)(c->n_hw ? c->n_hw : 1) * 2);
    if (!pm) {
        free(ep);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < c->n_hw; i++)
        if (!isnan(c->hw[i].proxy_total))
            pm[np] = c->hw[i].proxy_total, pm[c->n_hw + np] = c->hw[i].devices_total, np++;
    char title[256];
    snprintf(title, sizeof title, "mosaic cosim: %s (%s loop)", c->run,
             c->ccfg.feedback == MOSAIC_FEEDBACK_CLOSED ? "closed" : "open");
    MosaicReport rep = {title,
                        c->yaml,
                        &c->arch,
                        mosaic_trainer_max_distance(c->tr),
                        n,
                        ep,
                        c->n_hw,
                        c->hw,
                        c->cell_util,
                        c->cell_spikes,
                        np,
                        pm,
                        pm + c->n_hw,
                        NULL,
                        NULL,
                        NULL,
                        NULL};
    char path[4096];
    snprintf(path, sizeof path, "%s/report.html", c->run);
    MosaicStatus st = mosaic_report_write_html(path, &rep, err);
    free(ep);
    free(pm);
    return st;
}

static void print_epoch_(Cosim_ *c, const MosaicTrainEpoch *e) {
    printf("epoch %d/%d  loss %.4f  train %.1f%%  test %.1f%%  rate %.3f  gamma", e->epoch + 1,
           c->tcfg.epochs, e->loss, 100 * e->train_acc, 100 * e->test_acc, e->rate);
    for (int d = 1; d < MOSAIC_TRAIN_MAX_D && d <= mosaic_trainer_max_distance(c->tr); d += 2)
        if (e->gamma[d]) printf(" d%d:%lld", d, (long long)e->gamma[d]);
    printf("  pruned %lld grown %lld", (long long)e->pruned, (long long)e->grown);
    if (e->shortfall) printf(" short %lld", (long long)e->shortfall);
    printf("  | ports over capacity %d, M %lld", mosaic_router_violations(c->fb.router),
           (long long)mosaic_router_devices(c->fb.router));
    if (c->ccfg.feedback == MOSAIC_FEEDBACK_CLOSED) {
        /* this epoch's, so that a resumed run (whose counters start again) prints the same */
        const int64_t vetoed = c->fb.vetoed_capacity + c->fb.vetoed_memory;
        printf(", vetoed %lld", (long long)(vetoed - c->vetoed_printed));
        c->vetoed_printed = vetoed;
    }
    printf("  | %.0f samples/s\n", e->samples_per_s);
    fflush(stdout);
}

/* ---------------------------------------------------------------------------------------------
 * Command
 * ------------------------------------------------------------------------------------------- */

static void cosim_free_(Cosim_ *c) {
    if (c->sim_running) {
        mosaic_proc_kill(&c->proc);
        unlink(c->sim_tmp);
        mosaic_tmp_untrack(c->sim_tmp_tracked);
    }
    mosaic_feedback_free(&c->fb);
    mosaic_trainer_free(c->tr);
    mosaic_spikeset_free(&c->train);
    mosaic_spikeset_free(&c->test);
    mosaic_spikeset_free(&c->held);
    free(c->hw);
    free(c->cell_util);
    free(c->cell_spikes);
    free(c->yaml);
}

int mosaic_cmd_cosim(int argc, char **argv) {
    const char *config = NULL, *out = NULL, *resume = NULL, *stop_s = NULL;
    CliSets sets = {0};
    Cosim_ c;
    memset(&c, 0, sizeof c);
    c.sim_tmp_tracked = -1;
    mosaic_cosim_config_default(&c.ccfg);
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage_(stdout), 0;
        if (!strcmp(argv[i], "--help-keys")) {
            mosaic_arch_default(&c.arch);
            mosaic_train_config_default(&c.tcfg);
            MosaicCfgSection sec[3] = {mosaic_arch_config_section(&c.arch),
                                       mosaic_train_config_section(&c.tcfg),
                                       mosaic_cosim_config_section(&c.ccfg)};
            mosaic_cfg_print_help(stdout, sec, 3);
            return 0;
        }
        if ((r = cli_take_value(argc, argv, &i, "--config", &config)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--out", &out)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--resume", &resume)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--stop-after", &stop_s)) != 0 ||
            (r = cli_take_set(argc, argv, &i, &sets)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        fprintf(stderr, "mosaic cosim: unknown option '%s'\n", argv[i]);
        usage_(stderr);
        return 2;
    }
    if ((!config && !resume) || (!out && !resume) || (resume && config)) {
        fprintf(stderr, "mosaic cosim: give --config FILE --out RUN, or --resume RUN\n");
        usage_(stderr);
        return 2;
    }
    long stop_after = -1;
    if (stop_s) {
        char *end;
        stop_after = strtol(stop_s, &end, 10);
        if (*end || stop_after < 1) {
            fprintf(stderr, "mosaic cosim: --stop-after: expected a positive number of epochs, got '%s'\n",
                    stop_s);
            return 2;
        }
    }
    mosaic_proc_kill_children_on_signals(); /* an interrupted run leaves no simulator behind */
    c.run = resume ? resume : out;
    if (!resume && cli_run_refuse_existing("cosim", out)) return 2;
    if (resume && cli_run_check_folder("cosim", "--resume", resume, true)) return 2;
    if (resume && !cli_run_is_cosim(resume)) {
        fprintf(stderr,
                "mosaic cosim: error: %s is not a mosaic cosim run (it has no hw/); continue a training run "
                "with `mosaic train --resume %s`, or co-simulate from its configuration with `mosaic cosim "
                "--config %s/config.yaml --out NEW`\n",
                resume, resume, resume);
        return 2;
    }
    char path[4096];
    if (resume) snprintf(path, sizeof path, "%s/config.yaml", resume);
    MosaicErr err;
    MosaicCfgSection extra = mosaic_cosim_config_section(&c.ccfg);
    MosaicStatus st = mosaic_train_load_config(resume ? path : config, sets.sets, sets.nsets, &c.arch,
                                               &c.tcfg, &extra, 1, &err);
    if (st == MOSAIC_OK && c.ccfg.feedback == MOSAIC_FEEDBACK_CLOSED &&
        c.tcfg.method != MOSAIC_METHOD_ROUTING_AWARE && c.tcfg.method != MOSAIC_METHOD_DEEPR)
        st = mosaic_err(
            &err, MOSAIC_ERR_INPUT,
            "%s: key 'cosim.feedback': the closed loop (the default) needs train.method routing-aware or "
            "deepr (sparse links to rewire); use cosim.feedback none with %s",
            resume ? path : config, mosaic_train_method_name(c.tcfg.method));
    if (st != MOSAIC_OK) return cli_fail("cosim", st, &err);
    const char *unused = mosaic_train_config_unused_note(&c.tcfg);
    if (unused) fprintf(stderr, "mosaic cosim: note: %s\n", unused);
    if (c.ccfg.feedback != MOSAIC_FEEDBACK_CLOSED && (c.ccfg.memory_budget > 0 || c.ccfg.traffic_penalty > 0))
        fprintf(stderr,
                "mosaic cosim: note: %s%s%s act%s in the closed loop only; cosim.feedback none ignores %s\n",
                c.ccfg.memory_budget > 0 ? "cosim.memory_budget" : "",
                c.ccfg.memory_budget > 0 && c.ccfg.traffic_penalty > 0 ? " and " : "",
                c.ccfg.traffic_penalty > 0 ? "cosim.traffic_penalty" : "",
                c.ccfg.memory_budget > 0 && c.ccfg.traffic_penalty > 0 ? "" : "s",
                c.ccfg.memory_budget > 0 && c.ccfg.traffic_penalty > 0 ? "them" : "it");
    /* a simulator that cannot even start would be found only at the first hardware checkpoint */
    if (c.ccfg.sim_program[0] && access(c.ccfg.sim_program, X_OK) != 0) {
        fprintf(stderr,
                "mosaic cosim: error: %s: key 'cosim.sim_program': %s is not an executable program (%s)\n",
                resume ? path : config, c.ccfg.sim_program, strerror(errno));
        cosim_free_(&c);
        return 2;
    }
    ssize_t sl = readlink("/proc/self/exe", c.self, sizeof c.self - 1);
    if (sl > 0)
        c.self[sl] = 0;
    else
        snprintf(c.self, sizeof c.self, "mosaic");

    char dir[4200];
    st = mosaic_mkdirs(c.run, &err);
    snprintf(dir, sizeof dir, "%s/checkpoints", c.run);
    if (st == MOSAIC_OK) st = mosaic_mkdirs(dir, &err);
    snprintf(dir, sizeof dir, "%s/hw", c.run);
    if (st == MOSAIC_OK) st = mosaic_mkdirs(dir, &err);
    if (st == MOSAIC_OK) st = mosaic_train_load_data(&c.tcfg, NULL, &c.train, &c.test, &err);
    if (st == MOSAIC_OK) {
        cli_window_note("cosim", c.tcfg.data_train, c.tcfg.window_s, &c.train);
        cli_window_note("cosim", c.tcfg.data_test, c.tcfg.window_s, &c.test);
    }
    if (st == MOSAIC_OK && c.tcfg.data_source == MOSAIC_DATA_SHD) st = held_out_(&c, &err);
    if (st == MOSAIC_OK) st = mosaic_trainer_create(&c.tr, &c.tcfg, &c.arch, &err);
    char state[4200];
    snprintf(state, sizeof state, "%s/checkpoint.h5", c.run);
    if (st == MOSAIC_OK && resume) st = mosaic_trainer_load(c.tr, state, &err);
    /* Fewer epochs than done would make the "final" checkpoint an earlier epoch's name for the latest
     * network (overwriting that epoch's files) */
    if (st == MOSAIC_OK && resume && mosaic_trainer_epochs_done(c.tr) > c.tcfg.epochs)
        st = mosaic_err(
            &err, MOSAIC_ERR_INPUT,
            "%s%s: key 'train.epochs': the run has done %d epochs; expected at least that many, got %d", path,
            sets.nsets ? " with --set" : "", mosaic_trainer_epochs_done(c.tr), c.tcfg.epochs);
    c.yaml = mosaic_train_config_yaml(&c.arch, &c.tcfg, &extra, 1);
    if (st == MOSAIC_OK && !c.yaml) st = mosaic_err(&err, MOSAIC_ERR_NOMEM, "config: out of memory");
    if (st == MOSAIC_OK && resume) {
        char hist[4200];
        snprintf(hist, sizeof hist, "%s/history.h5", c.run);
        if (mosaic_trainer_epochs_done(c.tr) > 0 && access(hist, F_OK) != 0)
            fprintf(stderr,
                    "mosaic cosim: note: %s is missing: the hardware records of the checkpoints before this "
                    "session are lost (their files stay in %s/hw)\n",
                    hist, c.run);
        st = mosaic_cosim_read_hardware(c.run, mosaic_trainer_epochs_done(c.tr), &c.hw, &c.n_hw, &err);
    }
    if (st == MOSAIC_OK) c.cap_hw = c.n_hw;
    const int finished = st == MOSAIC_OK && resume && mosaic_trainer_epochs_done(c.tr) >= c.tcfg.epochs;
    const int completed = st == MOSAIC_OK && resume ? complete_records_(&c, finished) : 0;
    /* A finished run is left as it is, unless a hardware result was missing: rewriting its files with no
     * epoch and no result to add would only lose some (the report of a session without epochs is
     * shorter). */
    if (finished) {
        if (completed) {
            st = write_outputs_(&c, 1, &err);
            if (st == MOSAIC_OK)
                printf(
                    "mosaic cosim: %s: %d hardware result(s) completed; the run has finished its %d epochs "
                    "(report: %s/report.html)\n",
                    resume, completed, c.tcfg.epochs, c.run);
        } else {
            printf(
                "mosaic cosim: %s has finished its %d epochs; `--set train.epochs=N` (N > %d) continues it\n",
                resume, c.tcfg.epochs, c.tcfg.epochs);
        }
        cosim_free_(&c);
        return st == MOSAIC_OK ? 0 : cli_fail("cosim", st, &err);
    }
    if (st == MOSAIC_OK && resume) cli_resume_sets_note("cosim", resume, sets.sets, sets.nsets);
    snprintf(path, sizeof path, "%s/config.yaml", c.run);
    if (st == MOSAIC_OK) st = mosaic_write_text_atomic(path, c.yaml, &err);
    int closed = c.ccfg.feedback == MOSAIC_FEEDBACK_CLOSED;
    if (st == MOSAIC_OK) st = mosaic_feedback_attach(&c.fb, c.tr, closed, c.ccfg.memory_budget, &err);
    c.feedback_attached = st == MOSAIC_OK;
    if (st == MOSAIC_OK && resume) st = restore_traffic_(&c, &err);
    if (st != MOSAIC_OK) {
        cosim_free_(&c);
        return cli_fail("cosim", st, &err);
    }
    printf(
        "mosaic cosim: %s loop, %s, %dx%d tiles of %d, capacities NT %d R1 %d R0 %d, %d training and %d test "
        "samples; hardware checkpoint every %d epochs on %d samples; epoch %d of %d\n",
        closed ? "closed" : "open", mosaic_train_method_name(c.tcfg.method), c.arch.rows, c.arch.cols,
        c.arch.neurons_per_tile, c.arch.cap_nt[1], c.arch.cap_r1[1], c.arch.cap_r0[1], c.train.n, c.test.n,
        c.ccfg.every, c.held.n, mosaic_trainer_epochs_done(c.tr) + 1, c.tcfg.epochs);
#ifdef MOSAIC_HAVE_SIM
    if (!c.ccfg.sim_program[0]) {
        int w1, w0, r1 = 0, r0 = 0;
        mosaic_sim_router_widths(&w1, &w0);
        for (int p = 0; p < MOSAIC_NPORTS; p++)
            r1 = c.arch.cap_r1[p] > r1 ? c.arch.cap_r1[p] : r1,
            r0 = c.arch.cap_r0[p] > r0 ? c.arch.cap_r0[p] : r0;
        if (r1 > w1 || r0 > w0)
            printf(
                "mosaic cosim: note: capacities R1 %d / R0 %d are above the %d / %d lines per side compiled "
                "into the simulator's routers (MOSAIC_R1_WIDTH / MOSAIC_R0_WIDTH, at most 32): a checkpoint "
                "whose mapping needs more lines is mapped but not simulated\n",
                r1, r0, w1, w0);
        if (c.arch.neurons_per_tile > w1)
            printf("mosaic cosim: note: array.neurons_per_tile %d is above the %d lines per side of the "
                   "simulator's R1 router, which carries one line per neuron: no checkpoint is simulated\n",
                   c.arch.neurons_per_tile, w1);
    }
#endif
    if (closed) {
        const int before = mosaic_router_violations(c.fb.router);
        const double m_before = (double)mosaic_router_devices(c.fb.router);
        int forced = 0;
        st = mosaic_feedback_prune(&c.fb, c.tr, &forced, &err);
        if (st == MOSAIC_ERR_INPUT) { /* a budget no pruning can meet: say whose */
            const MosaicErr e = err;
            mosaic_err(&err, MOSAIC_ERR_INPUT, "%s: %s", resume ? path : config, e.msg);
        }
        const int over_budget = c.ccfg.memory_budget > 0 && m_before > c.ccfg.memory_budget;
        if (st == MOSAIC_OK && forced)
            printf("closed loop: %d ports over capacity%s; forced out %d links (weakest first)\n", before,
                   over_budget ? " and M over cosim.memory_budget" : "", forced);
    }
    /* an interrupt ends the program by its signal, which drops what stdio still holds (a log file) */
    fflush(stdout);
    double t0 = mosaic_now_s();
    const int first_epoch = mosaic_trainer_epochs_done(c.tr);
    while (st == MOSAIC_OK && mosaic_trainer_epochs_done(c.tr) < c.tcfg.epochs &&
           (stop_after < 0 || mosaic_trainer_epochs_done(c.tr) - first_epoch < stop_after)) {
        MosaicTrainEpoch row;
        st = mosaic_trainer_epoch(c.tr, &c.train, &c.test, &row, &err);
        if (st != MOSAIC_OK) break;
        /* The hooks mirror every change; re-reading the link set guards against any the trainer made
         * without them (it costs well under a millisecond). */
        st = mosaic_feedback_sync(&c.fb, c.tr, &err);
        if (st == MOSAIC_OK && closed) st = mosaic_feedback_prune(&c.fb, c.tr, NULL, &err);
        if (st != MOSAIC_OK) break;
        print_epoch_(&c, &row);
        poll_sim_(&c, 0);
        int done = mosaic_trainer_epochs_done(c.tr);
        if (done % c.ccfg.every == 0 || done == c.tcfg.epochs) st = hardware_checkpoint_(&c, done, &err);
        const MosaicProvenance who = provenance_(&c);
        if (st == MOSAIC_OK) st = mosaic_trainer_save(c.tr, state, &who, &err);
        if (st == MOSAIC_OK) st = write_outputs_(&c, 0, &err);
    }
    if (st == MOSAIC_OK && c.sim_running) {
        printf("waiting for the last simulation...\n");
        fflush(stdout);
        poll_sim_(&c, 1);
    }
    if (st == MOSAIC_OK) st = write_outputs_(&c, 1, &err);
    if (st != MOSAIC_OK) {
        cosim_free_(&c);
        return cli_fail("cosim", st, &err);
    }
    const MosaicHwRecord *last = c.n_hw ? &c.hw[c.n_hw - 1] : NULL;
    const int done_epochs = mosaic_trainer_epochs_done(c.tr);
    printf("\nsummary: %d of %d epochs done, %d in this session (%.1f s), %s loop\n", done_epochs,
           c.tcfg.epochs, done_epochs - first_epoch, mosaic_now_s() - t0, closed ? "closed" : "open");
    if (last) {
        /* the final network only when the last checkpoint is the last epoch's (not after --stop-after) */
        char what[64];
        if (last->epoch == done_epochs)
            snprintf(what, sizeof what, "%s network", done_epochs == c.tcfg.epochs ? "final" : "latest");
        else
            snprintf(what, sizeof what, "last hardware checkpoint (epoch %d)", last->epoch);
        printf("  %s: %s on %d/%d/%d hardware, %d violations, M %.0f devices (NT %.0f, R1 %.0f, "
               "R0 %.0f)\n",
               what, last->mappable ? "MAPPABLE" : "NOT mappable", c.arch.cap_nt[1], c.arch.cap_r1[1],
               c.arch.cap_r0[1], last->violations, last->devices_total, last->devices_nt, last->devices_r1,
               last->devices_r0);
        printf("  accuracy: software %.1f%%", 100 * last->sw_acc);
        if (!isnan(last->hw_acc)) printf(", on the array %.1f%%", 100 * last->hw_acc);
        printf(" (%d held-out samples)\n", c.held.n);
    }
    if (mosaic_trainer_epochs_done(c.tr) < c.tcfg.epochs)
        printf("  stopped after %d of %d epochs: continue with `mosaic cosim --resume %s`\n",
               mosaic_trainer_epochs_done(c.tr), c.tcfg.epochs, c.run);
    printf("  report: %s/report.html\n", c.run);
    cosim_free_(&c);
    return 0;
}
