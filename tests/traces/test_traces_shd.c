/* SHD-layout datasets: float16 conversion, lossless write/read round trips for .h5 and .h5.gz, the
 * official layout as other tools see it, and per-sample reads. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <string.h>

#include "mosaic_gz.h"
#include "mosaic_md5.h"
#include "mosaic_shd.h"
#include "mosaic_test.h"
#include "shd_fixture.h"

enum { N_SAMPLES = 37, MAX_SPIKES = 300, N_UNITS = 700 };

typedef struct {
    float times[MAX_SPIKES];
    int32_t units[MAX_SPIKES];
    int64_t n;
    int32_t label, speaker;
} Sample;

static Sample samples_[N_SAMPLES];

static int write_dataset_(const char *path, uint64_t seed) {
    MosaicRng rng;
    mosaic_rng_seed(&rng, seed);
    MosaicErr err;
    MosaicShdWriter *w;
    if (mosaic_shd_writer_begin(path, fixture_classes_, 4, N_UNITS, &w, &err) != MOSAIC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    for (int i = 0; i < N_SAMPLES; i++) {
        Sample *s = &samples_[i];
        s->n = fixture_sample(&rng, MAX_SPIKES, N_UNITS, s->times, s->units);
        s->label = (int32_t)mosaic_rng_below(&rng, 4);
        s->speaker = (int32_t)mosaic_rng_below(&rng, 5) * 3;
        if (mosaic_shd_writer_add(w, s->times, s->units, s->n, s->label, s->speaker, &err) != MOSAIC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            mosaic_shd_writer_abort(w);
            return 0;
        }
    }
    const double age[5] = {21, 35, 48, 27, 60};
    if (mosaic_shd_writer_meta(w, "age", age, 5, &err) != MOSAIC_OK ||
        mosaic_shd_writer_finish(w, &err) != MOSAIC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    return 1;
}

/* Reads everything back and compares with samples_. Returns the number of mismatching samples. */
static int compare_dataset_(const char *path) {
    MosaicErr err;
    MosaicShd *shd;
    if (mosaic_shd_open(path, &shd, &err) != MOSAIC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return N_SAMPLES + 1;
    }
    int bad = 0;
    if (mosaic_shd_num_samples(shd) != N_SAMPLES || mosaic_shd_num_classes(shd) != 4 ||
        mosaic_shd_num_units(shd) != N_UNITS || strcmp(mosaic_shd_times_type(shd), "float16") != 0)
        bad++;
    for (int c = 0; c < 4 && !bad; c++)
        if (strcmp(mosaic_shd_class_name(shd, c), fixture_classes_[c]) != 0) bad++;
    MosaicSpikes sp = {0};
    /* Backwards: sample access is random, not sequential. */
    for (int i = N_SAMPLES - 1; i >= 0; i--) {
        const Sample *s = &samples_[i];
        if (mosaic_shd_read_sample(shd, i, &sp, &err) != MOSAIC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            bad++;
            continue;
        }
        int same =
            sp.n == s->n && mosaic_shd_label(shd, i) == s->label && mosaic_shd_speaker(shd, i) == s->speaker;
        for (int64_t k = 0; same && k < s->n; k++)
            same = sp.times[k] == s->times[k] && sp.units[k] == s->units[k];
        bad += !same;
    }
    mosaic_spikes_free(&sp);
    mosaic_shd_close(shd);
    return bad;
}

int main(int argc, char **argv) {
    uint64_t seed = mosaic_test_seed(argc, argv, 20240601);
    char h5[512], gz[512];
    fixture_path(h5, sizeof h5, "small.h5");
    fixture_path(gz, sizeof gz, "small.h5.gz");

    TEST("Float16RoundTripsEveryFiniteValue") {
        int bad = 0;
        for (uint32_t h = 0; h < 65536; h++) {
            if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) continue; /* NaN payloads need not survive */
            if (mosaic_f16_from_float(mosaic_f16_to_float((uint16_t)h)) != h) bad++;
        }
        CHECK_EQ_INT(bad, 0);
        CHECK(mosaic_f16_to_float(0x3c00) == 1.0f);
        CHECK(mosaic_f16_to_float(0x0001) == 0x1p-24f);
        CHECK(mosaic_f16_to_float(0x7bff) == 65504.0f);
        CHECK(isnan(mosaic_f16_to_float(mosaic_f16_from_float(NAN))));
    }

    TEST("Float16RoundsHalfwayToEven") {
        /* The midpoint between two neighbours goes to the one with an even mantissa; a hair above the
         * midpoint goes up. Covers subnormals and normals. */
        int bad = 0;
        for (uint32_t h = 0; h < 0x7bff; h++) {
            float a = mosaic_f16_to_float((uint16_t)h), b = mosaic_f16_to_float((uint16_t)(h + 1));
            float mid = (float)(((double)a + (double)b) / 2);
            uint16_t even = (h & 1) ? (uint16_t)(h + 1) : (uint16_t)h;
            if (mosaic_f16_from_float(mid) != even) bad++;
            if (mosaic_f16_from_float(nextafterf(mid, INFINITY)) != h + 1) bad++;
            if (mosaic_f16_from_float(nextafterf(mid, 0)) != h) bad++;
        }
        CHECK_EQ_INT(bad, 0);
        CHECK_EQ_INT(mosaic_f16_from_float(65519.0f), 0x7bff);
        CHECK_EQ_INT(mosaic_f16_from_float(65520.0f), 0x7c00);
        CHECK_EQ_INT(mosaic_f16_from_float(-1.0f), 0xbc00);
        CHECK_EQ_INT(mosaic_f16_from_float(1e-9f), 0);
    }

    TEST("WrittenDatasetReadsBackLosslessly") {
        CHECK(write_dataset_(h5, seed));
        CHECK_EQ_INT(compare_dataset_(h5), 0);
    }

    TEST("GzipDatasetReadsBackLosslesslyFromMemory") {
        CHECK(write_dataset_(gz, seed));
        CHECK_EQ_INT(compare_dataset_(gz), 0);
        /* the .gz really is gzip: it inflates to an HDF5 file */
        MosaicErr err;
        unsigned char *img = NULL;
        size_t len = 0;
        CHECK(mosaic_gz_inflate_file(gz, SIZE_MAX, &img, &len, &err) == MOSAIC_OK);
        CHECK(len > 8 && img && memcmp(img, "\211HDF\r\n\032\n", 8) == 0);
        free(img);
    }

    TEST("LayoutIsTheOfficialOne") {
        /* What h5dump (any HDF5 tool) sees: the dataset names, float16 times, vlen, string keys. */
        char cmd[1024], line[512];
        snprintf(cmd, sizeof cmd, "h5dump -H '%s' 2>&1", h5);
        FILE *p = popen(cmd, "r");
        CHECK(p != NULL);
        int found_times = 0, found_units = 0, found_f16 = 0, found_keys = 0, found_labels = 0,
            found_speaker = 0, found_meta = 0, found_str = 0, in_times = 0;
        while (p && fgets(line, sizeof line, p)) {
            if (strstr(line, "DATASET \"times\""))
                found_times = in_times = 1;
            else if (strstr(line, "DATASET "))
                in_times = 0;
            if (strstr(line, "DATASET \"units\"")) found_units = 1;
            if (strstr(line, "DATASET \"keys\"")) found_keys = 1;
            if (strstr(line, "DATASET \"labels\"")) found_labels = 1;
            if (strstr(line, "DATASET \"speaker\"")) found_speaker = 1;
            if (strstr(line, "GROUP \"meta_info\"")) found_meta = 1;
            if (strstr(line, "STRSIZE 12")) found_str = 1;
            /* h5dump spells a 16-bit IEEE float out as its bit layout */
            if (in_times && strstr(line, "16-bit little-endian floating-point")) found_f16 = 1;
        }
        if (p) pclose(p);
        CHECK(found_times && found_units && found_keys && found_labels && found_speaker && found_meta);
        CHECK(found_str);
        CHECK(found_f16);
    }

    TEST("KeysDeclareTheirCharacterSet") {
        /* ASCII keys stay numpy "S" (ASCII) like the official files; UTF-8 bytes are declared UTF-8. */
        const char *names[2] = {"english-zero", "german-f\xc3\xbcnf"};
        char path[512], cmd[1100], line[512];
        fixture_path(path, sizeof path, "utf8_keys.h5");
        MosaicErr err;
        MosaicShdWriter *w = NULL;
        const float t[1] = {0.5f};
        const int32_t u[1] = {3};
        CHECK(mosaic_shd_writer_begin(path, names, 2, N_UNITS, &w, &err) == MOSAIC_OK);
        CHECK(w && mosaic_shd_writer_add(w, t, u, 1, 1, 0, &err) == MOSAIC_OK);
        CHECK(w && mosaic_shd_writer_finish(w, &err) == MOSAIC_OK);
        const char *files[2] = {h5, path}, *want[2] = {"H5T_CSET_ASCII", "H5T_CSET_UTF8"};
        for (int i = 0; i < 2; i++) {
            snprintf(cmd, sizeof cmd, "h5dump -H -d /extra/keys '%s' 2>&1", files[i]);
            FILE *p = popen(cmd, "r");
            int found = 0;
            while (p && fgets(line, sizeof line, p)) found |= strstr(line, want[i]) != NULL;
            if (p) pclose(p);
            CHECK(found);
        }
        MosaicShd *shd = NULL;
        CHECK(mosaic_shd_open(path, &shd, &err) == MOSAIC_OK);
        if (shd) {
            CHECK(strcmp(mosaic_shd_class_name(shd, 1), names[1]) == 0);
            mosaic_shd_close(shd);
        }
        remove(path);
    }

    TEST("OutOfRangeSampleIndexIsAnError") {
        MosaicErr err;
        MosaicShd *shd;
        MosaicSpikes sp = {0};
        CHECK(mosaic_shd_open(h5, &shd, &err) == MOSAIC_OK);
        CHECK(mosaic_shd_read_sample(shd, N_SAMPLES, &sp, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "small.h5") && strstr(err.msg, "37"));
        mosaic_spikes_free(&sp);
        mosaic_shd_close(shd);
    }

    TEST("WriterRejectsBadSamplesAndStaysUsable") {
        char path[512];
        fixture_path(path, sizeof path, "bad-writes.h5");
        MosaicErr err;
        MosaicShdWriter *w;
        CHECK(mosaic_shd_writer_begin(path, fixture_classes_, 4, 10, &w, &err) == MOSAIC_OK);
        float t[2] = {0.1f, 0.2f};
        int32_t u[2] = {3, 10};
        CHECK(mosaic_shd_writer_add(w, t, u, 2, 0, 0, &err) == MOSAIC_ERR_INPUT); /* unit 10 of 10 */
        CHECK(strstr(err.msg, "unit 10") != NULL);
        u[1] = 9;
        CHECK(mosaic_shd_writer_add(w, t, u, 2, 4, 0, &err) == MOSAIC_ERR_INPUT); /* label 4 of 4 */
        t[0] = -0.5f;
        CHECK(mosaic_shd_writer_add(w, t, u, 2, 1, 0, &err) == MOSAIC_ERR_INPUT);
        t[0] = NAN;
        CHECK(mosaic_shd_writer_add(w, t, u, 2, 1, 0, &err) == MOSAIC_ERR_INPUT);
        t[0] = 0.1f;
        CHECK(mosaic_shd_writer_add(w, t, u, 2, 1, 7, &err) == MOSAIC_OK);
        CHECK(mosaic_shd_writer_add(w, t, u, 0, 2, 7, &err) == MOSAIC_OK); /* an empty sample is legal */
        CHECK(access(path, F_OK) != 0); /* nothing under the real name yet */
        CHECK(mosaic_shd_writer_finish(w, &err) == MOSAIC_OK);
        MosaicShd *shd;
        CHECK(mosaic_shd_open(path, &shd, &err) == MOSAIC_OK);
        CHECK_EQ_INT(mosaic_shd_num_samples(shd), 2);
        CHECK_EQ_INT(mosaic_shd_num_units(shd), 10);
        MosaicSpikes sp = {0};
        CHECK(mosaic_shd_read_sample(shd, 1, &sp, &err) == MOSAIC_OK);
        CHECK_EQ_INT(sp.n, 0);
        CHECK(mosaic_shd_read_sample(shd, 0, &sp, &err) == MOSAIC_OK);
        CHECK_EQ_INT(sp.n, 2);
        /* 0.1 is not a float16: stored rounded to nearest (0.0999755859375) */
        CHECK(sp.times[0] == mosaic_f16_to_float(mosaic_f16_from_float(0.1f)));
        CHECK_NEAR(sp.times[0], 0.1, 0.5 * 0x1p-14);
        mosaic_spikes_free(&sp);
        mosaic_shd_close(shd);
    }

    TEST("AbortLeavesNoFile") {
        char path[512];
        fixture_path(path, sizeof path, "aborted.h5");
        MosaicErr err;
        MosaicShdWriter *w;
        CHECK(mosaic_shd_writer_begin(path, fixture_classes_, 4, 700, &w, &err) == MOSAIC_OK);
        mosaic_shd_writer_abort(w);
        CHECK(access(path, F_OK) != 0);
        char cmd[600];
        snprintf(cmd, sizeof cmd, "ls '%s' | grep -c tmp > /dev/null", fixture_dir());
        CHECK(system(cmd) != 0); /* no temporary left behind either */
    }

    TEST("ClosedFilesReplaceTheOldOnesOnlyWhenPublished") {
        /* dataset make's pair: both files are closed before either is renamed, so an abort after a
         * close leaves the earlier file (here: the small.h5 of the first test) untouched */
        for (int gz = 0; gz <= 1; gz++) {
            const char *path = gz ? "small.h5.gz" : "small.h5";
            char full[512], before[33], after[33];
            fixture_path(full, sizeof full, path);
            MosaicErr err;
            CHECK(mosaic_md5_file(full, before, &err) == MOSAIC_OK);
            const float t[1] = {0.5f};
            const int32_t u[1] = {3};
            for (int publish = 0; publish <= 1; publish++) {
                MosaicShdWriter *w;
                CHECK(mosaic_shd_writer_begin(full, fixture_classes_, 4, 700, &w, &err) == MOSAIC_OK);
                CHECK(mosaic_shd_writer_add(w, t, u, 1, 2, 0, &err) == MOSAIC_OK);
                CHECK(mosaic_shd_writer_close(w, &err) == MOSAIC_OK);
                CHECK(mosaic_md5_file(full, after, &err) == MOSAIC_OK);
                CHECK(!strcmp(before, after)); /* closed, not yet published */
                if (publish)
                    CHECK(mosaic_shd_writer_publish(w, &err) == MOSAIC_OK);
                else
                    mosaic_shd_writer_abort(w);
                CHECK(mosaic_md5_file(full, after, &err) == MOSAIC_OK);
                CHECK(!strcmp(before, after) == !publish);
                char cmd[600];
                snprintf(cmd, sizeof cmd, "ls '%s' | grep -c tmp > /dev/null", fixture_dir());
                CHECK(system(cmd) != 0); /* no temporary left behind */
            }
            MosaicShd *shd;
            CHECK(mosaic_shd_open(full, &shd, &err) == MOSAIC_OK);
            CHECK_EQ_INT(mosaic_shd_num_samples(shd), 1);
            mosaic_shd_close(shd);
        }
    }

    fixture_cleanup();
    return mosaic_test_finish();
}
