/* bench_kernels: the engine's group kernels alone, for judging changes to mosaic_bptt on a shared machine.
 *
 * Builds bench_train's network (routing-aware 5x5x32, profile 1:0.8,3:0.1, or the dense method) and one
 * backward group of 16 generated samples (two forward groups of 8), runs group_forward and group_backward
 * `reps` times and prints the minimum CPU time of each (forward: both groups), the activity, and
 * checksums of the membranes and of the gradients summed over all repetitions: equal checksums for
 * equal arguments mean the same bits. The gradients go to two sums, 8 samples each, as the trainer's
 * chunks of a batch of 64. Options: bench_kernels --help. */
#define _POSIX_C_SOURCE 200809L
#include "bench_options.h"
#include "mosaic_infer.h"
#include "mosaic_spikeset.h"
#include "mosaic_trainer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}
static const char usage_[] =
    "usage: bench_kernels [--reps 20] [--init-input 4] [--init-recurrent 1] [--dense]\n"
    "  group_forward and group_backward of the engine on one group of generated samples, minimum CPU\n"
    "  time over --reps repetitions, with checksums of membranes and gradients (equal checksums for\n"
    "  equal options: the same bits). No peer: it compares builds of the engine with each other.\n"
    "  --reps R             repetitions; the minimum CPU time is reported (default 20)\n"
    "  --init-input X       input weight scale (default 4: dense activity, as bench_train)\n"
    "  --init-recurrent X   recurrent weight scale (default 1)\n"
    "  --dense              the dense method's network instead of routing-aware at profile 1:0.8,3:0.1\n";

int main(int argc, char **argv) {
    int reps = 20, dense = 0;
    double init_in = 4, init_rec = 1;
    if (bench_wants_help(argc, argv)) bench_usage_exit(usage_, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps"))
            reps = bench_int(argc, argv, &i, 1, usage_);
        else if (!strcmp(argv[i], "--init-input"))
            init_in = bench_double(argc, argv, &i, usage_);
        else if (!strcmp(argv[i], "--init-recurrent"))
            init_rec = bench_double(argc, argv, &i, usage_);
        else if (!strcmp(argv[i], "--dense"))
            dense = 1;
        else
            bench_unknown(argv, i, usage_);
    }
    MosaicTrainConfig cfg;
    MosaicArch arch;
    mosaic_arch_default(&arch);
    mosaic_train_config_default(&cfg);
    cfg.method = dense ? 3 : 0;
    snprintf(cfg.profile, sizeof cfg.profile, "1:0.8,3:0.1");
    cfg.init_in = init_in;
    cfg.init_rec = init_rec;
    cfg.weight_noise = 0;
    cfg.threads = 1;
    MosaicErr err;
    MosaicTrainer *tr;
    if (mosaic_trainer_create(&tr, &cfg, &arch, &err)) {
        puts(err.msg);
        return 1;
    }
    const MosaicNetwork *net = mosaic_trainer_network(tr);
    const int T = cfg.steps, G = MOSAIC_BPTT_LANES, GF = MOSAIC_BPTT_GROUP;
    MosaicSpikeSet set;
    if (mosaic_spikeset_synthetic(&set, G, T, cfg.inputs, cfg.classes, 1, 3, &err)) {
        puts(err.msg);
        return 1;
    }
    MosaicBpttView view;
    MosaicViewIndex idx;
    if (mosaic_view_build(&view, &idx, net, T, &err)) {
        puts(err.msg);
        return 1;
    }
    MosaicBpttTransposed tp = {0};
    mosaic_bptt_transpose_build(&tp, &view);
    view.tr = &tp;
    const int n = view.n_neurons, k = view.k, C = view.n_classes;
    MosaicBpttWork *w[MOSAIC_BPTT_GROUP];
    for (int q = 0; q < GF; q++) w[q] = mosaic_bptt_work_create(n);
    float *store = aligned_alloc(
        64, (sizeof(float) * mosaic_bptt_group_store_len(n, T, n + net->n_links) + 63) / 64 * 64);
    float *v = malloc(sizeof(float) * G * T * n), cnt[MOSAIC_BPTT_LANES][32], dcn[MOSAIC_BPTT_LANES][32];
    double zs[MOSAIC_BPTT_LANES];
    size_t zl = mosaic_bptt_zbits_len(n, T);
    uint64_t *zb = malloc(8 * zl * G);
    const int32_t *xs[MOSAIC_BPTT_LANES], *xc[MOSAIC_BPTT_LANES];
    float *pv[MOSAIC_BPTT_LANES], *pc[MOSAIC_BPTT_LANES];
    const float *cpv[MOSAIC_BPTT_LANES], *pd[MOSAIC_BPTT_LANES];
    uint64_t *pz[MOSAIC_BPTT_LANES];
    const uint64_t *cpz[MOSAIC_BPTT_LANES];
    for (int s = 0; s < G; s++) {
        xs[s] = mosaic_spikeset_steps(&set, s);
        xc[s] = mosaic_spikeset_chans(&set, s);
        pv[s] = v + (size_t)s * T * n;
        cpv[s] = pv[s];
        pc[s] = cnt[s];
        pd[s] = dcn[s];
        pz[s] = zb + zl * s;
        cpz[s] = pz[s];
        for (int c = 0; c < C; c++) dcn[s][c] = 0.01f * (c - 4);
    }
    size_t sz[3] = {(size_t)view.n_input_tiles * k * k, (size_t)n * k, (size_t)net->n_links * k};
    float *g[6];
    for (int q = 0; q < 6; q++) g[q] = calloc(sz[q % 3], sizeof(float));
    MosaicBpttGrads grads[2] = {{g[0], g[1], g[2]}, {g[3], g[4], g[5]}}, *pg[MOSAIC_BPTT_LANES];
    for (int s = 0; s < G; s++) pg[s] = &grads[s / GF];
    double bf = 1e9, bb = 1e9, spikes = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int s = 0; s < G; s += GF)
            mosaic_bptt_group_forward(&view, GF, xs + s, xc + s, pv + s, pc + s, zs + s, w, store, pz + s);
        double t1 = now();
        mosaic_bptt_group_backward(&view, G, xs, xc, cpv, pd, 1e-4f, pg, w[0], store, cpz);
        double t2 = now();
        if (t1 - t0 < bf) bf = t1 - t0;
        if (t2 - t1 < bb) bb = t2 - t1;
    }
    for (int s = 0; s < G; s++) spikes += zs[s];
    double chk = 0, vchk = 0;
    for (size_t i = 0; i < (size_t)G * T * n; i++) vchk += v[i] * (double)((i % 5) + 1);

    for (int q = 0; q < 6; q++)
        for (size_t i = 0; i < sz[q % 3]; i++) chk += g[q][i] * (double)((i % 7) + 1) * (q < 3 ? 1 : 3);
    printf("activity %.4f  forward %.3f ms  backward %.3f ms (min of %d)  checksums v %.17g grad %.17g\n",
           spikes / (G * (double)T * n), bf * 1e3, bb * 1e3, reps, vchk, chk);
    for (int q = 0; q < 6; q++) free(g[q]);
    for (int q = 0; q < GF; q++) mosaic_bptt_work_free(w[q]);
    free(store), free(v), free(zb);
    mosaic_bptt_transpose_free(&tp);
    mosaic_view_index_free(&idx);
    mosaic_spikeset_free(&set);
    mosaic_trainer_free(tr);
    return 0;
}
