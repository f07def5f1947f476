/* bench_cochlea: figures for docs/cochlea.md and the targets.
 *   exact chain, warm filter cache, 1 thread:   < 2 s per second of 48 kHz audio
 *   gammatone option, 1 thread:                  < 0.2 s per second
 *   peak memory for a 2 s recording:             < 200 MB
 * The peer is the straightforward exact chain (V evaluated for every point, no skipping, no cache),
 * measured here on a shorter signal and scaled per second of audio. Optional: FSDD throughput when
 * the shared data is found (../shared/data beside the source tree, or MOSAIC_SHARED_DATA). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_options.h"
#include "cochlea_test_signals.h"
#include "mosaic_clock.h"
#include "mosaic_cochlea.h"

#define FS_ 48000.0

/* With one thread, process CPU time is the single-core cost even when other jobs share the machine
 * (wall time is printed too). */
static double last_wall_;

/* A word-like test signal of n samples (two words over quiet noise). */
static float *speech_(const size_t n) {
    float *x = calloc(n, sizeof *x);
    ts_add_noise(x, n, 1e-3, 5);
    const double dur = (double)n / FS_;
    ts_add_word(x, n, FS_, 120, 700, 1200, dur * 0.3, 0.3);
    ts_add_word(x, n, FS_, 180, 400, 2300, dur * 0.7, 0.3);
    return x;
}

static double run_(const float *x, const size_t n, const MosaicCochleaParams *p, MosaicCochleaCache *cache,
                   size_t *spikes) {
    MosaicCochleaSpikes s;
    MosaicErr err;
    const double t0 = mosaic_now_s(), c0 = mosaic_cpu_s();
    if (mosaic_cochlea_convert(x, n, FS_, p, 1, cache, &s, NULL, &err) != MOSAIC_OK) {
        fprintf(stderr, "bench_cochlea: %s\n", err.msg);
        exit(3);
    }
    last_wall_ = mosaic_now_s() - t0;
    const double t = p->threads == 1 ? mosaic_cpu_s() - c0 : last_wall_;
    if (spikes) *spikes = s.count;
    mosaic_cochlea_spikes_free(&s);
    return t;
}

static int cmp_double_(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of five runs: the machine is shared, and one run can catch a burst of other work. */
static double median_(const float *x, const size_t n, const MosaicCochleaParams *p, MosaicCochleaCache *cache,
                      size_t *spikes) {
    double t[5];
    for (int r = 0; r < 5; r++) t[r] = run_(x, n, p, cache, spikes);
    qsort(t, 5, sizeof *t, cmp_double_);
    return t[2];
}

/* Peak resident memory of converting n samples, measured in a child process (this program re-run with
 * --peak). */
static void peak_child_(const size_t n, const int cached) {
    MosaicCochleaParams p;
    mosaic_cochlea_params_default(&p);
    p.threads = 1;
    float *x = speech_(n);
    /* cached: 0 no cache, 1 the default budget (what `mosaic dataset make` uses), 2 a 1 GiB budget. */
    const size_t budget = cached == 2 ? (size_t)1 << 30 : MOSAIC_COCHLEA_CACHE_DEFAULT_BYTES;
    MosaicCochleaCache *c = cached ? mosaic_cochlea_cache_create(budget) : NULL;
    run_(x, n, &p, c, NULL);
    run_(x, n, &p, c, NULL); /* warm: a cached table is reused */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const char *mode = cached == 0   ? "streaming (no cache)"
                       : cached == 1 ? "default cache budget"
                                     : "1 GiB cache";
    printf("  peak RSS, %.1f s recording, %s: %.0f MB (table %s, %.0f MB)\n", (double)n / FS_, mode,
           ru.ru_maxrss / 1024.0, mosaic_cochlea_cache_bytes(c) ? "cached" : "streamed",
           mosaic_cochlea_cache_bytes(c) / 1e6);
    mosaic_cochlea_cache_free(c);
    free(x);
}

static void peak_mb_(const char *self, const size_t n, const int cached) {
    fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        char ns[32], cs[8];
        snprintf(ns, sizeof ns, "%zu", n);
        snprintf(cs, sizeof cs, "%d", cached);
        execl(self, self, "--peak", ns, cs, (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
}

static const char usage_[] =
    "usage: bench_cochlea [--threads T] [--quick | --smoke]\n"
    "  Speed and peak memory of the auditory front end against the naive exact chain, measured in the\n"
    "  same run, and FSDD throughput when the shared data is found (MOSAIC_SHARED_DATA).\n"
    "  --threads T  OpenMP threads of the chain (1; times are then CPU seconds of the one thread)\n"
    "  --quick      skip one peak-memory child and time the naive chain on a shorter signal\n"
    "  --smoke      every step on signals a tenth as long, one FSDD file (CI's smoke run; the\n"
    "               figures mean nothing)\n"
    "  (--peak N MODE is internal: the peak-memory child the benchmark runs itself)\n";

int main(int argc, char **argv) {
    int threads = 1, quick = 0, smoke = 0;
    /* The peak-memory child: a fresh process re-executed from this one (see peak_mb_). */
    if (argc == 4 && !strcmp(argv[1], "--peak")) {
        peak_child_((size_t)atol(argv[2]), atoi(argv[3]));
        return 0;
    }
    if (bench_wants_help(argc, argv)) bench_usage_exit(usage_, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads"))
            threads = bench_int(argc, argv, &i, 1, usage_);
        else if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--smoke"))
            smoke = quick = 1;
        else
            bench_unknown(argv, i, usage_);
    }
    MosaicCochleaParams p;
    mosaic_cochlea_params_default(&p);
    p.threads = threads;
    printf("bench_cochlea: 700 places, 48 kHz, %d thread(s); times are %s (warm figures: median of 5)\n",
           threads, threads == 1 ? "CPU seconds of the one thread" : "wall seconds");

    /* Peak memory first: Linux keeps a process's peak RSS across fork and exec, so the child must start
     * from this still-small process. */
    /* --smoke: every length a tenth (and the naive peer's a twentieth) */
    const size_t tenth = smoke ? 10 : 1;
    peak_mb_("/proc/self/exe", 96000 / tenth, 0);
    peak_mb_("/proc/self/exe", 96000 / tenth, 1);
    /* The largest recording the default budget still caches (~1.15 s): the default's worst case. */
    peak_mb_("/proc/self/exe", 55000 / tenth, 1);
    if (!quick) peak_mb_("/proc/self/exe", 96000, 2);

    /* 1 s of audio, exact N = 48000 (M = 24001, prime: Bluestein inverse transforms). */
    const size_t n = 48000 / tenth;
    float *x = speech_(n);
    MosaicCochleaCache *cache = mosaic_cochlea_cache_create((size_t)1 << 30);
    size_t spikes = 0;
    const double per_s = FS_ / (double)n; /* seconds of CPU -> seconds per second of audio */
    const double cold = run_(x, n, &p, cache, &spikes) * per_s;
    const double warm = median_(x, n, &p, cache, &spikes) * per_s;
    printf("exact, N = %zu (M = %zu%s): cold %.2f s (filter table %.0f MB), warm %.3f s per s of audio, "
           "%zu spikes\n",
           n, n / 2 + 1, smoke ? "" : " prime", cold, mosaic_cochlea_cache_bytes(cache) / 1e6, warm, spikes);
    /* A 5-smooth M (the dataset maker's frames): no Bluestein step. */
    const size_t n2 = 2 * ((smoke ? 2430 : 24300) - 1);
    float *x2 = speech_(n2);
    run_(x2, n2, &p, cache, NULL);
    const double warm2 = median_(x2, n2, &p, cache, &spikes) * FS_ / (double)n2;
    printf("exact, N = %zu (M = %zu, 5-smooth): warm %.3f s per s of audio\n", n2, n2 / 2 + 1, warm2);
    MosaicCochleaParams q = p;
    q.bm = MOSAIC_COCHLEA_BM_GAMMATONE;
    run_(x, n, &q, cache, NULL);
    const double gamma = median_(x, n, &q, cache, &spikes) * per_s;
    printf("gammatone (§12 A): %.3f s per s of audio, %zu spikes\n", gamma, spikes);
    float *sil = calloc(n, sizeof *sil);
    const double back = median_(sil, n, &p, cache, &spikes) * per_s;
    printf("stages 3-5 only (digital silence): %.3f s per s of audio, %zu spikes\n", back, spikes);
    q = p;
    q.sampler = MOSAIC_COCHLEA_SAMPLER_BERNOULLI;
    const double bern = run_(sil, n, &q, cache, NULL) * per_s;
    printf("stages 3-5 with the per-sample Bernoulli sampler: %.3f s per s (event sampler %.1fx faster)\n",
           bern, bern / back);

    /* The peer: straightforward exact chain, no skipping, no cache, on 0.25 s. */
    const size_t np = smoke ? 600 : quick ? 6000 : 12000;
    float *xp = speech_(np);
    q = p;
    q.skip_nepers = 0;
    const double naive = run_(xp, np, &q, NULL, NULL) * FS_ / (double)np;
    printf("peer, naive exact (every V point, no cache): %.2f s per s of audio\n", naive);
    printf("ratios vs the naive exact chain: warm cache %.1fx faster, cold %.1fx, gammatone %.0fx\n",
           naive / warm, naive / cold, naive / gamma);
    printf("targets: exact warm < 2 s/s: %s (%.3f); gammatone < 0.2 s/s: %s (%.3f)\n",
           warm < 2 ? "met" : "MISSED", warm, gamma < 0.2 ? "met" : "MISSED", gamma);

    /* FSDD throughput (8 kHz recordings, trimmed, fixed-length variant) on the first 60 files. */
    char shared[4000], dir[4096];
    bench_shared_data(shared, sizeof shared);
    snprintf(dir, sizeof dir, "%s/fsdd/recordings", shared);
    DIR *d = opendir(dir);
    if (!d) {
        printf("FSDD: skipped (no %s)\n", dir);
    } else {
        MosaicCochleaParams f = p;
        f.fixed_length = 1;
        f.trim = 1;
        struct dirent *e;
        int files = 0;
        double audio = 0, t0 = mosaic_now_s();
        while ((e = readdir(d)) && files < (smoke ? 1 : 60)) {
            if (!strstr(e->d_name, ".wav")) continue;
            char path[8400];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            float *a = NULL;
            size_t na = 0;
            double fs = 0;
            MosaicErr err;
            if (mosaic_cochlea_read_audio(path, 0, &a, &na, &fs, &err) != MOSAIC_OK) continue;
            MosaicCochleaSpikes s;
            if (mosaic_cochlea_convert(a, na, fs, &f, 1, cache, &s, NULL, &err) == MOSAIC_OK) {
                audio += (double)na / fs;
                files++;
                mosaic_cochlea_spikes_free(&s);
            }
            free(a);
        }
        closedir(d);
        const double t = mosaic_now_s() - t0;
        printf(
            "FSDD: %d files (%.1f s of audio) in %.1f s incl. filter tables: %.2f s per file, %.2f s per s\n",
            files, audio, t, t / files, t / audio);
    }
    mosaic_cochlea_cache_free(cache);
    free(x), free(x2), free(sil), free(xp);
    return 0;
}
