/* `mosaic dataset <sub>`: inspect and check spike datasets in the SHD layout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "cmd_dataset.h"
#include "commands.h"
#include "mosaic_md5.h"
#include "mosaic_shd.h"

/* The published checksums of the official files (mosaic-reference.md §7). */
static const struct {
    const char *name;
    const char *md5;
} official_[] = {
    {"shd_train.h5.gz", "d47c9825dee33347913e8ce0f2be08b0"},
    {"shd_test.h5.gz", "3062a80ec0c5719404d5b02e166543b1"},
    {"shd_train.h5", "8e9877c85f29a28dd353ea6a54402667"},
    {"shd_test.h5", "207ad1295a0ab611e22d1734989c254e"},
};

/* ---- statistics over every sample (shared by info and verify: both read all spikes) ---- */

typedef struct {
    int64_t samples, spikes, min_spikes, max_spikes;
    double max_time, sum_duration; /* duration of a sample = its last spike time */
    int64_t *class_count;          /* (classes) */
    int64_t *unit_spikes;          /* (units) */
} Stats_;

static void progress_(int64_t done, int64_t total) {
    if (total >= 4096 && (done % 2048 == 0 || done == total))
        fprintf(stderr, "  read %lld / %lld samples\n", (long long)done, (long long)total);
}

static MosaicStatus scan_(MosaicShd *shd, Stats_ *s, MosaicErr *err) {
    memset(s, 0, sizeof *s);
    int64_t n = mosaic_shd_num_samples(shd);
    s->samples = n;
    s->min_spikes = n ? INT64_MAX : 0;
    s->class_count = calloc((size_t)mosaic_shd_num_classes(shd), sizeof(int64_t));
    s->unit_spikes = calloc((size_t)mosaic_shd_num_units(shd), sizeof(int64_t));
    if (!s->class_count || !s->unit_spikes) return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    MosaicSpikes sp = {0};
    MosaicStatus st = MOSAIC_OK;
    for (int64_t i = 0; i < n && st == MOSAIC_OK; i++) {
        st = mosaic_shd_read_sample(shd, i, &sp, err);
        if (st != MOSAIC_OK) break;
        s->class_count[mosaic_shd_label(shd, i)]++;
        s->spikes += sp.n;
        if (sp.n < s->min_spikes) s->min_spikes = sp.n;
        if (sp.n > s->max_spikes) s->max_spikes = sp.n;
        double last = 0;
        for (int64_t k = 0; k < sp.n; k++) {
            if (sp.times[k] > last) last = sp.times[k];
            s->unit_spikes[sp.units[k]]++;
        }
        s->sum_duration += last;
        if (last > s->max_time) s->max_time = last;
        progress_(i + 1, n);
    }
    mosaic_spikes_free(&sp);
    return st;
}

static void stats_free_(Stats_ *s) {
    free(s->class_count);
    free(s->unit_spikes);
}

/* ---- info ---- */

/* Prints s left-aligned in `width` columns. printf's %-24s pads by bytes, so a UTF-8 key such as "fünf"
 * (two bytes for the ü) came out one column short and shifted its count; counting code points (every
 * byte but UTF-8 continuation bytes) keeps the column for the keys datasets have. */
static void print_padded_(const char *s, int width) {
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) cols += (*p & 0xC0) != 0x80;
    fputs(s, stdout);
    for (; cols < width; cols++) putchar(' ');
}

static int info_(int argc, char **argv) {
    if (argc != 2 || !strcmp(argv[1], "--help")) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: mosaic dataset info FILE\n"
                "Prints samples, classes with names and counts, speakers, spikes per sample, duration and\n"
                "active channels of an SHD-layout dataset (.h5 or .h5.gz).\n");
        return argc == 2 ? 0 : 2;
    }
    MosaicErr err;
    MosaicShd *shd;
    MosaicStatus st = mosaic_shd_open(argv[1], &shd, &err);
    if (st != MOSAIC_OK) return cli_fail("dataset info", st, &err);
    Stats_ s;
    st = scan_(shd, &s, &err);
    if (st != MOSAIC_OK) {
        stats_free_(&s);
        mosaic_shd_close(shd);
        return cli_fail("dataset info", st, &err);
    }
    int nc = mosaic_shd_num_classes(shd), nu = mosaic_shd_num_units(shd);
    printf("file: %s\n", argv[1]);
    printf("samples: %lld\n", (long long)s.samples);
    printf("times: stored as %s\n", mosaic_shd_times_type(shd));
    printf("classes: %d\n", nc);
    for (int c = 0; c < nc; c++) {
        printf("  %3d ", c);
        print_padded_(mosaic_shd_class_name(shd, c), 24);
        printf(" %lld samples\n", (long long)s.class_count[c]);
    }
    int32_t *spk = NULL;
    int ns = 0;
    if (mosaic_shd_speakers(shd, &spk, &ns, &err) == MOSAIC_OK) {
        printf("speakers: %d", ns);
        for (int i = 0; i < ns; i++) {
            int64_t count = 0;
            for (int64_t r = 0; r < s.samples; r++) count += mosaic_shd_speaker(shd, r) == spk[i];
            printf("%s%d: %lld", i ? ", " : " (", spk[i], (long long)count);
        }
        printf(ns ? " samples)\n" : "\n");
        free(spk);
    }
    printf("spikes per sample: mean %.1f, min %lld, max %lld (total %lld)\n",
           s.samples ? (double)s.spikes / (double)s.samples : 0.0, (long long)s.min_spikes,
           (long long)s.max_spikes, (long long)s.spikes);
    printf("duration (last spike): mean %.3f s, max %.3f s\n",
           s.samples ? s.sum_duration / (double)s.samples : 0.0, s.max_time);
    int active = 0, lo = -1, hi = -1;
    for (int u = 0; u < nu; u++)
        if (s.unit_spikes[u]) {
            active++;
            if (lo < 0) lo = u;
            hi = u;
        }
    if (active)
        printf("active channels: %d of %d (units %d..%d)\n", active, nu, lo, hi);
    else
        printf("active channels: 0 of %d\n", nu);
    stats_free_(&s);
    mosaic_shd_close(shd);
    return 0;
}

/* ---- verify ---- */

static int verify_(int argc, char **argv) {
    if (argc != 2 || !strcmp(argv[1], "--help")) {
        fprintf(
            argc == 2 ? stdout : stderr,
            "usage: mosaic dataset verify FILE\n"
            "Checks the structure of an SHD-layout dataset and every sample (ragged lengths, units,\n"
            "labels, finite non-negative times) and, for the official SHD files, the published md5.\n"
            "exit status: 0 valid, 1 checksum differs from the official one, 2 invalid file, 3 I/O error\n");
        return argc == 2 ? 0 : 2;
    }
    const char *path = argv[1];
    MosaicErr err;
    char md5[33];
    /* Opened first: it refuses what is not a dataset (a folder, a device such as /dev/zero, which the
     * checksum would read forever) with a message naming the file. */
    MosaicShd *shd;
    MosaicStatus st = mosaic_shd_open(path, &shd, &err);
    if (st != MOSAIC_OK) return cli_fail("dataset verify", st, &err);
    st = mosaic_md5_file(path, md5, &err);
    if (st != MOSAIC_OK) {
        mosaic_shd_close(shd);
        return cli_fail("dataset verify", st, &err);
    }
    Stats_ s;
    st = scan_(shd, &s, &err);
    stats_free_(&s);
    mosaic_shd_close(shd);
    if (st != MOSAIC_OK) return cli_fail("dataset verify", st, &err);
    printf("%s: structure valid: %lld samples, %lld spikes checked\n", path, (long long)s.samples,
           (long long)s.spikes);

    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t i = 0; i < sizeof official_ / sizeof official_[0]; i++)
        if (!strcmp(md5, official_[i].md5)) {
            printf("%s: md5 %s matches the official %s\n", path, md5, official_[i].name);
            return 0;
        }
    for (size_t i = 0; i < sizeof official_ / sizeof official_[0]; i++)
        if (!strcmp(base, official_[i].name)) {
            fprintf(
                stderr,
                "mosaic dataset verify: %s: md5 %s differs from the published %s of %s (damaged or not the "
                "official file; download it again)\n",
                path, md5, official_[i].md5, official_[i].name);
            return 1;
        }
    printf("%s: md5 %s (not an official SHD file: no published checksum to compare)\n", path, md5);
    return 0;
}

/* ---- dispatcher ---- */

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} DatasetCommand_;

static const DatasetCommand_ subcommands_[] = {
    {"info", info_, "samples, classes, speakers, spikes per sample, duration, active channels"},
    {"verify", verify_, "check structure and every sample; md5 of the official SHD files"},
    {"make", mosaic_cmd_dataset_make, "spoken digits (espeak-ng, English/German) or recordings -> spikes"},
    {"synth", mosaic_cmd_dataset_synth, "write a small synthetic dataset in the SHD layout (tests, demos)"},
    {"probe", mosaic_cmd_dataset_probe,
     "one recording's cochlea stages (u, P, fibres, bushy) for a few units"},
};

static void usage_(FILE *out) {
    fprintf(out, "usage: mosaic dataset <subcommand> [options]    (mosaic dataset <subcommand> --help for "
                 "details)\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof subcommands_ / sizeof subcommands_[0]; i++)
        fprintf(out, "  %-8s %s\n", subcommands_[i].name, subcommands_[i].summary);
}

int mosaic_cmd_dataset(int argc, char **argv) {
    if (argc < 2) {
        usage_(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage_(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands_ / sizeof subcommands_[0]; i++)
        if (!strcmp(argv[1], subcommands_[i].name)) return subcommands_[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mosaic dataset: unknown subcommand '%s'\n\n", argv[1]);
    usage_(stderr);
    return 2;
}
