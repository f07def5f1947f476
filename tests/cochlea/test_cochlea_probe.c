/* mosaic_cochlea_probe and `mosaic dataset probe`: a unit's intermediate signals are the chain's own
 * (its bushy raster equals its spikes in the converted output, for both membranes, for units in full
 * and partial SIMD groups and on both sides of a packed inverse DFT), and the CLI writes them to HDF5
 * unchanged. Usage: test_cochlea_probe [--seed S] [--mosaic PATH-TO-mosaic] (without --mosaic the CLI
 * part is skipped). */
#define _POSIX_C_SOURCE 200809L
#include <sndfile.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cochlea_test_signals.h"
#include "mosaic_cochlea.h"
#include "mosaic_h5.h"
#include "mosaic_test.h"

#define FS_ 48000.0

/* 1 if probe row k's bushy raster holds exactly unit[k]'s spikes of s. */
static int same_as_chain_(const MosaicCochleaProbe *pr, const int k, const MosaicCochleaSpikes *s) {
    size_t seen = 0;
    for (size_t i = 0; i < s->count; i++) {
        if (s->unit[i] != pr->unit[k]) continue;
        if (s->sample[i] >= pr->samples || !pr->bushy[(size_t)k * pr->samples + s->sample[i]]) return 0;
        seen++;
    }
    size_t raster = 0;
    for (size_t i = 0; i < pr->samples; i++) raster += pr->bushy[(size_t)k * pr->samples + i];
    return raster == seen;
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 5);
    const char *mosaic = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--mosaic")) mosaic = argv[i + 1];
    MosaicErr err;
    const size_t n = 14400; /* 0.3 s */
    float *x = calloc(n, sizeof *x);
    ts_add_noise(x, n, 1e-3, seed);
    ts_add_word(x, n, FS_, 140, 300, 900, 0.15, 0.3);
    MosaicCochleaParams p;
    mosaic_cochlea_params_default(&p);
    p.channels = 70; /* groups of four: units 68 and 69 form a partial group */
    p.threads = 2;
    const int units[] = {3, 33, 34, 60, 68, 69};
    const int nunits = (int)(sizeof units / sizeof units[0]);

    TEST("ProbeEqualsTheChainForBothMembranes") {
        for (int bm = 0; bm < 2; bm++) {
            MosaicCochleaParams q = p;
            q.bm = bm ? MOSAIC_COCHLEA_BM_GAMMATONE : MOSAIC_COCHLEA_BM_EXACT;
            MosaicCochleaSpikes s;
            MosaicCochleaProbe pr;
            CHECK(mosaic_cochlea_convert(x, n, FS_, &q, seed, NULL, &s, NULL, &err) == MOSAIC_OK);
            CHECK(mosaic_cochlea_probe(x, n, FS_, &q, seed, units, nunits, &pr, &err) == MOSAIC_OK);
            CHECK(pr.units == nunits && pr.samples == s.samples && pr.rate == s.rate && pr.seed == seed);
            long bushy = 0, fibre = 0;
            for (int k = 0; k < nunits; k++) {
                CHECK(pr.unit[k] == units[k]);
                CHECK(same_as_chain_(&pr, k, &s));
                for (size_t i = 0; i < pr.samples; i++) {
                    const size_t at = (size_t)k * pr.samples + i;
                    CHECK(pr.prob[at] >= 0.0 && pr.prob[at] < 0.1);
                    CHECK(pr.counts[at] <= q.fibres);
                    bushy += pr.bushy[at], fibre += pr.counts[at];
                }
            }
            printf("  %s: %ld fibre and %ld bushy spikes in %d units, as in the converted output\n",
                   bm ? "gammatone" : "exact", fibre, bushy, nunits);
            CHECK(bushy > 0 && fibre > 1000);
            mosaic_cochlea_probe_free(&pr);
            mosaic_cochlea_spikes_free(&s);
        }
        MosaicCochleaProbe pr;
        const int bad = 70;
        CHECK(mosaic_cochlea_probe(x, n, FS_, &p, seed, &bad, 1, &pr, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "unit 70") != NULL);
    }

    TEST("CliWritesTheProbeToHdf5") {
        if (!mosaic) {
            printf("  skipped: no --mosaic PATH given\n");
            break;
        }
        char dir[] = "/tmp/mosaic-probe-XXXXXX";
        CHECK(mkdtemp(dir) != NULL);
        char wav[256], h5[256], cmd[1024];
        snprintf(wav, sizeof wav, "%s/word.wav", dir);
        snprintf(h5, sizeof h5, "%s/probe.h5", dir);
        SF_INFO info = {.samplerate = (int)FS_, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
        SNDFILE *f = sf_open(wav, SFM_WRITE, &info);
        CHECK(f != NULL);
        if (f) sf_writef_float(f, x, (sf_count_t)n), sf_close(f);
        snprintf(cmd, sizeof cmd, "%s dataset probe --wav %s --unit 33,69 --channels 70 --seed %llu --out %s",
                 mosaic, wav, (unsigned long long)seed, h5);
        CHECK(system(cmd) == 0);
        const int two[] = {33, 69};
        MosaicCochleaProbe pr;
        CHECK(mosaic_cochlea_probe(x, n, FS_, &p, seed, two, 2, &pr, &err) == MOSAIC_OK);
        MosaicH5File *h = NULL;
        CHECK(mosaic_h5_open(h5, &h, &err) == MOSAIC_OK);
        if (h) {
            char *format = NULL;
            int64_t version = 0;
            CHECK(mosaic_h5_attr_read_string(h, "/", "format", &format, &err) == MOSAIC_OK);
            CHECK(format && !strcmp(format, "mosaic-cochlea-probe"));
            free(format);
            CHECK(mosaic_h5_attr_read_int64(h, "/", "format_version", &version, &err) == MOSAIC_OK);
            CHECK(version == 1);
            int64_t dims[2] = {2, (int64_t)pr.samples};
            float *u = NULL;
            double *prob = NULL;
            uint8_t *counts = NULL, *bushy = NULL;
            CHECK(mosaic_h5_read(h, "u", MOSAIC_H5_F32, 2, dims, (void **)&u, &err) == MOSAIC_OK);
            CHECK(mosaic_h5_read(h, "prob", MOSAIC_H5_F64, 2, dims, (void **)&prob, &err) == MOSAIC_OK);
            CHECK(mosaic_h5_read(h, "fibre_counts", MOSAIC_H5_U8, 2, dims, (void **)&counts, &err) ==
                  MOSAIC_OK);
            CHECK(mosaic_h5_read(h, "bushy", MOSAIC_H5_U8, 2, dims, (void **)&bushy, &err) == MOSAIC_OK);
            const size_t total = 2 * pr.samples;
            CHECK(u && !memcmp(u, pr.u, total * sizeof *u));
            CHECK(prob && !memcmp(prob, pr.prob, total * sizeof *prob));
            CHECK(counts && !memcmp(counts, pr.counts, total));
            CHECK(bushy && !memcmp(bushy, pr.bushy, total));
            free(u), free(prob), free(counts), free(bushy);
            mosaic_h5_close(h);
        }
        mosaic_cochlea_probe_free(&pr);
        /* A unit outside the map is bad input: exit status 2, nothing written. */
        snprintf(cmd, sizeof cmd,
                 "%s dataset probe --wav %s --unit 70 --channels 70 --out %s/bad.h5 2>/dev/null", mosaic, wav,
                 dir);
        const int rc = system(cmd);
        CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
        snprintf(cmd, sizeof cmd, "%s/bad.h5", dir);
        CHECK(access(cmd, F_OK) != 0);
        unlink(wav), unlink(h5), rmdir(dir);
    }
    free(x);
    return mosaic_test_finish();
}
