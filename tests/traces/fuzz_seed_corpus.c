/* Writes the seed corpus of the fuzz target into the directory given as argv[1]: small valid SHD
 * datasets as .h5.gz (and, with --raw, the same as plain HDF5 bytes for the raw mode). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "mosaic_rng.h"
#include "mosaic_shd.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: fuzz_seed_corpus DIR [--raw]\n");
        return 2;
    }
    int raw = argc > 2 && !strcmp(argv[2], "--raw");
    static const char *const classes[3] = {"zero", "one", "two"};
    MosaicRng rng;
    mosaic_rng_seed(&rng, 1);
    for (int f = 0; f < 4; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/seed%d.%s", argv[1], f, raw ? "h5" : "h5.gz");
        MosaicErr err;
        MosaicShdWriter *w;
        if (mosaic_shd_writer_begin(path, classes, 3, 700, &w, &err) != MOSAIC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 3;
        }
        for (int i = 0; i < 1 + f * 2; i++) {
            float t[40];
            int32_t u[40];
            int n = (int)mosaic_rng_below(&rng, 40);
            for (int k = 0; k < n; k++) {
                t[k] = (float)mosaic_rng_uniform(&rng) * 1.4f;
                u[k] = (int32_t)mosaic_rng_below(&rng, 700);
            }
            if (mosaic_shd_writer_add(w, t, u, n, i % 3, i % 2, &err) != MOSAIC_OK) {
                fprintf(stderr, "%s\n", err.msg);
                mosaic_shd_writer_abort(w);
                return 3;
            }
        }
        if (mosaic_shd_writer_finish(w, &err) != MOSAIC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 3;
        }
    }
    printf("wrote 4 seeds to %s\n", argv[1]);
    return 0;
}
