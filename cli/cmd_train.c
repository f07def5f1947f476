/* `mosaic train` trains the Mosaic RSNN and keeps a run folder; `mosaic eval` scores a run on a dataset.
 *
 * RUN/ holds config.yaml (the resolved configuration: architecture and train.* keys), checkpoint.h5
 * (the complete trainer state after the last finished epoch in the network file format with /method,
 * replaced atomically), network.h5 (the exported network: links with a non-zero weight), history.csv and
 * history.h5 (one row per epoch). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"
#include "cli_util.h"
#include "commands.h"
#include "mosaic_clock.h"
#include "mosaic_files.h"
#include "mosaic_h5.h"
#include "mosaic_netfile.h"
#include "mosaic_train_run.h"
#include "mosaic_trainer.h"

static void train_usage_(FILE *out) {
    fprintf(out,
            "usage: mosaic train --config FILE --out RUN [--set key=value ...] [--stop-after N]\n"
            "       mosaic train --resume RUN [--stop-after N] [--set key=value ...]\n"
            "--stop-after N ends this invocation after N more epochs (resume later with --resume RUN).\n"
            "Trains the recurrent LIF network with BPTT (surrogate 1/(s|v-thr|+1)^2, s from\n"
            "train.neuron.surrogate) and Adam under train.method = routing-aware | hop-penalty | deepr |\n"
            "dense. Prints one line per epoch (loss, train and test accuracy, spikes per neuron per step,\n"
            "links per distance gamma_d, links pruned and grown, samples/s). RUN/ receives config.yaml\n"
            "(resolved), checkpoint.h5 (complete state, replaced atomically every epoch), network.h5 (the\n"
            "trained network for mosaic map / mosaic sim), history.csv and history.h5. A resumed run\n"
            "continues exactly as an uninterrupted one would; results do not depend on the thread count.\n"
            "A folder that already holds a run (checkpoint.h5) is refused (use --resume); other files in\n"
            "RUN are left alone.\n"
            "Data: train.data.source synthetic (built-in, no files) or shd with train.data.train and\n"
            "train.data.test (.h5 or .h5.gz in SHD layout).\n"
            "Note: the membrane decays by exp(-train.neuron.dt_ms / tau) per step with dt 1 ms by default,\n"
            "as in the reference, although a step spans window/steps = 14 ms.\n"
            "All keys: mosaic train --help-keys\n");
}

static void eval_usage_(FILE *out) {
    fprintf(out,
            "usage: mosaic eval RUN [--data FILE|synthetic]\n"
            "Scores the network of RUN/checkpoint.h5 on a dataset in SHD layout, or on the run's synthetic\n"
            "test set: accuracy, mean cross-entropy, spikes per neuron per step. Without --data, on the\n"
            "run's own test set (train.data.test of RUN/config.yaml, or its synthetic one).\n");
}

/* ---------------------------------------------------------------------------------------------
 * Files of the run folder
 * ------------------------------------------------------------------------------------------- */

/* history.h5: provenance and the /history group, written atomically. */
static MosaicStatus write_history_h5_(const char *path, const MosaicTrainer *tr, const char *config_yaml,
                                      MosaicErr *err) {
    const MosaicTrainEpoch *rows;
    const int n = mosaic_trainer_history(tr, &rows);
    MosaicH5File *f;
    MOSAIC_TRY(mosaic_h5_create(path, &f, err));
    MosaicProvenance prov = {"mosaic train", MOSAIC_VERSION, MOSAIC_GIT_HASH, mosaic_trainer_config(tr)->seed,
                             config_yaml};
    MosaicStatus st = mosaic_h5_write_provenance(f, &prov, err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_string(f, "/", "format", "mosaic-train-history", err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_int64(f, "/", "format_version", 1, err);
    if (st == MOSAIC_OK) st = mosaic_train_write_history_h5(f, rows, n, err);
    if (st != MOSAIC_OK) {
        mosaic_h5_abort(f);
        return st;
    }
    return mosaic_h5_commit(f, err);
}

static MosaicStatus write_network_(const char *path, const MosaicTrainer *tr, const char *yaml,
                                   MosaicErr *err) {
    MosaicNetwork net;
    MOSAIC_TRY(mosaic_trainer_export(tr, &net, err));
    MosaicProvenance prov = {"mosaic train", MOSAIC_VERSION, MOSAIC_GIT_HASH, mosaic_trainer_config(tr)->seed,
                             yaml};
    MosaicStatus st = mosaic_netfile_write(path, &net, &prov, err);
    mosaic_network_free(&net);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Config and data
 * ------------------------------------------------------------------------------------------- */

/* ---------------------------------------------------------------------------------------------
 * mosaic train
 * ------------------------------------------------------------------------------------------- */

/* A progress line on stderr at most every 10 s within an epoch. */
typedef struct {
    double last;
    int epoch;
} Progress_;

static void progress_(void *ctx, int done, int total) {
    Progress_ *p = ctx;
    double now = mosaic_now_s();
    if (done < total && now - p->last >= 10) {
        fprintf(stderr, "  epoch %d: %d/%d samples\n", p->epoch + 1, done, total);
        p->last = now;
    }
}

static void print_epoch_(const MosaicTrainer *tr, const MosaicTrainEpoch *e) {
    const MosaicTrainConfig *c = mosaic_trainer_config(tr);
    printf("epoch %d/%d  loss %.4f  train %.1f%%  test %.1f%%  rate %.3f  links %lld  gamma", e->epoch + 1,
           c->epochs, e->loss, 100 * e->train_acc, 100 * e->test_acc, e->rate, (long long)e->links);
    for (int d = 1; d < MOSAIC_TRAIN_MAX_D && d <= mosaic_trainer_max_distance(tr); d += 2)
        if (e->gamma[d]) printf(" d%d:%lld", d, (long long)e->gamma[d]);
    printf("  pruned %lld grown %lld", (long long)e->pruned, (long long)e->grown);
    if (e->shortfall) printf(" short %lld", (long long)e->shortfall);
    printf("  %.0f samples/s  %.1f s\n", e->samples_per_s, e->seconds);
    fflush(stdout);
}

int mosaic_cmd_train(int argc, char **argv) {
    const char *config = NULL, *out = NULL, *resume = NULL, *stop = NULL;
    CliSets sets = {0};
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return train_usage_(stdout), 0;
        if (!strcmp(argv[i], "--help-keys")) {
            MosaicTrainConfig cfg;
            mosaic_train_config_default(&cfg);
            MosaicCfgSection sec = mosaic_train_config_section(&cfg);
            mosaic_cfg_print_help(stdout, &sec, 1);
            return 0;
        }
        if ((r = cli_take_value(argc, argv, &i, "--config", &config)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--out", &out)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--resume", &resume)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--stop-after", &stop)) != 0 ||
            (r = cli_take_set(argc, argv, &i, &sets)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        fprintf(stderr, "mosaic train: unknown option '%s'\n", argv[i]);
        train_usage_(stderr);
        return 2;
    }
    if (resume && config) {
        fprintf(stderr,
                "mosaic train: --resume takes the configuration from RUN/config.yaml; drop --config\n");
        return 2;
    }
    if (!resume && !out) {
        fprintf(stderr, "mosaic train: --out RUN is required (or --resume RUN)\n");
        train_usage_(stderr);
        return 2;
    }
    long stop_after = 0;
    if (stop) {
        char *end;
        stop_after = strtol(stop, &end, 10);
        if (*end || stop_after < 1 || stop_after > 1000000) {
            fprintf(stderr, "mosaic train: --stop-after: expected a positive number of epochs, got '%s'\n",
                    stop);
            return 2;
        }
    }
    if (!out) out = resume;
    if (!resume && cli_run_refuse_existing("train", out)) return 2;
    if (resume && cli_run_check_folder("train", "--resume", resume, true)) return 2;
    if (resume && cli_run_is_cosim(resume)) {
        /* resuming it here would drop the cosim section from its config.yaml and its hardware records */
        fprintf(stderr,
                "mosaic train: error: %s is a mosaic cosim run (it has hw/); continue it with `mosaic cosim "
                "--resume %s`\n",
                resume, resume);
        return 2;
    }
    char path[4096], ckpt[4096];
    if (resume) snprintf(path, sizeof path, "%s/config.yaml", resume);
    MosaicArch arch;
    MosaicTrainConfig cfg;
    MosaicErr err;
    bool cosim_set;
    MosaicStatus st =
        cli_load_train_config(resume ? path : config, sets.sets, sets.nsets, &arch, &cfg, &cosim_set, &err);
    if (st != MOSAIC_OK) return cli_fail("train", st, &err);
    if (cosim_set)
        fprintf(stderr,
                "mosaic train: note: the cosim.* keys configure `mosaic cosim`; train ignores them\n");
    const char *unused = mosaic_train_config_unused_note(&cfg);
    if (unused) fprintf(stderr, "mosaic train: note: %s\n", unused);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mosaic train: %s: cannot create the run folder (%s)\n", out, strerror(errno));
        return 3;
    }
    MosaicSpikeSet train, test;
    st = mosaic_train_load_data(&cfg, NULL, &train, &test, &err);
    if (st != MOSAIC_OK) return cli_fail("train", st, &err);
    cli_window_note("train", cfg.data_train, cfg.window_s, &train);
    cli_window_note("train", cfg.data_test, cfg.window_s, &test);
    MosaicTrainer *tr = NULL;
    st = mosaic_trainer_create(&tr, &cfg, &arch, &err);
    if (st == MOSAIC_OK && resume) {
        snprintf(ckpt, sizeof ckpt, "%s/checkpoint.h5", resume);
        st = mosaic_trainer_load(tr, ckpt, &err);
    }
    if (st == MOSAIC_OK && resume && mosaic_trainer_epochs_done(tr) >= cfg.epochs) {
        const int done = mosaic_trainer_epochs_done(tr);
        if (done == cfg.epochs)
            printf(
                "mosaic train: %s has finished its %d epochs; `--set train.epochs=N` (N > %d) continues it\n",
                resume, done, done);
        else
            printf("mosaic train: %s has done %d epochs, more than train.epochs = %d: nothing to do; `--set "
                   "train.epochs=N` (N > %d) continues it\n",
                   resume, done, cfg.epochs, done);
        mosaic_trainer_free(tr);
        mosaic_spikeset_free(&train);
        mosaic_spikeset_free(&test);
        return 0;
    }
    if (st == MOSAIC_OK && resume) cli_resume_sets_note("train", resume, sets.sets, sets.nsets);
    char *yaml = mosaic_train_config_yaml(&arch, &cfg, NULL, 0);
    if (st == MOSAIC_OK && !yaml) st = mosaic_err(&err, MOSAIC_ERR_NOMEM, "config: out of memory");
    snprintf(path, sizeof path, "%s/config.yaml", out);
    if (st == MOSAIC_OK) st = mosaic_write_text_atomic(path, yaml, &err);
    if (st == MOSAIC_OK)
        printf("mosaic train: %s, %dx%dx%d neurons, %lld links, %d training and %d test samples of %d steps, "
               "epoch %d of %d\n",
               mosaic_train_method_name(cfg.method), arch.rows, arch.cols, arch.neurons_per_tile,
               (long long)mosaic_trainer_live_links(tr), train.n, test.n, cfg.steps,
               mosaic_trainer_epochs_done(tr) + 1, cfg.epochs);
    fflush(stdout); /* an interrupt ends the program by its signal, which drops what stdio still holds */
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.h5", out);
    const int stop_at = (tr ? mosaic_trainer_epochs_done(tr) : 0) + (stop ? (int)stop_after : cfg.epochs);
    Progress_ prog = {mosaic_now_s(), 0};
    if (tr) mosaic_trainer_set_progress(tr, progress_, &prog);
    while (st == MOSAIC_OK && mosaic_trainer_epochs_done(tr) < cfg.epochs &&
           mosaic_trainer_epochs_done(tr) < stop_at) {
        MosaicTrainEpoch row;
        prog.epoch = mosaic_trainer_epochs_done(tr);
        prog.last = mosaic_now_s();
        st = mosaic_trainer_epoch(tr, &train, &test, &row, &err);
        if (st != MOSAIC_OK) break;
        print_epoch_(tr, &row);
        /* The method's invariants (exact budgets, masked weights and moments zero, no duplicate links) are
         * cheap next to an epoch: a violation is a bug, reported before it reaches a checkpoint. */
        st = mosaic_trainer_check(tr, &err);
        if (st != MOSAIC_OK) break;
        const MosaicProvenance who = {"mosaic train", MOSAIC_VERSION, MOSAIC_GIT_HASH, 0, yaml};
        st = mosaic_trainer_save(tr, ckpt, &who, &err);
        snprintf(path, sizeof path, "%s/network.h5", out);
        if (st == MOSAIC_OK) st = write_network_(path, tr, yaml, &err);
        snprintf(path, sizeof path, "%s/history.csv", out);
        const MosaicTrainEpoch *rows;
        const int nrows = mosaic_trainer_history(tr, &rows);
        if (st == MOSAIC_OK)
            st = mosaic_train_write_history_csv(path, rows, nrows, mosaic_trainer_max_distance(tr), &err);
        snprintf(path, sizeof path, "%s/history.h5", out);
        if (st == MOSAIC_OK) st = write_history_h5_(path, tr, yaml, &err);
    }
    free(yaml);
    mosaic_trainer_free(tr);
    mosaic_spikeset_free(&train);
    mosaic_spikeset_free(&test);
    if (st != MOSAIC_OK) return cli_fail("train", st, &err);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * mosaic eval
 * ------------------------------------------------------------------------------------------- */

int mosaic_cmd_eval(int argc, char **argv) {
    const char *run = NULL, *data = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return eval_usage_(stdout), 0;
        if ((r = cli_take_value(argc, argv, &i, "--data", &data)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if (argv[i][0] != '-' && !run) {
            run = argv[i];
            continue;
        }
        fprintf(stderr, "mosaic eval: unexpected argument '%s'\n", argv[i]);
        eval_usage_(stderr);
        return 2;
    }
    if (!run) {
        eval_usage_(stderr);
        return 2;
    }
    if (cli_run_check_folder("eval", "RUN", run, true)) return 2;
    char path[4096];
    snprintf(path, sizeof path, "%s/config.yaml", run);
    MosaicArch arch;
    MosaicTrainConfig cfg;
    MosaicErr err;
    /* a cosim run's configuration too: its loop settings do not matter to scoring */
    MosaicStatus st = cli_load_train_config(path, NULL, 0, &arch, &cfg, NULL, &err);
    if (st != MOSAIC_OK) return cli_fail("eval", st, &err);
    if (!data) data = cfg.data_source == MOSAIC_DATA_SYNTHETIC ? "synthetic" : cfg.data_test;
    MosaicSpikeSet train, test;
    st = mosaic_train_load_data(&cfg, data, &train, &test, &err);
    if (st != MOSAIC_OK) return cli_fail("eval", st, &err);
    cli_window_note("eval", data, cfg.window_s, &test);
    MosaicTrainer *tr = NULL;
    st = mosaic_trainer_create(&tr, &cfg, &arch, &err);
    snprintf(path, sizeof path, "%s/checkpoint.h5", run);
    if (st == MOSAIC_OK) st = mosaic_trainer_load(tr, path, &err);
    double acc = 0, loss = 0, rate = 0;
    if (st == MOSAIC_OK) st = mosaic_trainer_evaluate(tr, &test, &acc, &loss, &rate, &err);
    if (st == MOSAIC_OK)
        printf("%s after %d epochs on %s (%d samples): accuracy %.2f%%  cross-entropy %.4f  rate %.4f "
               "spikes/neuron/step\n",
               run, mosaic_trainer_epochs_done(tr), data, test.n, 100 * acc, loss, rate);
    mosaic_trainer_free(tr);
    mosaic_spikeset_free(&test);
    if (st != MOSAIC_OK) return cli_fail("eval", st, &err);
    return 0;
}
