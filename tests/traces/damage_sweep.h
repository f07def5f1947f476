/* damage_sweep: random damage to a file, each copy read in a child process.
 *
 * A reader given a damaged file must return its content or refuse it with an error naming the file;
 * it must never crash, hang or trip a sanitizer. Each copy gets 1 to 4 bytes overwritten at random
 * (seeded, so any failure replays) and is read by `reader` in a forked child, which reports
 * DAMAGE_READ or DAMAGE_REFUSED as its exit status; a signal, a sanitizer's exit or the alarm count as
 * broken. */
#ifndef DAMAGE_SWEEP_H
#define DAMAGE_SWEEP_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mosaic_rng.h"

enum { DAMAGE_READ = 10, DAMAGE_REFUSED = 11, DAMAGE_WRONG_ERROR = 12 };

/* Sanitizer settings, read by the runtime at start-up (ASAN_OPTIONS can still override them):
 * - libhdf5 asks malloc for sizes read from a damaged header and handles a NULL answer, as glibc gives
 *   for an impossible size; AddressSanitizer aborts on such a request unless told to return NULL too.
 * - libhdf5 1.10 decodes some damaged headers with memcpy past its buffers (docs/formats.md, section
 *   7): reads that a Release build survives and our checks then refuse. Reports from a string or
 *   memory function called by libhdf5 itself are suppressed; every error in our code still counts. */
const char *__asan_default_options(void);
__attribute__((used)) const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
const char *__asan_default_suppressions(void);
__attribute__((used)) const char *__asan_default_suppressions(void) {
    return "interceptor_via_lib:libhdf5\n";
}

typedef struct {
    int read, refused, broken;
} DamageCounts;

/* Runs reader(path) in a child; its exit status, or 128 + signal. */
static inline int damage_run_child_(int (*reader)(const char *), const char *path) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        _exit(reader(path));
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

static inline DamageCounts damage_sweep(const char *src, const char *scratch, uint64_t seed, int copies,
                                        int (*reader)(const char *)) {
    DamageCounts c = {0, 0, 0};
    FILE *in = fopen(src, "rb");
    unsigned char *orig = malloc(1 << 22), *copy = malloc(1 << 22);
    const size_t size = in && orig && copy ? fread(orig, 1, 1 << 22, in) : 0;
    if (in) fclose(in);
    if (size < 64 || size == (1 << 22)) {
        fprintf(stderr, "  damage_sweep: cannot use %s (%zu bytes)\n", src, size);
        c.broken = 1;
        copies = 0;
    }
    MosaicRng rng;
    mosaic_rng_seed(&rng, seed);
    for (int m = 0; m < copies; m++) {
        memcpy(copy, orig, size);
        const int flips = 1 + (int)mosaic_rng_below(&rng, 4);
        size_t where = 0;
        for (int j = 0; j < flips; j++) {
            where = (size_t)mosaic_rng_below(&rng, size);
            copy[where] ^= (unsigned char)(1 + mosaic_rng_below(&rng, 255));
        }
        FILE *out = fopen(scratch, "wb");
        const bool written = out && fwrite(copy, 1, size, out) == size;
        if (out) fclose(out);
        const int r = written ? damage_run_child_(reader, scratch) : -1;
        if (r == DAMAGE_READ)
            c.read++;
        else if (r == DAMAGE_REFUSED)
            c.refused++;
        else if (c.broken++ < 5) {
            char keep[1100];
            snprintf(keep, sizeof keep, "%s.broken-%d", scratch, m);
            fprintf(stderr,
                    "  damage %d (seed %llu; %d bytes, the last at %zu): reader status %d; kept as %s\n", m,
                    (unsigned long long)seed, flips, where, r, keep);
            rename(scratch, keep);
        }
    }
    printf("  %d damaged copies of %s: %d read, %d refused, %d broke the reader\n", copies, src, c.read,
           c.refused, c.broken);
    free(orig);
    free(copy);
    return c;
}

#endif
