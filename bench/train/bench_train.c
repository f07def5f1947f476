/* bench_train: one training epoch of the Mosaic RSNN against the same model in PyTorch, measured in one run.
 *
 * Prints our samples/s, CPU seconds, peak memory and measured activity, then the peer's, then the ratio.
 * The peer receives the same initial weights and masks and the same binned data through a temporary file.
 * Activity depends on the initial weights: raise --init-input for dense activity (the reference's
 * firing-rate term drives training towards 0.5 spikes/neuron/step), set --lambda-fr 0 for a sparse run.
 * The peer needs Debian's python3-torch and libopenblas0-openmp (bench only, not in hil.sh); without
 * them it is skipped with a note. Options: bench_train --help. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_options.h"
#include "mosaic_clock.h"
#include "mosaic_trainer.h"

/* The network as dense matrices (inputs x N and N x N) with masks, plus the dataset, for the peer. */
static int write_peer_file_(const char *path, const MosaicNetwork *net, const MosaicSpikeSet *set) {
    const int k = net->arch.neurons_per_tile, n = mosaic_arch_neurons(&net->arch), C = set->channels;
    const int tiles = mosaic_arch_tiles(&net->arch);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int hdr[6] = {set->n, set->steps, C, n, k, net->n_classes};
    float ab[2] = {net->alpha, net->threshold};
    fwrite(hdr, sizeof hdr, 1, f);
    fwrite(ab, sizeof ab, 1, f);
    uint8_t *x = calloc((size_t)set->steps * C, 1);
    for (int s = 0; s < set->n; s++) {
        memset(x, 0, (size_t)set->steps * C);
        const int32_t *st = mosaic_spikeset_steps(set, s), *ch = mosaic_spikeset_chans(set, s);
        for (int t = 0; t < set->steps; t++)
            for (int e = st[t]; e < st[t + 1]; e++) x[t * C + ch[e]] = 1;
        fwrite(x, 1, (size_t)set->steps * C, f);
    }
    free(x);
    fwrite(set->label, sizeof(int32_t), (size_t)set->n, f);
    float *w = calloc((size_t)n * n, sizeof(float)), *m = calloc((size_t)n * n, sizeof(float));
    for (int c = 0; c < C && c < net->n_inputs; c++)
        for (int j = 0; j < k; j++) {
            w[(size_t)c * n + (c / k) * k + j] = net->w_in[(size_t)c * k + j];
            m[(size_t)c * n + (c / k) * k + j] = 1;
        }
    fwrite(w, sizeof(float), (size_t)C * n, f);
    fwrite(m, sizeof(float), (size_t)C * n, f);
    memset(w, 0, sizeof(float) * (size_t)n * n);
    memset(m, 0, sizeof(float) * (size_t)n * n);
    for (int t = 0; t < tiles; t++) {
        if (mosaic_network_block_kind(net, t) != MOSAIC_BLOCK_RECURRENT) continue;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                w[(size_t)(t * k + i) * n + t * k + j] = net->w_intra[(size_t)(t * k + i) * k + j];
                m[(size_t)(t * k + i) * n + t * k + j] = 1;
            }
    }
    for (int l = 0; l < net->n_links; l++)
        for (int j = 0; j < k; j++) {
            size_t at = (size_t)net->link_src[l] * n + net->link_dst[l] * k + j;
            w[at] = net->link_w[(size_t)l * k + j];
            m[at] = 1;
        }
    fwrite(w, sizeof(float), (size_t)n * n, f);
    fwrite(m, sizeof(float), (size_t)n * n, f);
    free(w), free(m);
    return fclose(f);
}

static const char usage_[] =
    "usage: bench_train [options]\n"
    "  One training epoch of the 5x5x32 network on generated samples, then the same epoch in PyTorch\n"
    "  (the peer: same initial weights, masks and data) in the same run, and the ratio by wall and CPU\n"
    "  time. The defaults are the configuration docs/results.md (\"Speed\") measures, at about 0.21\n"
    "  spikes per neuron per step; our cost follows the spikes, PyTorch's dense one does not.\n"
    "  --method M         routing-aware (default), hop-penalty, deepr or dense\n"
    "  --profile P        link profile of routing-aware (default 1:0.8,3:0.1)\n"
    "  --samples N        samples in the epoch (default 256)\n"
    "  --batch B          batch size, both engines (default 64)\n"
    "  --threads T        threads, both engines (default 1; two make the OpenBLAS peer collapse on a\n"
    "                     loaded 2-core machine)\n"
    "  --lambda-fr L      firing-rate term weight (default 10, the reference's)\n"
    "  --target R         its target, 10 x mean spikes per step (default 5)\n"
    "  --init-input X     input weight scale (default 4; the engine's own train.init.input is 1)\n"
    "  --init-recurrent X recurrent weight scale (default 1; train.init.recurrent is 0.5)\n"
    "  --peer FILE        the PyTorch script (default bench/train/peer_torch.py of the source tree)\n"
    "  --python FILE      the interpreter (default /usr/bin/python3)\n";

static int method_(const char *v) {
    for (int m = 0; m < 4; m++)
        if (!strcmp(v, mosaic_train_method_name(m))) return m;
    return -1;
}

int main(int argc, char **argv) {
    MosaicTrainConfig cfg;
    MosaicArch arch;
    mosaic_arch_default(&arch);
    mosaic_train_config_default(&cfg);
    cfg.epochs = 1;
    /* the measured configuration of docs/results.md ("Speed"), dense-activity case */
    cfg.threads = 1;
    cfg.batch = 64;
    cfg.init_in = 4;
    cfg.init_rec = 1;
    int samples = 256;
    char peer_default[4096];
    bench_source_path(peer_default, sizeof peer_default, "bench/train/peer_torch.py");
    const char *peer = peer_default, *python = "/usr/bin/python3";
    if (bench_wants_help(argc, argv)) bench_usage_exit(usage_, 0);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--method")) {
            cfg.method = method_(bench_value(argc, argv, &i, usage_));
            if (cfg.method < 0) {
                fprintf(stderr,
                        "bench_train: --method: expected routing-aware, hop-penalty, deepr or dense\n");
                return 2;
            }
        } else if (!strcmp(o, "--profile"))
            snprintf(cfg.profile, sizeof cfg.profile, "%s", bench_value(argc, argv, &i, usage_));
        else if (!strcmp(o, "--batch"))
            cfg.batch = bench_int(argc, argv, &i, 1, usage_);
        else if (!strcmp(o, "--threads"))
            cfg.threads = bench_int(argc, argv, &i, 1, usage_);
        else if (!strcmp(o, "--samples"))
            samples = bench_int(argc, argv, &i, 1, usage_);
        else if (!strcmp(o, "--lambda-fr"))
            cfg.lambda_fr = bench_double(argc, argv, &i, usage_);
        else if (!strcmp(o, "--target"))
            cfg.target_fr = bench_double(argc, argv, &i, usage_);
        else if (!strcmp(o, "--init-input"))
            cfg.init_in = bench_double(argc, argv, &i, usage_);
        else if (!strcmp(o, "--init-recurrent"))
            cfg.init_rec = bench_double(argc, argv, &i, usage_);
        else if (!strcmp(o, "--peer"))
            peer = bench_value(argc, argv, &i, usage_);
        else if (!strcmp(o, "--python"))
            python = bench_value(argc, argv, &i, usage_);
        else
            bench_unknown(argv, i, usage_);
    }
    cfg.weight_noise = 0; /* the peer has no programming noise */
    MosaicErr err;
    MosaicSpikeSet set;
    if (mosaic_spikeset_synthetic(&set, samples, cfg.steps, cfg.inputs, cfg.classes, 1, 3, &err)) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 3;
    }
    MosaicTrainer *tr;
    if (mosaic_trainer_create(&tr, &cfg, &arch, &err)) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 3;
    }
    char path[256];
    snprintf(path, sizeof path, "/tmp/bench_train_peer_%d.bin", (int)getpid());
    if (write_peer_file_(path, mosaic_trainer_network(tr), &set)) {
        fprintf(stderr, "bench_train: cannot write %s\n", path);
        return 3;
    }
    printf("model: 5x5x32 = %d neurons, %s, profile %s, %d links, T %d, batch %d, threads %d, %d samples, "
           "lambda_fr %g target %g\n",
           mosaic_arch_neurons(&arch), mosaic_train_method_name(cfg.method), cfg.profile,
           mosaic_trainer_network(tr)->n_links, cfg.steps, cfg.batch, cfg.threads, samples, cfg.lambda_fr,
           cfg.target_fr);
    const double w0 = mosaic_now_s(), c0 = mosaic_cpu_s();
    MosaicTrainEpoch row;
    if (mosaic_trainer_epoch(tr, &set, NULL, &row, &err)) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 3;
    }
    const double wall = mosaic_now_s() - w0, cpu = mosaic_cpu_s() - c0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const double ours = samples / wall;
    printf("mosaic  : %8.1f samples/s  (%.3f s wall, %.3f s CPU)  peak %ld MB  activity %.4f "
           "spikes/neuron/step\n",
           ours, wall, cpu, ru.ru_maxrss / 1024, row.rate);
    fflush(stdout);
    char cmd[9000], line[4096];
    /* A missing peer is a note, not a failure: python3-torch is large and only benchmarks use it. */
    snprintf(cmd, sizeof cmd, "'%s' -c 'import torch, numpy' 2>/dev/null", python);
    if (access(peer, R_OK) != 0 || system(cmd) != 0) {
        printf("pytorch : peer skipped: needs %s and %s with torch and numpy (apt-get install python3-torch "
               "libopenblas0-openmp)\n",
               peer, python);
        remove(path);
        mosaic_trainer_free(tr);
        mosaic_spikeset_free(&set);
        return 0;
    }
    snprintf(cmd, sizeof cmd,
             "'%s' '%s' --data '%s' --batch %d --threads %d --lambda-fr %g --target %g --lr %g --clip %g",
             python, peer, path, cfg.batch, cfg.threads, cfg.lambda_fr, cfg.target_fr, cfg.lr, cfg.clip_norm);
    FILE *p = popen(cmd, "r");
    double theirs = 0, rate = 0, peak = 0, tcpu = 0;
    char blas[2048] = "?";
    while (p && fgets(line, sizeof line, p))
        if (sscanf(line, "samples_per_s %lf cpu_s %lf rate %lf peak_mb %lf blas %2047s", &theirs, &tcpu,
                   &rate, &peak, blas) == 5)
            break;
    if (p) pclose(p);
    remove(path);
    mosaic_trainer_free(tr);
    mosaic_spikeset_free(&set);
    if (theirs <= 0) {
        fprintf(stderr, "bench_train: the PyTorch peer did not report (%s)\n", cmd);
        return 3;
    }
    printf("pytorch : %8.1f samples/s  (%.3f s wall, %.3f s CPU)  peak %.0f MB  activity %.4f "
           "spikes/neuron/step\n"
           "          BLAS %s\n",
           theirs, samples / theirs, tcpu, peak, rate, blas);
    /* The machine is shared: the CPU-time ratio is the steadier figure; wall time is what a user waits. */
    printf("ratio   : %.2fx by wall time, %.2fx by CPU time (mosaic / pytorch)\n", ours / theirs, tcpu / cpu);
    return 0;
}
