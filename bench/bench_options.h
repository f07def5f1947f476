/* bench_options.h: the command-line habits every benchmark shares (C and C++).
 *
 * Benchmarks run on demand, often from a shell history, so a mistyped option must stop them with the
 * usage instead of silently measuring the default configuration; `--help` prints the usage. Peer scripts
 * and the shared data are found from the source tree the benchmark was built from, so a benchmark runs
 * from any working directory; MOSAIC_SOURCE_DIR and MOSAIC_SHARED_DATA override them. */
#ifndef MOSAIC_BENCH_OPTIONS_H
#define MOSAIC_BENCH_OPTIONS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MOSAIC_BENCH_SOURCE_DIR
#define MOSAIC_BENCH_SOURCE_DIR "."
#endif

/* Prints the usage (to stdout for --help, else to stderr) and exits with `code` (0 or 2). */
static inline void bench_usage_exit(const char *usage, int code) {
    fputs(usage, code ? stderr : stdout);
    exit(code);
}

/* 1 when argv holds -h or --help. */
static inline int bench_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    return 0;
}

/* The value after option argv[*i], advancing *i; a missing value stops with the usage. */
static inline const char *bench_value(int argc, char **argv, int *i, const char *usage) {
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: option %s needs a value\n\n", argv[0], argv[*i]);
        bench_usage_exit(usage, 2);
    }
    *i += 1;
    return argv[*i];
}

/* The integer after option argv[*i], at least `min`; anything else stops with the usage. */
static inline int bench_int(int argc, char **argv, int *i, int min, const char *usage) {
    const char *opt = argv[*i], *v = bench_value(argc, argv, i, usage);
    char *end = NULL;
    errno = 0;
    const long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < min || x > 1000000000L) {
        fprintf(stderr, "%s: option %s: expected an integer >= %d, got '%s'\n\n", argv[0], opt, min, v);
        bench_usage_exit(usage, 2);
    }
    return (int)x;
}

/* The number after option argv[*i]; anything else stops with the usage. */
static inline double bench_double(int argc, char **argv, int *i, const char *usage) {
    const char *opt = argv[*i], *v = bench_value(argc, argv, i, usage);
    char *end = NULL;
    errno = 0;
    const double x = strtod(v, &end);
    if (errno || end == v || *end) {
        fprintf(stderr, "%s: option %s: expected a number, got '%s'\n\n", argv[0], opt, v);
        bench_usage_exit(usage, 2);
    }
    return x;
}

/* Stops with the usage on an option the benchmark does not know. */
static inline void bench_unknown(char **argv, int i, const char *usage) {
    fprintf(stderr, "%s: unknown option '%s'\n\n", argv[0], argv[i]);
    bench_usage_exit(usage, 2);
}

/* A file of the source tree (e.g. "bench/train/peer_torch.py") as a path: under MOSAIC_SOURCE_DIR when
 * set, else under the tree this benchmark was built from. */
static inline void bench_source_path(char *out, size_t size, const char *rel) {
    const char *src = getenv("MOSAIC_SOURCE_DIR");
    snprintf(out, size, "%s/%s", src && *src ? src : MOSAIC_BENCH_SOURCE_DIR, rel);
}

/* The shared data folder: MOSAIC_SHARED_DATA when set, else ../shared/data beside the source tree. */
static inline void bench_shared_data(char *out, size_t size) {
    const char *shared = getenv("MOSAIC_SHARED_DATA");
    if (shared && *shared)
        snprintf(out, size, "%s", shared);
    else
        snprintf(out, size, "%s/../shared/data", MOSAIC_BENCH_SOURCE_DIR);
}

#endif
