/* bench_traces: loading and binning SHD-sized data (8156 recordings of ~8000 spikes, as SHD train).
 *
 * Generates the dataset into a temporary directory (plain .h5 and .h5.gz), then measures
 *   1. .h5:    open + read + bin every recording (preload) + materialise all 48936 (100, 128) views;
 *   2. .h5.gz: the same from the gzip file (inflated into memory, opened as a file image);
 *   3. the streaming path in a child process: no preload, shuffled batches of 256 views read straight
 *      from the .h5 (each recording read once per view), peak memory from /proc/self/status VmHWM;
 * and, if /usr/bin/python3 has h5py, the peer: the reference code's loader (h5py + numpy.digitize,
 * bench/traces/peer_h5py.py) on the same .h5 in the same run. Targets (issue 3): 1 < 3 s, 2 < 6 s,
 * streaming peak < 100 MB.
 * Options: bench_traces --help. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_options.h"
#include "mosaic_bins.h"
#include "mosaic_clock.h"
#include "mosaic_gz.h"
#include "mosaic_rng.h"
#include "mosaic_shd.h"

static double loadavg_(void) {
    FILE *f = fopen("/proc/loadavg", "r");
    double l = -1;
    if (f && fscanf(f, "%lf", &l) != 1) l = -1;
    if (f) fclose(f);
    return l;
}

static long vm_kb_(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, n)) v = atol(line + n + 1);
    if (f) fclose(f);
    return v;
}

static void die_(const MosaicErr *err) {
    fprintf(stderr, "bench_traces: %s\n", err->msg);
    exit(3);
}

static int cmp_float_(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void generate_(const char *path, int n, int spikes) {
    static const char *const classes[20] = {"english-zero",  "english-one",   "english-two", "english-three",
                                            "english-four",  "english-five",  "english-six", "english-seven",
                                            "english-eight", "english-nine",  "german-null", "german-eins",
                                            "german-zwei",   "german-drei",   "german-vier", "german-fuenf",
                                            "german-sechs",  "german-sieben", "german-acht", "german-neun"};
    MosaicErr err;
    MosaicShdWriter *w;
    if (mosaic_shd_writer_begin(path, classes, 20, 700, &w, &err) != MOSAIC_OK) die_(&err);
    MosaicRng rng;
    mosaic_rng_seed(&rng, 2024);
    float *t = malloc(sizeof(float) * (size_t)spikes * 2);
    int32_t *u = malloc(sizeof(int32_t) * (size_t)spikes * 2);
    for (int i = 0; i < n; i++) {
        int k = spikes / 2 + (int)mosaic_rng_below(&rng, (uint64_t)spikes); /* mean `spikes` */
        for (int j = 0; j < k; j++) t[j] = (float)(mosaic_rng_uniform(&rng) * 1.35);
        qsort(t, (size_t)k, sizeof *t, cmp_float_); /* SHD stores spikes in time order */
        for (int j = 0; j < k; j++) u[j] = (int32_t)mosaic_rng_below(&rng, 700);
        if (mosaic_shd_writer_add(w, t, u, k, i % 20, i % 10, &err) != MOSAIC_OK) die_(&err);
        if ((i + 1) % 2048 == 0) fprintf(stderr, "  generated %d / %d recordings\n", i + 1, n);
    }
    if (mosaic_shd_writer_finish(w, &err) != MOSAIC_OK) die_(&err);
    free(t);
    free(u);
}

/* The reference view (100 steps over 1.4 s, 128 channels) of the dataset at `path`. */
static MosaicBins *open_view_(const char *path, MosaicShd **shd) {
    MosaicErr err;
    if (mosaic_shd_open(path, shd, &err) != MOSAIC_OK) die_(&err);
    MosaicBinSpec spec;
    mosaic_bin_spec_default(&spec);
    MosaicBins *b;
    if (mosaic_bins_create(*shd, &spec, &b, &err) != MOSAIC_OK) die_(&err);
    return b;
}

/* Path 1/2: open, preload, materialise every view; returns seconds, fills checksum and view count. */
static double load_and_bin_(const char *path, long *checksum, int64_t *views, long *events_kb, double *cpu) {
    double t0 = mosaic_now_s(), c0 = mosaic_cpu_s();
    MosaicErr err;
    MosaicShd *shd;
    MosaicBins *b = open_view_(path, &shd);
    long before = vm_kb_("VmRSS:");
    if (mosaic_bins_preload(b, NULL, NULL, &err) != MOSAIC_OK) die_(&err);
    *events_kb = vm_kb_("VmRSS:") - before;
    int64_t n = mosaic_bins_count(b);
    uint8_t *m = malloc(100 * 128);
    long sum = 0;
    for (int64_t v = 0; v < n; v++) {
        if (mosaic_bins_sample(b, v, m, &err) != MOSAIC_OK) die_(&err);
        for (int i = 0; i < 100 * 128; i += 97) sum += m[i];
    }
    free(m);
    *checksum = sum;
    *views = n;
    mosaic_bins_free(b);
    mosaic_shd_close(shd);
    *cpu = mosaic_cpu_s() - c0;
    return mosaic_now_s() - t0;
}

/* Path 3, in a child: shuffled batches straight from the file. Prints its own figures. */
static void streaming_child_(const char *path) {
    double t0 = mosaic_now_s(), c0 = mosaic_cpu_s();
    MosaicErr err;
    MosaicShd *shd;
    MosaicBins *b = open_view_(path, &shd);
    int64_t n = mosaic_bins_count(b);
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)n);
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    mosaic_bins_shuffle(idx, n, 42, 0);
    enum { B = 256 };
    uint8_t *batch = malloc((size_t)B * 100 * 128);
    int32_t labels[B];
    for (int64_t i = 0; i < n; i += B) {
        int64_t m = n - i < B ? n - i : B;
        if (mosaic_bins_batch(b, idx + i, m, batch, labels, &err) != MOSAIC_OK) die_(&err);
    }
    double dt = mosaic_now_s() - t0;
    printf("streaming .h5, shuffled batches of %d: %lld views (each reads its recording): wall %.2f s, cpu "
           "%.2f s; "
           "peak memory VmHWM %.1f MB (target < 100 MB: %s)\n",
           B, (long long)n, dt, mosaic_cpu_s() - c0, vm_kb_("VmHWM:") / 1024.0,
           vm_kb_("VmHWM:") < 100 * 1024 ? "met" : "MISSED");
    free(batch);
    free(idx);
    mosaic_bins_free(b);
    mosaic_shd_close(shd);
}

static const char usage_[] =
    "usage: bench_traces [--samples N] [--spikes S] [--keep DIR]\n"
    "  Loading and binning an SHD-sized dataset it generates (.h5 and .h5.gz), streaming memory, and the\n"
    "  peer: the reference loader in h5py + numpy (bench/traces/peer_h5py.py) on the same file in the\n"
    "  same run (skipped, with a note, when /usr/bin/python3 lacks h5py).\n"
    "  --samples N  recordings (8156, as SHD train)\n"
    "  --spikes S   spikes per recording, drawn uniformly from S/2 .. 3S/2 (8000)\n"
    "  --keep DIR   keep the generated files in DIR and reuse them on the next run\n";

int main(int argc, char **argv) {
    int n = 8156, spikes = 8000;
    const char *keep = NULL;
    if (bench_wants_help(argc, argv)) bench_usage_exit(usage_, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--samples"))
            n = bench_int(argc, argv, &i, 1, usage_);
        else if (!strcmp(argv[i], "--spikes"))
            spikes = bench_int(argc, argv, &i, 2, usage_);
        else if (!strcmp(argv[i], "--keep"))
            keep = bench_value(argc, argv, &i, usage_);
        else
            bench_unknown(argv, i, usage_);
    }
    char dir[256] = "/tmp/bench-traces-XXXXXX";
    if (keep)
        snprintf(dir, sizeof dir, "%s", keep);
    else if (!mkdtemp(dir))
        return perror("mkdtemp"), 3;
    char h5[512], gz[512];
    snprintf(h5, sizeof h5, "%s/shd_like.h5", dir);
    snprintf(gz, sizeof gz, "%s/shd_like.h5.gz", dir);
    printf("bench_traces: %d recordings x ~%d spikes (uniform %d..%d), 700 units, in %s\n", n, spikes,
           spikes / 2, spikes / 2 + spikes - 1, dir);
    double t0 = mosaic_now_s(), t_write = 0, t_gzip = 0;
    MosaicErr err;
    if (keep && access(h5, R_OK) == 0 && access(gz, R_OK) == 0) {
        printf("reusing the dataset kept in %s\n", dir);
    } else {
        generate_(h5, n, spikes);
        t_write = mosaic_now_s() - t0;
        t0 = mosaic_now_s();
        if (mosaic_gz_compress_file(h5, gz, &err) != MOSAIC_OK) die_(&err);
        t_gzip = mosaic_now_s() - t0;
    }
    FILE *f = fopen(h5, "rb");
    fseek(f, 0, SEEK_END);
    long size_h5 = ftell(f);
    fclose(f);
    f = fopen(gz, "rb");
    fseek(f, 0, SEEK_END);
    long size_gz = ftell(f);
    fclose(f);
    if (t_write > 0)
        printf("wrote %.1f MB .h5 in %.2f s (our writer), gzip to %.1f MB in %.2f s\n", size_h5 / 1e6,
               t_write, size_gz / 1e6, t_gzip);
    else
        printf("dataset: %.1f MB .h5, %.1f MB .h5.gz\n", size_h5 / 1e6, size_gz / 1e6);

    long sum_h5, sum_gz, ev_h5, ev_gz;
    int64_t views;
    double c_h5, c_gz;
    printf("machine load average %.1f on %ld cores (wall times stretch when it exceeds the cores)\n",
           loadavg_(), sysconf(_SC_NPROCESSORS_ONLN));
    double t_h5 = load_and_bin_(h5, &sum_h5, &views, &ev_h5, &c_h5);
    printf(".h5    load + bin (preload) + %lld dense (100, 128) views: wall %.2f s, cpu %.2f s (target < 3 "
           "s: %s); "
           "events held %.0f MB\n",
           (long long)views, t_h5, c_h5,
           t_h5 < 3   ? "met"
           : c_h5 < 3 ? "met in cpu time, not wall"
                      : "MISSED",
           ev_h5 / 1024.0);
    double t_gz = load_and_bin_(gz, &sum_gz, &views, &ev_gz, &c_gz);
    printf(".h5.gz load + bin (preload) + %lld dense (100, 128) views: wall %.2f s, cpu %.2f s (target < 6 "
           "s: %s)\n",
           (long long)views, t_gz, c_gz,
           t_gz < 6   ? "met"
           : c_gz < 6 ? "met in cpu time, not wall"
                      : "MISSED");
    if (sum_h5 != sum_gz)
        printf("WARNING: .h5 and .h5.gz views differ (checksums %ld vs %ld)\n", sum_h5, sum_gz);
    fflush(stdout);

    pid_t pid = fork();
    if (pid == 0) {
        streaming_child_(h5);
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);

    /* the peer: the reference loader's approach in Python (h5py per-sample reads + numpy.digitize) */
    char script[1024], cmd[2048];
    bench_source_path(script, sizeof script, "bench/traces/peer_h5py.py");
    if (access("/usr/bin/python3", X_OK) == 0 && access(script, R_OK) == 0 &&
        system("/usr/bin/python3 -c 'import h5py, numpy' 2>/dev/null") == 0) {
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s'", script, h5);
        FILE *p = popen(cmd, "r");
        double t_peer = -1, c_peer = -1;
        long sum_peer = -1;
        char line[512];
        while (p && fgets(line, sizeof line, p)) {
            fputs(line, stdout);
            if (!strncmp(line, "peer_seconds ", 13)) t_peer = atof(line + 13);
            if (!strncmp(line, "peer_cpu_seconds ", 17)) c_peer = atof(line + 17);
            if (!strncmp(line, "peer_checksum ", 14)) sum_peer = atol(line + 14);
        }
        if (p) pclose(p);
        /* the same views, or the times compare different work */
        if (sum_peer >= 0)
            printf("peer checksum %ld, ours %ld: %s\n", sum_peer, sum_h5,
                   sum_peer == sum_h5 ? "the same views" : "DIFFERENT VIEWS");
        /* CPU as well as wall: under load the wall ratio measures when each run met the load */
        if (t_peer > 0 && c_peer > 0)
            printf("ratio: peer (h5py + numpy, reference loader) / ours (.h5): wall %.1fx, cpu %.1fx\n",
                   t_peer / t_h5, c_peer / c_h5);
        if (sum_peer >= 0 && sum_peer != sum_h5) return 1;
    } else {
        printf("peer skipped: needs /usr/bin/python3 with h5py and numpy (apt-get install python3-h5py) and "
               "%s\n",
               script);
    }
    if (!keep) {
        remove(h5);
        remove(gz);
        rmdir(dir);
    }
    return 0;
}
