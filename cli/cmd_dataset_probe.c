/* `mosaic dataset probe`: the cochlea's intermediate signals for a few units of one recording
 * (cochlea-model.md §10), written to HDF5 for inspection with h5py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "cmd_dataset.h"
#include "mosaic_cochlea.h"
#include "mosaic_h5.h"

#define MAX_UNITS_ 64

static void usage_(FILE *out) {
    fprintf(
        out,
        "usage: mosaic dataset probe --wav FILE --unit U[,U,...] --out FILE.h5 [--seed S] [--trim]\n"
        "                            [--downmix] [--bm exact|gammatone] [--channels C] [--threads T]\n"
        "                            [--sampler event|bernoulli] [--causal]\n\n"
        "Runs the cochlea on one recording as `mosaic dataset make` does (resampled to 48 kHz, RMS 0.3 +\n"
        "Hann taper; --trim cuts silence like --from-wav) and writes, for each listed unit (0 = base, at\n"
        "most %d units), every stage's output at the internal rate F = 24 kHz:\n"
        "  /u             (units, M) float32  basilar-membrane (partition) velocity (stage 2, model units)\n"
        "  /prob          (units, M) float64  hair-cell release probability per sample (stage 3)\n"
        "  /fibre_counts  (units, M) uint8    kept spikes of the 40 fibres per sample (stage 4)\n"
        "  /bushy         (units, M) uint8    1 where the unit's bushy cell spikes (stage 5, the output)\n"
        "  /unit, /cf_hz  (units,)            the units and their characteristic frequencies\n"
        "--seed is one recording's fibre seed: to reproduce a recording of a dataset, give its\n"
        "/extra/meta_info/sample_seed (make derives one per recording from its own --seed). /bushy then\n"
        "equals that unit's spikes in the dataset if it was made with the same parameters and the\n"
        "exact-length chain the probe runs (`make --from-wav --exact`; make's default pads recordings to\n"
        "a cached length, which shifts the spikes slightly). Exact membrane: ~2/700 of a cold conversion\n"
        "per unit.\n\n"
        "exit status: 0 ok, 2 bad input, 3 I/O or internal error\n",
        MAX_UNITS_);
}

static int parse_units_(const char *v, int *units, int *n) {
    *n = 0;
    for (const char *c = v; *c;) {
        char *end = NULL;
        const long u = strtol(c, &end, 10);
        if (end == c || *n >= MAX_UNITS_ || u < 0 || u > 65535) return 0;
        units[(*n)++] = (int)u;
        if (*end == ',')
            end++;
        else if (*end)
            return 0;
        c = end;
    }
    return *n > 0;
}

static MosaicStatus write_(const char *path, const MosaicCochleaProbe *pr, const MosaicCochleaParams *p,
                           const char *wav, MosaicErr *err) {
    MosaicH5File *f = NULL;
    MOSAIC_TRY(mosaic_h5_create(path, &f, err));
    /* The settings that shaped the signals, as YAML like every result's `config` (the probe has no
     * configuration file: these are its options). */
    char config[1024];
    snprintf(config, sizeof config,
             "probe:\n  bm: %s\n  channels: %d\n  fibres: %d\n  fs: %.17g\n  level: %.17g\n  s0: %.17g\n"
             "  skip_nepers: %.17g\n  tau_ref: %.17g\n  sampler: %s\n  causal: %s\n  trim: %s\n"
             "  trim_db: %.17g\n  trim_margin: %.17g\n  seed: %llu\n",
             p->bm == MOSAIC_COCHLEA_BM_GAMMATONE ? "gammatone" : "exact", p->channels, p->fibres, p->fs,
             p->level, p->s0, p->skip_nepers, p->tau_ref,
             p->sampler == MOSAIC_COCHLEA_SAMPLER_EVENT ? "event" : "bernoulli", p->causal ? "true" : "false",
             p->trim ? "true" : "false", p->trim_db, p->trim_margin, (unsigned long long)pr->seed);
    const MosaicProvenance prov = {"mosaic dataset probe", MOSAIC_VERSION, MOSAIC_GIT_HASH, (int64_t)pr->seed,
                                   config};
    const int64_t dims[2] = {pr->units, (int64_t)pr->samples};
    double *cf = malloc((size_t)pr->units * sizeof *cf);
    if (!cf) {
        mosaic_h5_abort(f);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "dataset probe: out of memory");
    }
    for (int k = 0; k < pr->units; k++) cf[k] = mosaic_cochlea_cf(pr->unit[k], p->channels, p->s0, p->fs);
    MosaicStatus st = mosaic_h5_write_provenance(f, &prov, err);
    /* The format tag of every file the program writes (formats.md §1), so a reader can tell a probe
     * from the other HDF5 results and a later layout from this one. */
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_string(f, "/", "format", "mosaic-cochlea-probe", err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_int64(f, "/", "format_version", 1, err);
    if (st == MOSAIC_OK)
        st =
            mosaic_h5_write(f, "unit", MOSAIC_H5_I32, 1, dims, pr->unit, "1", "probed units (0 = base)", err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_write(f, "cf_hz", MOSAIC_H5_F64, 1, dims, cf, "Hz", "characteristic frequency", err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_write(f, "u", MOSAIC_H5_F32, 2, dims, pr->u, "model units",
                             "stage 2: basilar-membrane (partition) velocity at rate F", err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_write(f, "prob", MOSAIC_H5_F64, 2, dims, pr->prob, "1",
                             "stage 3: hair-cell release probability per sample", err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_write(f, "fibre_counts", MOSAIC_H5_U8, 2, dims, pr->counts, "spikes",
                             "stage 4: kept fibre spikes per sample", err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_write(f, "bushy", MOSAIC_H5_U8, 2, dims, pr->bushy, "spikes",
                             "stage 5: 1 where the bushy cell spikes", err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_double(f, "/", "rate_hz", pr->rate, err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_attr_write_string(f, "/", "bm",
                                         p->bm == MOSAIC_COCHLEA_BM_GAMMATONE ? "gammatone" : "exact", err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_string(f, "/", "wav", wav, err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_int64(f, "/", "channels", p->channels, err);
    free(cf);
    if (st != MOSAIC_OK) {
        mosaic_h5_abort(f);
        return st;
    }
    return mosaic_h5_commit(f, err);
}

int mosaic_cmd_dataset_probe(int argc, char **argv) {
    const char *wav = NULL, *out = NULL, *v = NULL;
    int units[MAX_UNITS_], nunits = 0, downmix = 0, force = 0, quiet = 0;
    uint64_t seed = 1;
    MosaicCochleaParams p;
    mosaic_cochlea_params_default(&p);
    for (int i = 1; i < argc; i++) {
        int r, ok;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--trim")) {
            p.trim = 1;
            continue;
        }
        if (!strcmp(argv[i], "--downmix")) {
            downmix = 1;
            continue;
        }
        if (dataset_parse_common(argc, argv, &i, &p, &force, &quiet, &ok)) {
            if (!ok) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--wav", &wav)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--out", &out)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--unit", &v)) != 0) {
            if (r < 0) return 2;
            if (!parse_units_(v, units, &nunits)) {
                fprintf(stderr,
                        "mosaic dataset probe: --unit %s; expected unit numbers like 400 or 100,400,650 (at "
                        "most %d)\n",
                        v, MAX_UNITS_);
                return 2;
            }
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--seed", &v)) != 0) {
            if (r < 0) return 2;
            if (!dataset_parse_u64(v, &seed)) {
                fprintf(stderr, "mosaic dataset probe: --seed %s; expected a non-negative integer\n", v);
                return 2;
            }
            continue;
        }
        fprintf(stderr, "mosaic dataset probe: unknown option '%s'\n\n", argv[i]);
        usage_(stderr);
        return 2;
    }
    if (!wav || !out || nunits == 0) {
        fprintf(stderr, "mosaic dataset probe: --wav FILE, --unit U and --out FILE.h5 are required\n\n");
        usage_(stderr);
        return 2;
    }
    const int out_rc = cli_check_out_file("dataset probe", "--out", out);
    if (out_rc) return out_rc;
    if (cli_check_distinct("dataset probe", "--out", out, "--wav", wav)) return 2;
    MosaicErr err = {{0}};
    float *audio = NULL;
    size_t n = 0;
    double fs = 0;
    MosaicStatus st = mosaic_cochlea_read_audio(wav, downmix, &audio, &n, &fs, &err);
    if (st != MOSAIC_OK) return cli_fail("dataset probe", st, &err);
    MosaicCochleaProbe pr;
    st = mosaic_cochlea_probe(audio, n, fs, &p, seed, units, nunits, &pr, &err);
    free(audio);
    if (st != MOSAIC_OK && !strstr(err.msg, wav)) { /* the chain's errors name the samples, not the file */
        MosaicErr named;
        mosaic_err(&named, st, "%s: %s", wav, err.msg);
        err = named;
    }
    if (st == MOSAIC_OK) st = write_(out, &pr, &p, wav, &err);
    if (st != MOSAIC_OK) {
        mosaic_cochlea_probe_free(&pr);
        return cli_fail("dataset probe", st, &err);
    }
    if (fs != p.fs) printf("%s: resampled from %g Hz to %g Hz\n", wav, fs, p.fs);
    for (int k = 0; k < pr.units; k++) {
        const size_t at = (size_t)k * pr.samples;
        double ss = 0, sp = 0;
        long fibre = 0, bushy = 0;
        for (size_t i = 0; i < pr.samples; i++) {
            ss += (double)pr.u[at + i] * pr.u[at + i];
            sp += pr.prob[at + i];
            fibre += pr.counts[at + i];
            bushy += pr.bushy[at + i];
        }
        printf("unit %3d (CF %7.1f Hz): u RMS %.3g, mean P %.5f, %ld fibre spikes, %ld bushy spikes\n",
               pr.unit[k], mosaic_cochlea_cf(pr.unit[k], p.channels, p.s0, p.fs),
               sqrt(ss / (double)pr.samples), sp / (double)pr.samples, fibre, bushy);
    }
    printf("wrote %s (%d units x %zu samples at %.0f Hz)\n", out, pr.units, pr.samples, pr.rate);
    mosaic_cochlea_probe_free(&pr);
    return 0;
}
