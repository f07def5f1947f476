/* shd_fixture: builds small datasets in the exact SHD layout for the traces tests. */
#ifndef SHD_FIXTURE_H
#define SHD_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mosaic_rng.h"
#include "mosaic_shd.h"

/* A temporary directory for one test program, removed by fixture_cleanup (files first). */
static char fixture_dir_[256];

static inline const char *fixture_dir(void) {
    if (!fixture_dir_[0]) {
        snprintf(fixture_dir_, sizeof fixture_dir_, "/tmp/mosaic-traces-XXXXXX");
        if (!mkdtemp(fixture_dir_)) {
            perror("mkdtemp");
            exit(3);
        }
    }
    return fixture_dir_;
}

static inline void fixture_path(char *buf, size_t cap, const char *name) {
    snprintf(buf, cap, "%s/%s", fixture_dir(), name);
}

static inline void fixture_cleanup(void) {
    if (!fixture_dir_[0]) return;
    if (getenv("MOSAIC_TEST_KEEP")) { /* for debugging: keep the files */
        printf("kept %s\n", fixture_dir_);
        return;
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fixture_dir_);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", fixture_dir_);
}

static const char *const fixture_classes_[4] = {"english-zero", "english-one", "german-null", "german-eins"};

/* A random spike sample whose times are exactly representable in float16 (multiples of 2^-10 below
 * 2 s), so writing and reading back must be lossless. */
static inline int64_t fixture_sample(MosaicRng *rng, int64_t max_spikes, int n_units, float *times,
                                     int32_t *units) {
    int64_t n = (int64_t)mosaic_rng_below(rng, (uint64_t)max_spikes + 1);
    for (int64_t k = 0; k < n; k++) {
        times[k] = (float)mosaic_rng_below(rng, 1 << 11) * 0x1p-10f;
        units[k] = (int32_t)mosaic_rng_below(rng, (uint64_t)n_units);
    }
    return n;
}

#endif
