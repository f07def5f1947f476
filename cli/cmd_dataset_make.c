/* `mosaic dataset make`: spoken-digit spike datasets in the SHD layout from espeak-ng or recordings. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "cmd_dataset.h"
#include "commands.h"
#include "mosaic_clock.h"
#include "mosaic_cochlea_dataset.h"

/* The built-in default dataset: 20 classes x DEFAULT_PER_CLASS_ utterances of 0.8 s (sized so that it
 * is made in a few minutes on 2 cores, docs/cochlea.md). */
#define DEFAULT_PER_CLASS_ 36
#define DEFAULT_SEED_ 20201
#define DEFAULT_OUT_ "data/default"

static void usage_(FILE *out) {
    fprintf(
        out,
        "usage: mosaic dataset make --out DIR [--classes en,de] [--per-class N] [--seed S] [--frame "
        "SECONDS]\n"
        "                           [--snr MIN:MAX] [--espeak PROGRAM] [COMMON]\n"
        "       mosaic dataset make --default [--out DIR]\n"
        "       mosaic dataset make --from-wav DIR --labels FILE.csv --out DIR [--keys a,b,..] [--downmix]\n"
        "                           [--exact] [--no-trim] [--seed S] [COMMON]\n"
        "COMMON: [--bm exact|gammatone] [--channels C] [--threads T] [--sampler event|bernoulli] [--causal]\n"
        "        [--cache-mb MB] [--force] [--quiet]\n\n"
        "Turns spoken digits into SHD-layout spike data (DIR/train.h5, DIR/test.h5, DIR/dataset.txt) with "
        "the\n"
        "cochlea model of docs/cochlea.md: audio resampled to 48 kHz, RMS 0.3 + Hann taper, "
        "hydrodynamic\n"
        "basilar membrane, Meddis hair cells, 40 fibres per place, bushy cells; 700 units (0 = base, ~22.5 "
        "kHz).\n\n"
        "Synthetic: digits 0-9 in English (classes 0-9) and German (10-19) spoken by espeak-ng; voice "
        "variants\n"
        "m1-m7, f1-f5 are the speakers, m4 and f4 held out for test.h5; pitch, speed and level vary, the "
        "word\n"
        "sits at a random place in a fixed frame (default 0.8 s) over background noise (default 5-25 dB "
        "SNR).\n"
        "Each sample's fibre seed derives from --seed and is stored in /extra/meta_info/sample_seed.\n"
        "--default makes the built-in set (%d per class, seed %d) in %s unless it is already there with the\n"
        "same parameters (DIR/dataset.txt records their hash); --force remakes it.\n\n"
        "--from-wav: FILE.csv lines 'file,label[,speaker[,split]]' (file relative to DIR, integer label,\n"
        "split train|test). Mono only: multi-channel files are rejected unless --downmix averages them.\n"
        "Silence is trimmed (30 ms margin) and, unless --exact, the fixed-length variant (zero-pad to a\n"
        "cached fast length, doc §9.2) is used. Sources below 48 kHz lack the high band: e.g. 8 kHz audio\n"
        "leaves units 0-~215 (CF > 4 kHz) almost undriven, unlike SHD.\n\n"
        "--bm gammatone: fourth-order gammatone filters (doc §12 A) instead of the hydrodynamic membrane,\n"
        "~10x faster. Fidelity loss: the high-frequency flank is ~-14 dB at 1.3 CF instead of ~-35 dB, so a\n"
        "tone spreads further over apical units; the travelling-wave dispersion and phase pattern across\n"
        "places are lost (gammatone delays are not the traveling wave's), and the peak sits at 0.82 CF.\n"
        "Adaptation, phase locking, the spontaneous floor and the fibre/bushy stages are unchanged.\n"
        "--causal uses conj(V), a causal cochlea: NOT what SHD used (its responses lead their input).\n"
        "--cache-mb: memory for cached basilar-membrane filter tables (default %zu MB; a table costs ~113 "
        "MB\n"
        "per second of 48 kHz audio at 700 places). Longer recordings are computed without a table (slower,\n"
        "~4 CPU-s per s of audio), which keeps the peak memory of a 2 s recording below 200 MB.\n\n"
        "exit status: 0 ok, 2 bad input, 3 I/O or internal error\n",
        DEFAULT_PER_CLASS_, DEFAULT_SEED_, DEFAULT_OUT_, MOSAIC_COCHLEA_CACHE_DEFAULT_BYTES >> 20);
}

typedef struct {
    int quiet, tty;
    double t0, last_print;
    const char *what;
} Progress_;

static void progress_(void *ctx, const size_t done, const size_t total, const double work, const char *name) {
    Progress_ *p = ctx;
    if (p->quiet) return;
    const double t = mosaic_now_s() - p->t0;
    const double eta = work > 0 && work < 1 ? t / work * (1 - work) : 0;
    if (p->tty) {
        char bar[31];
        const int fill = (int)(30.0 * work); /* by audio length, like the ETA */
        for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %zu/%zu %s  %.0f s, ETA %.0f s  %-12.12s", bar, done, total, p->what, t, eta,
                name);
        if (done == total) fprintf(stderr, "\n");
    } else if (done == total || t - p->last_print >= 10.0) {
        fprintf(stderr, "dataset make: %zu/%zu %s, %.0f s elapsed, ETA %.0f s\n", done, total, p->what, t,
                eta);
        p->last_print = t;
    }
}

int dataset_parse_common(int argc, char **argv, int *i, MosaicCochleaParams *p, int *force, int *quiet,
                         int *ok) {
    const char *v = NULL;
    int r;
    *ok = 1;
    if (!strcmp(argv[*i], "--force")) return *force = 1;
    if (!strcmp(argv[*i], "--quiet")) return *quiet = 1;
    if (!strcmp(argv[*i], "--causal")) return p->causal = 1;
    if ((r = cli_take_value(argc, argv, i, "--bm", &v)) != 0) {
        if (r < 0) return *ok = 0, 1;
        if (!strcmp(v, "exact"))
            p->bm = MOSAIC_COCHLEA_BM_EXACT;
        else if (!strcmp(v, "gammatone"))
            p->bm = MOSAIC_COCHLEA_BM_GAMMATONE;
        else
            fprintf(stderr, "mosaic dataset make: --bm %s; expected exact or gammatone\n", v), *ok = 0;
        return 1;
    }
    if ((r = cli_take_value(argc, argv, i, "--sampler", &v)) != 0) {
        if (r < 0) return *ok = 0, 1;
        if (!strcmp(v, "event"))
            p->sampler = MOSAIC_COCHLEA_SAMPLER_EVENT;
        else if (!strcmp(v, "bernoulli"))
            p->sampler = MOSAIC_COCHLEA_SAMPLER_BERNOULLI;
        else
            fprintf(stderr, "mosaic dataset make: --sampler %s; expected event or bernoulli\n", v), *ok = 0;
        return 1;
    }
    if ((r = cli_take_value(argc, argv, i, "--channels", &v)) != 0) {
        uint64_t n = 0;
        if (r < 0) return *ok = 0, 1;
        if (!dataset_parse_u64(v, &n) || n < 1 || n > 65535)
            fprintf(stderr, "mosaic dataset: --channels %s; expected a count, 1 to 65535\n", v), *ok = 0;
        p->channels = (int)n;
        return 1;
    }
    if ((r = cli_take_value(argc, argv, i, "--threads", &v)) != 0) {
        uint64_t n = 0;
        if (r < 0) return *ok = 0, 1;
        /* OpenMP threads beyond the cores only cost memory; past a few hundred, libgomp fails or crashes */
        if (!dataset_parse_u64(v, &n) || n > 256)
            fprintf(stderr, "mosaic dataset: --threads %s; expected 0 (the runtime default) to 256\n", v),
                *ok = 0;
        p->threads = (int)n;
        return 1;
    }
    return 0;
}

int dataset_parse_u64(const char *s, uint64_t *out) {
    char *end = NULL;
    /* strtoull takes "-1" as 2^64 - 1 and saturates silently past 2^64: neither is a count or a seed */
    if (!isdigit((unsigned char)*s)) return 0;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno == ERANGE) return 0;
    *out = v;
    return 1;
}

/* The first of `names` given in argv ("--x" or "--x=..."), or NULL. */
static const char *given_(int argc, char **argv, const char *const *names) {
    for (int i = 1; i < argc; i++)
        for (const char *const *n = names; *n; n++) {
            const size_t len = strlen(*n);
            if (!strncmp(argv[i], *n, len) && (argv[i][len] == 0 || argv[i][len] == '=')) return *n;
        }
    return NULL;
}

int mosaic_cmd_dataset_make(int argc, char **argv) {
    const char *out = NULL, *from = NULL, *labels = NULL, *v = NULL;
    int is_default = 0, force = 0, quiet = 0, exact = 0, no_trim = 0, per_class_given = 0;
    MosaicSynthOptions so;
    mosaic_synth_options_default(&so);
    MosaicFromWavOptions wo;
    mosaic_from_wav_options_default(&wo);
    MosaicCochleaParams common = so.cochlea;
    int seed_given = 0;
    for (int i = 1; i < argc; i++) {
        int r, ok;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--default")) {
            is_default = 1;
            continue;
        }
        if (!strcmp(argv[i], "--downmix")) {
            wo.downmix = 1;
            continue;
        }
        if (!strcmp(argv[i], "--exact")) {
            exact = 1;
            continue;
        }
        if (!strcmp(argv[i], "--no-trim")) {
            no_trim = 1;
            continue;
        }
        if (dataset_parse_common(argc, argv, &i, &common, &force, &quiet, &ok)) {
            if (!ok) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--out", &out)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--from-wav", &from)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--labels", &labels)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--keys", &wo.keys)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--espeak", &so.espeak)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--seed", &v)) != 0) {
            if (r < 0) return 2;
            if (!dataset_parse_u64(v, &so.seed)) {
                fprintf(stderr, "mosaic dataset make: --seed %s; expected a non-negative integer\n", v);
                return 2;
            }
            wo.seed = so.seed;
            seed_given = 1;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--cache-mb", &v)) != 0) {
            uint64_t mb = 0;
            if (r < 0) return 2;
            if (!dataset_parse_u64(v, &mb) || mb > ((uint64_t)1 << 24)) {
                fprintf(stderr, "mosaic dataset make: --cache-mb %s; expected megabytes, 0 to 16777216\n", v);
                return 2;
            }
            so.cache_bytes = wo.cache_bytes = (size_t)mb << 20;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--per-class", &v)) != 0) {
            uint64_t n = 0;
            if (r < 0) return 2;
            if (!dataset_parse_u64(v, &n) || n < 1 || n > 100000) {
                fprintf(stderr, "mosaic dataset make: --per-class %s; expected a count, 1 to 100000\n", v);
                return 2;
            }
            so.per_class = (int)n;
            per_class_given = 1;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--frame", &v)) != 0) {
            char *end = NULL;
            if (r < 0) return 2;
            so.frame = strtod(v, &end);
            if (end == v || *end) {
                fprintf(stderr, "mosaic dataset make: --frame %s; expected seconds, e.g. 0.8\n", v);
                return 2;
            }
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--snr", &v)) != 0) {
            if (r < 0) return 2;
            if (sscanf(v, "%lf:%lf", &so.snr_db_min, &so.snr_db_max) != 2) {
                fprintf(stderr, "mosaic dataset make: --snr %s; expected MIN:MAX in dB, e.g. 5:25\n", v);
                return 2;
            }
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--classes", &v)) != 0) {
            if (r < 0) return 2;
            so.english = strstr(v, "en") != NULL;
            so.german = strstr(v, "de") != NULL;
            for (const char *c = v; *c; c++)
                if (!strchr("ende,", *c)) {
                    fprintf(stderr, "mosaic dataset make: --classes %s; expected en, de or en,de\n", v);
                    return 2;
                }
            continue;
        }
        fprintf(stderr, "mosaic dataset make: unknown option '%s'\n\n", argv[i]);
        usage_(stderr);
        return 2;
    }
    Progress_ prog = {quiet, isatty(2), mosaic_now_s(), 0, "words"};
    MosaicDatasetSummary sum;
    MosaicErr err = {{0}};
    MosaicStatus st;
    /* Options of the other mode would be ignored; '--labels my.csv' without --from-wav would silently
     * make the espeak digits instead. */
    static const char *const wav_only[] = {"--labels", "--keys", "--exact", "--no-trim", "--downmix", NULL};
    static const char *const synth_only[] = {"--per-class", "--frame",  "--snr",
                                             "--classes",   "--espeak", NULL};
    const char *stray = from ? given_(argc, argv, synth_only) : given_(argc, argv, wav_only);
    if (stray) {
        fprintf(stderr, "mosaic dataset make: %s applies only %s\n", stray,
                from ? "to the synthetic digits (without --from-wav)" : "with --from-wav DIR");
        return 2;
    }
    if (is_default) {
        if (from) {
            fprintf(stderr, "mosaic dataset make: --default and --from-wav exclude each other\n");
            return 2;
        }
        if (per_class_given) {
            fprintf(stderr,
                    "mosaic dataset make: --default makes the built-in set of %d utterances per class; drop "
                    "--per-class, or drop --default and give --out\n",
                    DEFAULT_PER_CLASS_);
            return 2;
        }
        if (!out) out = DEFAULT_OUT_;
        so.per_class = DEFAULT_PER_CLASS_;
        if (!seed_given) so.seed = DEFAULT_SEED_;
    }
    if (!out) {
        fprintf(stderr, "mosaic dataset make: --out DIR is required (or --default)\n\n");
        usage_(stderr);
        return 2;
    }
    if (from && labels) { /* the label file must not be one of the files the dataset writes */
        static const char *const outs[3] = {"train.h5", "test.h5", "dataset.txt"};
        for (int k = 0; k < 3; k++) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", out, outs[k]);
            if (cli_check_distinct("dataset make", "--out", path, "--labels", labels)) return 2;
        }
    }
    if (from) {
        if (!labels) {
            fprintf(stderr, "mosaic dataset make: --from-wav needs --labels FILE.csv\n");
            return 2;
        }
        const int fixed = wo.cochlea.fixed_length && !exact, trim = wo.cochlea.trim && !no_trim;
        wo.cochlea = common;
        wo.cochlea.fixed_length = fixed;
        wo.cochlea.trim = trim;
        wo.dir = from;
        wo.labels_csv = labels;
        wo.progress = progress_;
        wo.progress_ctx = &prog;
        prog.what = "files";
        st = mosaic_cochlea_from_wav(&wo, out, &sum, &err);
    } else {
        so.cochlea = common;
        so.progress = progress_;
        so.progress_ctx = &prog;
        st = mosaic_cochlea_synth_digits(&so, out, force, &sum, &err);
    }
    if (st != MOSAIC_OK) {
        if (prog.tty && !quiet) fprintf(stderr, "\n");
        return cli_fail("dataset make", st, &err);
    }
    if (sum.skipped) {
        printf("%s: up to date (same parameters), nothing to do\n", out);
        return 0;
    }
    const double t = mosaic_now_s() - prog.t0;
    if (sum.resampled)
        printf("%s: %zu input(s) resampled to %g Hz (e.g. from %g Hz) before the cochlea\n", out,
               sum.resampled, common.fs, sum.resampled_from);
    printf("%s: train.h5 %zu samples, test.h5 %zu samples, %zu spikes, %.1f s of audio in %.1f s (%.2f s per "
           "second of audio)\n",
           out, sum.train, sum.test, sum.spikes, sum.audio_seconds, t,
           sum.audio_seconds > 0 ? t / sum.audio_seconds : 0);
    return 0;
}
